"""The one offer a call may hear, chosen by the server from the cart, never by the assistant: pure.

- a meal for a lone kebab: the cart's only main is one kebab, not a meal, with no chips and no drink beside it;
- a drink for a meal without one: a main that chips already beside it (or an HSP, chips inside) make a meal but
  for the drink, with no drink anywhere in the cart.

The offer's price is what the cart would cost with the line made a meal, less what it costs now.
"""
from __future__ import annotations

from dataclasses import dataclass

from kebabalab.errors import ToolError
from kebabalab.ordering import pricing
from kebabalab.ordering.lines import CartLine
from kebabalab.ordering.meals import MealRequest, convert_to_meals
from kebabalab.ordering.menu import MAIN_CATEGORIES, Menu

OFFER_KINDS = ("meal", "drink")
ANSWERS = ("yes", "no")


@dataclass(frozen=True)
class Offer:
    kind: str  # "meal" or "drink"
    item_index: int  # the cart line it is for
    extra_cents: int  # what saying yes adds to the total
    say: str  # the question, once, in the assistant's words


def choose_offer(menu: Menu, cart: list[CartLine]) -> Offer | None:
    """The offer this cart calls for, or None."""
    if not cart or any(line.category == "drink" or line.meal is not None for line in cart):
        return None
    mains = [n for n, line in enumerate(cart) if line.category in MAIN_CATEGORIES]
    if not mains:
        return None
    index = mains[0]
    try:
        converted, _ = convert_to_meals(menu, cart, [index], MealRequest())
    except ToolError:
        return None
    extra = pricing.cart_total(menu, converted) - pricing.cart_total(menu, cart)
    has_chips = any(line.category == "chips" for line in cart)
    chips_inside = not any(m.has_chips for m in menu.meal_types_for(cart[index].category))
    if has_chips or chips_inside:
        return _drink_offer(menu, cart[index], index, extra)
    lone_kebab = len(mains) == 1 and cart[index].category == "kebab" and cart[index].quantity == 1
    if lone_kebab and extra > 0:
        chips = converted[index].meal.chips_size if converted[index].meal else None
        return Offer("meal", index, extra, f"Would you like to make that a meal, with {chips} chips and a can, "
                                           f"for {pricing.spoken_money(extra)} more?")
    return None


def _drink_offer(menu: Menu, line: CartLine, index: int, extra: int) -> Offer | None:
    if extra <= 0:
        return None
    those = "those" if line.quantity > 1 else "that"
    cans = "a can each" if line.quantity > 1 else "a can"
    return Offer("drink", index, extra, f"Would you like {cans} with {those}, for {pricing.spoken_money(extra)} more?")


def read_answer(value) -> str | None:
    """The caller's answer to the offer as the assistant passed it: 'yes', 'no', or None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "accepted", "accept"):
        return "yes"
    if text in ("no", "n", "false", "declined", "decline"):
        return "no"
    raise ToolError("offerAnswer must be yes or no: what the caller said to the offer.")
