"""Prices in integer cents: a line, a cart, the GST inside a total, and dollars at the edge."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from kebabalab.ordering.lines import CartLine
    from kebabalab.ordering.menu import Menu


def extras_price(menu: "Menu", line: "CartLine") -> int:
    """Extras on one unit; cheese is free where the item includes it (an HSP)."""
    total = 0
    for name in line.extras:
        total += menu.extras[name].price
    if line.cheese:
        cheese = menu.extras.get("cheese")
        item = menu.item(line.item_id)
        if cheese and not item.includes_cheese and line.category not in cheese.included_in:
            total += cheese.price
    return total


def unit_price(menu: "Menu", line: "CartLine") -> int:
    """One unit of the line: the price the caller was told for it, else the meal price (which replaces main, chips
    and can) or the item's, plus extras."""
    quoted = line.quoted_price
    if quoted is not None:
        return quoted
    item = menu.item(line.item_id)
    if line.meal is not None:
        meal = menu.meals[line.meal.type]
        base = meal.price(line.size if item.sized else None, line.meal.chips_size)
        if base is None:  # validated when the line was made; a changed menu must not price by guess
            raise KeyError(f"{meal.key} has no price for {line.size}/{line.meal.chips_size}")
    else:
        base = item.base_price(line.size)
    return base + extras_price(menu, line)


def quoted(menu: "Menu", lines: list["CartLine"]) -> list["CartLine"]:
    """The lines with the unit price just told for each (after a tool call), so a menu changed later on the board
    leaves this call's prices alone; lines already quoted are kept as they are."""
    return [line if line.quoted_price is not None else replace(line, quote=(unit_price(menu, line), line.what()))
            for line in lines]


def line_total(menu: "Menu", line: "CartLine") -> int:
    return unit_price(menu, line) * line.quantity


def cart_total(menu: "Menu", lines: Iterable["CartLine"]) -> int:
    return sum(line_total(menu, line) for line in lines)


def gst_of(total_cents: int) -> int:
    """GST contained in a GST-inclusive total: total / 11, rounded half up to the cent."""
    quotient, remainder = divmod(total_cents, 11)
    return quotient + (1 if remainder * 2 >= 11 else 0)


def dollars(cents: int) -> float:
    """Cents as a JSON number of dollars (1500 -> 15.0, 2250 -> 22.5)."""
    return round(cents / 100, 2)


def spoken_money(cents: int) -> str:
    """Cents as said aloud or texted: $15, $22.50."""
    whole, part = divmod(cents, 100)
    return f"${whole}" if part == 0 else f"${whole}.{part:02d}"
