"""Delivery receipts: every text asks Twilio for its status at PUBLIC_URL/twilio/status; Twilio's signed callback
records sent, delivered, undelivered and failed per text, shown on the order; anything unsigned is refused."""
from urllib.parse import urlsplit

import pytest
from twilio.request_validator import RequestValidator

from conftest import T0, VapiCall, new_order
from kebabalab.config import Settings
from kebabalab.store import OutboxMark, OutboxMessage
from kebabalab.store.receipts import TextState, record_receipt, texts_of_orders
from kebabalab.web.app import create_app
from tests.fakes import FakeTwilio
from tests.web.test_board import PASSWORD, sign_in

TOKEN = "twilio-auth-token"
PUBLIC = "https://orders.kebabalab.example"
CALLER = "+61412345678"


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


def twilio_settings(tmp_path, twilio, public_url=PUBLIC) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD,
                    twilio_account_sid="AC" + "0" * 32, twilio_auth_token=TOKEN, twilio_from_number="+61400000000",
                    twilio_api_base_url=twilio.base_url, public_url=public_url)


@pytest.fixture
def app(tmp_path, twilio, clock):
    app = create_app(twilio_settings(tmp_path, twilio), clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def place_and_send(client, services) -> str:
    call = VapiCall(client, call_id="call-receipts", number=CALLER)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    assert services.sender.run_once() == {"sent": 2, "logged": 0, "retry": 0, "failed": 0}
    return number


def post_receipt(client, url, form, headers):
    """Posted to the app as a proxy hands it on: to its own address (http://localhost), not PUBLIC_URL."""
    return client.post(urlsplit(url).path, data=form, headers=headers)


def sent_to(twilio, phone):
    return next(r for r in twilio.sent if r.to == phone)


def test_every_text_asks_for_its_receipt_at_the_public_url(client, services, twilio):
    place_and_send(client, services)
    assert sorted((r.to, r.status_callback) for r in twilio.sent) == [
        ("+61400000001", PUBLIC + "/twilio/status"), (CALLER, PUBLIC + "/twilio/status")]


def test_a_signed_receipt_is_recorded_per_text_and_shown_on_the_order(client, services, twilio):
    number = place_and_send(client, services)
    shop, customer = sent_to(twilio, "+61400000001"), sent_to(twilio, CALLER)
    for sent, status, code in ((shop, "sent", None), (shop, "undelivered", "30003"), (customer, "delivered", None)):
        response = post_receipt(client, *twilio.receipt(sent, status, auth_token=TOKEN, error_code=code))
        assert (response.status_code, response.get_data()) == (204, b"")
    assert sign_in(client).status_code == 200
    shown = client.get("/api/orders").get_json()["orders"][0]
    assert (shown["orderNumber"], shown["texts"], shown["textProblem"]) == (number, [
        {"kind": "shop_order", "status": "sent", "delivery": "undelivered", "errorCode": "30003"},
        {"kind": "customer_confirmation", "status": "sent", "delivery": "delivered", "errorCode": None}],
        "The shop's order text was not delivered (Twilio error 30003).")


def test_a_late_sent_receipt_does_not_undo_a_final_one(client, services, twilio):
    place_and_send(client, services)
    customer = sent_to(twilio, CALLER)
    for status in ("delivered", "sent", "queued"):
        assert post_receipt(client, *twilio.receipt(customer, status, auth_token=TOKEN)).status_code == 204
    order = services.db.orders_on_day("2026-11-27")[0]
    assert texts_of_orders(services.db, [order.id])[order.id][1] == TextState(
        "customer_confirmation", "sent", "delivered", None)


def signed(url, form, token=TOKEN):
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


@pytest.mark.parametrize("change", [
    lambda url, form, headers: (url, form, {}),
    lambda url, form, headers: (url, {**form, "MessageStatus": "delivered"}, headers),
    lambda url, form, headers: (url, form, signed(url, form, token="another-accounts-token")),
    lambda url, form, headers: (url, form, signed("http://localhost/twilio/status", form)),
], ids=["no signature", "a changed field", "another account's token", "signed for the request's own URL"])
def test_a_receipt_without_twilios_signature_of_the_public_url_is_refused(client, services, twilio, change):
    place_and_send(client, services)
    receipt = twilio.receipt(sent_to(twilio, "+61400000001"), "failed", auth_token=TOKEN, error_code="30005")
    response = post_receipt(client, *change(*receipt))
    assert (response.status_code, response.get_json()) == (403, {"error": "missing or wrong X-Twilio-Signature"})
    order = services.db.orders_on_day("2026-11-27")[0]
    assert [t.delivery for t in texts_of_orders(services.db, [order.id])[order.id]] == [None, None]


def test_without_public_url_texts_ask_for_no_receipt_and_receipts_are_refused(tmp_path, twilio, clock):
    app = create_app(twilio_settings(tmp_path, twilio, public_url=""), clock=clock, start_sender=False)
    client, services = app.test_client(), app.extensions["kebabalab"]
    place_and_send(client, services)
    assert [r.status_callback for r in twilio.sent] == [None, None]
    form = {"MessageSid": twilio.sent[0].sid, "MessageStatus": "delivered"}
    assert post_receipt(client, PUBLIC + "/twilio/status", form, signed(PUBLIC + "/twilio/status", form)
                        ).status_code == 403


def test_a_receipt_may_come_before_the_sender_saved_the_sid(db):
    """Twilio can answer faster than the sender's save: the receipt waits in its table for the sid."""
    order = db.place_order(new_order(), lambda stored: [OutboxMessage("shop_order", "+61395345588", "NEW ORDER")])
    record_receipt(db, "SM" + "1" * 32, "undelivered", "30003", T0)
    assert texts_of_orders(db, [order.id]) == {order.id: [TextState("shop_order", "pending", None, None)]}
    row = db.claim_due(T0)[0]
    db.record_marks([OutboxMark(row.id, "sent", provider_sid="SM" + "1" * 32, at=T0)])
    assert texts_of_orders(db, [order.id]) == {order.id: [TextState("shop_order", "sent", "undelivered", "30003")]}
