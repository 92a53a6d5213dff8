"""The owner's parts of the board, in headless Chromium: a text Twilio could not deliver, on its order and in the
phone line's banner; the takings page reached from the board.

The app runs on loopback with Twilio faked; the receipt is posted over HTTP signed by the twilio library's
RequestValidator, as Twilio posts it to PUBLIC_URL/twilio/status through the shop's proxy.
"""
from urllib.parse import urlsplit

import pytest
import requests

from conftest import VapiCall
from tests.servers import HttpClient, wait_until
from tests.web.test_board_browser import PASSWORD, board_settings, browser, serving, twilio  # noqa: F401

pytestmark = pytest.mark.slow

TOKEN = "token"  # board_settings' Twilio auth token
PUBLIC = "https://orders.kebabalab.example"


@pytest.fixture
def live_server(tmp_path, twilio):  # noqa: F811
    with serving(board_settings(tmp_path, twilio, public_url=PUBLIC)) as url:
        yield url


def sign_in(browser, live_server) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    browser.get(live_server + "/board/login")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10,
               "the board loaded its orders")


def card_problem(browser, number: str) -> str | None:  # noqa: F811
    return browser.execute_script(
        "const p = document.querySelector(`.card[data-order='${arguments[0]}'] .text-problem`);"
        "return p ? p.textContent : null;", number)


def test_the_shops_order_text_undelivered_shows_on_its_card_and_in_the_banner(browser, live_server,  # noqa: F811
                                                                               twilio):  # noqa: F811
    from selenium.webdriver.common.by import By
    sign_in(browser, live_server)
    assert browser.find_element(By.ID, "phone-line-banner").get_attribute("hidden") == "true"
    call = VapiCall(HttpClient(live_server), call_id="call-undelivered", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    shop_text = wait_until(lambda: [r for r in twilio.sent if r.to == "+61400000001"], 10, "the shop's text sent")[0]
    wait_until(lambda: browser.execute_script(
        "return !!document.querySelector(`.card[data-order='${arguments[0]}']`)", number), 10, "the order's card")
    assert card_problem(browser, number) is None

    url, form, headers = twilio.receipt(shop_text, "undelivered", auth_token=TOKEN, error_code="30003")
    answer = requests.post(live_server + urlsplit(url).path, data=form, headers=headers, timeout=10)
    assert answer.status_code == 204
    wait_until(lambda: card_problem(browser, number) is not None, 10, "the problem on the order's card")
    assert card_problem(browser, number) == "The shop's order text was not delivered (Twilio error 30003)."
    wait_until(lambda: browser.execute_script(
        "return !document.getElementById('phone-line-banner').hidden"), 20, "the phone line's banner")
    assert browser.find_element(By.ID, "phone-line-banner").text == \
        "The shop's text for order #001 was not delivered (Twilio error 30003): check the board for it."
    assert browser.find_element(By.ID, "phone-line").text == "Calls reached us 6 pm · texts going out · 0 waiting"


def test_the_owner_opens_the_takings_from_the_board(browser, live_server):  # noqa: F811
    from selenium.webdriver.common.by import By
    sign_in(browser, live_server)
    call = VapiCall(HttpClient(live_server), call_id="call-takings", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    call.ok("createOrder", customerName="Sam")
    browser.find_element(By.ID, "takings-link").click()
    wait_until(lambda: browser.current_url == live_server + "/board/takings", 10, "the takings page")
    figures = {key: browser.find_element(By.ID, key).text for key in ("orders", "total", "gst", "phone", "counter")}
    assert figures == {"orders": "1", "total": "$15.00", "gst": "$1.36", "phone": "1 · $15.00",
                       "counter": "0 · $0.00"}
    assert browser.find_element(By.ID, "csv").get_attribute("href") == \
        live_server + "/board/takings.csv?day=2026-11-27"
