"""A cart line against the kitchen's sold-out marks for today ("protein:lamb", "item:CHIPS", "brand:coke": kept by
shop/availability.py) and the items the owner has taken off the menu since: refused in one sentence that offers
what is left."""
from __future__ import annotations

from typing import Collection

from kebabalab.errors import ToolError
from kebabalab.ordering.cart import say_or
from kebabalab.ordering.lines import CartLine
from kebabalab.ordering.menu import Menu


def sold_out_refusal(menu: Menu, sold_out: Collection[str], line: CartLine) -> str | None:
    """A sentence refusing `line` if anything in it is sold out today, offering what is left; else None."""
    marks = set(sold_out)
    if not marks:
        return None
    item = menu.item(line.item_id)
    checks = [("item", line.item_id, item.spoken, [i.spoken for i in menu.items_in(line.category)
                                                  if f"item:{i.id}" not in marks]),
              ("category", line.category, item.spoken, [])]
    if line.protein:
        checks.append(("protein", line.protein, line.protein,
                       [p for p in (item.proteins or menu.proteins) if f"protein:{p}" not in marks]))
    brands = [b for b in (line.brand, line.meal.drink_brand if line.meal else None) if b]
    checks += [("brand", b, b, [c for c in menu.can_brands if f"brand:{c}" not in marks]) for b in brands]
    checks += [("salad", s, s, []) for s in line.salads] + [("sauce", s, f"{s} sauce", []) for s in line.sauces]
    checks += [("extra", e, e, []) for e in line.extras]
    if line.cheese and not item.includes_cheese:
        checks.append(("extra", "cheese", "cheese", []))
    if line.meal and line.meal.chips_size:
        checks.append(("item", menu.chips_item().id, "chips", []))
    for kind, name, said, others in checks:
        if f"{kind}:{name}" in marks:
            others = [o for o in others if o != said][:4]
            offer = f"; we have {say_or(others)}" if others else ""
            return f"Sorry, we're out of {said} today{offer}."
    return None


def check_available(menu: Menu, sold_out: Collection[str], lines: list[CartLine]) -> None:
    """Refuse the whole request (ToolError) if any line has something the kitchen marked sold out, or an item
    the owner has taken off the menu since it went in the cart."""
    for line in lines:
        hidden = menu.hidden_items.get(line.item_id)
        if hidden is not None:
            raise ToolError(f"Sorry, the {hidden.spoken} is off the menu now; please take it out of the order.")
        refusal = sold_out_refusal(menu, sold_out, line)
        if refusal:
            raise ToolError(refusal)
