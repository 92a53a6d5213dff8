"""Texts, owners' notices and the phone line per shop: three shops on one Twilio account. Fitzroy texts from its
own number; Carlton has none, so it texts from the deployment's TWILIO_FROM_NUMBER, as 'main' does.

A customer's text is Twilio's incoming-message webhook (the parameters of Twilio's Messaging webhook reference,
signed by the twilio library's own RequestValidator, as tests/web/test_prank_guard.py posts them) with `To` the
number the customer texted. Texts go out through the real twilio library to the fake Twilio on 127.0.0.1. Vapi's
tool calls are tests/fixtures/vapi/tool-calls.json with the shop's number where Vapi's schema puts it
(tests/web/test_shops.py's tool_message).
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from conftest import melbourne
from kebabalab.config import Settings
from kebabalab.service.order_guard import UnconfirmedJanitor
from kebabalab.store.confirmations import opted_out
from tests.web.test_call_log import status_update
from tests.web.test_delivery_receipts import twilio  # noqa: F401  (a fixture)
from tests.web.test_prank_guard import EMPTY_TWIML, text
from tests.web.test_shop_boards import signed_in
from tests.web.test_shops import CALLER, FITZROY_NUMBER, MAIN_NUMBER, results, tool_message, write_shop

TOKEN = "0123456789abcdef0123456789abcdef"  # test_prank_guard's text() signs with it
PUBLIC = "https://orders.kebabalab.example"
SHARED_FROM, FITZROY_FROM = "+61400000000", "+61480000002"  # TWILIO_FROM_NUMBER, and Fitzroy's own textsFrom
CARLTON_NUMBER = "+61393470000"
NUMBERS = {"main": MAIN_NUMBER, "fitzroy": FITZROY_NUMBER, "carlton": CARLTON_NUMBER}  # the numbers callers dial
MAIN_PASSWORD, FITZROY_PASSWORD = "main-kebab-2468", "fitz-kebab-1357"
ORDERS_TO = {"main": "+61400000001", "fitzroy": "+61400000002", "carlton": "+61400000003"}
OWNERS = {"main": "+61411222333", "fitzroy": "+61411222444", "carlton": "+61411222555"}
ADDRESSES = {"main": "1/99 Carlisle St, St Kilda VIC 3182", "fitzroy": "200 Brunswick St, Fitzroy VIC 3065",
             "carlton": "300 Lygon St, Carlton VIC 3053"}
GUARD = {"enabled": True, "above_total_cents": 6000, "above_items": 10}
FITZROY_HOURS = {"timezone": "Australia/Melbourne", "weekly": {day: [{"open": "11:00", "close": "23:00"}] for day in (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")},
    "min_lead_minutes": 10, "last_order_before_close_minutes": 15}  # closes at 11 pm, the others at 2 am Friday
KITCHEN = ("NEW ORDER #001\nSam (+61412345678)\nPickup 6:30 pm\n5x large lamb kebab $75.00\n"
           "Total $75.00 (incl GST $6.82)")


def business(name: str, shop: str):
    return lambda b: b.update(name=name, address=ADDRESSES[shop], owner={"phone": OWNERS[shop]}, prank_guard=GUARD)


@pytest.fixture
def shops_dir(tmp_path):
    root = tmp_path / "shops"
    write_shop(root / "main", {"numbers": [MAIN_NUMBER]}, business_change=business("Kebabalab", "main"))
    write_shop(root / "fitzroy", {"numbers": [FITZROY_NUMBER], "textsFrom": FITZROY_FROM,
                                  "orderTextsTo": ORDERS_TO["fitzroy"], "staffPassword": FITZROY_PASSWORD},
               business_change=business("Kebabalab Fitzroy", "fitzroy"), hours=json.dumps(FITZROY_HOURS))
    write_shop(root / "carlton", {"numbers": [CARLTON_NUMBER], "orderTextsTo": ORDERS_TO["carlton"]},
               business_change=business("Kebabalab Carlton", "carlton"))
    return root


@pytest.fixture
def settings(database_url, shops_dir, twilio) -> Settings:  # noqa: F811
    """Each engine in turn; one Twilio account (the fake) for every shop."""
    return Settings(database_url=database_url, allow_unauthenticated=True, shop_order_to=ORDERS_TO["main"],
                    send_sms_in_background=False, staff_password=MAIN_PASSWORD, shops_dir=str(shops_dir),
                    twilio_account_sid="AC" + "1" * 32, twilio_auth_token=TOKEN, twilio_from_number=SHARED_FROM,
                    twilio_api_base_url=twilio.base_url, public_url=PUBLIC, metrics_token="scrape-me")


def order_at(client, shop: str, call_id: str, words: str = "five large lamb kebabs") -> dict:
    """An order by phone to the shop's number; five kebabs ($75) wait for the first-time caller's YES."""
    [_, _, placed] = results(client, tool_message(call_id, [
        ("quickAddItem", {"description": words}), ("setPickupTime", {"requestedTime": "in 30 minutes"}),
        ("createOrder", {"customerName": "Sam", "customerPhone": CALLER})], number=NUMBERS[shop]))
    return placed["result"]


def asks(shop_name: str) -> str:
    """The text asking a first-time caller for a YES, in the shop's name."""
    return (f"{shop_name}: reply YES within 15 min to confirm order #001, $75.00, pickup 6:30 pm. Not yours? Ignore "
            "this text and it is cancelled.")


