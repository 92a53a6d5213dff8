"""Counter orders (a walk-in, or a customer who phoned the shop) and orders changed after the call, through the
board's API: the phone line's menu, prices and checks, call_id NULL, who took or changed it recorded, texts
only to a customer who gave a mobile (never a 'ready' text to a walk-in)."""
import pytest

from kebabalab.store.status import order_events
from tests.web.test_board import CALLER, outbox_kinds, place_order, settings, staff  # noqa: F401  (fixtures)

KIM = "+61498765432"


def counter(staff, kind="walk-in", said=("2 large lamb kebabs with garlic sauce", "a can of coke"), key="form-0001",
            **fields):
    return staff("/api/counter/orders", {"kind": kind, "said": list(said), "key": key, **fields})


def test_a_quote_prices_the_lines_as_the_phone_line_would(client, staff):  # noqa: F811
    quoted = staff("/api/counter/quote", {"said": ["2 large lamb kebabs with garlic sauce", "a coke zero"]})
    assert quoted.get_json() == {"lines": [
        {"description": "large lamb kebab, garlic sauce", "quantity": 2, "lineTotal": 30.0},
        {"description": "coke zero can", "quantity": 1, "lineTotal": 3.5}], "total": 33.5}
    refused = staff("/api/counter/quote", {"said": ["a large lamb kebab", "a unicorn burger"]})
    assert refused.status_code == 400 and refused.get_json()["error"].startswith("Line 2 (a unicorn burger): ")


def test_a_walk_in_is_saved_without_a_call_and_never_texted(client, staff, services):  # noqa: F811
    placed = counter(staff)
    assert placed.status_code == 201
    order = placed.get_json()["order"]
    assert (order["displayNumber"], order["customerName"], order["counter"], order["total"], order["pickupClock"]) == (
        "#001", "Walk-in", True, 33.5, "6:15 pm")  # the kitchen's 15 minutes
    stored = services.db.find_order(order["orderNumber"])
    assert (stored.call_id, stored.customer_phone, stored.total, stored.gst) == (None, None, 3350, 305)
    assert order["history"] == [{"at": "6:00 pm", "who": "Owner", "what": "took it at the counter (walk-in)"}]
    again = counter(staff)  # a second tap on "Place order"
    assert (again.status_code, again.get_json()["order"]["orderNumber"], again.get_json()["created"]) == (
        200, order["orderNumber"], False)
    url = f"/api/orders/{order['orderNumber']}/status"
    assert staff(url, {"status": "preparing"}).status_code == 200
    assert staff(url, {"status": "ready"}).get_json()["readyTextQueued"] is False
    assert outbox_kinds(services, order["orderNumber"]) == []


def test_a_phoned_in_order_with_a_mobile_gets_its_confirmation_and_ready_text(client, staff, services):  # noqa: F811
    services.availability.set_paused(True)  # phone orders paused: the counter still takes them
    placed = counter(staff, kind="phone", name="Kim", phone="0498 765 432", pickup="in 20 minutes",
                     notes="gluten free if you can")
    order = placed.get_json()["order"]
    assert (placed.status_code, order["customerPhone"], order["pickupClock"], order["allergy"]) == (
        201, "+614••••5432", "6:20 pm", True)
    number = order["orderNumber"]
    staff(f"/api/orders/{number}/status", {"status": "preparing"})
    staff(f"/api/orders/{number}/status", {"status": "ready"})
    kinds = outbox_kinds(services, number)
    assert [(kind, to) for kind, to, _ in kinds] == [("customer_confirmation", KIM), ("ready", KIM)]


@pytest.mark.parametrize("fields, message", [
    ({"kind": "delivery"}, "Say whether it is a walk-in or a phone order."),
    ({"said": []}, "Add what they want first."),
    ({"said": "a coke"}, "Send what they want as a list of 1 to 30 lines of words."),
    ({"kind": "phone", "name": ""}, "I need the customer's name."),
    ({"key": "x"}, "The form has no key; reload the board."),
    ({"pickup": "yesterday at noon"}, None),
])
def test_a_counter_order_that_will_not_do_is_refused_and_nothing_saved(client, staff, services, fields,  # noqa: F811
                                                                       message):
    refused = counter(staff, **fields)
    assert refused.status_code == 400
    if message:
        assert refused.get_json()["error"] == message
    assert services.db.orders_on_day("2026-11-27") == []


