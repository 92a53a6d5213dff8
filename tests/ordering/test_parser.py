"""The parser, table-driven: the customer's own words, the cart lines they make and the total in cents.

Totals are worked out by hand from the price list in docs/tool-contract.md: kebab $10/$15, HSP $15/$20
(cheese included), chips $5/$9, can $3.50, water $3, gozleme $15, cheese $1, haloumi $2.50, extra meat $3,
olives $1, jalapenos $1; kebab meal $17/$20 (small kebab), $22/$25 (large); kebab and can $12/$17; HSP and can
$17/$22; gozleme meal $23.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kebabalab.ordering.cart import CartLine, LineSpec, Meal
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import Menu
from kebabalab.ordering.parser import parse_order, parse_to_lines
from kebabalab.ordering.pricing import cart_total

CATEGORY = {"KEBAB": "kebab", "HSP": "hsp", "CHIPS": "chips", "GOZ_LAMB": "gozleme", "GOZ_CHICKEN": "gozleme",
            "GOZ_VEGETARIAN": "gozleme", "GOZ_VEGAN": "gozleme", "CAN": "drink", "WATER": "drink",
            "AYRAN": "drink", "ENERGY": "drink", "ICED_TEA": "drink", "BAKLAVA": "sweet", "BAKLAVA_4": "sweet",
            "TURKISH_DELIGHT": "sweet", "RICE_PUDDING": "sweet", "MEAT_250": "meat_container",
            "MEAT_500": "meat_container", "SAUCE_TUB": "side"}


def line(item_id, size=None, protein=None, salads=(), sauces=(), extras=(), cheese=None, salt=None, brand=None,
         qty=1, meal=None) -> CartLine:
    """The expected line; cheese is on an HSP and chicken salt on chips unless said otherwise."""
    cheese = item_id == "HSP" if cheese is None else cheese
    salt = salt or ("chicken" if item_id == "CHIPS" else None)
    return CartLine(item_id, CATEGORY[item_id], size, protein, tuple(salads), tuple(sauces), tuple(extras), cheese,
                    salt, brand, qty, meal)


def kebab(size, protein, **kw) -> CartLine:
    return line("KEBAB", size, protein, **kw)


def hsp(size, protein, **kw) -> CartLine:
    return line("HSP", size, protein, **kw)


def chips(size, **kw) -> CartLine:
    return line("CHIPS", size, **kw)


def can(brand, qty=1) -> CartLine:
    return line("CAN", brand=brand, qty=qty)


def meal(drink, chips_size="small", salt="chicken") -> Meal:
    return Meal("kebab_meal", chips_size, salt, drink)


LOT = {"salads": ("lettuce", "tomato", "onion"), "sauces": ("garlic",)}

CASES = [
    # several items in one breath
    ("a large chicken kebab, small chips and a sprite", [kebab("large", "chicken"), chips("small"), can("sprite")],
     1500 + 500 + 350),
    ("two large lamb kebabs and 2 cokes", [kebab("large", "lamb", qty=2), can("coke", 2)], 3000 + 700),
    ("a small lamb kebab with garlic sauce plus a large chips and also a fanta",
     [kebab("small", "lamb", sauces=["garlic"]), chips("large"), can("fanta")], 1000 + 900 + 350),
    ("a large lamb kebab with a small chips", [kebab("large", "lamb"), chips("small")], 1500 + 500),
    ("a large mixed hsp, a small chicken kebab with lettuce and onion and a can of coke",
     [hsp("large", "mixed"), kebab("small", "chicken", salads=["lettuce", "onion"]), can("coke")],
     2000 + 1000 + 350),
    ("a large lamb kebab and a large chicken kebab with chilli",
     [kebab("large", "lamb"), kebab("large", "chicken", sauces=["chilli"])], 1500 + 1500),
    ("can I get a large lamb kebab and a coke", [kebab("large", "lamb"), can("coke")], 1500 + 350),
    ("three small chips, two cokes and a water", [chips("small", qty=3), can("coke", 2), line("WATER")],
     1500 + 700 + 300),
    # how many
    ("two large lamb kebabs", [kebab("large", "lamb", qty=2)], 3000),
    ("2 cokes", [can("coke", 2)], 700),
    ("I'd like three small chips", [chips("small", qty=3)], 1500),
    ("a dozen baklava", [line("BAKLAVA", qty=12)], 3600),
    ("half a dozen baklava", [line("BAKLAVA", qty=6)], 1800),
    ("2x large chicken kebab", [kebab("large", "chicken", qty=2)], 3000),
    ("four cans of sprite", [can("sprite", 4)], 1400),
    ("another small lamb kebab", [kebab("small", "lamb")], 1000),
    ("a pair of large chips", [chips("large", qty=2)], 1800),
    # sizes come only from size words
    ("a big lamb kebab", [kebab("large", "lamb")], 1500),
    ("chicken kebab large", [kebab("large", "chicken")], 1500),
    ("let's have a large lamb kebab", [kebab("large", "lamb")], 1500),
    ("a small hsp, lamb", [hsp("small", "lamb")], 1500),
    # meats
    ("a small mix kebab", [kebab("small", "mixed")], 1000),
    ("a small lamb and chicken kebab", [kebab("small", "mixed")], 1000),
    ("half lamb half chicken hsp large", [hsp("large", "mixed")], 2000),
    ("a small vegan kebab", [kebab("small", "falafel")], 1000),
    ("a large falafel wrap with hummus", [kebab("large", "falafel", sauces=["hummus"])], 1500),
    ("a large doner kebab with lamb", [kebab("large", "lamb")], 1500),
    ("small chicken roll", [kebab("small", "chicken")], 1000),
    ("a vegetarian hsp small", [hsp("small", "falafel")], 1500),
    # gozleme
    ("a lamb gozleme", [line("GOZ_LAMB")], 1500),
    ("chicken gozleme", [line("GOZ_CHICKEN")], 1500),
    ("spinach and cheese gozleme", [line("GOZ_VEGETARIAN")], 1500),
    ("a vegan gozleme", [line("GOZ_VEGAN")], 1500),
    ("a gozleme with chicken", [line("GOZ_CHICKEN")], 1500),
    ("two lamb gozlemes", [line("GOZ_LAMB", qty=2)], 3000),
    ("a lamb gozleme with haloumi", [line("GOZ_LAMB", extras=["haloumi"])], 1750),
    # salads and sauces
    ("a large lamb kebab with lettuce and onion", [kebab("large", "lamb", salads=["lettuce", "onion"])], 1500),
    ("a large lamb kebab with garlic and chilli sauce",
     [kebab("large", "lamb", sauces=["garlic", "chilli"])], 1500),
    ("small chicken kebab with sweet chilli", [kebab("small", "chicken", sauces=["sweet chilli"])], 1000),
    ("a large lamb kebab with tomato", [kebab("large", "lamb", salads=["tomato"])], 1500),
    ("a large lamb kebab with tomato sauce", [kebab("large", "lamb", sauces=["tomato"])], 1500),
    ("a small lamb kebab with lettuce, tomato and onion, garlic and bbq sauce",
     [kebab("small", "lamb", salads=["lettuce", "tomato", "onion"], sauces=["garlic", "bbq"])], 1000),
    ("a small lamb kebab with ketchup", [kebab("small", "lamb", sauces=["tomato"])], 1000),
    ("large chicken kebab with barbecue sauce and mayo", [kebab("large", "chicken", sauces=["bbq", "mayo"])], 1500),
    ("a small lamb kebab with salad and garlic sauce", [kebab("small", "lamb", **LOT)], 1000),
    ("a large lamb kebab with the lot", [kebab("large", "lamb", **LOT)], 1500),
    ("large chicken hsp with everything", [hsp("large", "chicken", sauces=["garlic", "chilli", "bbq"])], 2000),
    ("a large lamb kebab with the lot but no onion",
     [kebab("large", "lamb", salads=["lettuce", "tomato"], sauces=["garlic"])], 1500),
    ("large lamb kebab, the lot, hold the salad", [kebab("large", "lamb", sauces=["garlic"])], 1500),
    ("a small lamb kebab with the lot and no sauce", [kebab("small", "lamb", salads=LOT["salads"])], 1000),
    ("a large lamb kebab with everything except tomato and onion",
     [kebab("large", "lamb", salads=["lettuce"], sauces=["garlic"])], 1500),
    ("small lamb kebab, lettuce, onion, garlic, no onion",
     [kebab("small", "lamb", salads=["lettuce"], sauces=["garlic"])], 1000),
    ("a large chicken kebab with lettuce and tomato, no garlic sauce, chilli sauce",
     [kebab("large", "chicken", salads=["lettuce", "tomato"], sauces=["chilli"])], 1500),
    ("a large lamb kebab with garlic sauce on the side",
     [kebab("large", "lamb"), line("SAUCE_TUB", sauces=["garlic"])], 1500 + 100),
    ("a sauce tub of garlic", [line("SAUCE_TUB", sauces=["garlic"])], 100),
    ("two chilli sauce tubs", [line("SAUCE_TUB", sauces=["chilli"], qty=2)], 200),
    ("garlic and bbq sauce on the side",
     [line("SAUCE_TUB", sauces=["garlic"]), line("SAUCE_TUB", sauces=["bbq"])], 200),
    # extras
    ("a large chicken kebab with extra cheese", [kebab("large", "chicken", cheese=True)], 1600),
    ("a small lamb kebab with cheese and haloumi", [kebab("small", "lamb", cheese=True, extras=["haloumi"])], 1350),
    ("a small lamb kebab with halloumi", [kebab("small", "lamb", extras=["haloumi"])], 1250),
    ("large lamb hsp with double meat", [hsp("large", "lamb", extras=["extra meat"])], 2300),
    ("a small chicken kebab with extra chicken", [kebab("small", "chicken", extras=["extra meat"])], 1300),
    ("large mixed kebab with olives and jalapenos", [kebab("large", "mixed", extras=["olives", "jalapenos"])], 1700),
    ("a large lamb hsp with extra cheese", [hsp("large", "lamb")], 2000),
    ("large lamb hsp no cheese", [hsp("large", "lamb", cheese=False)], 2000),
    ("an extra lamb kebab, small", [kebab("small", "lamb")], 1000),
    ("small chicken kebab with more meat and jalapeno",
     [kebab("small", "chicken", extras=["extra meat", "jalapenos"])], 1400),
    # chips
    ("small chips", [chips("small")], 500),
    ("large chips with chicken salt", [chips("large")], 900),
    ("large chips with normal salt", [chips("large", salt="normal")], 900),
    ("small chips no salt", [chips("small", salt="none")], 500),
    ("small chips with cheese", [chips("small", cheese=True)], 600),
    ("cheesy chips, large", [chips("large", cheese=True)], 1000),
    ("a large fries", [chips("large")], 900),
    ("two small hot chips with plain salt", [chips("small", salt="normal", qty=2)], 1000),
    # drinks
    ("a can of coke", [can("coke")], 350),
    ("a coke", [can("coke")], 350),
    ("coca cola", [can("coke")], 350),
    ("three coca colas", [can("coke", qty=3)], 1050),
    ("two soft drinks, both coke", [can("coke", qty=2)], 700),
    ("two large falafel wraps", [kebab("large", "falafel", qty=2)], 3000),
    ("a coke zero and a diet coke", [can("coke zero"), can("diet coke")], 700),
    ("a pepsi max", [can("pepsi max")], 350),
    ("a schweppes lemonade", [can("schweppes lemonade")], 350),
    ("a lemonade", [can("schweppes lemonade")], 350),
    ("a spryte", [can("sprite")], 350),
    ("a fanter", [can("fanta")], 350),
    ("a coke can", [can("coke")], 350),
    ("a can, solo", [can("solo")], 350),
    ("mountain dew", [can("mountain dew")], 350),
    ("a bottle of water", [line("WATER")], 300),
    ("two waters", [line("WATER", qty=2)], 600),
    ("an ayran", [line("AYRAN")], 350),
    ("a red bull", [line("ENERGY")], 350),
    ("a peach iced tea", [line("ICED_TEA", brand="peach")], 450),
    ("an iced tea, mango", [line("ICED_TEA", brand="mango")], 450),
    # meals
    ("a large lamb kebab meal with a coke", [kebab("large", "lamb", meal=meal("coke"))], 2200),
    ("large lamb kebab as a meal with large chips and a coke",
     [kebab("large", "lamb", meal=meal("coke", "large"))], 2500),
    ("a small chicken kebab meal, large chips, no salt, and a sprite",
     [kebab("small", "chicken", meal=meal("sprite", "large", "none"))], 2000),
    ("two large lamb kebab meals with cokes", [kebab("large", "lamb", qty=2, meal=meal("coke"))], 4400),
    ("a large lamb kebab meal with garlic sauce and cheese and a fanta",
     [kebab("large", "lamb", sauces=["garlic"], cheese=True, meal=meal("fanta"))], 2300),
    ("large lamb kebab meal with extra meat and a coke",
     [kebab("large", "lamb", extras=["extra meat"], meal=meal("coke"))], 2500),
    ("a meal with a large lamb kebab and a diet coke", [kebab("large", "lamb", meal=meal("diet coke"))], 2200),
    ("a large lamb kebab meal, no chips, with a coke",
     [kebab("large", "lamb", meal=Meal("kebab_can", drink_brand="coke"))], 1700),
    ("a large lamb kebab and coke deal", [kebab("large", "lamb", meal=Meal("kebab_can", drink_brand="coke"))], 1700),
    ("lamb kebab small with a can of sprite deal",
     [kebab("small", "lamb", meal=Meal("kebab_can", drink_brand="sprite"))], 1200),
    ("large chicken hsp and coke deal", [hsp("large", "chicken", meal=Meal("hsp_can", drink_brand="coke"))], 2200),
    ("small mixed hsp meal with a solo", [hsp("small", "mixed", meal=Meal("hsp_can", drink_brand="solo"))], 1700),
    ("a chicken gozleme meal with a coke",
     [line("GOZ_CHICKEN", meal=Meal("gozleme_meal", "small", "chicken", "coke"))], 2300),
    ("a chicken gozleme with small chips and a coke as a meal",
     [line("GOZ_CHICKEN", meal=Meal("gozleme_meal", "small", "chicken", "coke"))], 2300),
    # sweets, meat containers
    ("a baklava", [line("BAKLAVA")], 300),
    ("4 pack of baklava", [line("BAKLAVA_4")], 1000),
    ("a pack of baklava", [line("BAKLAVA_4")], 1000),
    ("two turkish delights and a rice pudding", [line("TURKISH_DELIGHT", qty=2), line("RICE_PUDDING")], 700),
    ("250g meat container of lamb", [line("MEAT_250", protein="lamb")], 1300),
    ("a small chicken meat container", [line("MEAT_250", protein="chicken")], 1300),
    ("500 gram mixed meat container", [line("MEAT_500", protein="mixed")], 2000),
    ("half a kilo of chicken", [line("MEAT_500", protein="chicken")], 2000),
    ("a large lamb meat container", [line("MEAT_500", protein="lamb")], 2000),
    # fillers and speech-to-text slips
    ("um yeah can I get a small lamb kebab with sweet chilli please mate thanks",
     [kebab("small", "lamb", sauces=["sweet chilli"])], 1000),
    ("chiken kebap large with garlik sauce", [kebab("large", "chicken", sauces=["garlic"])], 1500),
    ("a large lamp kebab", [kebab("large", "lamb")], 1500),
    ("gozlem lamb", [line("GOZ_LAMB")], 1500),
    ("a large chicken kebab with tomatoes and onions", [kebab("large", "chicken", salads=["tomato", "onion"])], 1500),
    ("a small lamb kebab with humus", [kebab("small", "lamb", sauces=["hummus"])], 1000),
    ("H.S.P large chicken with the lot", [hsp("large", "chicken", sauces=["garlic", "chilli", "bbq"])], 2000),
    ("a large halal snack pack with lamb and garlic and bbq", [hsp("large", "lamb", sauces=["garlic", "bbq"])], 2000),
    ("a small lamb kebab with olive", [kebab("small", "lamb", extras=["olives"])], 1100),
    ("a large chiken kebab with pickels", [kebab("large", "chicken", salads=["pickles"])], 1500),
    ("a smal lamb kebab", [kebab("small", "lamb")], 1000),
    ("I'll pick it up later, large lamb kebab", [kebab("large", "lamb")], 1500),
]

DRINKS = ("Which drink: coke, coke zero, diet coke, vanilla coke, pepsi, pepsi max, mountain dew, solo, fanta, "
          "lift, sprite, sunkist or schweppes lemonade?")
KEBAB_SIZE = "Which size for the kebab: small ($10) or large ($15)?"
NO_ITEM = "I couldn't find a menu item in that; what would you like?"
GOZLEME = "Which gozleme: lamb, chicken, vegetarian or vegan?"

TWO_KEBABS = ("I heard more than one kebab there; could you tell me each one on its own, like 'a large lamb kebab "
              "and a small chicken kebab'?")
ASKS = [
    # two items said around one item word: each gets its own words, never merged into one line
    ("a small and a large lamb kebab", "Which meat for the kebab: lamb, chicken, mixed or falafel?"),
    ("a couple of cokes", "How many cokes would you like?"),
    ("a kebab with a large lamb and a small chicken", TWO_KEBABS),
    ("a kebab", KEBAB_SIZE),
    ("let's get a lamb kebab", KEBAB_SIZE),
    ("a regular lamb kebab", KEBAB_SIZE),
    ("a large kebab", "Which meat for the kebab: lamb, chicken, mixed or falafel?"),
    ("a large falafel and lamb kebab", "Which meat for the kebab: lamb, chicken, mixed or falafel?"),
    ("a can", DRINKS),
    ("a soft drink please", DRINKS),
    ("a large lamb kebab and a can", DRINKS),
    ("a large lamb kebab meal", DRINKS),
    ("a gozleme", GOZLEME),
    ("a falafel gozleme", GOZLEME),
    ("chips with normal salt", "Which size for the chips: small ($5) or large ($9)?"),
    ("medium chips", "Which size for the chips: small ($5) or large ($9)?"),
    ("a meat container of lamb", "Which meat container: 250 gram ($13) or 500 gram ($20)?"),
    ("a large meat container", "Which meat for the 500 gram meat container: lamb, chicken or mixed?"),
    ("kebabs", "How many kebabs?"),
    ("two large lamb kebabs and cokes", "How many cokes?"),
    ("100 cokes", "How many cokes? I can take 1 to 99 on one line, so I haven't added anything."),
    ("a large chips meal", "Only a kebab, HSP or gozleme comes as a meal; which would you like as a meal?"),
    ("a chicken gozleme meal with large chips and a coke",
     "The chicken gozleme meal comes with small chips; which would you like?"),
    ("a lamb gozleme with cheese", "Cheese can't be added to lamb gozlemes."),
    ("small chips with extra meat", "Extra meat can't be added to chips."),
    ("small chips with lettuce", "Chips don't come with salads."),
    ("a lamb gozleme but hold the onion", "I can't take onion off the lamb gozleme: the menu lists none on it. "
                                          "I haven't added anything; shall I add it as it comes?"),
    ("a chicken gozleme no olives and a coke", "I can't take olives off the chicken gozleme: the menu lists none on "
                                               "it. I haven't added anything; shall I add it as it comes?"),
    ("pizza", "Sorry, we don't have pizza, so I haven't added anything. We have kebabs, HSPs, chips, gozleme, cans, "
              "water, ayran, salgam, energy drinks, iced tea, baklava, Turkish delight, rice pudding, meat containers "
              "and sauce tubs."),
    ("I'll pick it up later", NO_ITEM),
    ("I'm done, thanks", NO_ITEM),
    ("", "I didn't catch an order; what would you like?"),
    ("   ", "I didn't catch an order; what would you like?"),
    ("a large lamb kebab " * 30, "That's a lot at once; please give me the order a few items at a time."),
]


@pytest.mark.parametrize("words, lines, total", CASES, ids=[c[0] for c in CASES])
def test_words_make_lines(menu, words, lines, total):
    got = parse_to_lines(menu, words)
    assert got == lines
    assert cart_total(menu, got) == total


@pytest.mark.parametrize("words, question", ASKS, ids=[c[0][:40] or "empty" for c in ASKS])
def test_words_that_ask(menu, words, question):
    with pytest.raises(ToolError) as err:
        parse_to_lines(menu, words)
    assert str(err.value) == question


def test_the_cases_are_distinct_and_many():
    assert len({c[0] for c in CASES}) == len(CASES) >= 90
    assert len({c[0] for c in ASKS}) == len(ASKS) >= 15


@pytest.mark.parametrize("value", [None, 42, ["a coke"], b"a coke"])
def test_only_text_is_read(menu, value):
    with pytest.raises(ToolError) as err:
        parse_to_lines(menu, value)
    assert str(err.value) == "Tell me the order in words, like: a large lamb kebab with garlic sauce."


def test_specs_leave_unsaid_things_unset(menu):
    assert parse_order(menu, "let's get a lamb kebab") == [LineSpec("KEBAB", protein="lamb")]
    assert parse_order(menu, "a large lamb kebab meal") == [
        LineSpec("KEBAB", "large", "lamb", meal=Meal("kebab_meal", "small", None, None))]
    assert parse_order(menu, "a can") == [LineSpec("CAN")]


def test_exactly_500_characters_is_read(menu):
    words = "a coke" + " " * 494
    assert len(words) == 500
    assert parse_to_lines(menu, words) == [can("coke")]


WORDS = ("a two 3 0 250g large small regular lamb chicken kebab kebabs hsp chips can coke cokes of and , with no "
         "hold salad sauce tomato garlic sweet chilli the lot meal deal pack 4 baklava gozleme meat container tub on "
         "side extra cheese salt drink water iced tea peach please um . é ²").split()


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), max_size=20) | st.text(max_size=80))
def test_any_words_give_lines_or_a_question(words):
    menu = Menu.load(Path(__file__).parents[2] / "kebabalab" / "data" / "menu.json")  # no fixtures in @given
    text = " ".join(words) if isinstance(words, list) else words
    try:
        lines = parse_to_lines(menu, text)
    except ToolError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert lines and all(1 <= l.quantity <= 99 for l in lines)
