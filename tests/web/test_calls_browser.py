"""The Calls page in a real browser (headless Chromium, as tests/web/test_board_browser.py): staff go from the
board to Calls and see today's calls, what became of each and the share that became orders."""
import pytest

from conftest import VapiCall, vapi_fixture
from tests.servers import HttpClient, wait_until
from tests.web.test_board_browser import PASSWORD, browser, live_server, twilio  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow


def rows(driver) -> list[list[str]]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#calls tr')].map(tr => [tr.dataset.call, tr.dataset.outcome, "
        "...[...tr.cells].slice(0, 5).map(td => td.textContent)]);")


def test_staff_see_todays_calls_and_the_share_that_became_orders(browser, live_server):  # noqa: F811
    from selenium.webdriver.common.by import By

    http = HttpClient(live_server)
    ordered = VapiCall(http, call_id="call-ordered-2024", number="+61412345678")
    ordered.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    ordered.ok("setPickupTime", requestedTime="in 30 minutes")
    number = ordered.ok("createOrder", customerName="Sam")["orderNumber"]
    VapiCall(http, call_id="call-abandoned-current", number="+61498765432").ok("quickAddItem", description="two cokes")
    for name in ("end-of-call-report-2024.json", "end-of-call-report-current.json"):
        assert http.post("/webhook", json=vapi_fixture(name)).status_code == 200

    browser.get(live_server + "/board")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "the board")
    browser.find_element(By.CSS_SELECTOR, "#menu summary").click()  # the board keeps its links in the menu
    browser.find_element(By.LINK_TEXT, "Calls").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10,
               "the Calls page loaded its calls")
    assert browser.current_url == live_server + "/board/calls"
    assert browser.find_element(By.CSS_SELECTOR, ".share").text == "50% of 2 calls today became orders"
    assert rows(browser) == [
        ["call-abandoned-current", "abandoned", "6:12 pm", "+614••••5432", "Left items in the cart",
         "2 x coke can ($7.00)", "1:32"],
        ["call-ordered-2024", "ordered", "6:01 pm", "+614••••5678", "Ordered", f"Order {number}, $15.00",
         "4:35"]]
    assert browser.find_element(By.CSS_SELECTOR, "[data-count='abandoned']").text == "1"

    # the page is drawn again every 15 seconds: elements are looked up afresh, never kept across a wait
    browser.execute_script("document.querySelector(\"tr[data-call='call-ordered-2024'] details summary\").click();")
    assert browser.execute_script(
        "const d = document.querySelector(\"tr[data-call='call-ordered-2024'] details\");"
        "return [d.open, d.querySelector('a').href, d.querySelector('pre').textContent.slice(0, 32)];") == [
        True, "https://storage.vapi.example.invalid/call-ordered-2024-mono.wav", "AI: Thanks for calling Kebabalab"]

    # the cart left is on the callback list: one tap records who called back, when, and what came of it
    assert browser.find_element(By.ID, "lost-value").text == "$7.00"
    assert browser.execute_script(
        "return document.querySelector(\"li.callback[data-call='call-abandoned-current'] a\").href") == \
        "tel:+61498765432"
    browser.execute_script("document.querySelector(\"li.callback[data-call='call-abandoned-current'] "
                           "button[data-outcome='ordered']\").click();")
    wait_until(lambda: "Called back by Owner at 6 pm: Ordered" in browser.execute_script(
        "return document.querySelector(\"li.callback[data-call='call-abandoned-current']\").textContent"), 5,
        "the callback recorded")
    assert (browser.find_element(By.ID, "lost-value").text, browser.find_element(By.ID, "callbacks-waiting").text) \
        == ("$0.00", "0")
