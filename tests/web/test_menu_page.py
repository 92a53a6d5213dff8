"""The menu on the board, for the owner: a price changed, an item hidden and shown, an item added; each checked as
check-menu checks a file, saved as a new menu version with who and when, in force for the next tool call on
every worker (two apps on one database), while a call in progress keeps the prices it was told."""
import json

import pytest

from conftest import FRIDAY_6PM, VapiCall
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.web.test_board import PASSWORD, csrf, sign_in


@pytest.fixture
def shop_settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD)


@pytest.fixture
def workers(shop_settings):
    """Two workers of one shop: two apps on one database, as gunicorn's workers are."""
    apps = [create_app(shop_settings, clock=FixedClock(FRIDAY_6PM), start_sender=False) for _ in range(2)]
    yield apps
    for app in apps:
        app.extensions["kebabalab"].stop_background()


@pytest.fixture
def owner(workers):
    """The owner signed in on the first worker: post(path, body) with the CSRF token and the menu's version."""
    client = workers[0].test_client()
    assert sign_in(client).status_code == 200
    token = csrf(client)

    def post(path: str, body: dict, version: int | None = None):
        version = client.get("/api/menu").get_json()["version"] if version is None else version
        return client.post(f"/api/menu/{path}", json={"version": version, **body}, headers={"X-CSRF-Token": token})
    post.client = client
    return post


def line_total(result: dict) -> float:
    return result["added"][-1]["lineTotal"]


def test_a_price_changed_on_the_board_is_in_force_for_the_next_call_on_every_worker(workers, owner):
    before = owner.client.get("/api/menu").get_json()
    assert before["version"] == 1
    assert before["history"] == [{"version": 1, "change": "loaded the menu file menu.json", "by": "menu file",
                                  "at": "2026-11-27T18:00:00+11:00"}]
    kebab = next(item for item in before["items"] if item["id"] == "KEBAB")
    assert kebab == {"id": "KEBAB", "name": "Kebab", "category": "kebab", "hidden": False,
                     "allergens": "unconfirmed", "prices": {"small": 10.0, "large": 15.0}}

    response = owner("price", {"itemId": "KEBAB", "size": "large", "price": "16.50"})
    assert response.status_code == 200
    assert response.get_json()["changed"] == "large Kebab: $15.00 -> $16.50"
    assert response.get_json()["version"] == 2
    assert response.get_json()["history"][0] == {"version": 2, "change": "large Kebab: $15.00 -> $16.50",
                                                 "by": "Owner", "at": "2026-11-27T18:00:00+11:00"}

    other_worker = VapiCall(workers[1].test_client(), call_id="call-after")
    assert line_total(other_worker.ok("quickAddItem", description="a large lamb kebab with garlic sauce")) == 16.5


