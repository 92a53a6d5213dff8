"""Allergens from the shop's facts only: read from the menu file, "unconfirmed" where it says nothing, and the
one rule that flags an allergy note."""
import copy
import json
from pathlib import Path

import pytest

from kebabalab.errors import ConfigError
from kebabalab.ordering.allergens import UNCONFIRMED, allergens_warning, every_fact, facts_in, lists, unconfirmed
from kebabalab.ordering.allergy_notes import allergy_note, is_severe, mentions_allergy
from kebabalab.ordering.menu import Menu

MENU_FILE = Path(__file__).parents[2] / "kebabalab" / "data" / "menu.json"


def shop_menu() -> dict:
    return json.loads(MENU_FILE.read_text())


def confirmed_menu() -> Menu:
    """The shop's menu after the owner has confirmed a few entries (the test's own facts, not the shop's)."""
    data = shop_menu()
    items = {item["id"]: item for item in data["items"]}
    items["HSP"]["allergens"] = ["Gluten", "dairy", "gluten"]
    items["BAKLAVA"]["allergens"] = ["gluten", "tree nuts"]
    items["CAN"]["allergens"] = []
    items["KEBAB"]["allergens"] = UNCONFIRMED
    data["option_allergens"] = {"proteins": {"falafel": ["sesame"]}, "sauces": {"garlic": ["egg"], "hummus": []}}
    return Menu.from_dict(data)


def test_the_shops_menu_loads_with_everything_unconfirmed_but_what_it_records():
    menu = Menu.load(MENU_FILE)
    assert [(f.name, f.allergens) for f in every_fact(menu) if f.confirmed] == [
        ("cheese", ("dairy",)), ("haloumi", ("dairy",))]
    assert len(unconfirmed(menu)) == 54
    assert menu.item("KEBAB").allergens is None and menu.option_allergens == {}


def test_confirmed_allergens_are_kept_as_the_shop_wrote_them_once_each():
    menu = confirmed_menu()
    assert menu.item("HSP").allergens == ("gluten", "dairy")
    assert (menu.item("CAN").allergens, menu.item("KEBAB").allergens) == ((), None)
    assert menu.option_allergens == {"proteins": {"falafel": ("sesame",)}, "sauces": {"garlic": ("egg",),
                                                                                      "hummus": ()}}
    assert allergens_warning(menu).startswith("allergens unconfirmed for 48 of 56 menu entries (kebab, chips, ")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["items"][1].update(allergens="gluten"),
     'menu: item HSP.allergens must be a list of allergens, or "unconfirmed"'),
    (lambda d: d["items"][1].update(allergens=["gluten", ""]),
     'menu: item HSP.allergens must be a list of allergens, or "unconfirmed"'),
    (lambda d: d["extras"]["olives"].update(allergens=[3]),
     "menu: extra 'olives'.allergens must be a list of allergens, or \"unconfirmed\""),
    (lambda d: d.update(option_allergens={"sauces": {"satay": ["peanut"]}}),
     "menu: option_allergens.sauces names 'satay', which is not in options.sauces"),
    (lambda d: d.update(option_allergens={"breads": {"pide": ["gluten"]}}),
     "menu: option_allergens.breads is not one of proteins, salads, sauces, can_brands, chips_salt"),
], ids=["a word, not a list", "an empty name", "a number", "an option not sold", "an unknown option list"])
def test_a_malformed_allergen_entry_stops_the_menu_naming_it(change, message):
    data = copy.deepcopy(shop_menu())
    change(data)
    with pytest.raises(ConfigError) as raised:
        Menu.from_dict(data)
    assert str(raised.value) == message


@pytest.mark.parametrize("words, found", [
    ("what's in the falafel HSP", [("proteins", "falafel", False), ("item", "HSP", False),
                                   ("sauces", "garlic sauce", True), ("sauces", "chilli sauce", True),
                                   ("sauces", "bbq sauce", True), ("extra", "cheese", True)]),
    ("does the garlic sauce have egg in it", [("sauces", "garlic sauce", False)]),
    ("is there dairy in the lamb gozleme", [("item", "lamb gozleme", False)]),
    ("any nuts in your baklavas", [("item", "baklava", False)]),
    ("is the tomato ok", [("salads", "tomato", False), ("sauces", "tomato sauce", False)]),
    ("what's in chicken salt", [("chips_salt", "chicken salt", False)]),
    ("the weather", []),
], ids=lambda v: v if isinstance(v, str) else None)
def test_the_entries_a_caller_names(words, found):
    assert [(f.kind, f.name, f.included) for f in facts_in(confirmed_menu(), words)] == found


def test_an_allergy_is_listed_by_a_word_of_either_inside_the_other():
    menu = confirmed_menu()
    baklava = facts_in(menu, "baklava")[0]
    assert [lists(baklava, said) for said in ("nuts", "tree nut", "Gluten", "sesame", "")] == [
        True, True, True, False, False]


@pytest.mark.parametrize("notes, flagged, severe", [
    ("nut allergy", True, False),
    ("She's allergic to sesame", True, False),
    ("coeliac, no bread please", True, False),
    ("lactose intolerant", True, False),
    ("gluten free if you can", True, False),
    ("no peanuts!!", True, False),
    ("anaphylactic to shellfish", True, True),
    ("severe nut allergy, carries an epipen", True, True),
    ("extra napkins", False, False),
    ("extra crispy chips, seriously", False, False),
    ("", False, False),
], ids=lambda v: v if isinstance(v, str) else None)
def test_allergy_notes_as_callers_say_them(notes, flagged, severe):
    assert (mentions_allergy(notes), is_severe(notes)) == (flagged, severe)
    assert allergy_note(notes) == (notes if flagged else "")


def test_an_allergy_in_a_line_note_joins_the_orders_notes():
    items = [{"description": "large lamb kebab", "note": "no garlic, allergic"}, {"description": "can"}, "junk"]
    assert allergy_note("Nut allergy", items) == "Nut allergy; no garlic, allergic"
    assert allergy_note("extra napkins", items) == "no garlic, allergic"
