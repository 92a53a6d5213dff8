"""The prank and no-show guard through the webhooks: a first-time caller's big order waits for a YES by text.

Vapi's side: tool-calls messages as conftest.VapiCall builds them from Vapi's ServerMessage schema. Twilio's side:
the incoming-message webhook's parameters as Twilio's Messaging webhook reference lists them (MessageSid, SmsSid,
AccountSid, MessagingServiceSid, From, To, Body, NumMedia, NumSegments, ApiVersion, and the From*/To* geography),
form-encoded and signed by the twilio library's own RequestValidator over PUBLIC_URL + path.
"""
import json
from datetime import timedelta

import pytest
from twilio.request_validator import RequestValidator

from conftest import VapiCall
from kebabalab.config import PACKAGE_DATA
from kebabalab.service.order_guard import UnconfirmedJanitor
from kebabalab.service.takings import day_takings
from kebabalab.store.confirmations import opted_out
from kebabalab.store.status import order_events

TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "1" * 32
PUBLIC = "https://orders.kebabalab.example"
CALLER = "+61412345678"
SHOP_LINE = "+61480000000"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
BIG = "five large lamb kebabs"  # $75, five items: above the guard's $60
ASKS = ("Kebabalab: reply YES within 15 min to confirm order #001, $75.00, pickup 6:30 pm. Not yours? Ignore "
        "this text and it is cancelled.")


def business_file(tmp_path, guard) -> str:
    data = json.loads((PACKAGE_DATA / "business.json").read_text())
    if guard is not None:
        data["prank_guard"] = guard
    path = tmp_path / "business.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def settings(settings, tmp_path):
    return settings.replace(business_file=business_file(tmp_path, {"enabled": True, "above_total_cents": 6000,
                                                                   "above_items": 10}),
                            twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN, public_url=PUBLIC,
                            staff_password="kebabalab")


_sids = iter(range(1, 10_000))


def text(client, body: str, sender: str = CALLER, *, token: str = TOKEN, url: str = PUBLIC + "/twilio/sms",
         to: str = SHOP_LINE):
    """The customer's text to the number `to`, as Twilio posts it to the number's "A message comes in" webhook."""
    sid = f"SM{next(_sids):032x}"
    params = {"ToCountry": "AU", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "",
              "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
              "FromCountry": "AU", "To": to, "MessagingServiceSid": "MG" + "2" * 32, "ToZip": "",
              "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT, "From": sender, "ApiVersion": "2010-04-01"}
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})


def place(client, call_id: str, words: str = BIG, number: str | None = CALLER, **order) -> dict:
    call = VapiCall(client, call_id=call_id, number=number)
    call.ok("quickAddItem", description=words)
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    return call.run("createOrder", customerName="Sam", **order)


def takings_today(services):
    return day_takings(services, services.hours.trading_day(services.clock.now())[0])


def kinds(services, order_number):
    order = services.db.find_order(order_number)
    return [(t.kind, t.to_phone) for t in services.db.outbox_for_order(order.id)]


def test_a_first_callers_big_order_waits_for_yes_and_then_goes_to_the_kitchen(client, services):
    placed = place(client, "call-big")["result"]
    assert placed["awaitingConfirmation"] is True
    assert placed["message"] == (
        "The order is saved but not confirmed yet: order number #001, $75, ready at 6:30 pm once confirmed. Tell "
        "the caller before the call ends: we've texted them, and they must reply YES within 15 minutes, or the "
        "order is cancelled.")
    order = services.db.find_order(placed["orderNumber"])
    assert order.status == "awaiting"
    assert kinds(services, order.order_number) == [("customer_confirmation", CALLER)]  # the shop hears nothing yet
    assert services.db.outbox_for_order(order.id)[0].body == ASKS
    now = services.clock.now()
    assert services.db.open_orders_due(now, now + timedelta(hours=1)) == 0  # not in the kitchen's queue
    assert (takings_today(services).orders, takings_today(services).total) == (0, 0)  # not takings yet

    answer = text(client, "Yes!")
    assert (answer.status_code, answer.mimetype, answer.get_data(as_text=True)) == (
        200, "application/xml", EMPTY_TWIML)
    assert services.db.find_order(order.order_number).status == "new"
    assert kinds(services, order.order_number) == [("customer_confirmation", CALLER), ("shop_order", "+61400000001"),
                                                   ("customer_confirmation", CALLER)]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in order_events(services.db, order.id)] == [
        ("awaiting", "new", "customer (YES by text)")]
    assert services.db.open_orders_due(now, now + timedelta(hours=1)) == 1
    assert (takings_today(services).orders, takings_today(services).total) == (1, 7500)


