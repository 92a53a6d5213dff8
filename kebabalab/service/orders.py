"""Placing an order, exactly once: the cart checked again (open, in stock, pickup still possible), saved with the
shop's and the customer's texts in one transaction, and the call's session moved on."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from kebabalab.errors import ToolError
from kebabalab.messaging.texts import messages_for_new_order
from kebabalab.ordering import pricing
from kebabalab.ordering.cart import describe
from kebabalab.ordering.lines import CartLine
from kebabalab.service.cart import check_available
from kebabalab.shop.hours import spoken_time
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.shop.pickup import check_pickup, earliest_pickup
from kebabalab.store import NewOrder


def cart_key(call_id: str, orders_before: int, cart: list[CartLine]) -> str:
    """The idempotency key of placing this cart as this call's next order: a retry of the same placement
    finds the first order; the same food ordered again after it ("same again for my mate") is a new one."""
    canonical = json.dumps([line.to_dict() for line in cart], sort_keys=True, separators=(",", ":"))
    return f"{call_id}:{orders_before}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def stored_items(menu, cart: list[CartLine]) -> list[dict]:
    """Order lines as saved: what was said and charged, and the line itself for a repeat order."""
    return [{"item_id": line.item_id, "description": describe(menu, line), "quantity": line.quantity,
             "unit_price_cents": pricing.unit_price(menu, line), "line_total_cents": pricing.line_total(menu, line),
             "line": line.to_dict()} for line in cart]


def asap_pickup(services, now: datetime, items: int, busy_minutes: int, promised: datetime) -> datetime:
    """An ASAP pickup re-estimated against the queue now: never earlier than `promised`; refused (with what
    still works) when the kitchen can no longer have it ready before close."""
    hours = services.hours
    try:
        fresh = earliest_pickup(hours, now, current_lead(services, now, items, busy_minutes))
    except ToolError as err:
        raise ToolError(f"The pickup time {spoken_time(hours.local(promised))} no longer works. {err.message}") \
            from None
    return max(promised, fresh)


def _pickup_still_valid(services, session, kitchen, now: datetime) -> datetime:
    if not session.pickup_at:
        raise ToolError("When would you like to pick it up? Set the pickup time first.")
    hours = services.hours
    wanted = datetime.fromisoformat(session.pickup_at)
    if session.pickup_asap:
        items = sum(line.quantity for line in session.cart)
        return asap_pickup(services, now, items, kitchen.busy_minutes, wanted)
    try:
        return check_pickup(hours, now, wanted, hours.min_lead_minutes)
    except ToolError as err:
        raise ToolError(f"The pickup time {spoken_time(hours.local(wanted))} no longer works. {err.message} "
                        "Please set the pickup time again.") from None


@dataclass(frozen=True)
class Placed:
    order: object  # the stored order (created False: a retry found the first one)
    moved_from: datetime | None  # the pickup time promised before, when the kitchen got busier and it is later


def place_order(services, session, kitchen, call_id: str, name: str, phone: str, notes: str | None) -> Placed:
    """Save the session's cart as an order (a retry of the same placement returns the first order: `created`
    False), queue its texts and empty the cart. ToolError, with nothing saved, when it cannot be placed now."""
    if not session.cart:
        raise ToolError("The cart is empty; what would you like to order?")
    now = services.clock.now()
    if not services.hours.taking_orders(now) or kitchen.paused:
        raise ToolError("Sorry, we can't take orders right now; check the opening hours with checkOpen.")
    check_available(services.menu, kitchen, session.cart)  # the kitchen may have run out since it went in the cart
    promised = datetime.fromisoformat(session.pickup_at) if session.pickup_at else None
    ready = _pickup_still_valid(services, session, kitchen, now)
    total = pricing.cart_total(services.menu, session.cart)
    key = cart_key(call_id, session.orders_placed, session.cart)
    new = NewOrder(call_id=call_id, idempotency_key=key, customer_name=name,
                   customer_phone=phone, items=stored_items(services.menu, session.cart), subtotal=total,
                   gst=pricing.gst_of(total), total=total, ready_at=ready.isoformat(), notes=notes,
                   order_day=services.hours.trading_day(now)[0].isoformat(), created_at=now.isoformat())
    ready_said = spoken_time(services.hours.local(ready))
    order = services.db.place_order(new, lambda stored: messages_for_new_order(
        stored, services.business, ready_said, services.settings.shop_order_to or None))
    if order.created:
        services.metrics.orders.inc()
        services.sender.wake()
    session.cart, session.pickup_at, session.order_number = [], None, order.order_number
    session.pickup_asap = False
    session.orders_placed += 1
    moved = order.created and promised is not None and datetime.fromisoformat(order.ready_at) > promised
    return Placed(order, promised if moved else None)
