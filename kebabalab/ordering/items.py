"""Structured items from the assistant (addMultipleItemsToCart, editCartItem) into checked cart lines."""
from __future__ import annotations

import re

from dataclasses import replace
from typing import Any, Mapping

from kebabalab.ordering.cart import CartLine, LineSpec, Meal, make_line, say_or, spec_of
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import Item, Menu, normalise_category
from kebabalab.ordering.validation import coerce_bool, coerce_chips_size, coerce_option, coerce_options, validate_quantity


EDIT_FIELDS = {"size": "size", "protein": "protein", "salads": "salads", "sauces": "sauces", "extras": "extras",
               "cheese": "cheese", "quantity": "quantity", "salt_type": "salt_type", "salt": "salt_type",
               "saltType": "salt_type", "chips_size": "chips_size", "chipsSize": "chips_size",
               "drink_brand": "drink_brand", "drinkBrand": "drink_brand", "brand": "brand",
               "chips_salt": "salt_type", "chipsSalt": "salt_type"}


def _alias(menu: Menu, word: str | None) -> str | None:
    return menu.speech_aliases.get(word, word) if word else word


def find_item(menu: Menu, category: str | None, name: str | None, protein: str | None) -> tuple[Item, str | None]:
    """The menu item meant by a category and/or name; also a can brand if the name was one."""
    name = _alias(menu, name)
    if name:
        for item in menu.items.values():
            if name in (item.id.lower(), item.name.lower(), item.spoken.lower(), *item.aliases):
                return item, None
        if name in menu.can_brands:
            return menu.can_item(), name
    cat = normalise_category(category or name or "")
    if cat is None:
        raise ToolError(f"I can't find {name or category or 'that'} on the menu; what would you like instead?")
    choices = menu.items_in(cat)
    if cat == "gozleme" and protein:
        choices = [i for i in choices if i.spoken.split()[0] == protein] or choices
    if cat == "drink" and name is None:
        choices = [i for i in choices if "brand" in i.needs] or choices
    if len(choices) == 1:
        return choices[0], None
    raise ToolError(f"Which {cat.replace('_', ' ')}: {say_or(i.spoken for i in choices)}?")


def spec_from_fields(menu: Menu, fields: Any) -> LineSpec:
    """One `addMultipleItemsToCart` item (category or name plus options) as a LineSpec."""
    if not isinstance(fields, Mapping):
        raise ToolError("Each item must be an object with a category or name.")
    category = coerce_option(fields.get("category"), "category")
    name = coerce_option(fields.get("name"), "item name")
    protein = _alias(menu, coerce_option(fields.get("protein"), "protein"))
    item, brand_from_name = find_item(menu, category, name, protein)
    brand = _alias(menu, coerce_option(fields.get("brand") or fields.get("flavour"), "brand")) or brand_from_name
    cheese = fields.get("cheese")
    return LineSpec(
        item_id=item.id,
        size=coerce_option(fields.get("size"), "size"),
        protein=protein if "protein" in item.needs else None,
        salads=[_alias(menu, s) for s in coerce_options(fields.get("salads"), "salads")],
        sauces=[_alias(menu, s) for s in coerce_options(fields.get("sauces"), "sauces")],
        extras=[_extra(menu, e) for e in coerce_options(fields.get("extras"), "extras")],
        cheese=None if cheese is None or cheese == "" else coerce_bool(cheese, "cheese"),
        salt=_alias(menu, coerce_option(fields.get("salt_type") or fields.get("salt"), "salt")),
        brand=brand,
        quantity=validate_quantity(fields.get("quantity", 1) if fields.get("quantity") not in (None, "") else 1),
    )


def _extra(menu: Menu, word: str) -> str:
    word = _alias(menu, word)
    for name, extra in menu.extras.items():
        if word == name or word in extra.aliases:
            return name
    return word


def apply_edit(menu: Menu, line: CartLine, changes: Any) -> CartLine:
    """The line with `changes` (editCartItem's modifications) applied and checked, meal re-priced."""
    if not isinstance(changes, Mapping) or not changes:
        raise ToolError("What should I change? For example the size, sauces or quantity.")
    unknown = [k for k in changes if k not in EDIT_FIELDS]
    if unknown:
        allowed = "size, protein, salads, sauces, extras, cheese, quantity, salt_type, chips_size, drink_brand or brand"
        key = str(unknown[0])
        named = key if re.fullmatch(r"[A-Za-z_]{1,30}", key) else "that"
        raise ToolError(f"I can't change {named}; I can change {allowed}.")
    norm = {EDIT_FIELDS[k]: v for k, v in changes.items()}
    spec = spec_of(line)
    meal = line.meal
    if "protein" in norm and line.category == "gozleme":
        item, _ = find_item(menu, "gozleme", None, _alias(menu, coerce_option(norm.pop("protein"), "protein")))
        spec.item_id = item.id
    for key in ("size", "protein"):
        if key in norm:
            setattr(spec, key, _alias(menu, coerce_option(norm[key], key)))
    for key in ("salads", "sauces"):
        if key in norm:
            setattr(spec, key, [_alias(menu, v) for v in coerce_options(norm[key], key)])
    if "extras" in norm:
        spec.extras = [_extra(menu, e) for e in coerce_options(norm["extras"], "extras")]
    if "cheese" in norm:
        spec.cheese = coerce_bool(norm["cheese"], "cheese")
    if "quantity" in norm:
        spec.quantity = validate_quantity(norm["quantity"])
    salt = _alias(menu, coerce_option(norm.get("salt_type"), "salt"))
    chips_size = coerce_chips_size(norm.get("chips_size"))
    drink = _alias(menu, coerce_option(norm.get("drink_brand"), "drink"))
    brand = _alias(menu, coerce_option(norm.get("brand"), "brand"))
    if meal is not None:
        meal = _edit_meal(menu, meal, salt, chips_size, drink or brand)
    else:
        if chips_size or drink:
            raise ToolError("That item isn't a meal; use convertItemsToMeals to make it one.")
        if salt:
            spec.salt = salt
        if brand:
            spec.brand = brand
    spec.meal = meal
    return make_line(menu, spec)


def _edit_meal(menu: Menu, meal: Meal, salt, chips_size, drink) -> Meal:
    meal_type = menu.meals[meal.type]
    if chips_size == "none":
        return replace(meal, type=_meal_without_chips(menu, meal_type.main), chips_size=None, chips_salt=None,
                       drink_brand=drink or meal.drink_brand)
    if chips_size and not meal_type.has_chips:
        with_chips = menu.meal_for(meal_type.main, chips_size)
        if with_chips is None:
            raise ToolError("That meal doesn't come with chips.")
        meal = replace(meal, type=with_chips.key)
    return replace(meal, chips_size=chips_size or meal.chips_size, chips_salt=salt or meal.chips_salt,
                   drink_brand=drink or meal.drink_brand)


def _meal_without_chips(menu: Menu, main: str) -> str:
    meal = menu.meal_for(main, None)
    if meal is None:
        raise ToolError("That meal always comes with chips.")
    return meal.key
