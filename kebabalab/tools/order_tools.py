"""Order tools: place the order exactly once, recognise returning callers, texts, and the call's end."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import spoken_stored_item
from kebabalab.service.calls import note_abandoned
from kebabalab.service.orders import Placed, place_order
from kebabalab.service.repeat import repeat_last_order as repeat_order
from kebabalab.store import OutboxMessage
from kebabalab.errors import ToolError
from kebabalab.shop.hours import spoken_time
from kebabalab.shop.order_guard import CONFIRM_MINUTES
from kebabalab.shop.order_status import AWAITING
from kebabalab.messaging.texts import compose_menu_link, compose_receipt
from kebabalab.ordering.phones import can_receive_texts, mask_phone
from kebabalab.ordering.validation import validate_customer_name, validate_notes, validate_phone_number
from kebabalab.tools.registry import OFFER_ANSWER, Registry, offer_answer, string

TOOLS = Registry()

PHONE_ARG = string("Only if the caller wants another number; default is the number they are calling from")


@TOOLS.tool("createOrder", params={
    "customerName": string("The name for the order"),
    "customerPhone": PHONE_ARG,
    "notes": string("Anything the kitchen should know (200 characters at most)"),
    OFFER_ANSWER: offer_answer(),
}, required=("customerName",))
def create_order(ctx, args):
    """Place the order: needs a non-empty cart, a pickup time that is still valid and the shop open. Saves it,
    texts the shop and the customer, and clears the cart. Placing the same cart again in this call returns the
    first order, never a second one."""
    services, session = ctx.services, ctx.session
    if not session.cart and session.order_number:
        placed = Placed(services.db.find_order(session.order_number), None)
    else:
        name, phone, notes = _customer(ctx, args)
        placed = place_order(services, session, ctx.kitchen, ctx.call_id, name, phone, notes)
    order, moved = placed.order, placed.moved_from is not None
    fields = ctx.pickup_fields(datetime.fromisoformat(order.ready_at))
    later = (f" The kitchen got busier, so that's later than the "
             f"{spoken_time(services.hours.local(placed.moved_from))} I said.") if moved else ""
    said = f"{order.display_number}, {pricing.spoken_money(order.total)}, ready at {fields['readyAtSpoken']}"
    message = f"{'Your order is' if order.created else 'That order is already'} placed. Order number {said}.{later}"
    awaiting = order.status == AWAITING
    if awaiting:
        message = (f"The order is saved but not confirmed yet: order number {said} once confirmed.{later} "
                   "Tell the caller before the call ends: we've texted them, and they must reply YES within "
                   f"{CONFIRM_MINUTES} minutes, or the order is cancelled.")
    return ctx.reply(message, orderNumber=order.order_number, displayOrderNumber=order.display_number,
                     total=pricing.dollars(order.total), gst=pricing.dollars(order.gst),
                     readyAt=fields["readyAt"], readyAtIso=fields["readyAtIso"],
                     readyAtSpoken=fields["readyAtSpoken"], pickupMoved=moved, awaitingConfirmation=awaiting)


def _customer(ctx, args) -> tuple[str, str, str | None]:
    """The order's name, phone (the caller's own unless they gave another) and notes, validated."""
    name = validate_customer_name(args.get("customerName"))
    phone = validate_phone_number(args["customerPhone"]) if args.get("customerPhone") else ctx.caller
    if phone is None:
        raise ToolError("What's the best phone number for the order?")
    return name, phone, validate_notes(args.get("notes"))


@TOOLS.tool("getCallerSmartContext", old_names=("getCallerInfo",))
def get_caller_smart_context(ctx, args):
    """Who is calling: the caller's history by phone number (any form of the same number matches), for a
    personal greeting and 'your usual?'."""
    phone = ctx.caller
    orders = ctx.services.db.orders_for_phone(phone, limit=50) if phone else []
    if not orders:
        return ctx.reply("A new caller: welcome them to the shop.", phone=mask_phone(phone) if phone else None,
                         isReturningCustomer=False, customerName=None, orderCount=0, lastOrder=None,
                         favouriteItem=None, mostOrderedItem=None, orderHistory=[], canRepeatOrder=False,
                         greetingSuggestion=f"Thanks for calling {ctx.services.business.name}, "
                                            "what can I get you?")
    last = orders[0]
    summary = "; ".join(spoken_stored_item(item) for item in last.items)
    favourite = Counter(item["description"] for o in orders for item in o.items
                        for _ in range(int(item.get("quantity", 1)))).most_common(1)[0][0]
    name = last.customer_name or ""
    return ctx.reply(f"A returning caller: {name or 'no name on file'}.", phone=mask_phone(phone),
                     isReturningCustomer=True, customerName=name or None, orderCount=len(orders),
                     lastOrder={"orderNumber": last.display_number, "summary": summary,
                                "total": pricing.dollars(last.total), "date": last.order_day},
                     favouriteItem=favourite, mostOrderedItem=favourite, orderHistory=_history(orders),
                     canRepeatOrder=True,
                     greetingSuggestion=f"Welcome back{', ' + name.split()[0] if name else ''}! "
                                        f"Would you like your usual {favourite}?")


def _history(orders) -> list[dict]:
    """The original's `orderHistory`: the last three orders, newest first."""
    return [{"orderNumber": o.display_number, "total": pricing.dollars(o.total), "date": o.order_day,
             "itemCount": sum(int(item.get("quantity", 1)) for item in o.items)} for o in orders[:3]]