def test_yes_confirms_the_newest_order_awaiting_it(client, services):
    first = place(client, "call-1")["result"]["orderNumber"]
    second = place(client, "call-2")["result"]["orderNumber"]
    text(client, "YES")
    assert [services.db.find_order(n).status for n in (first, second)] == ["awaiting", "new"]
    text(client, "yes please")
    assert [services.db.find_order(n).status for n in (first, second)] == ["new", "new"]
    nothing = text(client, "YES")
    assert nothing.get_data(as_text=True) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Kebabalab: there\'s no order waiting for your '
        'YES. Please call us to order.</Message></Response>')


@pytest.mark.parametrize("token, url", [("f" * 32, PUBLIC + "/twilio/sms"),  # another account's token
                                        (TOKEN, "http://localhost/twilio/sms")],  # the URL the request arrived on
                         ids=["wrong token", "wrong url"])
def test_a_text_without_twilios_signature_changes_nothing(client, services, token, url):
    number = place(client, "call-forged")["result"]["orderNumber"]
    refused = text(client, "YES", token=token, url=url)
    assert (refused.status_code, refused.get_data(as_text=True)) == (403, "missing or wrong X-Twilio-Signature")
    assert services.db.find_order(number).status == "awaiting"
    unsigned = client.post("/twilio/sms", data={"From": CALLER, "Body": "YES"})
    assert unsigned.status_code == 403 and services.db.find_order(number).status == "awaiting"


def test_stop_opts_the_number_out_and_the_outbox_respects_it(client, services):
    assert text(client, "STOP").get_data(as_text=True) == EMPTY_TWIML
    assert opted_out(services.db, CALLER, "main") is True
    VapiCall(client, call_id="call-menu").ok("sendMenuLink")
    assert services.sender.run_once() == {"sent": 0, "logged": 0, "retry": 0, "failed": 1}
    refused = place(client, "call-after-stop")  # the YES text could not reach this number
    assert refused["error"].startswith("This order needs a YES by text before the kitchen starts it, and that "
                                       "number has opted out of our texts.")
    text(client, "START")
    assert opted_out(services.db, CALLER, "main") is False
    VapiCall(client, call_id="call-menu-2").ok("sendMenuLink")
    assert services.sender.run_once() == {"sent": 0, "logged": 1, "retry": 0, "failed": 0}


def test_unconfirmed_after_15_minutes_it_is_cancelled_once(client, services, clock):
    number = place(client, "call-late")["result"]["orderNumber"]
    janitors = [UnconfirmedJanitor(services.db, clock), UnconfirmedJanitor(services.db, clock)]
    clock.advance(minutes=14, seconds=59)
    assert janitors[0].run_once() == []
    clock.advance(seconds=2)
    assert [o.order_number for o in janitors[0].run_once()] == [number]
    assert janitors[1].run_once() == []  # another worker's sweep finds nothing left to cancel
    order = services.db.find_order(number)
    assert order.status == "cancelled"
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in order_events(services.db, order.id)] == [
        ("awaiting", "cancelled", "no YES in time")]
    late = text(client, "YES")
    assert "no order waiting for your YES" in late.get_data(as_text=True)


def test_a_yes_after_15_minutes_but_before_the_sweep_cancels_instead(client, services, clock):
    number = place(client, "call-slow")["result"]["orderNumber"]
    clock.advance(minutes=16)
    late = text(client, "yes")
    assert late.get_data(as_text=True) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Kebabalab: sorry, order #001 was not confirmed '
        'within 15 minutes and is cancelled. Please call us to order again.</Message></Response>')
    assert services.db.find_order(number).status == "cancelled"
    assert kinds(services, number) == [("customer_confirmation", CALLER)]


def test_an_order_awaiting_its_yes_is_not_counted_as_cancelled_in_the_takings(client, services):
    """The owner's takings and end-of-day summary say "Cancelled 1" only for an order that was cancelled."""
    place(client, "call-waiting")
    takings = takings_today(services)
    assert (takings.orders, takings.total, takings.cancelled) == (0, 0, 0)


@pytest.mark.parametrize("words", ["two large lamb kebabs", "eleven cokes"], ids=["small order", "eleven items"])
def test_below_the_amount_and_size_an_order_goes_straight_to_the_kitchen(client, services, words):
    placed = place(client, "call-small", words=words)["result"]
    status = services.db.find_order(placed["orderNumber"]).status
    assert (placed["awaitingConfirmation"], status) == (words == "eleven cokes", "awaiting" if words == "eleven cokes"
                                                        else "new")