def test_a_call_in_progress_keeps_the_prices_it_was_told(workers, owner):
    call = VapiCall(workers[1].test_client(), call_id="call-during")
    assert line_total(call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")) == 15.0

    assert owner("price", {"itemId": "KEBAB", "size": "large", "price": "16.50"}).status_code == 200
    assert owner("price", {"itemId": "CHIPS", "size": "small", "price": "5.50"}).status_code == 200

    assert call.ok("priceCart")["total"] == 15.0  # what the caller was told
    assert line_total(call.ok("quickAddItem", description="small chips with chicken salt")) == 5.5  # new: new price
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    order = workers[0].extensions["kebabalab"].db.find_order(number)
    assert [(i["description"], i["unit_price_cents"]) for i in order.items] == [
        ("large lamb kebab, garlic sauce", 1500), ("small chips, chicken salt", 550)]
    assert order.total == 2050

    later = VapiCall(workers[1].test_client(), call_id="call-later")
    assert line_total(later.ok("quickAddItem", description="a large lamb kebab with garlic sauce")) == 16.5


def test_a_hidden_item_is_not_sold_and_is_sold_again_when_shown(workers, owner):
    holding = VapiCall(workers[1].test_client(), call_id="call-holding")
    holding.ok("quickAddItem", description="a baklava")
    response = owner("hidden", {"itemId": "BAKLAVA", "hidden": True})
    assert (response.status_code, response.get_json()["changed"]) == (200, "Baklava (each) hidden")
    assert [i["hidden"] for i in response.get_json()["items"] if i["id"] == "BAKLAVA"] == [True]

    fresh = VapiCall(workers[1].test_client(), call_id="call-fresh")
    assert fresh.error("quickAddItem", description="a baklava") == (
        "Sorry, we don't have baklava, so I haven't added anything. We have kebabs, HSPs, chips, gozleme, cans, "
        "water, ayran, salgam, energy drinks, iced tea, pack of 4 baklava, Turkish delight, rice pudding, meat "
        "containers and sauce tubs.")
    holding.ok("setPickupTime", requestedTime="in 30 minutes")
    assert holding.error("createOrder", customerName="Sam") == (
        "Sorry, the baklava is off the menu now; please take it out of the order.")

    assert owner("hidden", {"itemId": "BAKLAVA", "hidden": False}).get_json()["changed"] == "Baklava (each) shown"
    again = VapiCall(workers[1].test_client(), call_id="call-again")
    assert line_total(again.ok("quickAddItem", description="a baklava")) == 3.0


def test_an_item_added_to_a_category_is_sold_at_once(workers, owner):
    response = owner("items", {"category": "drink", "name": "Lemon Lime Bitters", "price": "4.50",
                               "allergens": "unconfirmed"})
    assert (response.status_code, response.get_json()["changed"]) == (
        200, "added Lemon Lime Bitters (drink) at $4.50")
    added = [i for i in response.get_json()["items"] if i["id"] == "LEMON_LIME_BITTERS"]
    assert added == [{"id": "LEMON_LIME_BITTERS", "name": "Lemon Lime Bitters", "category": "drink",
                      "hidden": False, "allergens": "unconfirmed", "price": 4.5}]
    call = VapiCall(workers[1].test_client(), call_id="call-bitters")
    assert line_total(call.ok("quickAddItem", description="a lemon lime bitters")) == 4.5


def test_a_new_item_never_silently_takes_a_meal_deal(owner):
    body = {"category": "kebab", "name": "Souvlaki Wrap", "prices": {"small": "11", "large": "16"},
            "allergens": ["gluten", "Dairy"]}
    refused = owner("items", body)
    assert (refused.status_code, refused.get_json()) == (400, {"error": (
        "Not changed: kebab items come with the meal deal (kebab_meal, kebab_can): tick the meal deal to give it "
        "to the new item too, or choose another category.")})
    accepted = owner("items", {**body, "mealDeal": True})
    assert accepted.get_json()["changed"] == "added Souvlaki Wrap (kebab) at $11.00 / $16.00, with the meal deal"
    assert [i["allergens"] for i in accepted.get_json()["items"] if i["id"] == "SOUVLAKI_WRAP"] == [
        ["gluten", "dairy"]]


@pytest.mark.parametrize("path, body, error", [
    ("items", {"category": "pizza", "name": "Margherita", "price": "15", "allergens": []},
     "Not changed: 'pizza' is not a category; the categories are kebab, hsp, chips, gozleme, drink, sweet, "
     "meat_container, side."),
    ("price", {"itemId": "KEBAB", "price": "16"}, "Not changed: Kebab comes in small and large: say which size."),
    ("price", {"itemId": "WATER", "price": "-3"}, "Not changed: a price must be more than $0 and at most $1000."),
    ("price", {"itemId": "WATER", "price": "three"},
     "Not changed: 'three' is not a price: write dollars and cents, like 12.50."),
    ("hidden", {"itemId": "PIZZA", "hidden": True}, "Not changed: there is no item 'PIZZA' on the menu."),
    ("items", {"category": "drink", "name": "Water (500ml)", "price": "3", "allergens": []},
     "Not changed: the menu already has an item called Water (500ml)."),
], ids=["unknown category", "sized without a size", "negative price", "words for a price", "unknown item",
        "a name taken"])
def test_a_change_that_cannot_be_made_says_why_and_saves_nothing(owner, path, body, error):
    response = owner(path, body)
    assert (response.status_code, response.get_json()) == (400, {"error": error})
    assert owner.client.get("/api/menu").get_json()["version"] == 1


def test_a_change_check_menu_would_refuse_is_refused(owner):
    for item_id in ("GOZ_LAMB", "GOZ_CHICKEN", "GOZ_VEGETARIAN"):
        assert owner("hidden", {"itemId": item_id, "hidden": True}).status_code == 200
    last = owner("hidden", {"itemId": "GOZ_VEGAN", "hidden": True})
    assert (last.status_code, last.get_json()) == (400, {"error": (
        "Not changed: extra 'haloumi' applies to unknown category 'gozleme'; the menu's categories are chips, "
        "drink, hsp, kebab, meat_container, side, sweet.")})


def test_a_change_made_meanwhile_on_another_screen_is_not_overwritten(owner):
    assert owner("price", {"itemId": "WATER", "price": "3.20"}, version=1).status_code == 200
    stale = owner("price", {"itemId": "WATER", "price": "3.40"}, version=1)
    assert (stale.status_code, stale.get_json()) == (409, {"error": (
        "The menu was changed on another screen since you opened it; reload to see it.")})


def test_only_the_owner_changes_the_menu(workers):
    client = workers[0].test_client()
    assert client.get("/api/menu").status_code == 401
    assert sign_in(client).status_code == 200
    with client.session_transaction("/board") as flask_session:
        flask_session["staff_name"], flask_session["role"] = "Ali", "staff"
    refused = client.post("/api/menu/price", json={"version": 1, "itemId": "WATER", "price": "3"},
                          headers={"X-CSRF-Token": csrf(client)})
    assert (refused.status_code, refused.get_json()) == (403, {"error": "only the owner can do that; sign in as the owner"})


def test_a_restart_keeps_the_boards_menu_and_a_changed_file_is_loaded(shop_settings, owner, tmp_path):
    assert owner("price", {"itemId": "WATER", "price": "3.20"}).status_code == 200
    restarted = create_app(shop_settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
    assert restarted.extensions["kebabalab"].catalog.current.version == 2
    assert restarted.extensions["kebabalab"].menu.item("WATER").price == 320
    restarted.extensions["kebabalab"].stop_background()

    edited = json.loads(open(shop_settings.menu_file).read())
    next(i for i in edited["items"] if i["id"] == "WATER")["price_cents"] = 350
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(edited))
    reloaded = create_app(shop_settings.replace(menu_file=str(path)), clock=FixedClock(FRIDAY_6PM),
                          start_sender=False)
    services = reloaded.extensions["kebabalab"]
    assert (services.catalog.current.version, services.menu.item("WATER").price) == (3, 350)
    services.stop_background()
