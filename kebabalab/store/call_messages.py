"""Every statement about the messages the assistant takes for the shop (a caller who wanted a person when nobody
answered): saved with the shop's text in one transaction, listed for the board, marked handled."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.store.orders import insert_messages
from kebabalab.store.records import OutboxMessage, utc_text

COLUMNS = "id, shop_id, call_id, caller_name, phone, reason, message, allergy, created_at, handled_at, handled_by"
SQL = {
    "add": "INSERT INTO call_messages (shop_id, call_id, caller_name, phone, reason, message, allergy, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    "since": f"SELECT {COLUMNS} FROM call_messages WHERE shop_id = ? AND (created_at >= ? OR handled_at IS NULL) "
             "ORDER BY id DESC",
    "one": f"SELECT {COLUMNS} FROM call_messages WHERE id = ? AND shop_id = ?",
    "handled": "UPDATE call_messages SET handled_at = ?, handled_by = ? WHERE id = ? AND shop_id = ? "
               "AND handled_at IS NULL",
    "for_call": f"SELECT {COLUMNS} FROM call_messages WHERE call_id = ? ORDER BY id",
}


@dataclass(frozen=True)
class NewCallMessage:
    call_id: str | None
    caller_name: str
    phone: str | None
    reason: str
    message: str
    allergy: bool
    created_at: datetime
    shop_id: str = "main"


@dataclass(frozen=True)
class CallMessage:
    id: int
    shop_id: str
    call_id: str | None
    caller_name: str | None
    phone: str | None
    reason: str
    message: str
    allergy: bool
    created_at: str
    handled_at: str | None
    handled_by: str | None

    @classmethod
    def from_row(cls, row) -> "CallMessage":
        values = dict(row)
        return cls(**{**values, "allergy": bool(values["allergy"])})


def add_call_message(db, new: NewCallMessage, texts: list[OutboxMessage]) -> int:
    """Save the message and queue the shop's texts about it in one transaction; returns the message's id."""
    stamp = utc_text(new.created_at)
    with db.transaction(immediate=True) as conn:
        row = conn.execute(SQL["add"], (new.shop_id, new.call_id, new.caller_name, new.phone, new.reason,
                                        new.message, int(new.allergy), stamp)).fetchone()
        insert_messages(conn, texts, stamp, due=None)
    return row["id"]


def call_messages_since(db, since: datetime, shop_id: str = "main") -> list[CallMessage]:
    """The messages taken since `since`, and any older one not yet called back, newest first."""
    return [CallMessage.from_row(r) for r in db.engine.read(SQL["since"], (shop_id, utc_text(since)))]


def call_messages_for_call(db, call_id: str) -> list[CallMessage]:
    return [CallMessage.from_row(r) for r in db.engine.read(SQL["for_call"], (call_id,))]


def mark_handled(db, message_id: int, who: str, at: datetime, shop_id: str = "main") -> CallMessage | None:
    """Mark a message called back (once; a second tap keeps the first); None when there is no such message."""
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["handled"], (utc_text(at), who, message_id, shop_id))
        row = conn.execute(SQL["one"], (message_id, shop_id)).fetchone()
    return CallMessage.from_row(row) if row else None
