"""The menu file is checked once at start-up; a broken one stops the server naming the entry."""
import copy
import json

import pytest

from kebabalab.config import PACKAGE_DATA, Settings
from kebabalab.errors import ConfigError
from kebabalab.ordering.menu import Menu
from kebabalab.web.app import create_app

RAW = json.loads((PACKAGE_DATA / "menu.json").read_text())
SHARED_PRICES = {  # the shop's published prices (../shared/data/menu.json), in cents
    "KEBAB": {"small": 1000, "large": 1500}, "HSP": {"small": 1500, "large": 2000},
    "CHIPS": {"small": 500, "large": 900}, "GOZ_LAMB": 1500, "GOZ_CHICKEN": 1500, "GOZ_VEGETARIAN": 1500,
    "GOZ_VEGAN": 1500, "CAN": 350, "WATER": 300, "AYRAN": 350, "SALGAM": 350, "ENERGY": 350, "ICED_TEA": 450,
    "BAKLAVA": 300, "BAKLAVA_4": 1000, "TURKISH_DELIGHT": 100, "RICE_PUDDING": 500, "MEAT_250": 1300,
    "MEAT_500": 2000, "SAUCE_TUB": 100,
}


def test_every_item_and_price_of_the_shop_is_kept(menu):
    assert {i.id: (i.sizes or i.price) for i in menu.items.values()} == SHARED_PRICES
    assert {n: e.price for n, e in menu.extras.items()} == {
        "cheese": 100, "haloumi": 250, "extra meat": 300, "olives": 100, "jalapenos": 100}
    assert {k: m.prices for k, m in menu.meals.items()} == {
        "kebab_meal": {("small", "small"): 1700, ("small", "large"): 2000, ("large", "small"): 2200,
                       ("large", "large"): 2500},
        "kebab_can": {("small", None): 1200, ("large", None): 1700},
        "hsp_can": {("small", None): 1700, ("large", None): 2200},
        "gozleme_meal": {(None, "small"): 2300}}


def broken(change) -> dict:
    data = copy.deepcopy(RAW)
    change(data)
    return data


def item(data, item_id):
    return next(i for i in data["items"] if i["id"] == item_id)


@pytest.mark.parametrize("change,message", [
    (lambda d: item(d, "KEBAB")["sizes_cents"].pop("large"), "menu: item KEBAB must price exactly the sizes small, large"),
    (lambda d: item(d, "CAN").update(price_cents=3.5), "menu: item CAN.price_cents must be a positive whole number of cents, not 3.5"),
    (lambda d: item(d, "WATER").pop("price_cents"), "menu: item WATER has no price"),
    (lambda d: item(d, "HSP").update(category="pizza"), "menu: item HSP has unknown category 'pizza'; the "
                                                        "categories are kebab, hsp, chips, gozleme, drink, sweet, "
                                                        "meat_container, side"),
    (lambda d: d["meals"]["kebab_meal"]["prices"].pop(), "menu: meal kebab_meal has no price for main size large with chips large"),
    (lambda d: d["meals"]["hsp_can"].update(main="burger"), "menu: meal hsp_can names main 'burger', which the menu does not sell"),
    (lambda d: d["meals"]["kebab_meal"].update(chips=["medium"]), "menu: meal kebab_meal includes medium chips, which the menu does not sell"),
    (lambda d: d["extras"]["olives"].update(applies_to=["pizza"]), "menu: extra 'olives' applies to "
     "unknown category 'pizza'; the menu's categories are chips, drink, gozleme, hsp, kebab, meat_container, side, "
     "sweet"),
    (lambda d: item(d, "KEBAB")["the_lot"].update(salads=["rocket"]), "menu: item KEBAB.the_lot names unknown salad 'rocket'"),
    (lambda d: d["items"].append(dict(item(d, "WATER"))), "menu: item WATER appears twice"),
    (lambda d: item(d, "MEAT_250").update(proteins=["tofu"]), "menu: item MEAT_250 offers unknown protein 'tofu'"),
])
def test_broken_menu_names_the_entry(change, message):
    with pytest.raises(ConfigError) as err:
        Menu.from_dict(broken(change))
    assert str(err.value) == message


def test_broken_menu_file_stops_start_up(tmp_path):
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(broken(lambda d: item(d, "CHIPS")["sizes_cents"].update(large=0))))
    settings = Settings(database_url=f"sqlite:///{tmp_path}/x.db", menu_file=str(path), allow_unauthenticated=True)
    with pytest.raises(ConfigError, match=r"item CHIPS.sizes_cents.large must be a positive whole number"):
        create_app(settings, start_sender=False)


def test_unreadable_menu_file(tmp_path):
    path = tmp_path / "menu.json"
    path.write_text("{")
    with pytest.raises(ConfigError, match=r"not valid JSON \(line 1\)"):
        Menu.load(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        Menu.load(tmp_path / "missing.json")