def test_a_returning_customer_is_not_asked(client, services):
    first = place(client, "call-first", words="a large lamb kebab")["result"]
    assert first["awaitingConfirmation"] is False
    again = place(client, "call-again")["result"]
    assert (again["awaitingConfirmation"], services.db.find_order(again["orderNumber"]).status) == (False, "new")


def test_a_withheld_number_gives_a_mobile_or_is_offered_the_person(client, services):
    landline = place(client, "call-withheld", number=None, customerPhone="03 9534 5588")
    assert landline["error"] == (
        "This order needs a YES by text before the kitchen starts it, and that number can't get texts. Ask for a "
        "mobile number that can get the text (pass it as customerPhone); if they have none, offer to put them "
        "through to the shop.")
    mobile = place(client, "call-withheld-2", number=None, customerPhone="0498 765 432")["result"]
    assert kinds(services, mobile["orderNumber"]) == [("customer_confirmation", "+61498765432")]


@pytest.mark.parametrize("number, phone, why", [
    (None, "03 9534 5588", "that number can't get texts"),
    (CALLER, None, "that number has opted out of our texts"),
], ids=["a landline", "a number that sent STOP"])
def test_the_shops_own_rules_are_heard_before_the_guards(client, services, number, phone, why):
    """A sold-out item is said first, as before the guard's facts were read ahead of the shop's rules; once the
    kitchen has it again, the guard asks for a mobile. Nothing is saved either time."""
    text(client, "STOP")
    call = VapiCall(client, call_id="call-sold-out", number=number)
    call.ok("quickAddItem", description=BIG)
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    to = {"customerPhone": phone} if phone else {}
    services.availability.set_sold_out("protein", "lamb", True)
    assert call.error("createOrder", customerName="Sam", **to) == (
        "Sorry, we're out of lamb today; we have chicken, mixed or falafel.")
    services.availability.set_sold_out("protein", "lamb", False)
    assert call.error("createOrder", customerName="Sam", **to) == (
        f"This order needs a YES by text before the kitchen starts it, and {why}. Ask for a mobile number that can "
        "get the text (pass it as customerPhone); if they have none, offer to put them through to the shop.")
    assert services.db.orders_for_phone(CALLER) + services.db.orders_for_phone("+61395345588") == []


def test_the_guard_is_off_unless_the_shop_turns_it_on(tmp_path, clock):
    from kebabalab.config import Settings
    from kebabalab.web.app import create_app
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/off.db", allow_unauthenticated=True,
                              send_sms_in_background=False), clock=clock, start_sender=False)
    try:
        placed = place(app.test_client(), "call-off")["result"]
        assert placed["awaitingConfirmation"] is False
        assert app.extensions["kebabalab"].db.find_order(placed["orderNumber"]).status == "new"
    finally:
        app.extensions["kebabalab"].stop_background()


@pytest.mark.parametrize("current, target, refusal", [
    ("awaiting", "new", None),
    ("awaiting", "cancelled", None),
    ("awaiting", "preparing", "An order awaiting the customer's YES can only be confirmed (new) or cancelled."),
    ("new", "awaiting", "Only the phone line places an order awaiting the customer's YES."),
])
def test_the_status_flow_of_an_order_awaiting_its_yes(current, target, refusal):
    from kebabalab.shop.order_status import MoveRefused, check_move, undo_target
    if refusal is None:
        check_move(current, target)
    else:
        with pytest.raises(MoveRefused) as refused:
            check_move(current, target)
        assert refused.value.message == refusal
    with pytest.raises(MoveRefused) as no_undo:
        undo_target("awaiting")
    assert no_undo.value.message == "An awaiting order has nothing to undo."


def test_the_board_shows_it_and_staff_can_confirm_it_by_phone(client):
    from tests.web.test_board import csrf, sign_in
    number = place(client, "call-board")["result"]["orderNumber"]
    assert sign_in(client, "kebabalab").status_code == 200
    token = csrf(client)
    board = client.get("/api/orders").get_json()
    assert [(o["orderNumber"], o["status"]) for o in board["orders"]] == [(number, "awaiting")]
    started = client.post(f"/api/orders/{number}/status", json={"status": "preparing", "from": "awaiting"},
                          headers={"X-CSRF-Token": token})
    assert (started.status_code, started.get_json()) == (
        409, {"error": "An order awaiting the customer's YES can only be confirmed (new) or cancelled."})
    confirmed = client.post(f"/api/orders/{number}/status", json={"status": "new", "from": "awaiting"},
                            headers={"X-CSRF-Token": token})
    assert (confirmed.status_code, confirmed.get_json()["to"]) == (200, "new")