def kitchen_text(to: str, twilio) -> list[tuple[str, str]]:  # noqa: F811
    return [(r.from_, r.body) for r in twilio.sent if r.to == to]


def status(services, shop: str, order_number: str) -> str:
    return services.for_shop(shop).db.find_order(order_number).status


def customer_texts(twilio) -> list[tuple[str, str]]:
    """(from, body) of every text to the caller, sorted (the outbox sends a few at once, in any order)."""
    return sorted((r.from_, r.body) for r in twilio.sent if r.to == CALLER)


def confirmed(shop_name: str, address: str) -> str:
    return f"{shop_name}: order #001 confirmed, $75.00, ready 6:30 pm at {address}. Thanks Sam!"


def test_a_yes_to_fitzroys_number_confirms_fitzroys_order_not_mains(client, services, twilio):
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]
    main = order_at(client, "main", "call-main")["orderNumber"]  # newer, at another shop
    assert (fitzroy, main) == ("20261127-001", "20261127-001")
    assert [status(services, "fitzroy", fitzroy), status(services, "main", main)] == ["awaiting", "awaiting"]
    services.sender.run_once()
    asked = [(SHARED_FROM, asks("Kebabalab")), (FITZROY_FROM, asks("Kebabalab Fitzroy"))]
    assert customer_texts(twilio) == asked

    assert text(client, "YES", to=FITZROY_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [status(services, "fitzroy", fitzroy), status(services, "main", main)] == ["new", "awaiting"]
    services.sender.run_once()
    assert kitchen_text(ORDERS_TO["fitzroy"], twilio) == [(FITZROY_FROM, KITCHEN)]
    assert kitchen_text(ORDERS_TO["main"], twilio) == []  # main's kitchen hears nothing yet
    fitzroy_confirmed = (FITZROY_FROM, confirmed("Kebabalab Fitzroy", "200 Brunswick St, Fitzroy"))
    assert customer_texts(twilio) == sorted([*asked, fitzroy_confirmed])

    assert text(client, "yes", to=SHARED_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [status(services, "fitzroy", fitzroy), status(services, "main", main)] == ["new", "new"]
    services.sender.run_once()
    assert kitchen_text(ORDERS_TO["main"], twilio) == [(SHARED_FROM, KITCHEN)]
    assert customer_texts(twilio) == sorted([*asked, fitzroy_confirmed,
                                             (SHARED_FROM, confirmed("Kebabalab", "1/99 Carlisle St, St Kilda"))])


def test_a_yes_to_the_shared_number_confirms_the_newest_of_the_shops_texting_from_it(client, services, twilio):
    carlton = order_at(client, "carlton", "call-carlton")["orderNumber"]
    main = order_at(client, "main", "call-main")["orderNumber"]
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]  # newest, but Fitzroy texts from its own
    assert text(client, "YES", to=SHARED_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [status(services, s, n) for s, n in (("carlton", carlton), ("main", main), ("fitzroy", fitzroy))] == [
        "awaiting", "new", "awaiting"]
    assert text(client, "Yes", to=SHARED_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [status(services, s, n) for s, n in (("carlton", carlton), ("main", main), ("fitzroy", fitzroy))] == [
        "new", "new", "awaiting"]
    services.sender.run_once()
    assert kitchen_text(ORDERS_TO["carlton"], twilio) == [(SHARED_FROM, KITCHEN)]
    assert customer_texts(twilio) == sorted([
        (SHARED_FROM, asks("Kebabalab")), (SHARED_FROM, asks("Kebabalab Carlton")),
        (FITZROY_FROM, asks("Kebabalab Fitzroy")), (SHARED_FROM, confirmed("Kebabalab", "1/99 Carlisle St, St Kilda")),
        (SHARED_FROM, confirmed("Kebabalab Carlton", "300 Lygon St, Carlton"))])
    nothing = text(client, "YES", to=SHARED_FROM).get_data(as_text=True)
    assert nothing == ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Kebabalab: there\'s no order '
                       'waiting for your YES. Please call us to order.</Message></Response>')
    assert status(services, "fitzroy", fitzroy) == "awaiting"


def test_a_yes_too_late_is_answered_in_the_orders_shops_name(client, services, clock):
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]
    clock.advance(minutes=16)
    late = text(client, "YES", to=FITZROY_FROM).get_data(as_text=True)
    assert late == ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Kebabalab Fitzroy: sorry, order #001 '
                    'was not confirmed within 15 minutes and is cancelled. Please call us to order again.</Message>'
                    '</Response>')
    assert status(services, "fitzroy", fitzroy) == "cancelled"