@TOOLS.tool("repeatLastOrder", params={"phoneNumber": string(
    "Only used when the call has no caller number")})
def repeat_last_order(ctx, args):
    """Put the caller's last order into the cart at today's prices; items no longer sold are named, not added."""
    phone = ctx.caller or (validate_phone_number(args["phoneNumber"]) if args.get("phoneNumber") else None)
    if phone is None:
        raise ToolError("What number did you order from last time?")
    repeated = repeat_order(ctx.services, ctx.session, ctx.kitchen, phone)
    result = ctx.added(repeated.lines, repeated.start)
    if repeated.unavailable:
        result["message"] += f" Not available any more: {'; '.join(repeated.unavailable)}."
    return {**result, "unavailable": repeated.unavailable, "itemCount": ctx.item_count(),
            "lastTotal": pricing.dollars(repeated.last_total)}


def _text(ctx, kind: str, body: str, phone_arg) -> str:
    settings = ctx.services.settings
    to = validate_phone_number(phone_arg) if phone_arg else ctx.caller
    if to is None:
        raise ToolError("Which number should I text?")
    if not can_receive_texts(to):
        raise ToolError("I can only text a mobile number; which mobile should I send it to?")
    if ctx.services.db.requested_texts_for_call(ctx.call_id) >= settings.max_texts_per_call:
        raise ToolError(f"I've already sent {settings.max_texts_per_call} texts on this call; I can't send more.")
    ctx.services.db.add_messages([OutboxMessage(kind, to, body, call_id=ctx.call_id)])
    ctx.services.sender.wake()
    return to


@TOOLS.tool("sendMenuLink", params={"phoneNumber": PHONE_ARG})
def send_menu_link(ctx, args):
    """Text the menu link to the caller (or another number)."""
    to = _text(ctx, "menu_link", compose_menu_link(ctx.services.business), args.get("phoneNumber"))
    business = ctx.services.business
    return ctx.reply("I've texted you the menu link.", sentTo=mask_phone(to),
                     menuUrl=business.menu_url or business.website or None)


@TOOLS.tool("sendReceipt", params={"phoneNumber": PHONE_ARG})
def send_receipt(ctx, args):
    """Text the receipt of the order placed in this call."""
    if not ctx.session.order_number:
        raise ToolError("There's no order placed on this call yet.")
    order = ctx.services.db.find_order(ctx.session.order_number)
    to = _text(ctx, "receipt", compose_receipt(order, ctx.services.business), args.get("phoneNumber"))
    return ctx.reply(f"I've texted the receipt for order {order.display_number}.",
                     orderNumber=order.order_number, order=order.display_number, sentTo=mask_phone(to))


@TOOLS.tool("endCall")
def end_call(ctx, args):
    """Say goodbye and free the call's state (Vapi's own endCall tool hangs up)."""
    note_abandoned(ctx.services, ctx.session, ctx.call_id)
    ctx.session.ended = True
    return ctx.reply(f"Thanks for calling {ctx.services.business.name}, see you soon!")