def test_changing_an_order_reprices_it_records_both_totals_and_can_text_the_receipt(client, staff,  # noqa: F811
                                                                                    services):
    number = place_order(client)
    url = f"/api/orders/{number}/lines"
    added = staff(url, {"add": ["a can of coke"], "textCustomer": True}).get_json()
    assert (added["oldTotal"], added["newTotal"], added["customerTexted"], added["order"]["total"]) == (
        15.0, 18.5, True, 18.5)
    assert [i["description"] for i in added["order"]["items"]] == ["large lamb kebab, garlic sauce", "coke can"]
    removed = staff(url, {"remove": [0]}).get_json()
    assert (removed["oldTotal"], removed["newTotal"], removed["customerTexted"]) == (18.5, 3.5, False)
    stored = services.db.find_order(number)
    assert (stored.subtotal, stored.gst, stored.total) == (350, 32, 350)
    events = order_events(services.db, stored.id)
    assert [(e["to_status"], e["actor"]) for e in events] == [("new", "Owner"), ("new", "Owner")]
    assert removed["order"]["history"] == [
        {"at": "6:00 pm", "who": "Owner", "what": "added coke can; $15.00 -> $18.50"},
        {"at": "6:00 pm", "who": "Owner", "what": "took away large lamb kebab, garlic sauce; $18.50 -> $3.50"}]
    [receipt] = [body for kind, _, body in outbox_kinds(services, number) if kind == "receipt"]
    assert receipt.splitlines()[0] == "Your order has changed. Kebabalab receipt, order #001 (27/11/2026)"
    assert receipt.splitlines()[-2:] == ["Total $18.50 (incl GST $1.68)", "1/99 Carlisle St, St Kilda VIC 3182"]


@pytest.mark.parametrize("moves, body, message", [
    ([], {"remove": [0]}, "That would leave nothing on the order: cancel it instead."),
    ([], {}, "Nothing to change: add a line or take one away."),
    ([], {"remove": [3]}, "Order #001 has lines 0 to 0; reload the board."),
    ([], {"remove": "0"}, 'Send {"add": [words, ...], "remove": [line numbers], "textCustomer": true or false}.'),
    (["collected"], {"add": ["a coke"]}, "Order #001 is collected; only an open order can be changed."),
])
def test_a_change_that_will_not_do_changes_nothing(client, staff, services, moves, body, message):  # noqa: F811
    number = place_order(client)
    for status in moves:
        staff(f"/api/orders/{number}/status", {"status": status})
    refused = staff(f"/api/orders/{number}/lines", body)
    assert (refused.status_code, refused.get_json()) == (400, {"error": message})
    assert services.db.find_order(number).total == 1500


def test_a_stale_tablet_cannot_take_away_a_line_someone_else_already_changed(client, staff, services):  # noqa: F811
    number = place_order(client)
    url = f"/api/orders/{number}/lines"
    staff(url, {"add": ["a can of coke"]})
    seen = ["large lamb kebab, garlic sauce", "coke can"]  # what both tablets show
    assert staff(url, {"remove": [0], "seen": seen}).status_code == 200  # one tablet takes the kebab away
    stale = staff(url, {"remove": [0], "add": ["small chips"], "seen": seen})  # the other meant the kebab too
    assert (stale.status_code, stale.get_json()) == (
        400, {"error": "Order #001 was changed by someone else; reload the board and try again."})
    stored = services.db.find_order(number)
    assert ([i["description"] for i in stored.items], stored.total) == (["coke can"], 350)
    assert staff(url, {"add": ["small chips"], "seen": "coke can"}).status_code == 400
