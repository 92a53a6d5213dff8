"""Orders taken at the counter: a walk-in, or a customer who phoned the shop itself. The same menu, prices,
checks and saving as the phone line's createOrder (service/orders.py `place_order`), with `call_id` NULL (the
takings tell phone orders from counter orders by it) and the person who took it recorded. Only a customer who
gave a number and wants texts gets them: a walk-in gets no confirmation and no 'ready' text."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from kebabalab.errors import ToolError
from kebabalab.ordering import pricing
from kebabalab.ordering.cart import describe
from kebabalab.ordering.lines import CartLine
from kebabalab.ordering.parser import read_order
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.service.orders import Placed, place_order
from kebabalab.shop.pickup import check_pickup, earliest_pickup, parse_requested_time
from kebabalab.store.sessions import Session
from kebabalab.store.status import record_event

KINDS = ("walk-in", "phone")


@dataclass(frozen=True)
class CounterOrder:
    kind: str  # "walk-in" or "phone"
    name: str
    phone: str | None  # E.164, only when they gave one and want texts
    said: tuple[str, ...]  # each line as the customer said it: "2 large lamb kebabs with garlic"
    pickup: str  # "asap", "in 20 minutes", "6.30"
    notes: str
    key: str  # the form's own token: a second tap on "Place" finds the first order


def read_lines(services, said: tuple[str, ...] | list[str]) -> list[CartLine]:
    """The cart lines for every phrase, read by the phone line's parser; ToolError naming the line that will not do."""
    if not said:
        raise ToolError("Add what they want first.")
    lines: list[CartLine] = []
    for n, words in enumerate(said, 1):
        try:
            lines += read_order(services.menu, words, services.lexicon).lines
        except ToolError as exc:
            raise ToolError(f"Line {n} ({words}): {exc.message}") from None
    return lines


def quote(services, said) -> list[dict]:
    """What the lines come to, before anything is saved: each line's words, quantity and price in cents."""
    return [{"description": describe(services.menu, line), "quantity": line.quantity,
             "lineTotal": pricing.line_total(services.menu, line)} for line in read_lines(services, said)]


def take_counter_order(services, order: CounterOrder, actor: str) -> Placed:
    """Save a counter order (the same checks as the phone line; a paused phone line does not stop the counter)
    and record who took it; ToolError with a sentence, nothing saved, when it cannot be placed."""
    if order.kind not in KINDS:
        raise ToolError(f"An order at the counter is one of {', '.join(KINDS)}.")
    lines = read_lines(services, order.said)
    kitchen = replace(services.availability.in_force(), paused=False)
    now, hours = services.clock.now(), services.hours
    lead = current_lead(services, now, sum(line.quantity for line in lines), kitchen.busy_minutes)
    requested = parse_requested_time(order.pickup or "asap", now, hours.tz)
    ready = earliest_pickup(hours, now, lead) if requested is None else check_pickup(hours, now, requested, lead)
    session = Session(call_id="counter", cart=lines, pickup_at=ready.isoformat(), pickup_asap=requested is None)
    key = "counter:" + hashlib.sha256(order.key.encode()).hexdigest()[:32]
    placed = place_order(services, session, kitchen, None, order.name, order.phone, order.notes, key=key,
                         shop_text=False)
    if placed.order.created:
        record_event(services.db, placed.order.id, None, "new", actor, now, f"took it at the counter ({order.kind})")
    return placed
