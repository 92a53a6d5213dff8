"""An order line as the kitchen reads it: short lines (the item, then its meat, salads, sauces), a meal's
parts indented, extras and "no" items marked so they stand out. Built from the stored line (the CartLine saved
with the order), never by splitting the spoken description.
"""
from __future__ import annotations

from dataclasses import dataclass

from kebabalab.ordering.lines import CartLine
from kebabalab.ordering.menu import Menu

SALAD_CATEGORIES = ("kebab", "hsp")


@dataclass(frozen=True)
class KitchenLine:
    text: str
    kind: str  # item, meat, salad, sauce, extra, no, side, plain
    level: int  # 0 the item, 1 its parts, 2 a meal part's details


def kitchen_lines(menu: Menu, stored: dict) -> list[KitchenLine]:
    """One stored order line (see cart.stored_items) as the kitchen's lines; an old or unreadable line (an item
    since taken off the menu) falls back to its description on one line."""
    quantity = int(stored.get("quantity") or 1)
    try:
        line = CartLine.from_dict(stored["line"])
        item = menu.item(line.item_id)
    except Exception:  # saved before lines were stored, or no longer on the menu
        return [KitchenLine(f"{quantity} × {stored.get('description') or 'item'}", "item", 0)]
    head = " ".join(p for p in (line.size, item.name if not line.brand else f"{line.brand} can") if p)
    if line.meal is not None:
        head += f" {menu.meals[line.meal.type].name}"
    lines = [KitchenLine(f"{quantity} × {head[:1].upper()}{head[1:]}", "item", 0)]
    lines += _parts(item, line)
    if line.meal is not None:
        lines += _meal_parts(line)
    return lines


def _parts(item, line: CartLine) -> list[KitchenLine]:
    parts = []
    if line.protein:
        parts.append(KitchenLine(line.protein.capitalize(), "meat", 1))
    if line.salads:
        parts.append(KitchenLine(", ".join(line.salads).capitalize(), "salad", 1))
    elif line.category in SALAD_CATEGORIES:
        parts.append(KitchenLine("NO salad", "no", 1))
    if line.sauces:
        parts.append(KitchenLine(", ".join(line.sauces).capitalize() + " sauce", "sauce", 1))
    elif line.category in SALAD_CATEGORIES:
        parts.append(KitchenLine("NO sauce", "no", 1))
    if line.cheese and not item.includes_cheese:
        parts.append(KitchenLine("+ cheese", "extra", 1))
    parts += [KitchenLine(f"+ {extra}", "extra", 1) for extra in line.extras]
    if item.includes_cheese and not line.cheese:
        parts.append(KitchenLine("NO cheese", "no", 1))
    if line.category == "chips" and line.salt:
        parts.append(_salt(line.salt, 1))
    return parts


def _salt(salt: str, level: int) -> KitchenLine:
    return KitchenLine("NO salt", "no", level) if salt == "none" else KitchenLine(f"{salt.capitalize()} salt",
                                                                                  "plain", level)


def _meal_parts(line: CartLine) -> list[KitchenLine]:
    meal, parts = line.meal, []
    if meal.chips_size:
        parts.append(KitchenLine(f"{meal.chips_size.capitalize()} chips", "side", 1))
        if meal.chips_salt:
            parts.append(_salt(meal.chips_salt, 2))
    if meal.drink_brand:
        parts.append(KitchenLine(f"{meal.drink_brand.capitalize()} can", "side", 1))
    return parts
