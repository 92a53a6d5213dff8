"""The board a busy kitchen runs on, through its API: orders sorted by when they are due, the shop's clock,
minutes until due with 'soon' and 'late', kitchen lines, allergy notes, columns from the status list (an unknown
status is an error), the actions on a card, one-tap collected and a cancel that can text the customer."""
import pytest

from conftest import VapiCall
from kebabalab.store.status import order_events
from tests.web.test_board import CALLER, outbox_kinds, settings, staff  # noqa: F401  (fixtures)


def phone_order(client, call_id, description, when, name="Sam", notes="", number=CALLER) -> str:
    call = VapiCall(client, call_id=call_id, number=number)
    call.ok("quickAddItem", description=description)
    call.ok("setPickupTime", requestedTime=when)
    return call.ok("createOrder", customerName=name, notes=notes)["orderNumber"]


def board(client) -> dict:
    return client.get("/api/orders").get_json()


def test_orders_come_sorted_by_when_they_are_due_with_minutes_and_marks(client, staff, clock):  # noqa: F811
    phone_order(client, "call-a", "a small chicken kebab with garlic sauce", "7 pm", "Later")
    phone_order(client, "call-b", "large chips with chicken salt", "in 20 minutes", "Soon")
    phone_order(client, "call-c", "a can of coke", "in 25 minutes", "Middle")
    clock.advance(minutes=17)
    body = board(client)
    assert (body["clock"], body["now"], body["dueSoonMinutes"]) == ("6:17 pm", "2026-11-27T18:17:00+11:00", 5)
    assert [(o["customerName"], o["pickupClock"], o["due"]) for o in body["orders"]] == [
        ("Soon", "6:20 pm", {"minutes": 3, "mark": "soon", "text": "in 3 min"}),
        ("Middle", "6:25 pm", {"minutes": 8, "mark": None, "text": "in 8 min"}),
        ("Later", "7:00 pm", {"minutes": 43, "mark": None, "text": "in 43 min"})]
    clock.advance(minutes=10)
    assert [(o["customerName"], o["due"]["mark"], o["due"]["text"]) for o in board(client)["orders"]] == [
        ("Soon", "late", "7 min late"), ("Middle", "late", "2 min late"), ("Later", None, "in 33 min")]


def test_columns_come_from_the_status_list(client, staff):  # noqa: F811
    assert board(client)["columns"] == [
        {"key": "new", "title": "New", "statuses": ["awaiting", "new"]},
        {"key": "preparing", "title": "Preparing", "statuses": ["preparing"]},
        {"key": "ready", "title": "Ready", "statuses": ["ready"]},
        {"key": "done", "title": "Collected & cancelled", "statuses": ["collected", "cancelled"]}]
    page = client.get("/board").get_data(as_text=True)
    assert [key in page for key in ('data-status="new"', 'data-status="preparing"', 'data-status="ready"',
                                    'data-status="done"')] == [True] * 4


def test_an_unknown_status_is_an_error_not_a_silent_done(client, staff, services):  # noqa: F811
    number = phone_order(client, "call-odd", "a can of coke", "in 20 minutes")
    with services.db.transaction() as conn:
        conn.execute("UPDATE orders SET status = 'lost' WHERE order_number = ?", (number,))
    [order] = board(client)["orders"]
    assert (order["column"], order["error"], order["actions"]) == (
        None, "unknown status 'lost': the board shows new, preparing, ready, collected, cancelled, awaiting", [])


