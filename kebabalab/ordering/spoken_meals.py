"""Meals as said: "as a meal with large chips and a coke", "kebab and can deal", "make both meals".

The chips and can said after a meal are the meal's; "meal" or "deal" said after a chips or can is about the
main before it; an item named and then described is one order.
"""
from __future__ import annotations

import itertools

from kebabalab.ordering.cart import Meal
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import Item, Menu
from kebabalab.ordering.spoken_order import SpokenOrder, category, is_main

MEAL_ONLY = "Only a kebab, HSP or gozleme comes as a meal; which would you like as a meal?"


def said_once(menu: Menu, orders: list[SpokenOrder]) -> list[SpokenOrder]:
    """An item named and then described: 'four cans, two cokes and two fantas' are four cans, not eight;
    'Kebab and Can - Small Lamb Kebab - Solo' is one kebab and can."""
    can = menu.can_item().id
    out: list[SpokenOrder] = []
    skip: set[int] = set()
    for n, order in enumerate(orders):
        later = orders[n + 1:]
        if n in skip:
            continue
        if order.item_id == can and order.head.kind == "item" and order.explicit:
            brands = list(itertools.takewhile(lambda o: o.head.kind == "brand" and o.explicit, later))
            if brands and sum(o.qty for o in brands) == order.qty:
                continue
        bare = order.qty is None and not (order.size or order.proteins or order.veg or any(order.add.values()))
        between = list(itertools.takewhile(lambda o: o.item_id == can and o.head.kind == "item" and o.qty is None,
                                           later))
        again = later[len(between)] if len(between) < len(later) else None
        if bare and is_main(menu, order) and again is not None and again.item_id == order.item_id:
            again.flags |= order.flags  # the menu's "Kebab and Can", then the kebab itself
            skip |= set(range(n + 1, n + 1 + len(between)))
            continue
        out.append(order)
    return out


def lift_meals(menu: Menu, orders: list[SpokenOrder]) -> None:
    """'Meal' or 'deal' said after a chips or can is about the main before it: 'lamb kebab and can deal'."""
    main = None
    for order in orders:
        wants = {"meal", "deal"} & order.flags
        if is_main(menu, order):
            main = order
        elif wants and main is None:
            raise ToolError(MEAL_ONLY)
        elif wants:
            order.flags -= wants
            main.flags.add("deal" if "deal" in wants and order.item_id == menu.can_item().id else "meal")


def fold(menu: Menu, main: SpokenOrder | None, order: SpokenOrder) -> bool:
    """Make a chips or can said after a meal the meal's ('as a meal with large chips and a coke'); True if so."""
    is_can = order.item_id == menu.can_item().id
    if order.negated:  # "a kebab meal, no chips" is a kebab and can
        if main is not None and category(menu, order) == "chips":
            main.flags.add("no_chips")
        return True
    if main is None or not {"meal", "deal"} & main.flags or (order.explicit and order.qty != (main.qty or 1)):
        return False
    if is_can and (main.drink is None or (main.drink == (None,) and order.head.kind == "brand")):
        main.drink = (order.head.value if order.head.kind == "brand" else None,)
        hand_over(order, main)
        return True
    plain = not (order.add["sauce"] or order.add["extra"] or order.cheese)
    with_chips = "deal" not in main.flags and any(m.has_chips for m in menu.meal_types_for(category(menu, main)))
    if category(menu, order) == "chips" and main.chips is None and plain and with_chips:
        main.chips = (order.size, order.salt)
        return True
    return False


def hand_over(can: SpokenOrder, main: SpokenOrder) -> None:
    """What was said after a meal's can is about the main: 'a kebab meal with a coke, add haloumi'."""
    for kind in ("salad", "sauce", "extra"):
        main.add[kind] += can.add[kind]
        main.drop[kind] += can.drop[kind]
    main.drop_all |= can.drop_all
    main.cheese = can.cheese if can.cheese is not None else main.cheese
    main.flags |= can.flags & {"lot", "salads"}


def meal_of(menu: Menu, item: Item, order: SpokenOrder) -> Meal | None:
    """The meal the main was made: kebab meal (small chips unless said), kebab/HSP and can, gozleme meal."""
    if not {"meal", "deal"} & order.flags:
        return None
    types = menu.meal_types_for(item.category)
    if not types:
        raise ToolError(MEAL_ONLY)
    bare = bool({"deal", "no_chips"} & order.flags)
    meal = next((m for m in types if m.has_chips != bare), types[0])
    chips_size, chips_salt = order.chips or (None, None)
    if not meal.has_chips:
        return Meal(meal.key, drink_brand=(order.drink or (None,))[0])
    return Meal(meal.key, chips_size or meal.chips_sizes[0], chips_salt or order.salt,
                (order.drink or (None,))[0])
