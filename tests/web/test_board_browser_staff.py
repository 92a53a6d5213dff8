"""Who did what, in a real browser: the owner (the shared password) adds a staff member on the staff page, she
signs in with her PIN, moves a phone order, and the card says it was her."""
import pytest

from conftest import VapiCall
from tests.servers import HttpClient, wait_until
from tests.web.test_board_browser import (PASSWORD, CALLER, browser, card_status, click, live_server,  # noqa: F401
                                          twilio)

pytestmark = pytest.mark.slow


def sign_in(driver, base: str, secret: str) -> None:
    from selenium.webdriver.common.by import By
    driver.get(base + "/board/login")
    driver.find_element(By.ID, "password").send_keys(secret)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: driver.execute_script("return document.body.dataset.loaded === 'true'"), 10,
               "the board loaded its orders")


def test_the_owner_adds_a_pin_and_the_board_shows_who_moved_the_order(browser, live_server):  # noqa: F811
    from selenium.webdriver.common.by import By

    sign_in(browser, live_server, PASSWORD)
    assert browser.find_element(By.ID, "who").text == "Owner (owner)"
    browser.find_element(By.CSS_SELECTOR, "#menu summary").click()
    browser.find_element(By.ID, "staff-link").click()
    wait_until(lambda: browser.find_element(By.ID, "shared-note").is_displayed(), 5, "the staff page")
    for name, role, pin in (("Priya", "owner", "864200"), ("Jo", "staff", "135790")):
        form = browser.find_element(By.ID, "add-member")
        form.find_element(By.NAME, "name").send_keys(name)
        form.find_element(By.CSS_SELECTOR, f"select[name=role] option[value={role}]").click()
        form.find_element(By.NAME, "pin").send_keys(pin)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, f"tr[data-member='{name}']"), 5, f"{name} listed")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#members tr")]
    assert rows == ["Jo staff 2026-11-27 Remove", "Priya owner 2026-11-27 Remove"]
    assert not browser.find_element(By.ID, "shared-note").is_displayed()

    browser.delete_all_cookies()
    sign_in(browser, live_server, "135790")
    assert browser.find_element(By.ID, "who").text == "Jo (staff)"
    assert browser.find_elements(By.ID, "staff-link") == []
    call = VapiCall(HttpClient(live_server), call_id="call-staff", number=CALLER)
    call.ok("quickAddItem", description="a small chicken kebab with chilli sauce")
    call.ok("setPickupTime", requestedTime="in 20 minutes")
    number = call.ok("createOrder", customerName="Kim")["orderNumber"]
    wait_until(lambda: card_status(browser, number) == "new", 5, "the order on the board")
    click(browser, number, "preparing")
    wait_until(lambda: card_status(browser, number) == "preparing", 5, "the order in Preparing")
    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    card.find_element(By.CSS_SELECTOR, ".more summary").click()
    assert card.find_element(By.CSS_SELECTOR, ".history").text == "6:00 pm Jo: started"