def test_a_card_shows_kitchen_lines_and_an_allergy_that_cannot_be_missed(client, staff):  # noqa: F811
    phone_order(client, "call-meal", "a large lamb kebab meal with lettuce and garlic sauce, large chips with chicken salt and a coke",
                "in 20 minutes", notes="severe nut allergy")
    [order] = board(client)["orders"]
    assert order["lines"] == [
        {"text": "1 × Large Kebab meal", "kind": "item", "level": 0},
        {"text": "Lamb", "kind": "meat", "level": 1}, {"text": "Lettuce", "kind": "salad", "level": 1},
        {"text": "Garlic sauce", "kind": "sauce", "level": 1}, {"text": "Large chips", "kind": "side", "level": 1},
        {"text": "Chicken salt", "kind": "plain", "level": 2}, {"text": "Coke can", "kind": "side", "level": 1}]
    assert (order["allergy"], order["notes"], order["counter"]) == (True, "severe nut allergy", False)


@pytest.mark.parametrize("status_path, actions", [
    ([], [("preparing", "Start", "main"), ("collected", "Collected", "side"), ("edit", "Change order", "more"),
          ("cancelled", "Cancel order", "more")]),
    (["preparing"], [("ready", "Ready", "main"), ("undo", "Undo", "side"), ("collected", "Collected", "side"),
                     ("edit", "Change order", "more"), ("cancelled", "Cancel order", "more")]),
    (["preparing", "ready"], [("collected", "Collected", "main"), ("undo", "Undo", "side"),
                              ("edit", "Change order", "more"), ("cancelled", "Cancel order", "more")]),
    (["cancelled"], [("undo", "Undo", "side")]),
])
def test_the_main_action_is_alone_and_cancel_is_away_from_it(client, staff, status_path, actions):  # noqa: F811
    number = phone_order(client, "call-1", "a can of coke", "in 20 minutes")
    for status in status_path:
        assert staff(f"/api/orders/{number}/status", {"status": status}).status_code == 200
    [order] = board(client)["orders"]
    assert [(a["to"], a["label"], a["place"]) for a in order["actions"]] == actions


@pytest.mark.parametrize("start", [[], ["preparing"], ["preparing", "ready"]])
def test_collected_in_one_tap_from_any_open_state_and_undo_goes_back(client, staff, services, start):  # noqa: F811
    number = phone_order(client, "call-1", "a can of coke", "in 20 minutes")
    for status in start:
        staff(f"/api/orders/{number}/status", {"status": status})
    before = services.db.find_order(number).status
    collected = staff(f"/api/orders/{number}/status", {"status": "collected"}).get_json()
    assert (collected["from"], collected["to"], collected["readyTextQueued"]) == (before, "collected", False)
    assert staff(f"/api/orders/{number}/status", {"undo": True}).get_json()["to"] == before
    assert [k for k in outbox_kinds(services, number) if k[0] == "ready"] == (
        [("ready", CALLER, "Kebabalab: order #001 is ready for pickup.")] if "ready" in start else [])


def test_a_cancel_texts_the_customer_only_when_asked(client, staff, services):  # noqa: F811
    quiet = phone_order(client, "call-1", "a can of coke", "in 20 minutes")
    told = phone_order(client, "call-2", "a can of coke", "in 20 minutes", name="Alex")
    assert staff(f"/api/orders/{quiet}/status", {"status": "cancelled"}).get_json()["customerTexted"] is False
    answer = staff(f"/api/orders/{told}/status", {"status": "cancelled", "textCustomer": True}).get_json()
    assert (answer["to"], answer["customerTexted"]) == ("cancelled", True)
    assert [k for k in outbox_kinds(services, told) if k[0] != "shop_order"][1:] == [
        ("customer_confirmation", CALLER, "Kebabalab: sorry, order #002 has been cancelled. Questions? Call "
                                          "+61 3 9534 5588.")]
    assert len(outbox_kinds(services, quiet)) == 2  # the shop's copy and the confirmation, nothing more
    refused = staff(f"/api/orders/{quiet}/status", {"status": "new", "textCustomer": "yes"})
    assert (refused.status_code, refused.get_json()["error"]) == (
        400, 'send JSON: {"status": "ready"} or {"undo": true} (a cancel may add "textCustomer": true)')
    events = order_events(services.db, services.db.find_order(told).id)
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in events] == [("new", "cancelled", "Owner")]
