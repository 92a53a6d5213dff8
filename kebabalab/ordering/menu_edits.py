"""The owner's changes to the menu, made on the menu document (menu.json's shape): a price, hide or show an item,
a new item in a category. Each returns a new document and a sentence saying what changed; the caller checks the
whole document as check-menu does (`Menu.from_dict`) before it is saved. A change that cannot be made raises
`MenuEditRefused` with a sentence for the owner.

A new item in a category that has a meal deal takes that deal only when the owner says so (`meal_deal=True`):
never silently. Its allergens are a list of names, or "unconfirmed" (the shape the allergen work uses).
"""
from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation

from kebabalab.errors import ConfigError
from kebabalab.ordering.allergens import UNCONFIRMED, read_allergens
from kebabalab.ordering.menu import CATEGORIES, SIZES

MAX_PRICE_CENTS = 100_000


class MenuEditRefused(ValueError):
    """The change cannot be made; `str()` says why, for the owner."""


def cents_from_dollars(value) -> int:
    """"16.50", 16.5 or 16 -> 1650; MenuEditRefused for anything that is not a price."""
    try:
        amount = Decimal(str(value).strip().lstrip("$")) if not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise MenuEditRefused(f"{value!r} is not a price: write dollars and cents, like 12.50")
    cents = int(amount * 100)
    if not 0 < cents <= MAX_PRICE_CENTS:
        raise MenuEditRefused(f"a price must be more than $0 and at most ${MAX_PRICE_CENTS // 100}")
    return cents


def money(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"


def _item(doc: dict, item_id) -> dict:
    for raw in doc["items"]:
        if raw.get("id") == item_id:
            return raw
    raise MenuEditRefused(f"there is no item {item_id!r} on the menu")


def set_price(doc: dict, item_id: str, size: str | None, cents: int) -> tuple[dict, str]:
    """The item's price (of one size, for a sized item)."""
    new = copy.deepcopy(doc)
    raw = _item(new, item_id)
    if "sizes_cents" in raw:
        if size not in raw["sizes_cents"]:
            raise MenuEditRefused(f"{raw['name']} comes in {' and '.join(raw['sizes_cents'])}: say which size")
        before, raw["sizes_cents"][size] = raw["sizes_cents"][size], cents
        said = f"{size} {raw['name']}"
    else:
        if size is not None:
            raise MenuEditRefused(f"{raw['name']} has one price, not sizes")
        before, raw["price_cents"] = raw.get("price_cents"), cents
        said = raw["name"]
    return new, f"{said}: {money(before)} -> {money(cents)}" if before else f"{said}: {money(cents)}"


def set_hidden(doc: dict, item_id: str, hidden: bool) -> tuple[dict, str]:
    """Take an item off the menu (the phone line no longer offers or sells it) or put it back."""
    new = copy.deepcopy(doc)
    raw = _item(new, item_id)
    if hidden:
        raw["hidden"] = True
    else:
        raw.pop("hidden", None)
    return new, f"{raw['name']} {'hidden' if hidden else 'shown'}"


def add_item(doc: dict, category: str, name: str, prices: dict[str, int] | int, allergens,
             meal_deal: bool = False) -> tuple[dict, str]:
    """A new item in `category`: one price, or {"small": c, "large": c} where the category's items are sized."""
    if category not in CATEGORIES:
        raise MenuEditRefused(f"{category!r} is not a category; the categories are {', '.join(CATEGORIES)}")
    name = " ".join(str(name or "").split())
    if not 2 <= len(name) <= 40 or not re.search(r"[A-Za-z]", name):
        raise MenuEditRefused("give the item a name of 2 to 40 letters")
    if any(raw.get("name", "").lower() == name.lower() for raw in doc["items"]):
        raise MenuEditRefused(f"the menu already has an item called {name}")
    meals = [key for key, meal in doc.get("meals", {}).items() if meal.get("main") == category]
    if meals and meal_deal is not True:
        raise MenuEditRefused(f"{category} items come with the meal deal ({', '.join(meals)}): tick the meal deal "
                              "to give it to the new item too, or choose another category")
    new = copy.deepcopy(doc)
    raw = {"id": _new_id(new, name), "category": category, "name": name, "spoken": name.lower(),
           "allergens": _allergens(allergens)}
    sized = any("sizes_cents" in other for other in doc["items"] if other.get("category") == category)
    if sized:
        if not isinstance(prices, dict) or set(prices) != set(SIZES):
            raise MenuEditRefused(f"{category} items come in {' and '.join(SIZES)}: give a price for each")
        raw["sizes_cents"], raw["needs"] = {size: prices[size] for size in SIZES}, ["size"]
        said = " / ".join(money(prices[size]) for size in SIZES)
    else:
        if isinstance(prices, dict):
            raise MenuEditRefused(f"{category} items have one price, not sizes")
        raw["price_cents"], said = prices, money(prices)
    if meals:
        raw["meal_deal"] = True
    new["items"].append(raw)
    deal = f", with the meal deal" if meals else ""
    return new, f"added {name} ({category}) at {said}{deal}"


def _allergens(value):
    """As the menu file writes them (ordering/allergens.py): a list of names (empty: none), or "unconfirmed"."""
    if value == UNCONFIRMED:
        return UNCONFIRMED
    try:
        found = read_allergens(value if value is not None else [None], "the new item")
    except ConfigError:
        raise MenuEditRefused('allergens are a list of names (an empty list: none), or "unconfirmed"') from None
    return list(found)


def _new_id(doc: dict, name: str) -> str:
    base = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "ITEM"
    taken = {raw.get("id") for raw in doc["items"]}
    found, n = base, 2
    while found in taken:
        found, n = f"{base}_{n}", n + 1
    return found
