"""The phone line's health: when Vapi last reached the server, whether texts go out, the outbox's backlog, on the
board's API and /metrics; the shop's order text undelivered or texts failing for 10 minutes alert the owner once,
by text (the fake Twilio) and by email (a local SMTP server, aiosmtpd)."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from conftest import VapiCall, melbourne
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.fakes import FakeSmtp
from tests.web.test_delivery_receipts import PUBLIC, TOKEN, twilio  # noqa: F401  (twilio is a fixture)
from tests.web.test_board import PASSWORD, sign_in
from tests.web.test_takings import OWNER, business_file  # noqa: F401  (a fixture: the owner's phone)

OWNER_EMAIL = "owner@kebabalab.example"
SHOP = "+61400000001"
LOST = "The shop's text for order #001 was not delivered (Twilio error 30003): check the board for it."
FAILING = "Texts have been failing since 6 pm: customers and the shop may not get them."


@pytest.fixture
def smtp():
    with FakeSmtp() as fake:
        yield fake


@pytest.fixture
def owner_business(tmp_path, business_file):  # noqa: F811
    import json
    data = json.loads(open(business_file).read())
    data["owner"]["email"] = OWNER_EMAIL
    path = tmp_path / "business-with-email.json"
    path.write_text(json.dumps(data))
    return str(path)


def line_settings(database_url, business, twilio, smtp) -> Settings:
    return Settings(database_url=database_url, allow_unauthenticated=True, shop_order_to=SHOP,
                    send_sms_in_background=False, staff_password=PASSWORD, business_file=business,
                    twilio_account_sid="AC" + "0" * 32, twilio_auth_token=TOKEN, twilio_from_number="+61400000000",
                    twilio_api_base_url=twilio.base_url, public_url=PUBLIC, metrics_token="scrape-me",
                    smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
                    smtp_from="board@kebabalab.example")


@pytest.fixture
def settings(tmp_path, owner_business, twilio, smtp) -> Settings:
    return line_settings(f"sqlite:///{tmp_path}/orders.db", owner_business, twilio, smtp)


def place(client, call_id="call-1") -> str:
    call = VapiCall(client, call_id=call_id)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    return call.ok("createOrder", customerName="Sam")["orderNumber"]


def health(client) -> dict:
    return client.get("/api/phone-line").get_json()


def owner_texts(twilio) -> list[str]:
    return [r.body for r in twilio.sent if r.to == OWNER]


def owner_mails(smtp) -> list[tuple[list[str], str, str]]:
    return [(to, m["Subject"], m.get_content().strip()) for _, to, m in smtp.mails]


def test_a_quiet_line_before_any_call(client):
    assert sign_in(client).status_code == 200
    assert health(client) == {"vapiLastSeen": None, "vapiLastSeenSpoken": None, "lastTextSent": None,
                              "textsGoingOut": True, "backlog": 0, "problems": []}


def test_vapi_last_seen_and_texts_going_out_are_shared_by_every_worker(client, services, clock, settings):
    place(client)
    clock.set(melbourne(2026, 11, 27, 18, 1))
    assert services.sender.run_once()["sent"] == 2
    services.notices.run_once()  # this worker's "Vapi last reached us" goes to the database
    other = create_app(settings, clock=clock, start_sender=False)
    try:
        other_client = other.test_client()
        assert sign_in(other_client).status_code == 200
        assert health(other_client) == {
            "vapiLastSeen": "2026-11-27T18:00:00+11:00", "vapiLastSeenSpoken": "6 pm",
            "lastTextSent": "2026-11-27T18:01:00+11:00", "textsGoingOut": True, "backlog": 0, "problems": []}
    finally:
        other.extensions["kebabalab"].stop_background()


def test_the_shops_order_text_undelivered_alerts_the_owner_once_by_text_and_email(client, services, twilio, smtp,
                                                                                   clock):
    place(client)
    services.sender.run_once()
    shop_text = next(r for r in twilio.sent if r.to == SHOP)
    url, form, headers = twilio.receipt(shop_text, "undelivered", auth_token=TOKEN, error_code="30003")
    assert client.post(urlsplit(url).path, data=form, headers=headers).status_code == 204
    assert sign_in(client).status_code == 200
    assert health(client)["problems"] == [LOST]
    for minutes in (1, 2):
        clock.set(melbourne(2026, 11, 27, 18, minutes))
        services.notices.run_once()
    assert owner_texts(twilio) == [LOST]
    assert owner_mails(smtp) == [([OWNER_EMAIL], "Kebabalab phone line: needs a look", LOST)]


def test_texts_failing_for_ten_minutes_alert_the_owner_by_email_once_and_clear_when_texts_go_out(
        client, services, twilio, smtp, clock):
    twilio.fail_next(200, status=503)  # Twilio down: every try fails, the owner's text too
    place(client)
    clock.set(melbourne(2026, 11, 27, 18, 0, 30))
    assert services.sender.run_once()["retry"] == 2
    assert sign_in(client).status_code == 200
    clock.set(melbourne(2026, 11, 27, 18, 9, 59))
    assert (health(client)["textsGoingOut"], health(client)["problems"], health(client)["backlog"]) == (True, [], 2)
    clock.set(melbourne(2026, 11, 27, 18, 10))
    assert (health(client)["textsGoingOut"], health(client)["problems"]) == (False, [FAILING])
    for minutes in (10, 11, 12):
        clock.set(melbourne(2026, 11, 27, 18, minutes, 30))
        services.notices.run_once()
    assert owner_mails(smtp) == [([OWNER_EMAIL], "Kebabalab phone line: needs a look", FAILING)]
    assert owner_texts(twilio) == []  # Twilio is down: the text to the owner is tried again later

    twilio.recover()
    clock.set(clock.now() + timedelta(hours=1))
    services.sender.run_once()
    services.notices.run_once()
    assert (health(client)["textsGoingOut"], health(client)["problems"]) == (True, [])
    assert owner_texts(twilio) == [FAILING]


def test_metrics_carry_the_same_figures(client, services, clock):
    place(client)
    services.notices.run_once()
    scrape = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).get_data(as_text=True)
    figures = {line.split(" ")[0]: float(line.split(" ")[1]) for line in scrape.splitlines()
               if line.startswith(("kebabalab_vapi", "kebabalab_texts_going", "kebabalab_outbox_backlog",
                                   "kebabalab_phone_line"))}
    assert figures == {"kebabalab_vapi_last_seen_timestamp_seconds": clock.now().timestamp(),
                       'kebabalab_texts_going_out{shop="main"}': 1, 'kebabalab_outbox_backlog{shop="main"}': 2,
                       'kebabalab_phone_line_problems{shop="main"}': 0}


def test_texts_failing_now_are_seen_though_a_text_went_out_after_an_earlier_failure(client, services, twilio, clock):
    """Texts refused for good at noon (Twilio answered 400), texts going out at 12:30, then Twilio down from
    6 pm: by 6:10 pm the board says texts are failing (the noon failure must not hide it)."""
    clock.set(melbourne(2026, 11, 27, 12, 0))
    twilio.script([400, 400])
    place(client, "call-noon")
    assert services.sender.run_once() == {"sent": 0, "logged": 0, "retry": 0, "failed": 2}
    clock.set(melbourne(2026, 11, 27, 12, 30))
    place(client, "call-lunch")
    assert services.sender.run_once()["sent"] == 2
    clock.set(melbourne(2026, 11, 27, 18, 0))
    twilio.fail_next(200, status=503)
    place(client, "call-evening")
    assert services.sender.run_once()["retry"] == 2
    assert sign_in(client).status_code == 200
    clock.set(melbourne(2026, 11, 27, 18, 10))
    assert (health(client)["textsGoingOut"], health(client)["problems"]) == (False, [
        "The shop's text for order #001 was not delivered: check the board for it.", FAILING])


def test_the_owners_text_about_a_long_twilio_outage_arrives_when_twilio_is_back(client, services, twilio, smtp,
                                                                               clock):
    """Twilio down from 6 pm for 50 minutes, the notices job running every 30 seconds as it does when served: the
    email goes at once, and the owner's text is still being tried when Twilio is back (not given up after ten
    minutes, before the outage could ever end)."""
    twilio.fail_next(100000, status=503)
    place(client)
    clock.set(melbourne(2026, 11, 27, 18, 0, 30))
    assert services.sender.run_once()["retry"] == 2
    at = melbourne(2026, 11, 27, 18, 10)
    while at <= melbourne(2026, 11, 27, 19, 20):
        if at == melbourne(2026, 11, 27, 18, 50):
            twilio.recover()
        clock.set(at)
        services.notices.run_once()
        at += timedelta(seconds=30)
    assert owner_mails(smtp) == [([OWNER_EMAIL], "Kebabalab phone line: needs a look", FAILING)]
    assert owner_texts(twilio) == [FAILING]
