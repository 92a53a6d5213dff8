"""checkAllergens through the webhook: answers from the shop's confirmed allergens only, never "safe", and offers
the person for an unconfirmed entry or a severe allergy."""
import json
from pathlib import Path

import pytest

from kebabalab.config import Settings

MENU_FILE = Path(__file__).parents[2] / "kebabalab" / "data" / "menu.json"

NO_PROMISE = "I can't promise anything is free of an allergen."
OFFER = "I'd like to put you through to someone at the shop for that; shall I?"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shop's menu with a few entries confirmed by the owner (the test's facts, not the shop's)."""
    data = json.loads(MENU_FILE.read_text())
    items = {item["id"]: item for item in data["items"]}
    items["BAKLAVA"]["allergens"] = ["gluten", "tree nuts"]
    items["HSP"]["allergens"] = ["gluten", "dairy"]
    items["CAN"]["allergens"] = []
    data["option_allergens"] = {"proteins": {"falafel": ["sesame"], "lamb": []},
                                "sauces": {"garlic": ["egg"], "chilli": [], "bbq": ["soy"]}, "can_brands": {"coke": []}}
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps(data))
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, menu_file=str(menu))


def test_a_confirmed_item_is_read_from_the_shops_list_and_never_called_safe(vapi):
    result = vapi.ok("checkAllergens", question="Is there any nuts in the baklava?", allergy="nuts")
    assert result == {
        "ok": True, "message": f"The baklava has nuts: the shop lists gluten and tree nuts. {NO_PROMISE}",
        "allergens": [{"name": "baklava", "kind": "item", "included": False, "allergens": ["gluten", "tree nuts"]}],
        "unconfirmed": [], "offerPerson": False, "personReason": None}


def test_an_allergy_the_shop_does_not_list_is_said_so_and_still_not_safe(vapi):
    result = vapi.ok("checkAllergens", question="can I have a coke, I'm allergic to sesame", allergy="sesame")
    assert result["message"] == (f"The shop lists no allergens for the coke. The shop lists no allergens for the "
                                 f"can. {NO_PROMISE}")
    assert "safe" not in result["message"] and result["offerPerson"] is False


def test_what_comes_with_an_item_is_answered_too_and_an_unconfirmed_part_offers_the_person(vapi):
    result = vapi.ok("checkAllergens", question="what's in a lamb HSP", allergy="egg")
    assert result["message"] == (
        "The shop lists no allergens for the lamb. The shop lists gluten and dairy for the HSP. It doesn't list egg. "
        "With the lot it has garlic sauce, chilli sauce, bbq sauce and cheese. The garlic sauce has egg: the shop "
        "lists egg. The shop lists no allergens for the chilli sauce. The shop lists soy for the bbq sauce. It "
        f"doesn't list egg. The shop lists dairy for the cheese. It doesn't list egg. {NO_PROMISE}")
    assert (result["offerPerson"], result["unconfirmed"]) == (False, [])
    assert [a["name"] for a in result["allergens"] if a["included"]] == [
        "garlic sauce", "chilli sauce", "bbq sauce", "cheese"]


def test_an_unconfirmed_item_offers_the_person(vapi):
    result = vapi.ok("checkAllergens", question="does the chicken gozleme have dairy", allergy="dairy")
    assert result == {
        "ok": True, "message": f"The shop hasn't confirmed the allergens in the chicken gozleme. {NO_PROMISE} {OFFER}",
        "allergens": [{"name": "chicken gozleme", "kind": "item", "included": False, "allergens": "unconfirmed"}],
        "unconfirmed": ["chicken gozleme"], "offerPerson": True, "personReason": "allergens unconfirmed"}


@pytest.mark.parametrize("args", [
    {"question": "is there sesame in the baklava", "allergy": "sesame", "severe": True},
    {"question": "is there sesame in the baklava, I'm anaphylactic", "allergy": "sesame"},
    {"question": "baklava", "allergy": "severe sesame allergy"},
], ids=["said severe", "anaphylactic in the question", "severe in the allergy"])
def test_a_severe_allergy_offers_the_person_even_for_a_confirmed_item(vapi, args):
    result = vapi.ok("checkAllergens", **args)
    assert result["message"] == (f"The shop lists gluten and tree nuts for the baklava. It doesn't list "
                                 f"{args['allergy']}. {NO_PROMISE} {OFFER}")
    assert (result["offerPerson"], result["personReason"]) == (True, "severe allergy")


def test_a_question_naming_nothing_on_the_menu_is_asked_again(vapi):
    assert vapi.error("checkAllergens", question="is it all halal and healthy") == (
        "Which item, sauce or extra would you like me to check?")
    assert vapi.error("checkAllergens", question="baklava", severe="maybe") == "severe must be yes or no."
