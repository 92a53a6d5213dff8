"""Every statement of the prank and no-show guard: is a number a known customer of a shop, the newest order
awaiting its YES (among the shops texting from the number it answered) confirmed with its texts in one
transaction, the unconfirmed of every shop cancelled once, and the numbers that sent a shop STOP."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Sequence

from kebabalab.config import MAIN_SHOP
from kebabalab.store.orders import insert_message_rows
from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.schema import ORDER_COLUMNS

SQL = {
    "known_customer": "SELECT COUNT(*) AS n FROM orders WHERE customer_phone = ? AND shop_id = ? "
                      "AND status NOT IN ('awaiting', 'cancelled')",
    # "{marks}": one "?" per shop
    "newest_awaiting": f"SELECT {ORDER_COLUMNS} FROM orders WHERE customer_phone = ? AND status = 'awaiting' "
                       "AND shop_id IN ({marks}) ORDER BY created_at DESC, id DESC LIMIT 1",
    # Guarded by the status: of two workers (or a YES and the expiry) only one moves the order.
    "move_awaiting": "UPDATE orders SET status = ? WHERE id = ? AND status = 'awaiting' RETURNING id",
    "expired": f"SELECT {ORDER_COLUMNS} FROM orders WHERE status = 'awaiting' AND created_at < ? ORDER BY id",
    "event_add": "INSERT INTO order_events (order_id, from_status, to_status, actor, created_at) "
                 "VALUES (?, 'awaiting', ?, ?, ?)",
    "opt_out": "INSERT INTO sms_opt_outs (shop_id, phone, opted_out_at) VALUES (?, ?, ?) "
               "ON CONFLICT (shop_id, phone) DO NOTHING",
    "opt_in": "DELETE FROM sms_opt_outs WHERE shop_id = ? AND phone = ?",
    "opted_out": "SELECT COUNT(*) AS n FROM sms_opt_outs WHERE shop_id = ? AND phone = ?",
}
CONFIRMED_BY = "customer (YES by text)"
EXPIRED_BY = "no YES in time"


@dataclass(frozen=True)
class Answered:
    order: StoredOrder  # as it is now: 'new' when confirmed, 'cancelled' when the YES came too late
    confirmed: bool


def known_customer(db, phone: str, shop_id: str) -> bool:
    """The number has an order at the shop that was neither cancelled nor left unconfirmed (a customer of one
    branch is a first-time caller of another)."""
    return db.engine.read(SQL["known_customer"], (phone, shop_id))[0]["n"] > 0


def confirm_newest(db, phone: str, *, at: datetime, placed_after: datetime, texts: Callable[[StoredOrder], list],
                   shop_ids: Sequence[str] = (MAIN_SHOP,)) -> Answered | None:
    """Confirm the number's newest order awaiting its YES at one of `shop_ids`: 'new', its event, and
    `texts(order)` queued as its shop's, in one transaction. One placed before `placed_after` is past its time:
    cancelled instead. None when none awaits."""
    stamp = utc_text(at)
    statement = SQL["newest_awaiting"].format(marks=", ".join("?" * len(shop_ids)))
    with db.transaction(immediate=True) as conn:
        row = conn.execute(statement, (phone, *shop_ids)).fetchone()
        if row is None:
            return None
        order = StoredOrder.from_row(row)
        confirmed = order.created_at >= utc_text(placed_after)
        target = "new" if confirmed else "cancelled"
        if conn.execute(SQL["move_awaiting"], (target, order.id)).fetchone() is None:
            return None  # the expiry or another worker moved it a moment ago
        conn.execute(SQL["event_add"], (order.id, target, CONFIRMED_BY if confirmed else EXPIRED_BY, stamp))
        moved = _with_status(order, target)
        if confirmed:
            insert_message_rows(conn, [(replace(text, shop_id=order.shop_id), stamp, None, order.id, order.call_id)
                                       for text in texts(moved)], returning=False)
    return Answered(moved, confirmed)


def cancel_unconfirmed(db, *, placed_before: datetime, at: datetime) -> list[StoredOrder]:
    """Cancel every order of every shop still awaiting its YES that was placed before `placed_before`, each once
    however many workers run this (the status guard), with its event; returns the ones this call cancelled (each
    with its shop). No text: the number may be a prank's victim, who never asked for the order."""
    stamp = utc_text(at)
    cancelled = []
    with db.transaction(immediate=True) as conn:
        for row in conn.execute(SQL["expired"], (utc_text(placed_before),)).fetchall():
            order = StoredOrder.from_row(row)
            if conn.execute(SQL["move_awaiting"], ("cancelled", order.id)).fetchone() is None:
                continue
            conn.execute(SQL["event_add"], (order.id, "cancelled", EXPIRED_BY, stamp))
            cancelled.append(_with_status(order, "cancelled"))
    return cancelled


def _with_status(order: StoredOrder, status: str) -> StoredOrder:
    return replace(order, status=status)


def opt_out(db, phone: str, at: datetime, shop_ids: Sequence[str] = (MAIN_SHOP,)) -> None:
    """The number sent STOP to the shops `shop_ids`: none of them texts it until it sends START."""
    with db.transaction(immediate=True) as conn:
        for shop_id in shop_ids:
            conn.execute(SQL["opt_out"], (shop_id, phone, utc_text(at)))


def opt_in(db, phone: str, shop_ids: Sequence[str] = (MAIN_SHOP,)) -> None:
    with db.transaction(immediate=True) as conn:
        for shop_id in shop_ids:
            conn.execute(SQL["opt_in"], (shop_id, phone))


def opted_out(db, phone: str, shop_id: str) -> bool:
    return db.engine.read(SQL["opted_out"], (shop_id, phone))[0]["n"] > 0
