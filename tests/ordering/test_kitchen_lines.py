"""Kitchen lines: an order's lines as the kitchen reads them, built from the stored cart line (never by
splitting the spoken sentence)."""
import pytest

from kebabalab.ordering.cart import make_line, stored_items
from kebabalab.ordering.kitchen_lines import KitchenLine as K, kitchen_lines
from kebabalab.ordering.lines import LineSpec, Meal


def lines_of(menu, spec):
    [stored] = stored_items(menu, [make_line(menu, spec)])
    return kitchen_lines(menu, stored)


@pytest.mark.parametrize("spec, expected", [
    pytest.param(LineSpec("KEBAB", "large", "lamb", ["lettuce", "tomato", "onion"], ["garlic", "chilli"], quantity=2),
                 [K("2 × Large Kebab", "item", 0), K("Lamb", "meat", 1), K("Lettuce, tomato, onion", "salad", 1),
                  K("Garlic, chilli sauce", "sauce", 1)], id="two large lamb kebabs with the lot, garlic and chilli"),
    pytest.param(LineSpec("KEBAB", "small", "chicken", [], ["garlic"], ["haloumi"], cheese=True),
                 [K("1 × Small Kebab", "item", 0), K("Chicken", "meat", 1), K("NO salad", "no", 1),
                  K("Garlic sauce", "sauce", 1), K("+ cheese", "extra", 1), K("+ haloumi", "extra", 1)],
                 id="small chicken, no salad, garlic, cheese and haloumi"),
    pytest.param(LineSpec("HSP", "large", "mixed", [], [], cheese=False),
                 [K("1 × Large HSP (Halal Snack Pack)", "item", 0), K("Mixed", "meat", 1), K("NO salad", "no", 1),
                  K("NO sauce", "no", 1), K("NO cheese", "no", 1)], id="a large mixed HSP, no cheese, nothing on it"),
    pytest.param(LineSpec("CHIPS", "large", salt="none"),
                 [K("1 × Large Chips", "item", 0), K("NO salt", "no", 1)], id="large chips no salt"),
    pytest.param(LineSpec("KEBAB", "large", "lamb", ["lettuce"], ["bbq"],
                          meal=Meal("kebab_meal", "large", "chicken", "coke")),
                 [K("1 × Large Kebab meal", "item", 0), K("Lamb", "meat", 1), K("Lettuce", "salad", 1),
                  K("Bbq sauce", "sauce", 1), K("Large chips", "side", 1), K("Chicken salt", "plain", 2),
                  K("Coke can", "side", 1)], id="a large lamb kebab meal with chicken salt chips and a coke"),
    pytest.param(LineSpec("CAN", brand="coke zero", quantity=3), [K("3 × Coke zero can", "item", 0)],
                 id="three coke zero"),
])
def test_kitchen_lines(menu, spec, expected):
    assert lines_of(menu, spec) == expected


def test_a_line_saved_without_its_cart_line_shows_its_description(menu):
    assert kitchen_lines(menu, {"quantity": 2, "description": "large lamb kebab, garlic sauce"}) == [
        K("2 × large lamb kebab, garlic sauce", "item", 0)]
