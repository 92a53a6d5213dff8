"""'Where's my order?': the status and pickup time of an order the caller placed today, found by the number they
are calling from and never by a number they say, so no caller hears anyone else's order."""
from __future__ import annotations

from datetime import datetime

from kebabalab.errors import ToolError
from kebabalab.ordering import pricing
from kebabalab.ordering.validation import coerce_text
from kebabalab.service.order_lookup import todays_orders_from
from kebabalab.tools.registry import Registry, string

TOOLS = Registry()

WITHHELD = ("Your number is hidden on this call, so I can't look up an order: I only look orders up by the number "
            "they were placed from. Please call back from that number, or the shop can check it when you arrive.")
SAID = {"new": "has been received and is in the queue", "preparing": "is being made right now",
        "ready": "is ready to pick up", "collected": "has already been picked up", "cancelled": "was cancelled"}


@TOOLS.tool("getOrderStatus", params={"orderNumber": string(
    "Only if the caller placed more than one order today: the order number they say ('order 42', '#042')")})
def get_order_status(ctx, args):
    """Where's my order: the status and pickup time of the order the caller placed today, found by the number
    they are calling from (never by a number they give). A hidden number cannot look up an order."""
    if ctx.caller is None:
        raise ToolError(WITHHELD)
    orders = todays_orders_from(ctx.services, ctx.caller, ctx.now())
    if not orders:
        return ctx.reply("I can't find an order placed today from the number you're calling from.", found=False,
                         ordersToday=0)
    wanted = coerce_text(args.get("orderNumber"), "order number", max_length=20) if args.get("orderNumber") else ""
    order = _pick(orders, wanted)
    fields = _order_fields(ctx, order)
    others = f" You placed {len(orders)} orders today; that's the latest." if len(orders) > 1 and not wanted else ""
    return ctx.reply(f"Order {order.display_number} {SAID.get(order.status, order.status)}"
                     f"{_pickup(order, fields)}.{others}", found=True, ordersToday=len(orders), **fields)


def _pick(orders, wanted: str):
    """The caller's order with the number they said, else their latest; a number that is not theirs finds none."""
    if not wanted:
        return orders[0]
    digits = "".join(ch for ch in wanted if ch.isdigit()).lstrip("0")
    for order in orders:
        if digits and digits in (str(order.day_seq), order.order_number.replace("-", "").lstrip("0")):
            return order
    said = ", ".join(o.display_number for o in orders)
    raise ToolError(f"I can't find that order number among today's orders from your number; you have {said}.")


def _order_fields(ctx, order) -> dict:
    fields = {"orderNumber": order.order_number, "displayOrderNumber": order.display_number, "status": order.status,
              "total": pricing.dollars(order.total)}
    if order.ready_at:
        fields.update(ctx.pickup_fields(datetime.fromisoformat(order.ready_at)))
    return fields


def _pickup(order, fields: dict) -> str:
    if order.status in ("new", "preparing") and "readyAtSpoken" in fields:
        return f"; it's due for pickup at {fields['readyAtSpoken']}"
    return ""
