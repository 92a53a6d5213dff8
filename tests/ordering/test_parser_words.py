"""Every word of an order accounted for (issue 13), class by class, in the words callers and assistants use.

The lines and totals are worked out by hand from the price list in docs/tool-contract.md (see test_parser.py).
"""
from __future__ import annotations

import pytest

from kebabalab.ordering.cart import Meal
from kebabalab.errors import ToolError
from kebabalab.ordering.parser import read_order
from kebabalab.ordering.pricing import cart_total
from tests.ordering.test_parser import LOT, can, chips, hsp, kebab, line, meal

ASSISTANT = [
    ("2x Large Lamb Kebab (garlic, chilli)", [kebab("large", "lamb", sauces=["garlic", "chilli"], qty=2)], 3000),
    ("Large Chicken Kebab x3", [kebab("large", "chicken", qty=3)], 4500),
    ("3x Coke", [can("coke", 3)], 1050),
    ("Coke \u00d7 2", [can("coke", 2)], 700),
    ("Small Chips (x2)", [chips("small", qty=2)], 1000),
    ("Kebab: large; protein: lamb; sauces: garlic, tomato",
     [kebab("large", "lamb", sauces=["garlic", "tomato"])], 1500),
    ("Kebab: small; protein: chicken; salads: all; sauces: none",
     [kebab("small", "chicken", salads=["lettuce", "tomato", "onion", "pickles"])], 1000),
    ("HSP: large; protein: mixed; quantity: 2", [hsp("large", "mixed", qty=2)], 4000),
    ("Chips: small; salt: normal", [chips("small", salt="normal")], 500),
    ("- 1 x Large Lamb Kebab\n- 2 x Coke", [kebab("large", "lamb"), can("coke", 2)], 1500 + 700),
    ("1. Large Lamb Kebab\n2. Coke", [kebab("large", "lamb"), can("coke")], 1850),
    ("Order: - 2 x Large Chicken HSP (garlic, bbq) - 1 x Small Chips (chicken salt)",
     [hsp("large", "chicken", sauces=["garlic", "bbq"], qty=2), chips("small")], 4000 + 500),
    ("Large Lamb Kebab; Small Chips; Sprite", [kebab("large", "lamb"), chips("small"), can("sprite")], 1850 + 500),
    ("\u2022 Small Chicken HSP\n\u2022 Water (500ml)", [hsp("small", "chicken"), line("WATER")], 1800),
    ("HSP (Halal Snack Pack) - Large, Mixed, garlic & chilli",
     [hsp("large", "mixed", sauces=["garlic", "chilli"])], 2000),
    ("Baklava (pack of 4) x2", [line("BAKLAVA_4", qty=2)], 2000),
    ("Energy Drink", [line("ENERGY")], 350),
    ("Ayran (yoghurt drink)", [line("AYRAN")], 350),
    ("Red Bull or V (250ml)", [line("ENERGY")], 350),
    ("Iced Tea (lemon, peach or mango) - peach", [line("ICED_TEA", brand="peach")], 450),
    ("Soft Drink Can (375ml) x2 - Coke Zero", [can("coke zero", 2)], 700),
    ("Coke Zero (can)", [can("coke zero")], 350),
    ("Meat Container 250g - lamb", [line("MEAT_250", protein="lamb")], 1300),
    ("Small Chicken HSP and Can (Fanta)", [hsp("small", "chicken", meal=Meal("hsp_can", drink_brand="fanta"))], 1700),
    ("Kebab Meal: Large Mixed Kebab + Small Chips + Sprite", [kebab("large", "mixed", meal=meal("sprite"))], 2200),
    ("Large Falafel Kebab Meal (Large Chips, Sunkist) x2",
     [kebab("large", "falafel", qty=2, meal=meal("sunkist", "large"))], 5000),
    ("Large Lamb Kebab Meal (Small Chips, Diet Coke) + Haloumi",
     [kebab("large", "lamb", extras=["haloumi"], meal=meal("diet coke"))], 2450),
    ("2x Small Kebab (Chicken) - first: garlic only; second: no sauce",
     [kebab("small", "chicken", sauces=["garlic"]), kebab("small", "chicken")], 2000),
    ("Gozleme x2 - 1 Lamb, 1 Vegetarian", [line("GOZ_LAMB"), line("GOZ_VEGETARIAN")], 3000),
    ("Red Bull or V (250ml) - Red Bull", [line("ENERGY")], 350),  # the menu's name, then the choice: one drink
    ("Red Bull or V (250ml) x2 - V", [line("ENERGY", qty=2)], 700),
    ("1 x Lamb kebab small w/ garlic + chilli; 1 x Coke",
     [kebab("small", "lamb", sauces=["garlic", "chilli"]), can("coke")], 1350),
    ("Customer wants: Vegetarian Gozleme; Ayran; Baklava (each) x2",
     [line("GOZ_VEGETARIAN"), line("AYRAN"), line("BAKLAVA", qty=2)], 2450),
    ("1x Kebab and can deal: small lamb kebab, Coke Zero",
     [kebab("small", "lamb", meal=Meal("kebab_can", drink_brand="coke zero"))], 1200),
    ("Kebab and can (large, falafel, Sunkist)",
     [kebab("large", "falafel", meal=Meal("kebab_can", drink_brand="sunkist"))], 1700),
    ("Lamb Gozleme x2; Chicken Gozleme x1; Soft Drink Can (375ml) x3 (Coke)",
     [line("GOZ_LAMB", qty=2), line("GOZ_CHICKEN"), can("coke", 3)], 5550),
]

