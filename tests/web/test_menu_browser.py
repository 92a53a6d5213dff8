"""The owner's menu page in headless Chromium: from the board's Menu link, a price changed, an item hidden and an
item added by hand, each then in force for the phone line's next call."""
import pytest

from conftest import FRIDAY_6PM, VapiCall
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.servers import HttpClient, serving, wait_until
from tests.web.test_board_browser import PASSWORD, browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow


def tap(browser, selector: str) -> None:
    browser.execute_script("document.querySelector(arguments[0]).click();", selector)


@pytest.fixture
def live_shop(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                        staff_password=PASSWORD, shop_order_to="+61400000001", send_sms_in_background=False)
    app = create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
    try:
        with serving(app, "menu-app") as base:
            yield base, app
    finally:
        app.extensions["kebabalab"].stop_background()


def test_the_owner_changes_hides_and_adds_on_the_menu_page(browser, live_shop):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, app = live_shop
    browser.get(base + "/board")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "the board")
    browser.find_element(By.CSS_SELECTOR, "#menu summary").click()  # the board's menu: who, pages, sign out
    browser.find_element(By.ID, "menu-link").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "the menu")
    assert browser.current_url == base + "/board/menu"
    version = browser.find_element(By.ID, "menu-version")
    assert version.text == "Menu version 1"

    water = browser.find_element(By.CSS_SELECTOR, ".menu-row[data-item='WATER']")
    price = water.find_element(By.CSS_SELECTOR, "input.price")
    assert price.get_attribute("value") == "3.00"
    price.clear()
    price.send_keys("3.20")
    water.find_element(By.CSS_SELECTOR, "button.save").click()
    wait_until(lambda: version.text == "Menu version 2", 10, "the price saved")
    toast = browser.find_element(By.ID, "toast")
    assert toast.text == "Saved: Water (500ml): $3.00 -> $3.20."

    tap(browser, ".menu-row[data-item='BAKLAVA'] button.hide")  # the toast may cover it, as a finger does not
    wait_until(lambda: version.text == "Menu version 3", 10, "the item hidden")
    row = browser.find_element(By.CSS_SELECTOR, ".menu-row[data-item='BAKLAVA']")
    assert "hidden-item" in row.get_attribute("class") and row.find_element(By.CSS_SELECTOR, "button.hide").text == "Show"

    Select(browser.find_element(By.ID, "add-category")).select_by_value("drink")
    browser.find_element(By.ID, "add-name").send_keys("Lemon Lime Bitters")
    browser.find_element(By.CSS_SELECTOR, "#add-prices input[name=price]").send_keys("4.50")
    tap(browser, "#add-allergens input[value=gluten]")
    assert browser.find_element(By.ID, "add-unconfirmed").is_selected() is False
    tap(browser, "#add-item button[type=submit]")
    wait_until(lambda: version.text == "Menu version 4", 10, "the item added")
    assert browser.find_elements(By.CSS_SELECTOR, ".menu-row[data-item='LEMON_LIME_BITTERS']")
    history = browser.find_element(By.ID, "menu-history").text.splitlines()
    assert [line.split(" · ")[1] for line in history] == [
        "Owner: added Lemon Lime Bitters (drink) at $4.50", "Owner: Baklava (each) hidden",
        "Owner: Water (500ml): $3.00 -> $3.20", "menu file: loaded the menu file menu.json"]

    services = app.extensions["kebabalab"]
    bitters = next(raw for raw in services.catalog.current.document["items"] if raw["id"] == "LEMON_LIME_BITTERS")
    assert bitters["allergens"] == ["gluten"]
    call = VapiCall(HttpClient(base), call_id="call-after-menu")
    assert call.ok("quickAddItem", description="a bottle of water")["added"][0]["lineTotal"] == 3.2
    assert call.ok("quickAddItem", description="a lemon lime bitters")["added"][0]["lineTotal"] == 4.5
