"""Where an order is in the kitchen, and the one transaction that moves it.

    new -> preparing -> ready -> collected, and any status -> cancelled

Each move can be taken back one step (undo); a cancelled order goes back to the status it was cancelled
from. A change writes `orders.status` and an `order_events` row (who, when, from, to) together; marking an
order ready queues the customer's 'ready' text in the same transaction, at most once per order, so a
mistaken tap that is undone and redone never texts twice.

The board shows one trading day: from 5 am to 5 am in the shop's time zone (`Hours.trading_day`, as the order
numbers and `availability.py` count it), so an order placed at 00:30 on Saturday belongs to Friday night's board.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.store import ORDER_COLUMNS, SQL as DB_SQL, StoredOrder, insert_messages, utc_text
from kebabalab.messaging.notifications import compose_ready, customer_text

FLOW = ("new", "preparing", "ready", "collected")
STATUSES = FLOW + ("cancelled",)

SQL = {
    "order": DB_SQL["order_by_number"],
    "orders_between": f"SELECT {ORDER_COLUMNS} FROM orders WHERE created_at >= ? AND created_at < ? "
                      "ORDER BY created_at DESC, id DESC",
    # The status guard makes a second writer that read the same old status change nothing (PostgreSQL
    # re-checks the WHERE after waiting for the first writer's row lock; SQLite lets one writer in at a time).
    "status_set": "UPDATE orders SET status = ? WHERE id = ? AND status = ? RETURNING id",
    "event_add": "INSERT INTO order_events (order_id, from_status, to_status, actor, created_at) "
                 "VALUES (?, ?, ?, ?, ?)",
    "cancelled_from": "SELECT from_status FROM order_events WHERE order_id = ? AND to_status = 'cancelled' "
                      "ORDER BY id DESC LIMIT 1",
    "events": "SELECT from_status, to_status, actor, created_at FROM order_events WHERE order_id = ? ORDER BY id",
    "ready_texts": "SELECT COUNT(*) AS n FROM outbox WHERE order_id = ? AND kind = 'ready'",
}


class OrderNotFound(LookupError):
    """No order has that number."""


class MoveRefused(Exception):
    """The move is not allowed from the order's status; the message says why, for the person who tapped."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StatusChange:
    order: StoredOrder  # as it is after the change
    from_status: str
    to_status: str
    actor: str
    at: str
    texted: bool  # a 'ready' text was queued


def check_move(current: str, target: str, cancelled_from: str | None = None) -> None:
    """Raise MoveRefused unless `current -> target` is allowed (`cancelled_from`: the status before a cancel)."""
    if target not in STATUSES:
        raise MoveRefused(f"Unknown status {target!r}; use one of {', '.join(STATUSES)}.")
    if target == current:
        raise MoveRefused(f"The order is already {current}.")
    if target == "cancelled":
        return
    if current == "cancelled":
        back = cancelled_from or "new"
        if target != back:
            raise MoveRefused(f"A cancelled order can only go back to {back}.")
        return
    if abs(FLOW.index(target) - FLOW.index(current)) != 1:
        raise MoveRefused(f"An order can't go from {current} to {target}; it moves one step at a time.")


def undo_target(current: str, cancelled_from: str | None = None) -> str:
    """The status one step back from `current`."""
    if current == "cancelled":
        return cancelled_from or "new"
    if current == "new":
        raise MoveRefused("A new order has nothing to undo.")
    return FLOW[FLOW.index(current) - 1]


def change_status(services, order_number: str, target: str | None = None, *, undo: bool = False,
                  expected: str | None = None, actor: str = "staff") -> StatusChange:
    """Move an order to `target` (or one step back with `undo`) and record who did it, in one transaction.

    `expected`: the status the person saw; if the order has moved since, the change is refused.
    """
    at = utc_text(services.clock.now())
    with services.db.transaction(immediate=True) as conn:
        row = conn.execute(SQL["order"], (order_number,)).fetchone()
        if row is None:
            raise OrderNotFound(order_number)
        order = StoredOrder.from_row(row)
        if expected is not None and expected != order.status:
            raise MoveRefused(f"Order {order.display_number} is {order.status} now, not {expected}.")
        cancelled_from = _cancelled_from(conn, order.id) if order.status == "cancelled" else None
        target = undo_target(order.status, cancelled_from) if undo else (target or "")
        check_move(order.status, target, cancelled_from)
        if conn.execute(SQL["status_set"], (target, order.id, order.status)).fetchone() is None:
            raise MoveRefused(f"Order {order.display_number} was changed by someone else; try again.")
        conn.execute(SQL["event_add"], (order.id, order.status, target, actor, at))
        texted = target == "ready" and _queue_ready(conn, order, services.business, at)
        after = StoredOrder.from_row(conn.execute(SQL["order"], (order_number,)).fetchone())
    if texted:
        services.sender.wake()
    return StatusChange(after, order.status, target, actor, at, texted)


def _cancelled_from(conn, order_id: int) -> str | None:
    row = conn.execute(SQL["cancelled_from"], (order_id,)).fetchone()
    return row["from_status"] if row else None


def _queue_ready(conn, order: StoredOrder, business: dict, at: str) -> bool:
    """Queue 'Order #042 is ready for pickup' unless the order has no number to text or one already went."""
    messages = customer_text("ready", order, compose_ready(order, business))
    if not messages or conn.execute(SQL["ready_texts"], (order.id,)).fetchone()["n"]:
        return False
    insert_messages(conn, messages, at, due=None)
    return True


def order_events(db, order_id: int) -> list[dict]:
    """Every recorded change of one order, oldest first: from_status, to_status, actor, created_at."""
    with db.transaction() as conn:
        return [dict(row) for row in conn.execute(SQL["events"], (order_id,)).fetchall()]


def orders_today(db, hours, now: datetime) -> list[StoredOrder]:
    """The trading day's orders, newest first."""
    _, start, end = hours.trading_day(now)
    with db.transaction() as conn:
        rows = conn.execute(SQL["orders_between"], (utc_text(start), utc_text(end))).fetchall()
    return [StoredOrder.from_row(row) for row in rows]
