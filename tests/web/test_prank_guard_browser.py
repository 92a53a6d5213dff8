"""An order awaiting the customer's YES on the board in a real browser (headless Chromium, the app on loopback, the
real twilio library sending to the fake Twilio): marked and not startable, then the kitchen's once the customer's
signed YES arrives through the incoming-text webhook (Twilio's parameters, RequestValidator's signature)."""
import json

import pytest
import requests
from twilio.request_validator import RequestValidator

from conftest import VapiCall
from kebabalab.config import PACKAGE_DATA
from tests.servers import HttpClient, wait_until
from tests.web.test_board_browser import (PASSWORD, board_settings, browser, card_status,  # noqa: F401 (fixtures)
                                          serving, twilio)

pytestmark = pytest.mark.slow
CALLER = "+61412345678"
TOKEN = "token"  # board_settings' TWILIO_AUTH_TOKEN
PUBLIC = "https://orders.kebabalab.example"  # the proxy's address Twilio signs, not the loopback one


@pytest.fixture
def live_server(tmp_path, twilio):  # noqa: F811
    business = json.loads((PACKAGE_DATA / "business.json").read_text())
    business["prank_guard"] = {"enabled": True, "above_total_cents": 6000, "above_items": 10}
    (tmp_path / "business.json").write_text(json.dumps(business))
    settings = board_settings(tmp_path, twilio, public_url=PUBLIC, business_file=str(tmp_path / "business.json"))
    with serving(settings) as url:
        yield url


def test_awaiting_its_yes_it_is_marked_then_the_kitchens_once_confirmed(browser, live_server, twilio):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/board")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "the board")

    call = VapiCall(HttpClient(live_server), call_id="call-prank", number=CALLER)
    call.ok("quickAddItem", description="five large lamb kebabs")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]

    wait_until(lambda: card_status(browser, number) == "new", 5, "the order on the board")
    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    assert "Awaiting the customer's YES by text: don't start it" in card.text
    assert [b.text for b in card.find_elements(By.CSS_SELECTOR, "button") if b.is_displayed()] == [
        "Confirmed by phone"]  # Cancel is behind "More"
    asked = wait_until(lambda: [r for r in twilio.sent if "reply YES" in (r.body or "")], 10, "the YES request")
    assert [r.to for r in asked] == [CALLER] and not [r for r in twilio.sent if r.to == "+61400000001"]

    params = {"MessageSid": "SM" + "a" * 32, "SmsSid": "SM" + "a" * 32, "AccountSid": "AC" + "0" * 32,
              "From": CALLER, "To": "+61400000000", "Body": "Yes", "NumMedia": "0", "NumSegments": "1",
              "ApiVersion": "2010-04-01"}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/twilio/sms", params)
    answer = requests.post(live_server + "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature},
                           timeout=10)
    assert answer.status_code == 200

    wait_until(lambda: browser.execute_script(
        f"return document.querySelector(`.card[data-order='{number}']`).dataset.status === 'new'"), 5, "confirmed")
    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    assert "Awaiting" not in card.text and [
        b.text for b in card.find_elements(By.CSS_SELECTOR, "button") if b.is_displayed()] == ["Start", "Collected"]
    shop = wait_until(lambda: [r for r in twilio.sent if r.to == "+61400000001"], 10, "the shop's text")
    assert shop[0].body.startswith("NEW ORDER #001")