FILLER = [
    ("um yeah can I get a small lamb kebab thanks mate", [kebab("small", "lamb")], 1000),
    ("righto, uh, just a coke thanks", [can("coke")], 350),
    ("a large lamb kebab and can I also get a coke", [kebab("large", "lamb"), can("coke")], 1850),  # not the deal
    ("sweet as, I'll grab a chicken gozleme for pickup, cheers", [line("GOZ_CHICKEN")], 1500),
    ("no worries, and a baklava thanks love", [line("BAKLAVA")], 300),
    ("mate, um, err, a large HSP, lamb, with the lot, yeah?", [hsp("large", "lamb", sauces=["garlic", "chilli", "bbq"])],
     2000),
    ("hi there, I was wondering if I could get a small chips", [chips("small")], 500),
    ("twenty-five small chips for the footy club", [chips("small", qty=25)], 12500),
]

CORRECTIONS = [
    ("a small, no sorry, a large lamb kebab", [kebab("large", "lamb")], 1500),
    ("chicken, no wait, lamb kebab large", [kebab("large", "lamb")], 1500),
    ("a large chicken kebab, no wait, lamb", [kebab("large", "lamb")], 1500),
    ("three, actually two large lamb kebabs", [kebab("large", "lamb", qty=2)], 3000),
    ("a large lamb kebab, make it two", [kebab("large", "lamb", qty=2)], 3000),
    ("a large lamb kebab and a water, scratch the water", [kebab("large", "lamb")], 1500),
    ("a can of fanta, scratch that, a water", [line("WATER")], 300),
    ("a coke, no sorry, a sprite", [can("sprite")], 350),
    ("a chicken gozleme, no, lamb gozleme", [line("GOZ_LAMB")], 1500),
    ("a large lamb kebab with garlic, no, chilli sauce", [kebab("large", "lamb", sauces=["chilli"])], 1500),
    ("two lamb gozleme, no, just one", [line("GOZ_LAMB")], 1500),
    ("a large lamb kebab with haloumi, actually no haloumi", [kebab("large", "lamb")], 1500),
    ("a large chicken kebab and a coke, no not the coke, a sprite", [kebab("large", "chicken"), can("sprite")], 1850),
    ("a large lamb kebab, sorry, and a coke", [kebab("large", "lamb"), can("coke")], 1850),
    ("a chicken gozleme, oh actually make it the vegetarian one", [line("GOZ_VEGETARIAN")], 1500),
    ("a lamb gozleme, actually chicken", [line("GOZ_CHICKEN")], 1500),
    ("a small lamb kebab, actually forget that, a small lamb HSP instead", [hsp("small", "lamb")], 1500),
    ("large lamb kebab with garlic, hang on, not garlic, chilli", [kebab("large", "lamb", sauces=["chilli"])], 1500),
]

