"""Every statement of the order-status flow: the one transaction that moves an order, its events, a day's orders.

The flow's rules (which move is allowed) come from the caller as `decide`, and the texts as `ready_text` (and
`cancel_text`), so the store knows neither the shop's policy nor the texts' wording.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from kebabalab.store.orders import insert_messages
from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.schema import ORDER_COLUMNS, SQL as DB_SQL

SQL = {
    "order": DB_SQL["order_by_number"],
    "orders_between": f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = ? AND created_at >= ? "
                      "AND created_at < ? ORDER BY created_at DESC, id DESC",
    # The status guard makes a second writer that read the same old status change nothing (PostgreSQL
    # re-checks the WHERE after waiting for the first writer's row lock; SQLite lets one writer in at a time).
    "status_set": "UPDATE orders SET status = ? WHERE id = ? AND status = ? RETURNING id",
    "event_add": "INSERT INTO order_events (order_id, from_status, to_status, actor, created_at, detail) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
    "came_from": "SELECT from_status FROM order_events WHERE order_id = ? AND to_status = ? "
                 "ORDER BY id DESC LIMIT 1",
    "events": "SELECT from_status, to_status, actor, created_at FROM order_events WHERE order_id = ? ORDER BY id",
    # "{marks}": one "?" per order
    "events_of": "SELECT order_id, from_status, to_status, actor, detail, created_at FROM order_events "
                 "WHERE order_id IN ({marks}) ORDER BY id",
    "ready_texts": "SELECT COUNT(*) AS n FROM outbox WHERE order_id = ? AND kind = 'ready'",
}


class StatusRaced(Exception):
    """Another writer moved the order between our read and our write; nothing was changed."""


@dataclass(frozen=True)
class StatusMove:
    before: StoredOrder
    after: StoredOrder
    texted: bool  # a 'ready' text was queued
    cancel_texted: bool = False  # a text saying the order is cancelled was queued


def move_status(db, order_number: str, decide: Callable[[StoredOrder, str | None], str], *, actor: str, at: datetime,
                ready_text: Callable[[StoredOrder], list],
                cancel_text: Callable[[StoredOrder], list] | None = None, shop_id: str) -> StatusMove | None:
    """Move one of the shop's orders to the status `decide(order, came_from)` returns (it raises to refuse;
    `came_from`: the status before a cancelled or collected order's last move), record the event, and queue
    `ready_text(order)` at most once when the order becomes ready (and `cancel_text(order)` when it is
    cancelled): all in one transaction. None when the shop has no order with that number."""
    stamp = utc_text(at)
    with db.transaction(immediate=True) as conn:
        row = conn.execute(SQL["order"], (shop_id, order_number)).fetchone()
        if row is None:
            return None
        order = StoredOrder.from_row(row)
        came_from = _came_from(conn, order) if order.status in ("cancelled", "collected") else None
        target = decide(order, came_from)
        if conn.execute(SQL["status_set"], (target, order.id, order.status)).fetchone() is None:
            raise StatusRaced(order.display_number)
        conn.execute(SQL["event_add"], (order.id, order.status, target, actor, stamp, None))
        texted = target == "ready" and _queue_ready(conn, order, ready_text(order), stamp)
        cancel_texted = False
        if target == "cancelled" and cancel_text is not None:
            cancel_texted = bool(insert_messages(conn, [replace(m, shop_id=order.shop_id) for m in cancel_text(order)],
                                                 stamp, due=None))
        after = StoredOrder.from_row(conn.execute(SQL["order"], (shop_id, order_number)).fetchone())
    return StatusMove(order, after, texted, cancel_texted)


def _came_from(conn, order: StoredOrder) -> str | None:
    row = conn.execute(SQL["came_from"], (order.id, order.status)).fetchone()
    return row["from_status"] if row else None


def _queue_ready(conn, order: StoredOrder, messages: list, at: str) -> bool:
    """Queue the 'ready' text unless there is none to send or one already went for this order."""
    if not messages or conn.execute(SQL["ready_texts"], (order.id,)).fetchone()["n"]:
        return False
    insert_messages(conn, [replace(m, shop_id=order.shop_id) for m in messages], at, due=None)
    return True


def record_event(db, order_id: int, from_status: str | None, to_status: str, actor: str, at: datetime,
                 detail: str | None = None) -> None:
    """One more line of an order's history (taking a counter order, say)."""
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["event_add"], (order_id, from_status, to_status, actor, utc_text(at), detail))


def order_events(db, order_id: int) -> list[dict]:
    """Every recorded change of one order, oldest first: from_status, to_status, actor, created_at."""
    with db.transaction() as conn:
        return [dict(row) for row in conn.execute(SQL["events"], (order_id,)).fetchall()]


def events_of_orders(db, order_ids: list[int]) -> dict[int, list[dict]]:
    """The recorded changes of many orders at once (the board's day), oldest first, by order id."""
    found: dict[int, list[dict]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    statement = SQL["events_of"].format(marks=", ".join("?" * len(order_ids)))
    for row in db.engine.read(statement, tuple(order_ids)):
        found[row["order_id"]].append(dict(row))
    return found


def orders_between(db, start: datetime, end: datetime, shop_id: str) -> list[StoredOrder]:
    """The shop's orders created in [start, end), newest first."""
    with db.transaction() as conn:
        rows = conn.execute(SQL["orders_between"], (shop_id, utc_text(start), utc_text(end))).fetchall()
    return [StoredOrder.from_row(row) for row in rows]
