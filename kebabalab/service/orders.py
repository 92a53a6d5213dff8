"""Placing an order, exactly once: the cart checked again (open, in stock, pickup still possible, the prank guard),
saved with the shop's and the customer's texts in one transaction, and the call's session moved on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from kebabalab.errors import ToolError
from kebabalab.messaging.texts import messages_for_order
from kebabalab.ordering import pricing
from kebabalab.ordering.cart import cart_key, stored_items
from kebabalab.ordering.phones import can_receive_texts
from kebabalab.ordering.sold_out import check_available
from kebabalab.shop.order_status import AWAITING
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.shop.pickup import recheck_asap, recheck_pickup
from kebabalab.store import NewOrder
from kebabalab.store.confirmations import known_customer, opted_out

NEEDS_A_MOBILE = ("This order needs a YES by text before the kitchen starts it, and {why}. Ask for a mobile "
                  "number that can get the text (pass it as customerPhone); if they have none, offer to put them "
                  "through to the shop.")


@dataclass(frozen=True)
class Placed:
    order: object  # the stored order (created False: a retry found the first one)
    moved_from: datetime | None  # the pickup time promised before, when the kitchen got busier and it is later


@dataclass(frozen=True)
class Terms:
    """What the checks decided, before anything is saved."""
    promised: datetime  # the pickup time the caller was told
    ready: datetime  # the pickup time the order gets now
    total: int  # cents
    awaiting: bool  # the order waits for the customer's YES by text (the prank guard)


def place_order(services, session, kitchen, call_id: str | None, name: str, phone: str | None, notes: str | None,
                *, key: str | None = None, shop_text: bool = True) -> Placed:
    """Save the session's cart as an order (a retry of the same placement returns the first order: `created`
    False), queue its texts and empty the cart. ToolError, with nothing saved, when it cannot be placed now.
    The counter (service/counter.py) passes no call, its own idempotency `key`, and no text to the shop."""
    if not session.cart:
        raise ToolError("The cart is empty; what would you like to order?")
    now, hours, menu = services.clock.now(), services.hours, services.menu
    terms = _decide(services, session, kitchen, now, call_id, phone)  # every check first; then the order is saved
    key = key or cart_key(call_id, session.orders_placed, session.cart)
    new = NewOrder(call_id=call_id, idempotency_key=key,
                   customer_name=name, customer_phone=phone, items=stored_items(menu, session.cart),
                   subtotal=terms.total, gst=pricing.gst_of(terms.total), total=terms.total,
                   ready_at=terms.ready.isoformat(), notes=notes, order_day=hours.trading_day(now)[0].isoformat(),
                   created_at=now.isoformat(), status=AWAITING if terms.awaiting else "new")
    shop = services.settings.shop_order_to if shop_text else None
    # the texts, composed by the store in the order's own transaction once it has its number
    texts = partial(messages_for_order, business=services.business, hours=hours, shop_phone=shop or None,
                    awaiting=terms.awaiting)
    order = services.db.place_order(new, texts)
    if order.created:
        services.metrics.order_placed(services.shop.id)
        services.sender.wake()
    session.cart, session.pickup_at, session.order_number = [], None, order.order_number
    session.pickup_asap = False
    session.orders_placed += 1
    moved = order.created and datetime.fromisoformat(order.ready_at) > terms.promised
    return Placed(order, terms.promised if moved else None)


def _decide(services, session, kitchen, now: datetime, call_id: str | None, phone: str | None) -> Terms:
    """The checks, walking down: the kitchen's queue (an ASAP pickup is estimated again against it), the prank
    guard's facts, then the shop's rules (open, in stock, the pickup time still good) and the guard's. ToolError
    when the order cannot be placed now."""
    hours, menu, items = services.hours, services.menu, sum(line.quantity for line in session.cart)
    lead = current_lead(services, now, items, kitchen.busy_minutes) if session.pickup_asap else None
    if not hours.taking_orders(now) or kitchen.paused:
        raise ToolError("Sorry, we can't take orders right now; check the opening hours with checkOpen.")
    total = pricing.cart_total(menu, session.cart)
    # The prank guard (shop/order_guard.py): a first-time caller's big order waits for their YES; an order taken at
    # the counter (no call) is staff's own. The cheap checks first: most orders never reach the database here.
    # Its facts are read now; its refusals come after the shop's rules, so the caller hears those first.
    awaiting = (call_id is not None and services.business.prank_guard.needs_confirmation(total, items, first_time=True)
                and not known_customer(services.db, phone, services.shop.id))
    stopped = awaiting and can_receive_texts(phone) and opted_out(services.db, phone, services.shop.id)
    check_available(menu, kitchen.sold_out, session.cart)  # the kitchen may have run out since it went in the cart
    if not session.pickup_at:
        raise ToolError("When would you like to pick it up? Set the pickup time first.")
    promised = datetime.fromisoformat(session.pickup_at)
    ready = recheck_pickup(hours, now, promised) if lead is None else recheck_asap(hours, now, lead, promised)
    if awaiting and not can_receive_texts(phone):
        raise ToolError(NEEDS_A_MOBILE.format(why="that number can't get texts"))
    if stopped:
        raise ToolError(NEEDS_A_MOBILE.format(why="that number has opted out of our texts"))
    return Terms(promised, ready, total, awaiting)