DISTRIBUTION = [
    ("three small lamb kebabs, one with onion and two without",
     [kebab("small", "lamb", salads=["onion"]), kebab("small", "lamb", qty=2)], 3000),
    ("two large kebabs, one lamb and one chicken", [kebab("large", "lamb"), kebab("large", "chicken")], 3000),
    ("two large kebabs, one lamb and one chicken, both with garlic",
     [kebab("large", "lamb", sauces=["garlic"]), kebab("large", "chicken", sauces=["garlic"])], 3000),
    ("three large lamb kebabs, two with no onion",
     [kebab("large", "lamb", qty=2), kebab("large", "lamb")], 4500),
    ("two small chips, one with chicken salt one with no salt",
     [chips("small"), chips("small", salt="none")], 1000),
    ("two small chips, one with chicken salt one plain", [chips("small"), chips("small", salt="normal")], 1000),
    ("two small kebabs, both chicken, one with the lot and one with just lettuce",
     [kebab("small", "chicken", **LOT), kebab("small", "chicken", salads=["lettuce"])], 2000),
    ("a large lamb and a small chicken kebab", [kebab("large", "lamb"), kebab("small", "chicken")], 2500),
    ("two large lamb and one small chicken kebab",
     [kebab("large", "lamb", qty=2), kebab("small", "chicken")], 4000),
    ("a large lamb kebab and a small chicken one", [kebab("large", "lamb"), kebab("small", "chicken")], 2500),
    ("a large lamb kebab with garlic and another of those",
     [kebab("large", "lamb", sauces=["garlic"]), kebab("large", "lamb", sauces=["garlic"])], 3000),
    ("a large lamb kebab and a small lamb kebab, make both meals with large chips and a coke each",
     [kebab("large", "lamb", meal=meal("coke", "large")), kebab("small", "lamb", meal=meal("coke", "large"))],
     2500 + 2000),
    ("a chilli sauce tub and a garlic one",
     [line("SAUCE_TUB", sauces=["chilli"]), line("SAUCE_TUB", sauces=["garlic"])], 200),
]

NEGATION = [
    ("large lamb kebab no olives add haloumi", [kebab("large", "lamb", extras=["haloumi"])], 1750),
    ("small chips no salt extra cheese", [chips("small", salt="none", cheese=True)], 600),
    ("small lamb HSP no cheese extra meat", [hsp("small", "lamb", cheese=False, extras=["extra meat"])], 1800),
    ("large falafel kebab no sauce add hummus", [kebab("large", "falafel", sauces=["hummus"])], 1500),
    ("small chips no chicken salt, normal salt", [chips("small", salt="normal")], 500),
    ("large chicken HSP, no garlic, but chilli and bbq", [hsp("large", "chicken", sauces=["chilli", "bbq"])], 2000),
    ("a small chicken kebab, no salad just sauce, garlic", [kebab("small", "chicken", sauces=["garlic"])], 1000),
]

EXCEPTIONS = [
    ("a large lamb kebab with everything but onion",
     [kebab("large", "lamb", salads=["lettuce", "tomato"], sauces=["garlic"])], 1500),
    ("a large lamb kebab with the lot apart from onion",
     [kebab("large", "lamb", salads=["lettuce", "tomato"], sauces=["garlic"])], 1500),
    ("a large lamb kebab with everything other than tomato",
     [kebab("large", "lamb", salads=["lettuce", "onion"], sauces=["garlic"])], 1500),
    ("a large chicken kebab with garlic instead of chilli", [kebab("large", "chicken", sauces=["garlic"])], 1500),
    ("a large lamb kebab with the lot, swap onion for pickles",
     [kebab("large", "lamb", salads=["lettuce", "tomato", "pickles"], sauces=["garlic"])], 1500),
    ("large lamb kebab just tomato", [kebab("large", "lamb", salads=["tomato"])], 1500),
    ("large lamb kebab with the lot minus the tomato",
     [kebab("large", "lamb", salads=["lettuce", "onion"], sauces=["garlic"])], 1500),
    ("large chips but with normal salt instead of chicken salt", [chips("large", salt="normal")], 900),
    ("large lamb HSP, the lot, but instead of bbq do sweet chilli",
     [hsp("large", "lamb", sauces=["garlic", "chilli", "sweet chilli"])], 2000),
    ("large lamb HSP, the lot, but instead of bbq sweet chilli",
     [hsp("large", "lamb", sauces=["garlic", "chilli", "sweet chilli"])], 2000),
    ("large lamb kebab with the lot, but instead of onion and tomato pickles",
     [kebab("large", "lamb", salads=["lettuce", "pickles"], sauces=["garlic"])], 1500),
]

