"""Every statement of the call log: one row per call, written by whichever of its messages comes first.

A call is seen from its first tool call, its status updates and its end-of-call report, in any order, any of
them twice or never: each write is an upsert on the call id, so a call is one row however its messages come.
A status update fills only what is still empty; the report, Vapi's last word, wins over what the updates said.
The order a call placed is not copied here: it is the order whose call_id is the call's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from kebabalab.ordering.phones import mask_phone
from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.schema import ORDER_COLUMNS, SQL as DB_SQL

CALL_COLUMNS = ("call_id, shop_id, caller, started_at, ended_at, ended_reason, duration_seconds, cost_cents, "
                "summary, structured, success_evaluation, recording_url, stereo_recording_url, transcript, "
                "transferred, transfer_answered, cart_lines, cart_summary, cart_total, report_at, updated_at, "
                "called_back_at, called_back_by, callback_outcome")
_ORDER_OF_CALL = ("(SELECT MIN(order_number) FROM orders WHERE orders.call_id = calls.call_id) AS order_number, "
                  "(SELECT COALESCE(SUM(total), 0) FROM orders WHERE orders.call_id = calls.call_id "
                  "AND status <> 'cancelled') AS order_total, "
                  "(SELECT COUNT(*) FROM call_messages WHERE call_messages.call_id = calls.call_id) AS messages_left")

SQL = {
    "seen": "INSERT INTO calls (call_id, shop_id, caller, started_at, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (call_id) DO UPDATE SET caller = COALESCE(calls.caller, excluded.caller)",
    "status": "INSERT INTO calls (call_id, shop_id, caller, started_at, ended_at, ended_reason, transferred, "
              "transfer_answered, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET "
              "caller = COALESCE(calls.caller, excluded.caller), "
              "ended_at = COALESCE(calls.ended_at, excluded.ended_at), "
              "ended_reason = COALESCE(calls.ended_reason, excluded.ended_reason), "
              "transferred = CASE WHEN excluded.transferred = 1 THEN 1 ELSE calls.transferred END, "
              "transfer_answered = COALESCE(calls.transfer_answered, excluded.transfer_answered), "
              "updated_at = excluded.updated_at",
    "report": "INSERT INTO calls (call_id, shop_id, caller, started_at, ended_at, ended_reason, duration_seconds, "
              "cost_cents, summary, structured, success_evaluation, recording_url, stereo_recording_url, transcript, "
              "transferred, transfer_answered, report_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET "
              "caller = COALESCE(calls.caller, excluded.caller), "
              + ", ".join(f"{name} = COALESCE(excluded.{name}, calls.{name})" for name in (
                  "started_at", "ended_at", "ended_reason", "duration_seconds", "cost_cents", "summary", "structured",
                  "success_evaluation", "recording_url", "stereo_recording_url", "transcript", "transfer_answered"))
              + ", transferred = CASE WHEN excluded.transferred = 1 THEN 1 ELSE calls.transferred END, "
              "report_at = COALESCE(calls.report_at, excluded.report_at), updated_at = excluded.updated_at",
    "cart": "INSERT INTO calls (call_id, shop_id, caller, started_at, cart_lines, cart_summary, cart_total, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET "
            "caller = COALESCE(calls.caller, excluded.caller), cart_lines = excluded.cart_lines, "
            "cart_summary = excluded.cart_summary, cart_total = excluded.cart_total, updated_at = excluded.updated_at",
    "between": f"SELECT {CALL_COLUMNS}, {_ORDER_OF_CALL} FROM calls WHERE shop_id = ? AND started_at >= ? "
               "AND started_at < ? ORDER BY started_at DESC, call_id",
    "times": "SELECT started_at, ended_at FROM calls WHERE call_id = ?",
    "called_back": "UPDATE calls SET called_back_at = ?, called_back_by = ?, callback_outcome = ? WHERE call_id = ? "
                   "AND shop_id = ?",
    "orders_called_from": f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = ? AND order_day = ? AND call_id IN "
                          "(SELECT call_id FROM calls WHERE caller = ?) ORDER BY created_at DESC, id DESC",
    "one": f"SELECT {CALL_COLUMNS}, {_ORDER_OF_CALL} FROM calls WHERE call_id = ? AND shop_id = ?",
}


@dataclass(frozen=True)
class CallRow:
    """One call as the log holds it; `order_number` is the first order it placed, `order_total` (cents) what its
    orders not cancelled came to, `messages_left` how many messages for the shop it left (takeMessage)."""
    call_id: str
    shop_id: str
    caller: str | None
    started_at: str
    ended_at: str | None
    ended_reason: str | None
    duration_seconds: int | None
    cost_cents: int | None
    summary: str | None
    structured: dict | None
    success_evaluation: str | None
    recording_url: str | None
    stereo_recording_url: str | None
    transcript: str | None
    transferred: bool
    transfer_answered: bool | None
    cart_lines: int
    cart_summary: str | None
    cart_total: int
    report_at: str | None
    updated_at: str
    called_back_at: str | None
    called_back_by: str | None
    callback_outcome: str | None
    order_number: str | None
    order_total: int
    messages_left: int  # messages the assistant took for the shop on this call (nobody answered the transfer)

    @classmethod
    def from_row(cls, row) -> "CallRow":
        values = dict(row)
        values["structured"] = json.loads(values["structured"]) if values["structured"] else None
        values["transferred"] = bool(values["transferred"])
        answered = values["transfer_answered"]
        values["transfer_answered"] = None if answered is None else bool(answered)
        return cls(**values)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def call_seen(db, call_id: str, caller: str | None, at: datetime, shop_id: str) -> None:
    """The call to the shop is on the line (its first tool call): a row if it has none yet."""
    stamp = utc_text(at)
    with db.transaction(immediate=True, pipelined=True) as conn:  # PostgreSQL: one round trip, COMMIT included
        conn.execute(SQL["seen"], (call_id, shop_id, caller, stamp, stamp))


def call_status(db, call_id: str, caller: str | None, report, at: datetime, shop_id: str) -> None:
    """A status update: fills what the row does not have yet (`report` is a vapi CallReport)."""
    stamp = utc_text(at)
    ended = utc_text(report.ended_at or at) if report.status == "ended" else None
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["status"], (call_id, shop_id, caller, utc_text(report.started_at or at), ended,
                                     report.ended_reason, int(report.transferred), _flag(report.transfer_answered),
                                     stamp))


def call_report(db, call_id: str, caller: str | None, report, at: datetime, shop_id: str) -> None:
    """The end-of-call report: its values win; the time it first came is kept, so a copy changes nothing else.
    Without its own start or end time the row's are kept, or the report's arrival stands in for them."""
    stamp = utc_text(at)
    with db.transaction(immediate=True) as conn:
        row = conn.execute(SQL["times"], (call_id,)).fetchone()
        started = utc_text(report.started_at) if report.started_at else (row["started_at"] if row else stamp)
        ended = utc_text(report.ended_at) if report.ended_at else ((row["ended_at"] if row else None) or stamp)
        conn.execute(SQL["report"], (
            call_id, shop_id, caller, started, ended,
            report.ended_reason, report.duration_seconds, report.cost_cents, report.summary, report.structured,
            report.success_evaluation, report.recording_url, report.stereo_recording_url, report.transcript,
            int(report.transferred), _flag(report.transfer_answered), stamp, stamp))


def record_left_cart(db, call_id: str, phone: str | None, lines: int, summary: str, total: int, at: datetime,
                     shop_id: str) -> int:
    """A cart the call left without an order: on the call's row and in abandoned_carts, in one transaction.
    Returns the abandoned cart's id."""
    stamp = utc_text(at)
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["cart"], (call_id, shop_id, phone, stamp, lines, summary, total, stamp))
        return conn.execute(DB_SQL["abandoned_add"], (call_id, mask_phone(phone), phone, summary, total,
                                                      stamp, shop_id)).fetchone()["id"]


