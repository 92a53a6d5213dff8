"""Opening hours and pickup time tools."""
from __future__ import annotations

from datetime import datetime

from kebabalab.errors import ToolError
from kebabalab.shop.hours import spoken_day_time, spoken_time
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.shop.pickup import ROUND_TO_MINUTES, check_pickup, earliest_pickup, parse_requested_time
from kebabalab.ordering.validation import coerce_text
from kebabalab.tools.registry import OFFER_ANSWER, Registry, offer_answer, string

TOOLS = Registry()


def kitchen_lead(ctx) -> int:
    """The lead time for this call's cart right now."""
    return current_lead(ctx.services, ctx.now(), ctx.item_count(), ctx.kitchen.busy_minutes)


@TOOLS.tool("checkOpen")
def check_open(ctx, args):
    """Is the shop open now (shop's time zone, overnight hours, closed dates and special hours)?"""
    hours = ctx.services.hours
    now = ctx.now()
    local = hours.local(now)
    current = hours.current_interval(now)
    interval = current or hours.next_interval(now)
    taking = hours.taking_orders(now) and not ctx.kitchen.paused
    fields = {"isOpen": current is not None, "takingOrders": taking, "currentTime": spoken_time(local),
              "opensAt": spoken_day_time(interval[0], now) if interval else None,
              "closesAt": spoken_day_time(interval[1], now) if interval else None}
    fields.update(openTime=fields["opensAt"], closeTime=fields["closesAt"])  # the original's names
    if current and ctx.kitchen.paused:
        message = "We're open, but the kitchen has paused phone orders for a few minutes."
    elif current and taking:
        message = f"We're open until {spoken_time(hours.local(current[1]))}."
    elif current:
        message = f"We've stopped taking orders for tonight; we close at {spoken_time(hours.local(current[1]))}."
    elif interval:
        message = f"We're closed right now; we open {_when(interval[0], now, hours)}."
    else:
        message = "We're closed right now."
    return ctx.reply(message, **fields)


def _when(at: datetime, now: datetime, hours) -> str:
    said = spoken_day_time(at, now)
    return f"at {said}" if hours.local_date(at) == hours.local_date(now) else said


@TOOLS.tool("setPickupTime", params={"requestedTime": string(
    "When the customer wants to pick up, in their words: 'in 30 minutes', 'half an hour', '6pm', '6.30', "
    "'quarter past 7', or 'asap'"), OFFER_ANSWER: offer_answer()}, required=("requestedTime",))
def set_pickup_time(ctx, args):
    """Fix the pickup time. It must be in the future, at least the kitchen's lead time away and inside opening
    hours; otherwise the error says the earliest time possible. A time that misses the earliest only by its
    rounding to 5 minutes ("in 15 minutes" when that is 12:28 and the earliest 12:30) is the earliest."""
    _require_orders_open(ctx)
    text = coerce_text(args.get("requestedTime"), "pickup time", max_length=100)
    now = ctx.now()
    hours = ctx.services.hours
    requested = parse_requested_time(text, now, hours.tz)
    ready = check_pickup(hours, now, requested, kitchen_lead(ctx), slack_minutes=ROUND_TO_MINUTES)
    ctx.session.pickup_at, ctx.session.pickup_asap = ready.isoformat(), False
    fields = ctx.pickup_fields(ready)
    return ctx.reply(f"Pickup at {fields['readyAtSpoken']}.", asap=False, **fields)


@TOOLS.tool("estimateReadyTime", params={OFFER_ANSWER: offer_answer()})
def estimate_ready_time(ctx, args):
    """The earliest pickup time, from the kitchen's current queue and this cart's size, set as the call's pickup
    "as soon as possible" (asap: true). A later setPickupTime replaces it; createOrder re-estimates it then, never
    earlier than this."""
    _require_orders_open(ctx)
    now = ctx.now()
    ready = earliest_pickup(ctx.services.hours, now, kitchen_lead(ctx))
    ctx.session.pickup_at, ctx.session.pickup_asap = ready.isoformat(), True
    fields = ctx.pickup_fields(ready)
    return ctx.reply(f"It can be ready at {fields['readyAtSpoken']}, in about {fields['minutesFromNow']} minutes.",
                     estimatedMinutes=fields["minutesFromNow"], asap=True, **fields)


def _require_orders_open(ctx) -> None:
    if ctx.kitchen.paused:
        raise ToolError("The kitchen has paused phone orders for a few minutes; please ask the caller to "
                        "call back shortly.")
