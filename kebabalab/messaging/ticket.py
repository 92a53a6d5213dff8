"""The kitchen ticket's wording and layout, the same for every printer: lines with a style, no printer commands.

An allergy in the order's notes (`StoredOrder.allergy_note`, the rule the board and the shop's text flag it by) is
printed first, big and white on black, and again at the foot, so the cook cannot miss it; other notes are printed
bold. `escpos_ticket.py` and `starprnt.py` turn the lines into bytes.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from kebabalab.messaging.texts import money
from kebabalab.ordering.allergy_notes import mentions_allergy
from kebabalab.shop.hours import spoken_time

COLUMNS = 42  # font A on a 72 mm print width, with room to spare
BIG_COLUMNS = COLUMNS // 2  # double width
STYLES = ("plain", "bold", "big", "alert")  # alert: double size, bold, white on black
RULE = "-" * COLUMNS


@dataclass(frozen=True)
class TicketLine:
    text: str
    style: str = "plain"


@dataclass(frozen=True)
class Ticket:
    order_number: str
    lines: tuple[TicketLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def kitchen_ticket(order, shop_name: str, hours, *, reprint_by: str | None = None) -> Ticket:
    """The ticket for a stored order: number, name, pickup time, items, notes (an allergy can't be missed), total."""
    lines: list[TicketLine] = []
    add = lambda text, style="plain": lines.extend(_wrapped(text, style))  # noqa: E731
    allergy = order.allergy_note  # the one rule the board and the shop's text flag an order by
    add(shop_name, "bold")
    if reprint_by:
        add(f"REPRINT (asked by {reprint_by})", "bold")
    add(f"ORDER {order.display_number}", "big")
    if allergy:
        add("!! ALLERGY !!", "alert")
        add(allergy, "alert")
    add(f"Name: {order.customer_name or 'no name'}", "bold")
    if order.ready_at:
        add(f"PICKUP {spoken_time(hours.local(datetime.fromisoformat(order.ready_at)))}", "big")
    add(f"Placed {spoken_time(hours.local(datetime.fromisoformat(order.created_at)))}")
    add(RULE)
    for item in order.items:
        add(f"{int(item.get('quantity') or 1)} x {item.get('description') or 'item'}", "bold")
    add(RULE)
    if order.notes and not mentions_allergy(order.notes):
        add(f"NOTE: {order.notes}", "bold")
    if allergy:
        add("ALLERGY: SEE TOP", "alert")
    add(f"Total {money(order.total)}")
    return Ticket(order.order_number, tuple(lines))


def _wrapped(text: str, style: str) -> list[TicketLine]:
    width = BIG_COLUMNS if style in ("big", "alert") else COLUMNS
    clean = " ".join(str(text).split())
    return [TicketLine(part, style) for part in textwrap.wrap(clean, width) or [""]]