def record_callback(db, call_id: str, outcome: str, by: str, at: datetime, shop_id: str) -> bool:
    """Staff called the caller back: who, when, and what came of it (a later tap replaces it). False when the shop
    has no such call."""
    with db.transaction(immediate=True) as conn:
        return conn.execute(SQL["called_back"], (utc_text(at), by, outcome, call_id, shop_id)).rowcount == 1


def calls_between(db, start: datetime, end: datetime, shop_id: str) -> list[CallRow]:
    """The shop's calls that started in [start, end), newest first."""
    return [CallRow.from_row(row) for row in db.engine.read(SQL["between"], (shop_id, utc_text(start),
                                                                             utc_text(end)))]


def find_call(db, call_id: str, shop_id: str) -> CallRow | None:
    """The shop's call `call_id`, or None (another shop's call is not found)."""
    rows = db.engine.read(SQL["one"], (call_id, shop_id))
    return CallRow.from_row(rows[0]) if rows else None


def orders_called_from(db, caller: str, day: str, shop_id: str) -> list[StoredOrder]:
    """The shop's orders of trading day `day` placed on calls from `caller` (E.164), whatever number they were left
    under; newest first."""
    return [StoredOrder.from_row(row) for row in db.engine.read(SQL["orders_called_from"], (shop_id, day, caller))]
