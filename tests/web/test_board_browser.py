"""The board in a real browser: headless Debian Chromium driven by Selenium, the app on loopback, Twilio faked.

A staff member signs in, a call places an order through the webhook, the order appears without a reload
(and chimes), staff mark it ready, the customer's 'ready' text reaches the fake Twilio, and the chime
switched off stays off.
Needs Debian's `chromium` and `chromium-driver`; when they are missing the test fails, unless
KEBABALAB_SKIP_BROWSER=1 says to skip it.
"""
import os
import shutil
from contextlib import contextmanager

import pytest

from conftest import FRIDAY_6PM, VapiCall
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.fakes import FakeTwilio
from tests.servers import HttpClient, wait_until
from tests.servers import serving as loopback

pytestmark = pytest.mark.slow

PASSWORD = "counter-2468"
CALLER = "+61412345678"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--mute-audio", "--window-size=1280,800")


def _browser_missing(what: str) -> None:
    message = f"{what}: install Debian's chromium and chromium-driver (make test does)"
    if os.environ.get("KEBABALAB_SKIP_BROWSER") == "1":
        pytest.skip(message)
    pytest.fail(message)


@pytest.fixture
def browser(tmp_path):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _browser_missing("selenium is not installed")
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        _browser_missing("chromium or chromedriver is not on PATH")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def twilio():
    with FakeTwilio() as fake:
        yield fake


def board_settings(tmp_path, twilio, **changes) -> Settings:
    """The board's settings for a browser test: staff password, texts to the fake Twilio; `changes` on top."""
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    staff_password=PASSWORD, shop_order_to="+61400000001", twilio_account_sid="AC" + "0" * 32,
                    twilio_auth_token="token", twilio_from_number="+61400000000",
                    twilio_api_base_url=twilio.base_url).replace(**changes)


@contextmanager
def serving(settings: Settings):
    """The app on a loopback port, its sender running, Friday 6 pm on its clock; yields its base URL."""
    app = create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=True)
    try:
        with loopback(app, "board-app") as url:
            yield url
    finally:
        app.extensions["kebabalab"].stop_background()


@pytest.fixture
def live_server(tmp_path, twilio):
    with serving(board_settings(tmp_path, twilio)) as url:
        yield url


def card_status(driver, number: str) -> str | None:
    return driver.execute_script(
        "const card = document.querySelector(`.card[data-order='${arguments[0]}']`);"
        "return card ? card.closest('.cards').dataset.status : null;", number)


def click(driver, number: str, action: str) -> None:
    driver.execute_script(
        "document.querySelector(`.card[data-order='${arguments[0]}'] button[data-action='${arguments[1]}']`)"
        ".click();", number, action)


def test_staff_sign_in_see_a_phone_order_arrive_and_text_the_customer_it_is_ready(browser, live_server, twilio):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/board")
    assert browser.current_url == live_server + "/board/login"
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10,
               "the board loaded its orders")
    assert browser.current_url == live_server + "/board"
    browser.execute_script("window.sameBoard = true;")  # gone if the page reloads

    call = VapiCall(HttpClient(live_server), call_id="call-browser", number=CALLER)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]

    wait_until(lambda: card_status(browser, number) == "new", 5, "the new order on the board")
    assert browser.execute_script("return window.sameBoard === true && document.body.dataset.chimes === '1'")
    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    assert [line.text for line in card.find_elements(By.CSS_SELECTOR, ".line")] == [
        "1 × Large Kebab", "Lamb", "NO SALAD", "Garlic sauce"]  # "no" items in capitals
    assert [card.find_element(By.CSS_SELECTOR, s).text for s in (".number", ".name", ".pickup")] == [
        "#001", "Sam", "6:30 pm"]

    click(browser, number, "preparing")
    wait_until(lambda: card_status(browser, number) == "preparing", 5, "the order in Preparing")
    click(browser, number, "ready")
    wait_until(lambda: card_status(browser, number) == "ready", 5, "the order in Ready")

    ready = wait_until(lambda: [r for r in twilio.sent if "ready for pickup" in (r.body or "")], 10,
                       "the 'ready' text at the fake Twilio")
    assert [(r.to, r.body) for r in ready] == [(CALLER, "Kebabalab: order #001 is ready for pickup.")]

    browser.find_element(By.ID, "sound").click()  # the chime switched off stays off after a reload
    browser.refresh()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "reloaded")
    sound = browser.find_element(By.ID, "sound")
    assert (sound.text, sound.get_attribute("aria-pressed")) == ("Sound off", "false")
