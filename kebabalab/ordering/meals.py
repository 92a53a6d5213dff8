"""Turning mains into meals, folding in chips and cans already in the cart so nothing is charged twice."""
from __future__ import annotations

from dataclasses import dataclass, replace

from kebabalab.ordering.cart import CartLine, Meal, check_index, with_meal
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import MAIN_CATEGORIES, Menu

DEFAULT_DRINK = "coke"


@dataclass(frozen=True)
class MealRequest:
    drink_brand: str | None = None
    chips_size: str | None = None  # "small", "large", "none" or None (choose)
    chips_salt: str | None = None


def convert_to_meals(menu: Menu, cart: list[CartLine], indices: list[int] | None,
                     request: MealRequest) -> tuple[list[CartLine], list[int]]:
    """The new cart and the new positions of the converted lines."""
    if indices is None:
        indices = [i for i, line in enumerate(cart) if line.category in MAIN_CATEGORIES and line.meal is None]
        if not indices:
            raise ToolError("There's no kebab, HSP or gozleme in the cart to make into a meal.")
    for i in indices:
        line = check_index(cart, i)
        if line.category not in MAIN_CATEGORIES:
            raise ToolError(f"Item {i} ({line.category}) can't be a meal; only kebabs, HSPs and gozleme can.")
        if line.meal is not None:
            raise ToolError(f"Item {i} is already a meal; use editCartItem to change its chips or drink.")
    work = list(cart)
    converted_ids = []
    for i in sorted(set(indices)):
        meal_line, work = _convert_one(menu, work, i, request)
        work[i] = meal_line
        converted_ids.append(id(meal_line))
    kept = [line for line in work if line.quantity > 0]
    positions = [n for n, line in enumerate(kept) if id(line) in converted_ids]
    return kept, positions


def _convert_one(menu: Menu, work: list[CartLine], index: int, req: MealRequest):
    main = work[index]
    chips_size = _chips_size(menu, main, req, work)
    meal_type = menu.meal_for(main.category, None if chips_size == "none" else chips_size)
    if meal_type is None:
        sizes = [m.chips_sizes for m in menu.meal_types_for(main.category) if m.has_chips]
        need = sizes[0][0] if sizes else None
        raise ToolError(f"The {main.category} meal comes with {need} chips." if need else
                        f"The {main.category} meal doesn't come with chips.")
    salt = req.chips_salt
    brand = req.drink_brand
    if meal_type.has_chips:
        salt_found, work = _fold(work, main.quantity, lambda l: l.category == "chips" and l.meal is None
                                 and l.size == chips_size and not l.extras and not l.cheese)
        salt = salt or (salt_found.salt if salt_found else None)
    if meal_type.drink:
        can_id = menu.can_item().id
        can, work = _fold(work, main.quantity, lambda l: l.item_id == can_id and l.meal is None
                          and (brand is None or l.brand == brand))
        brand = brand or (can.brand if can else DEFAULT_DRINK)
    meal = Meal(meal_type.key, chips_size if meal_type.has_chips else None, salt, brand)
    return with_meal(menu, main, meal), work


def _chips_size(menu: Menu, main: CartLine, req: MealRequest, work: list[CartLine]) -> str:
    if req.chips_size:
        if req.chips_size != "none" and not any(m.has_chips for m in menu.meal_types_for(main.category)):
            return "none"  # an HSP has its chips inside: it becomes HSP and can
        return req.chips_size
    with_chips = [m for m in menu.meal_types_for(main.category) if m.has_chips]
    if not with_chips:
        return "none"
    sizes = with_chips[0].chips_sizes
    for line in work:  # a chips line already ordered decides the size
        if line.category == "chips" and line.meal is None and line.size in sizes and line.quantity > 0:
            return line.size
    return sizes[0]


def _fold(work: list[CartLine], wanted: int, matches) -> tuple[CartLine | None, list[CartLine]]:
    """Take up to `wanted` units from the first matching lines; returns the first line taken from."""
    first = None
    work = list(work)
    for n, line in enumerate(work):
        if wanted == 0:
            break
        if line.quantity > 0 and matches(line) and (first is None or line.brand == first.brand):
            take = min(wanted, line.quantity)
            work[n] = replace(line, quantity=line.quantity - take)
            wanted -= take
            first = first or line
    return first, work