QUANTITIES = [
    ("ninety nine cokes", [can("coke", 99)], 34650),
    ("twenty one baklava", [line("BAKLAVA", qty=21)], 6300),
    ("2 dozen baklava", [line("BAKLAVA", qty=24)], 7200),
    ("two dozen baklava", [line("BAKLAVA", qty=24)], 7200),
    ("half a dozen baklava", [line("BAKLAVA", qty=6)], 1800),
    ("a pair of large chips", [chips("large", qty=2)], 1800),
    ("three x large lamb kebabs", [kebab("large", "lamb", qty=3)], 4500),
]

LISTS = [
    ("large chicken garlic and bbq kebab", [kebab("large", "chicken", sauces=["garlic", "bbq"])], 1500),
    ("small lamb kebab with lettuce tomato and onion",
     [kebab("small", "lamb", salads=["lettuce", "tomato", "onion"])], 1000),
]

HEARD = [  # (words, lines, total, what the reply says back)
    ("a gozlamay lamb", [line("GOZ_LAMB")], 1500, ["'gozlamay' as gozleme"]),
    ("a pepsi macks", [can("pepsi max")], 350, ["'macks' as pepsi max"]),
    ("a coke zero and a mountain doo", [can("coke zero"), can("mountain dew")], 700, ["'doo' as mountain dew"]),
    ("for large lamb kebabs", [kebab("large", "lamb", qty=4)], 6000, ["'for' as 4"]),
    ("to small chips", [chips("small", qty=2)], 1000, ["'to' as 2"]),
    ("tree cans of coke", [can("coke", 3)], 1050, ["'tree' as 3"]),
    ("a small chicken kebab with let us and tomato",
     [kebab("small", "chicken", salads=["lettuce", "tomato"])], 1000, ["'let us' as lettuce"]),
    ("large lamb kebab with halapenos", [kebab("large", "lamb", extras=["jalapenos"])], 1600, []),
    ("two large lamb doners", [kebab("large", "lamb", qty=2)], 3000, []),
    ("a small mixed kebab with hala peenos", [kebab("small", "mixed", extras=["jalapenos"])], 1100,
     ["'hala peenos' as jalapenos"]),
]

CLASSES = ASSISTANT + FILLER + CORRECTIONS + DISTRIBUTION + NEGATION + EXCEPTIONS + QUANTITIES + LISTS


@pytest.mark.parametrize("words, lines, total", CLASSES, ids=[c[0] for c in CLASSES])
def test_words_make_lines(menu, words, lines, total):
    got = read_order(menu, words).lines
    assert got == lines
    if total is not None:
        assert cart_total(menu, got) == total


@pytest.mark.parametrize("words, lines, total, heard", HEARD, ids=[c[0] for c in HEARD])
def test_mishearings_are_matched_and_said_back(menu, words, lines, total, heard):
    reading = read_order(menu, words)
    assert (reading.lines, cart_total(menu, reading.lines), reading.heard) == (lines, total, heard)


ITEMS = ("We have kebabs, HSPs, chips, gozleme, cans, water, ayran, salgam, energy drinks, iced tea, baklava, "
         "Turkish delight, rice pudding, meat containers and sauce tubs.")
ON_TOP = ("We have lettuce, tomato, onion and pickles for salad; garlic, chilli, bbq, tomato, sweet chilli, mayo and "
          "hummus sauce; and cheese, haloumi, extra meat, olives and jalapenos as extras.")
CANS = ("Our cans are coke, coke zero, diet coke, vanilla coke, pepsi, pepsi max, mountain dew, solo, fanta, lift, "
        "sprite, sunkist and schweppes lemonade.")
NOT_SOLD = "Sorry, we don't have {}, so I haven't added anything. "

REFUSED = [  # nothing is added: the whole phrase is refused, naming what is not sold and offering what is
    ("a large lamb kebab with pineapple", NOT_SOLD.format("pineapple") + ON_TOP),
    ("a large lamb kebab and a thickshake", NOT_SOLD.format("thickshake") + ITEMS),
    ("a diet lemonade", NOT_SOLD.format("diet lemonade") + CANS),
    ("large lamb HSP with cheese sauce", NOT_SOLD.format("cheese sauce") + ON_TOP),
    ("onion rings and a coke", NOT_SOLD.format("onion rings") + ITEMS),
    ("a large lamb kebab and some garlic bread", NOT_SOLD.format("garlic bread") + ITEMS),
    ("a bottle of coke", NOT_SOLD.format("bottle coke") + CANS),
    ("pizza", NOT_SOLD.format("pizza") + ITEMS),
    ("a large lame kebab", NOT_SOLD.format("lame kebab") + ITEMS),  # a sound never picks a meat
    ("a larch lamb kebab", NOT_SOLD.format("larch") + ITEMS),  # nor a size
]

