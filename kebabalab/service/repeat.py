"""Repeating a caller's last order: its lines, checked against today's menu, into the cart at today's prices."""
from __future__ import annotations

from dataclasses import dataclass

from kebabalab.errors import ToolError
from kebabalab.ordering.cart import make_line, spec_of
from kebabalab.ordering.lines import CartLine
from kebabalab.service.cart import add_to_cart


@dataclass(frozen=True)
class Repeated:
    start: int  # the cart index of the first line added
    lines: list[CartLine]
    unavailable: list[str]  # what the last order had that the menu no longer sells, as it was described
    last_total: int  # cents: what the last order cost then


def repeat_last_order(services, session, kitchen, phone: str) -> Repeated:
    """Put the last order placed from `phone` into the cart; items no longer sold are named, not added."""
    orders = services.db.orders_for_phone(phone, limit=1)
    if not orders:
        raise ToolError("I can't find an earlier order for that number; what would you like today?")
    lines, unavailable = [], []
    for item in orders[0].items:
        try:
            line = CartLine.from_dict(item["line"])
            lines.append(make_line(services.menu, spec_of(line)))
        except (KeyError, TypeError, ValueError, ToolError):
            unavailable.append(item.get("description", "an item"))
    if not lines:
        raise ToolError(f"None of the last order is on the menu any more ({'; '.join(unavailable)}).")
    return Repeated(add_to_cart(services, session, kitchen, lines), lines, unavailable, orders[0].total)
