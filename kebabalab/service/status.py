"""Moving an order's status (the board, the API, the command line): the shop's rules, the store's transaction,
and the customer's 'ready' text, combined here and nowhere else."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.messaging.texts import compose_cancelled, compose_ready, customer_text
from kebabalab.shop.order_status import MoveRefused, OrderNotFound, decide_move
from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.status import StatusRaced, move_status, orders_between


@dataclass(frozen=True)
class StatusChange:
    order: StoredOrder  # as it is after the change
    from_status: str
    to_status: str
    actor: str
    at: str
    texted: bool  # a 'ready' text was queued
    customer_texted: bool = False  # a text telling the customer it is cancelled was queued


def change_status(services, order_number: str, target: str | None = None, *, undo: bool = False,
                  expected: str | None = None, actor: str = "staff", text_customer: bool = False) -> StatusChange:
    """Move an order to `target` (or one step back with `undo`) and record who did it, in one transaction;
    marking it ready queues the customer's text at most once, so an undone and redone tap never texts twice.
    A cancel with `text_customer` tells the customer (a walk-in with no number gets no text)."""
    now = services.clock.now()

    def decide(order: StoredOrder, came_from: str | None) -> str:
        return decide_move(order.status, order.display_number, target, undo=undo, expected=expected,
                           came_from=came_from)

    def ready_text(order: StoredOrder) -> list:
        return customer_text("ready", order, compose_ready(order, services.business))

    def cancel_text(order: StoredOrder) -> list:
        return customer_text("customer_confirmation", order, compose_cancelled(order, services.business))

    try:
        move = move_status(services.db, order_number, decide, actor=actor, at=now, ready_text=ready_text,
                           cancel_text=cancel_text if text_customer else None, shop_id=services.shop.id)
    except StatusRaced as raced:
        raise MoveRefused(f"Order {raced} was changed by someone else; try again.") from None
    if move is None:
        raise OrderNotFound(order_number)
    if move.texted or move.cancel_texted:
        services.sender.wake()
    return StatusChange(move.after, move.before.status, move.after.status, actor, utc_text(now), move.texted,
                        move.cancel_texted)


def orders_today(db, hours, now: datetime, shop_id: str) -> list[StoredOrder]:
    """The shop's orders of its trading day (5 am to 5 am in the shop's time zone), newest first."""
    _, start, end = hours.trading_day(now)
    return orders_between(db, start, end, shop_id)
