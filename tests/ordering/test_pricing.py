"""Prices in cents, straight from the contract's price list."""
import pytest

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import LineSpec, Meal, make_line

CASES = [
    ("small kebab", LineSpec("KEBAB", "small", "lamb"), 1000),
    ("large kebab", LineSpec("KEBAB", "large", "chicken"), 1500),
    ("small hsp, cheese included", LineSpec("HSP", "small", "mixed"), 1500),
    ("large hsp, cheese asked for is still free", LineSpec("HSP", "large", "lamb", cheese=True), 2000),
    ("small chips", LineSpec("CHIPS", "small"), 500),
    ("large chips", LineSpec("CHIPS", "large"), 900),
    ("large chips with cheese", LineSpec("CHIPS", "large", extras=["cheese"]), 1000),
    ("can", LineSpec("CAN", brand="coke"), 350),
    ("water", LineSpec("WATER"), 300),
    ("gozleme", LineSpec("GOZ_LAMB"), 1500),
    ("kebab with cheese", LineSpec("KEBAB", "small", "lamb", cheese=True), 1100),
    ("kebab with haloumi", LineSpec("KEBAB", "small", "lamb", extras=["haloumi"]), 1250),
    ("kebab with extra meat", LineSpec("KEBAB", "large", "lamb", extras=["extra meat"]), 1800),
    ("kebab with olives and jalapenos", LineSpec("KEBAB", "large", "lamb", extras=["olives", "jalapenos"]), 1700),
    ("small kebab meal", LineSpec("KEBAB", "small", "lamb", meal=Meal("kebab_meal", "small", None, "coke")), 1700),
    ("small kebab meal large chips", LineSpec("KEBAB", "small", "lamb", meal=Meal("kebab_meal", "large", None, "coke")), 2000),
    ("large kebab meal", LineSpec("KEBAB", "large", "lamb", meal=Meal("kebab_meal", "small", None, "coke")), 2200),
    ("large kebab meal large chips", LineSpec("KEBAB", "large", "lamb", meal=Meal("kebab_meal", "large", None, "sprite")), 2500),
    ("small kebab and can", LineSpec("KEBAB", "small", "lamb", meal=Meal("kebab_can", None, None, "coke")), 1200),
    ("large kebab and can", LineSpec("KEBAB", "large", "lamb", meal=Meal("kebab_can", None, None, "coke")), 1700),
    ("small hsp and can", LineSpec("HSP", "small", "lamb", meal=Meal("hsp_can", None, None, "coke")), 1700),
    ("large hsp and can", LineSpec("HSP", "large", "lamb", meal=Meal("hsp_can", None, None, "coke")), 2200),
    ("gozleme meal", LineSpec("GOZ_VEGAN", meal=Meal("gozleme_meal", "small", None, "fanta")), 2300),
    ("extras charged on meals", LineSpec("KEBAB", "large", "lamb", extras=["haloumi"], cheese=True,
                                         meal=Meal("kebab_meal", "large", None, "coke")), 2850),
    ("three large kebabs", LineSpec("KEBAB", "large", "lamb", quantity=3), 4500),
]


@pytest.mark.parametrize("spec,expected", [(s, e) for _, s, e in CASES], ids=[c[0] for c in CASES])
def test_line_price(menu, spec, expected):
    assert pricing.line_total(menu, make_line(menu, spec)) == expected


@pytest.mark.parametrize("total,gst", [(2200, 200), (2500, 227), (350, 32), (0, 0), (1, 0), (6, 1), (5, 0), (1650, 150)])
def test_gst_is_a_eleventh_rounded_to_the_cent(total, gst):
    assert pricing.gst_of(total) == gst


@pytest.mark.parametrize("cents,dollars,spoken", [(1500, 15.0, "$15"), (2250, 22.5, "$22.50"), (350, 3.5, "$3.50"),
                                                  (1, 0.01, "$0.01")])
def test_money_at_the_edge(cents, dollars, spoken):
    assert pricing.dollars(cents) == dollars
    assert pricing.spoken_money(cents) == spoken


def test_cart_total_is_sum_of_lines(menu):
    lines = [make_line(menu, spec) for _, spec, _ in CASES]
    assert pricing.cart_total(menu, lines) == sum(expected for _, _, expected in CASES)
