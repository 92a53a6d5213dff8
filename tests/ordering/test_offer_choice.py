"""The one offer a cart calls for, chosen by the server: callers' own words in, the whole offer out."""
import pytest

from kebabalab.errors import ToolError
from kebabalab.ordering.offers import Offer, choose_offer, read_answer
from kebabalab.ordering.parser import read_order
from kebabalab.ordering.phrases import Lexicon

MEAL = "Would you like to make that a meal, with small chips and a can, for $7 more?"


@pytest.mark.parametrize("words, offer", [
    ("a large lamb kebab", Offer("meal", 0, 700, MEAL)),
    ("just a small chicken kebab with garlic", Offer("meal", 0, 700, MEAL)),
    ("a large lamb kebab and a baklava", Offer("meal", 0, 700, MEAL)),
    ("a large lamb kebab and small chips", Offer("drink", 0, 200, "Would you like a can with that, for $2 more?")),
    ("large lamb kebab and large chips", Offer("drink", 0, 100, "Would you like a can with that, for $1 more?")),
    ("a small mixed hsp", Offer("drink", 0, 200, "Would you like a can with that, for $2 more?")),
    ("two small lamb hsps", Offer("drink", 0, 400, "Would you like a can each with those, for $4 more?")),
    ("a large lamb kebab and a coke", None),
    ("two large lamb kebabs", None),
    ("a lamb gozleme", None),
    ("large chips and a baklava", None),
], ids=lambda v: v if isinstance(v, str) else None)
def test_the_cart_decides_the_offer(menu, words, offer):
    cart = read_order(menu, words, Lexicon.from_menu(menu)).lines
    assert choose_offer(menu, cart) == offer


def test_a_meal_already_in_the_cart_has_its_drink(menu):
    from kebabalab.ordering.meals import MealRequest, convert_to_meals
    cart = read_order(menu, "a large lamb kebab", Lexicon.from_menu(menu)).lines
    meal, _ = convert_to_meals(menu, cart, [0], MealRequest())
    assert choose_offer(menu, meal) is None
    assert choose_offer(menu, []) is None


@pytest.mark.parametrize("given, answer", [("yes", "yes"), ("No", "no"), (True, "yes"), (False, "no"),
                                           ("declined", "no"), (None, None), ("", None)])
def test_answers_the_assistant_may_send(given, answer):
    assert read_answer(given) == answer


def test_an_answer_that_is_neither_is_refused():
    with pytest.raises(ToolError) as refused:
        read_answer("maybe later")
    assert refused.value.message == "offerAnswer must be yes or no: what the caller said to the offer."
