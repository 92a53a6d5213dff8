"""Placing an order, exactly once: the cart checked again (open, in stock, pickup still possible), saved with the
shop's and the customer's texts in one transaction, and the call's session moved on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.errors import ToolError
from kebabalab.messaging.texts import messages_for_awaiting_order, messages_for_new_order
from kebabalab.ordering import pricing
from kebabalab.ordering.cart import cart_key, stored_items
from kebabalab.shop.availability import check_available
from kebabalab.shop.hours import spoken_time
from kebabalab.shop.order_status import AWAITING
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.service.order_guard import needs_confirmation
from kebabalab.shop.pickup import recheck_asap, recheck_pickup
from kebabalab.store import NewOrder


@dataclass(frozen=True)
class Placed:
    order: object  # the stored order (created False: a retry found the first one)
    moved_from: datetime | None  # the pickup time promised before, when the kitchen got busier and it is later


def place_order(services, session, kitchen, call_id: str | None, name: str, phone: str | None, notes: str | None,
                *, key: str | None = None, shop_text: bool = True) -> Placed:
    """Save the session's cart as an order (a retry of the same placement returns the first order: `created`
    False), queue its texts and empty the cart. ToolError, with nothing saved, when it cannot be placed now.
    The counter (service/counter.py) passes no call, its own idempotency `key`, and no text to the shop."""
    if not session.cart:
        raise ToolError("The cart is empty; what would you like to order?")
    now, hours, menu = services.clock.now(), services.hours, services.menu
    # The checks walk down: the kitchen's queue (an ASAP pickup is estimated again against it), then the shop's
    # rules, then the texts, then the order's values; nothing is saved until every check has passed.
    lead = current_lead(services, now, sum(line.quantity for line in session.cart), kitchen.busy_minutes) \
        if session.pickup_asap else None
    if not hours.taking_orders(now) or kitchen.paused:
        raise ToolError("Sorry, we can't take orders right now; check the opening hours with checkOpen.")
    check_available(menu, kitchen, session.cart)  # the kitchen may have run out since it went in the cart
    if not session.pickup_at:
        raise ToolError("When would you like to pick it up? Set the pickup time first.")
    promised = datetime.fromisoformat(session.pickup_at)
    ready = recheck_pickup(hours, now, promised) if lead is None else recheck_asap(hours, now, lead, promised)

    def texts(stored):  # the shop's and the customer's texts, written in the store's transaction with the order
        if awaiting:  # the customer's YES first; the shop hears of it then (service/incoming_texts.py)
            return messages_for_awaiting_order(stored, services.business, ready_said)
        shop = services.settings.shop_order_to if shop_text else None
        return messages_for_new_order(stored, services.business, ready_said, shop or None)

    day, ready_said = hours.trading_day(now)[0].isoformat(), spoken_time(hours.local(ready))
    total = pricing.cart_total(menu, session.cart)
    # an order taken at the counter (no call) is staff's own: no YES by text to wait for
    awaiting = call_id is not None and needs_confirmation(services, phone, total,
                                                          sum(line.quantity for line in session.cart))
    key = key or cart_key(call_id, session.orders_placed, session.cart)
    new = NewOrder(call_id=call_id, idempotency_key=key,
                   customer_name=name, customer_phone=phone, items=stored_items(menu, session.cart), subtotal=total,
                   gst=pricing.gst_of(total), total=total, ready_at=ready.isoformat(), notes=notes, order_day=day,
                   created_at=now.isoformat(), status=AWAITING if awaiting else "new")
    order = services.db.place_order(new, texts)
    if order.created:
        services.metrics.orders.inc()
        services.sender.wake()
    session.cart, session.pickup_at, session.order_number = [], None, order.order_number
    session.pickup_asap = False
    session.orders_placed += 1
    moved = order.created and datetime.fromisoformat(order.ready_at) > promised
    return Placed(order, promised if moved else None)
