"""Cart lines: how one is made (checked against the menu), described, shown and changed.

Every operation returns a new list and leaves its input alone, so a tool that fails half-way
has changed nothing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from kebabalab.ordering import pricing
from kebabalab.errors import ToolError
from kebabalab.ordering.lines import CartLine, LineSpec, Meal
from kebabalab.ordering.menu import Item, Menu

MAX_QUANTITY = 99
SALAD_CATEGORIES = ("kebab", "hsp")
SAUCE_CATEGORIES = ("kebab", "hsp", "chips", "gozleme", "meat_container", "side")


# -- making a line ---------------------------------------------------------------------
def make_line(menu: Menu, spec: LineSpec) -> CartLine:
    """Check a spec against the menu and return a priced-able line, or raise a ToolError that asks."""
    item = menu.item(spec.item_id)
    what = item.spoken
    if not isinstance(spec.quantity, int) or not 1 <= spec.quantity <= MAX_QUANTITY:
        raise ToolError(f"How many {_plural(what)}? I can take 1 to {MAX_QUANTITY} on one line.")
    size = _size(item, spec.size)
    protein = _protein(menu, item, spec.protein)
    salads = _choices(spec.salads, menu.salads, "salad", what, item.category in SALAD_CATEGORIES)
    sauces = _choices(spec.sauces, menu.sauces, "sauce", what, item.category in SAUCE_CATEGORIES)
    if "sauce" in item.needs and len(sauces) != 1:
        raise ToolError(f"Which sauce in the {what}: {say_or(menu.sauces)}?")
    extras = list(dict.fromkeys(spec.extras))
    cheese = bool(spec.cheese) if spec.cheese is not None else item.includes_cheese
    if "cheese" in extras:
        extras.remove("cheese")
        cheese = True
    for extra in extras:
        if extra not in menu.extras:
            raise ToolError(f"We don't have {extra} as an extra; we have {say_and(menu.extras)}.")
        if not menu.extra_applies(extra, item.category):
            raise ToolError(f"{extra.capitalize()} can't be added to {_plural(what)}.")
    if cheese and not item.includes_cheese and not menu.extra_applies("cheese", item.category):
        raise ToolError(f"Cheese can't be added to {_plural(what)}.")
    salt = _salt(menu, item, spec.salt)
    brand = _brand(menu, item, spec.brand)
    line = CartLine(item.id, item.category, size, protein, tuple(salads), tuple(sauces), tuple(extras),
                    cheese, salt, brand, spec.quantity, None)
    if spec.meal is not None:
        line = with_meal(menu, line, spec.meal)
    return line


def with_meal(menu: Menu, line: CartLine, meal: Meal) -> CartLine:
    """The line made into `meal`, checked: the meal type fits, its chips and drink are valid and priced."""
    item = menu.item(line.item_id)
    meal_type = menu.meals.get(meal.type)
    if meal_type is None or meal_type.main != line.category:
        raise ToolError(f"A {item.spoken} can't be made into that meal.")
    chips_size = meal.chips_size if meal_type.has_chips else None
    if meal_type.has_chips and chips_size not in meal_type.chips_sizes:
        raise ToolError(f"The {item.spoken} meal comes with {say_or(meal_type.chips_sizes)} chips; which would you like?")
    chips_salt = None
    if meal_type.has_chips:
        chips_salt = meal.chips_salt or menu.chips_item().default_salt
        if chips_salt not in menu.chips_salt:
            raise ToolError(f"Which salt on the chips: {say_or(menu.chips_salt)}?")
    drink = _brand(menu, menu.can_item(), meal.drink_brand) if meal_type.drink else None
    if meal_type.price(line.size if item.sized else None, chips_size) is None:
        raise ToolError(f"There's no {meal_type.name} price for a {line.size or ''} {item.spoken}.")
    return replace(line, meal=Meal(meal_type.key, chips_size, chips_salt, drink))


def _size(item: Item, size: str | None) -> str | None:
    if not item.sized:
        return None
    options = " or ".join(f"{s} ({pricing.spoken_money(p)})" for s, p in item.sizes.items())
    if not size:
        raise ToolError(f"Which size for the {item.spoken}: {options}?")
    if size not in item.sizes:
        raise ToolError(f"The {item.spoken} comes {options}; which size?")
    return size


def _protein(menu: Menu, item: Item, protein: str | None) -> str | None:
    allowed = item.proteins or menu.proteins
    if "protein" not in item.needs:
        return None
    if not protein:
        raise ToolError(f"Which meat for the {item.spoken}: {say_or(allowed)}?")
    if protein not in allowed:
        raise ToolError(f"The {item.spoken} comes with {say_or(allowed)}; which would you like?")
    return protein


def _choices(values, allowed, kind: str, what: str, applies: bool) -> list[str]:
    values = list(dict.fromkeys(values or ()))
    if values and not applies:
        raise ToolError(f"{_plural(what).capitalize()} don't come with {kind}s.")
    for v in values:
        if v not in allowed:
            raise ToolError(f"We don't have {v} as a {kind}; we have {say_and(allowed)}.")
    return [v for v in allowed if v in values]  # menu order, so equal lines compare equal


def _salt(menu: Menu, item: Item, salt: str | None) -> str | None:
    if item.category != "chips":
        return None
    salt = salt or item.default_salt
    if salt not in menu.chips_salt:
        raise ToolError(f"Which salt on the chips: {say_or(menu.chips_salt)}?")
    return salt


def _brand(menu: Menu, item: Item, brand: str | None) -> str | None:
    if "brand" in item.needs:
        if not brand:
            raise ToolError(f"Which drink: {say_or(menu.can_brands)}?")
        if brand not in menu.can_brands:
            raise ToolError(f"We don't have {brand} in cans; we have {say_and(menu.can_brands)}.")
        return brand
    if item.flavours and brand:
        if brand not in item.flavours:
            raise ToolError(f"The {item.spoken} comes in {say_or(item.flavours)}; which would you like?")
        return brand
    return None


# -- describing a line -------------------------------------------------------------------
def describe(menu: Menu, line: CartLine) -> str:
    """How to say one unit of the line aloud: 'large lamb kebab, lettuce and onion, garlic sauce'."""
    item = menu.item(line.item_id)
    head = " ".join(p for p in (line.size, line.protein, line.brand, item.spoken) if p)
    if line.category == "drink" and "brand" in item.needs:
        head = f"{line.brand} can"
    meal_part = None
    if line.meal is not None:
        meal = menu.meals[line.meal.type]
        head = f"{head} {meal.name}"
        salt = "no salt" if line.meal.chips_salt == "none" else f"{line.meal.chips_salt} salt"
        sides = [f"{line.meal.chips_size} chips ({salt})"] if line.meal.chips_size else []
        sides += [f"a {line.meal.drink_brand}"] if line.meal.drink_brand else []
        meal_part = ("with " + " and ".join(sides)) if sides else None
    details = []
    if line.salads:
        details.append(say_and(line.salads))
    if line.sauces:
        details.append(say_and(line.sauces) + " sauce")
    if line.category == "chips" and line.salt:
        details.append("no salt" if line.salt == "none" else f"{line.salt} salt")
    added = [e for e in line.extras]
    if line.cheese and not item.includes_cheese:
        added.insert(0, "cheese")
    if added:
        details.append("with " + say_and(added))
    if item.includes_cheese and not line.cheese:
        details.append("no cheese")
    return ", ".join([head] + details + ([meal_part] if meal_part else []))


def spoken_line(menu: Menu, line: CartLine) -> str:
    text = describe(menu, line)
    return f"{line.quantity} x {text}" if line.quantity > 1 else text


def spoken_stored_item(item: dict) -> str:
    """One line of a saved order (see `stored_items`) as said aloud: '2 x coke can'."""
    quantity = int(item.get("quantity", 1))
    return f"{quantity} x {item['description']}" if quantity > 1 else item["description"]


def line_result(menu: Menu, line: CartLine, index: int) -> dict:
    """The cart line as the tool contract shows it."""
    item = menu.item(line.item_id)
    meal = None
    if line.meal:
        meal = {"type": line.meal.type, "chipsSize": line.meal.chips_size, "chipsSalt": line.meal.chips_salt,
                "drinkBrand": line.meal.drink_brand}
    return {
        "index": index, "category": line.category, "name": item.name, "size": line.size,
        "protein": line.protein, "salads": list(line.salads), "sauces": list(line.sauces),
        "extras": list(line.extras), "cheese": line.cheese, "salt": line.salt, "brand": line.brand,
        "quantity": line.quantity, "unitPrice": pricing.dollars(pricing.unit_price(menu, line)),
        "lineTotal": pricing.dollars(pricing.line_total(menu, line)),
        "description": describe(menu, line), "meal": meal,
    }


def spec_of(line: CartLine) -> LineSpec:
    return LineSpec(line.item_id, line.size, line.protein, list(line.salads), list(line.sauces),
                    list(line.extras), line.cheese, line.salt, line.brand, line.quantity, line.meal)


def check_index(cart: list[CartLine], index: int) -> CartLine:
    if not cart:
        raise ToolError("The cart is empty.")
    if not 0 <= index < len(cart):
        raise ToolError(f"There's no item {index} in the cart; items are numbered 0 to {len(cart) - 1}.")
    return cart[index]


def check_size(cart: list[CartLine], limit: int) -> None:
    """Refuse a cart of more than `limit` items, the most the shop takes in one phone order."""
    if sum(line.quantity for line in cart) > limit:
        raise ToolError(f"That's more than {limit} items, which is the most we take in one phone order.")


def say_or(values) -> str:
    """'lamb, chicken or mixed'."""
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def say_and(values) -> str:
    """'lettuce, tomato and onion'."""
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


# -- a cart as an order ------------------------------------------------------------------
def cart_key(call_id: str, orders_before: int, cart: list[CartLine]) -> str:
    """The idempotency key of placing this cart as this call's next order: a retry of the same placement
    finds the first order; the same food ordered again after it ("same again for my mate") is a new one."""
    canonical = json.dumps([line.to_dict() for line in cart], sort_keys=True, separators=(",", ":"))
    return f"{call_id}:{orders_before}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def stored_items(menu, cart: list[CartLine]) -> list[dict]:
    """Order lines as saved: what was said and charged, and the line itself for a repeat order."""
    return [{"item_id": line.item_id, "description": describe(menu, line), "quantity": line.quantity,
             "unit_price_cents": pricing.unit_price(menu, line), "line_total_cents": pricing.line_total(menu, line),
             "line": line.to_dict()} for line in cart]