def test_unconfirmed_orders_of_every_shop_are_cancelled_each_in_its_own_shop(client, services, clock):
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]
    main = order_at(client, "main", "call-main")["orderNumber"]
    clock.advance(minutes=15, seconds=1)
    cancelled = UnconfirmedJanitor(services.db, clock).run_once()
    assert sorted((o.shop_id, o.order_number, o.status) for o in cancelled) == [
        ("fitzroy", fitzroy, "cancelled"), ("main", main, "cancelled")]
    assert [status(services, "fitzroy", fitzroy), status(services, "main", main)] == ["cancelled", "cancelled"]
    assert UnconfirmedJanitor(services.db, clock).run_once() == []


def test_stop_at_fitzroys_own_number_stops_fitzroys_texts_only(client, services, twilio):
    assert text(client, "STOP", to=FITZROY_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [opted_out(services.db, CALLER, shop) for shop in ("main", "fitzroy", "carlton")] == [False, True, False]
    refused = results(client, tool_message("call-fitz", [
        ("quickAddItem", {"description": "five large lamb kebabs"}),
        ("setPickupTime", {"requestedTime": "in 30 minutes"}),
        ("createOrder", {"customerName": "Sam", "customerPhone": CALLER})], number=FITZROY_NUMBER))[2]
    assert refused["error"].startswith("This order needs a YES by text before the kitchen starts it, and "
                                                 "that number has opted out of our texts.")
    small_fitzroy = order_at(client, "fitzroy", "call-fitz-2", "a large lamb kebab")["orderNumber"]
    small_main = order_at(client, "main", "call-main", "a large lamb kebab")["orderNumber"]
    assert services.sender.run_once() == {"sent": 3, "logged": 0, "retry": 0, "failed": 1}
    sent = sorted(r.from_ for r in twilio.sent if r.to == CALLER)
    assert sent == [SHARED_FROM]  # main's confirmation; Fitzroy's is held back for the STOP
    failed = [t for t in services.for_shop("fitzroy").db.outbox_for_order(
        services.for_shop("fitzroy").db.find_order(small_fitzroy).id) if t.to_phone == CALLER]
    assert [(t.status, t.last_error) for t in failed] == [("failed", "the number opted out of texts (STOP)")]
    assert status(services, "main", small_main) == "new"

    assert text(client, "START", to=FITZROY_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [opted_out(services.db, CALLER, shop) for shop in ("main", "fitzroy", "carlton")] == [False, False, False]


def test_stop_at_the_shared_number_stops_every_shop_texting_from_it(client, services):
    assert text(client, "stop", to=SHARED_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [opted_out(services.db, CALLER, shop) for shop in ("main", "fitzroy", "carlton")] == [True, False, True]
    assert text(client, "START", to=SHARED_FROM).get_data(as_text=True) == EMPTY_TWIML
    assert [opted_out(services.db, CALLER, shop) for shop in ("main", "fitzroy", "carlton")] == [False, False, False]


def test_a_text_to_a_number_no_shop_texts_from_changes_nothing(client, services, caplog):
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]
    for word in ("STOP", "YES"):
        assert text(client, word, to="+61499999999").get_data(as_text=True) == EMPTY_TWIML
    assert [opted_out(services.db, CALLER, shop) for shop in ("main", "fitzroy", "carlton")] == [False, False, False]
    assert status(services, "fitzroy", fitzroy) == "awaiting"
    assert "incoming text from +614••••5678 to +614••••9999: no shop texts from that number; ignored" in caplog.text


def test_a_text_to_a_shops_dialled_number_is_that_shops(client, services):
    fitzroy = order_at(client, "fitzroy", "call-fitz")["orderNumber"]
    assert text(client, "YES", to=FITZROY_NUMBER).get_data(as_text=True) == EMPTY_TWIML
    assert status(services, "fitzroy", fitzroy) == "new"


# -- each owner: their own shop's summary and alerts -------------------------------------------------------------

def owner_texts(twilio, shop: str) -> list[tuple[str, str]]:
    return [(r.from_, r.body) for r in twilio.sent if r.to == OWNERS[shop]]


def cart_left_at(client, shop: str, call_id: str, caller: str) -> None:
    """A caller who put a coke in the cart at the shop and hung up: a tool call, then Vapi's status-update
    "ended" (ServerMessageStatusUpdate, VapiAI/docs fern/apis/api/openapi.json: `phoneNumber`, "the phone number
    that the message is associated with", is the shop's number)."""
    results(client, tool_message(call_id, [("quickAddItem", {"description": "a can of coke"})], number=NUMBERS[shop],
                                 caller=caller))
    ended = status_update(call_id, "ended", caller, endedReason="customer-ended-call",
                          phoneNumber={"id": "", "number": NUMBERS[shop], "provider": "twilio"})
    answered = client.post("/webhook", json=ended)
    assert (answered.status_code, answered.get_json()) == (200, {})


def test_each_owner_gets_their_own_shops_summary_at_its_own_closing_time(client, services, clock, twilio):
    order_at(client, "main", "call-main", "a large lamb kebab")
    order_at(client, "fitzroy", "call-fitz", "two large lamb kebabs")
    clock.set(melbourne(2026, 11, 27, 18, 12))
    cart_left_at(client, "fitzroy", "call-fitz-left", "+61498765432")  # Fitzroy's to call back, not main's
    clock.set(melbourne(2026, 11, 27, 23, 0))  # Fitzroy closes at 11 pm, the others at 2 am
    assert services.notices.run_once() == {"sent": 1, "failed": 0}
    assert owner_texts(twilio, "fitzroy") == [(FITZROY_FROM, "Kebabalab Fitzroy takings Fri 27 Nov\n1 orders, $30.00 "
                                               "(incl GST $2.73)\nPhone 1 ($30.00), counter 0 ($0.00)\nTop: Kebab x2\n"
                                               "Lost orders: $3.50 left in carts.\nTo call back (1):\n6:12 pm "
                                               "+61498765432 - left the cart: coke can $3.50")]
    assert owner_texts(twilio, "main") == owner_texts(twilio, "carlton") == []
    clock.set(melbourne(2026, 11, 28, 2, 0))
    assert services.notices.run_once() == {"sent": 2, "failed": 0}
    assert owner_texts(twilio, "main") == [(SHARED_FROM, "Kebabalab takings Fri 27 Nov\n1 orders, $15.00 (incl GST "
                                            "$1.36)\nPhone 1 ($15.00), counter 0 ($0.00)\nTop: Kebab x1\nLost "
                                            "orders: none.")]
    assert owner_texts(twilio, "carlton") == [(SHARED_FROM, "Kebabalab Carlton takings Fri 27 Nov\n0 orders, $0.00 "
                                               "(incl GST $0.00)\nPhone 0 ($0.00), counter 0 ($0.00)\nLost orders: "
                                               "none.")]
    assert len(owner_texts(twilio, "fitzroy")) == 1
    clock.set(melbourne(2026, 11, 28, 2, 5))
    assert services.notices.run_once() == {"sent": 0, "failed": 0}


LOST = "The shop's text for order #001 was not delivered (Twilio error 30003): check the board for it."


def test_a_shops_lost_order_text_alerts_its_own_owner_and_shows_on_its_own_board(app, client, services, twilio,
                                                                                  clock):
    order_at(client, "fitzroy", "call-fitz", "a large lamb kebab")
    order_at(client, "main", "call-main", "a large lamb kebab")
    services.sender.run_once()
    shop_text = next(r for r in twilio.sent if r.to == ORDERS_TO["fitzroy"])
    url, form, headers = twilio.receipt(shop_text, "undelivered", auth_token=TOKEN, error_code="30003")
    assert client.post(urlsplit(url).path, data=form, headers=headers).status_code == 204
    receipts = services.db.engine.read("SELECT shop_id, status, error_code FROM text_receipts", ())
    assert [dict(row) for row in receipts] == [  # kept as the text's shop's
        {"shop_id": "fitzroy", "status": "undelivered", "error_code": "30003"}]

    fitzroy_board, _ = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    main_board, _ = signed_in(app, "main", MAIN_PASSWORD)
    assert fitzroy_board.get("/api/phone-line").get_json()["problems"] == [LOST]
    assert main_board.get("/api/phone-line").get_json()["problems"] == []
    scrape = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).get_data(as_text=True)
    assert sorted(line for line in scrape.splitlines() if line.startswith("kebabalab_phone_line_problems{")) == [
        'kebabalab_phone_line_problems{shop="carlton"} 0.0', 'kebabalab_phone_line_problems{shop="fitzroy"} 1.0',
        'kebabalab_phone_line_problems{shop="main"} 0.0']

    for minutes in (1, 2):
        clock.set(melbourne(2026, 11, 27, 18, minutes))
        services.notices.run_once()
    assert owner_texts(twilio, "fitzroy") == [(FITZROY_FROM, f"Kebabalab Fitzroy: {LOST}")]
    assert owner_texts(twilio, "main") == owner_texts(twilio, "carlton") == []