ASK_EACH = ("I heard more than one kebab there; could you tell me each one on its own, like 'a large lamb kebab and "
            "a small chicken kebab'?")
HOW_MANY = "How many {}? I can take 1 to 99 {}on one line, so I haven't added anything."
ASKED = [
    ("a large coke", "There's only one size of coke, not large; would you like that?"),
    ("a big bottle of water", "There's only one size of water, not large; would you like that?"),
    ("an extra large chicken HSP", "The HSP comes small ($15) or large ($20); which size?"),
    ("Large HSP (Lamb or Chicken?)", "Which would you like: lamb or chicken?"),
    ("Small or Large Lamb Kebab", "Which would you like: small or large?"),
    ("a coke or a sprite", "Which would you like: coke or sprite?"),
    ("a hundred cokes", HOW_MANY.format("cokes", "")),
    ("a thousand large lamb kebabs", HOW_MANY.format("kebabs", "")),
    ("zero cokes", HOW_MANY.format("cokes", "")),
    ("half a large lamb kebab", HOW_MANY.format("kebabs", "whole ")),
    ("1.5 cokes", HOW_MANY.format("cokes", "whole ")),
    ("one and a half large lamb kebabs", HOW_MANY.format("kebabs", "whole ")),
    ("a few cokes", "How many cokes would you like?"),
    ("some large lamb kebabs", "How many kebabs would you like?"),
    ("a couple of large chips", "How many chips would you like?"),
    ("three large lamb kebabs, two with onion and two without",
     "I heard 3 kebabs but 4 described; how many would you like of each?"),
    ("2x Kebab Meal: small lamb kebab, small chips, Coke; small chicken kebab, small chips, Fanta", ASK_EACH),
    ("Iced Tea x2", "The iced tea comes in lemon, peach or mango; which would you like?"),
    ("an iced tea thanks", "The iced tea comes in lemon, peach or mango; which would you like?"),
    ("a lamb gozleme vegetarian", "Which gozleme: lamb, chicken, vegetarian or vegan?"),
    ("a chicken gozleme with lamb", "Which gozleme: lamb, chicken, vegetarian or vegan?"),
    ("a large lamb kebab, sorry, a coke", "Did you want the coke instead of the kebab, or both?"),
    ("a large lamb kebab, scratch the coke",
     "There's no coke in what you just said; to take something already in the cart off, remove it from the cart."),
]


@pytest.mark.parametrize("words, error", REFUSED + ASKED, ids=[c[0] for c in REFUSED + ASKED])
def test_words_that_are_refused_or_asked(menu, words, error):
    with pytest.raises(ToolError) as err:
        read_order(menu, words)
    assert str(err.value) == error


def test_a_sound_match_is_said_back_by_the_tool_and_nothing_else_changes(vapi):
    result = vapi.ok("quickAddItem", description="two large lamb kebabs with hallumi and a gozlamay lamb")
    assert result["message"] == ("Added 2 x large lamb kebab, with haloumi; lamb gozleme. The total is now $50. "
                                 "I took 'gozlamay' as gozleme; please check that with the caller.")
    assert [(i["name"], i["size"], i["protein"], i["quantity"]) for i in result["added"]] == [
        ("Kebab", "large", "lamb", 2), ("Lamb Gozleme", None, None, 1)]


def test_a_refused_phrase_adds_nothing_to_the_cart(vapi):
    vapi.ok("quickAddItem", description="a small chips")
    error = vapi.error("quickAddItem", description="a large lamb kebab with pineapple and a coke")
    assert error == NOT_SOLD.format("pineapple") + ON_TOP
    assert [i["name"] for i in vapi.ok("getCartState")["items"]] == ["Chips"]


def test_an_assistants_list_keeps_its_lines(vapi):
    result = vapi.ok("quickAddItem", description="1. Large Lamb Kebab (no onion)\n2. Coke x2\n3. Small Chips")
    assert [(i["name"], i["quantity"], i["lineTotal"]) for i in result["added"]] == [
        ("Kebab", 1, 15.0), ("Soft Drink Can (375ml)", 2, 7.0), ("Chips", 1, 5.0)]


def test_the_class_tables_are_distinct(menu):
    every = [c[0] for c in CLASSES + HEARD + REFUSED + ASKED]
    assert len(set(every)) == len(every)
