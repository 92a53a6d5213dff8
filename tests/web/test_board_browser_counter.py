"""The counter in a real browser: a walk-in typed in words, priced by the server, placed and carried to
collected with no text at all; a customer who phoned the shop gets their confirmation; an order changed after
the call is re-priced, its history shows both totals, and the customer gets the new receipt."""
import pytest

from tests.board_scene import emulate, live_board, sign_in
from tests.servers import wait_until
from tests.web.test_board_browser import browser, card_status, click  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def board(tmp_path):
    with live_board(tmp_path) as (base, clock, twilio, services):
        yield base, twilio, services


def type_line(driver, words: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    field = driver.find_element(By.CSS_SELECTOR, "#counter-form input[name=said]")
    field.send_keys(words, Keys.ENTER)
    wait_until(lambda: field.get_attribute("value") == "", 5, f"'{words}' priced")


def counter_total(driver) -> str:
    return driver.execute_script("return document.getElementById('counter-total').textContent")


def test_a_walk_in_is_typed_priced_placed_and_collected_without_a_text(browser, board):  # noqa: F811
    from selenium.webdriver.common.by import By
    base, twilio, _ = board
    emulate(browser, 1024, 768)
    sign_in(browser, base)
    browser.find_element(By.ID, "counter-open").click()
    type_line(browser, "2 large lamb kebabs with garlic sauce")
    type_line(browser, "a can of coke")
    assert counter_total(browser) == "Total $33.50"
    browser.find_element(By.CSS_SELECTOR, "#counter-lines li:last-child button.remove").click()
    wait_until(lambda: counter_total(browser) == "Total $30.00", 5, "the coke taken away")
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#counter-lines li")] == [
        "2 × large lamb kebab, garlic sauce $30.00 ×"]
    browser.find_element(By.ID, "counter-place").click()
    wait_until(lambda: card_status(browser, "20261127-001") == "new", 5, "the walk-in on the board")
    card = browser.find_element(By.CSS_SELECTOR, ".card[data-order='20261127-001']")
    assert [card.find_element(By.CSS_SELECTOR, s).text for s in (".name", ".counter", ".pickup")] == [
        "Walk-in", "COUNTER", "6:15 pm"]
    for action, column in (("preparing", "preparing"), ("ready", "ready"), ("collected", "done")):
        click(browser, "20261127-001", action)
        wait_until(lambda: card_status(browser, "20261127-001") == column, 5, f"the walk-in in {column}")
    assert [r for r in twilio.sent] == []  # no confirmation, no 'ready' text to someone at the counter


def test_a_phoned_in_order_is_confirmed_and_a_change_texts_the_new_receipt(browser, board):  # noqa: F811
    from selenium.webdriver.common.by import By
    base, twilio, _ = board
    emulate(browser, 1024, 768)
    sign_in(browser, base)
    browser.find_element(By.ID, "counter-open").click()
    browser.find_element(By.CSS_SELECTOR, "#counter-form input[name=kind][value=phone]").click()
    form = browser.find_element(By.ID, "counter-form")
    form.find_element(By.NAME, "name").send_keys("Kim")
    form.find_element(By.NAME, "phone").send_keys("0498 765 432")
    form.find_element(By.CSS_SELECTOR, "select[name=pickup] option[value='in 30 minutes']").click()
    form.find_element(By.NAME, "said").send_keys("a small chicken kebab with chilli sauce")
    browser.find_element(By.ID, "counter-place").click()  # the words still in the box are added first
    number = "20261127-001"
    wait_until(lambda: card_status(browser, number) == "new", 5, "Kim's order on the board")
    confirmation = wait_until(lambda: [r for r in twilio.sent if r.to == "+61498765432"], 10, "the confirmation")
    assert len(confirmation) == 1

    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    card.find_element(By.CSS_SELECTOR, ".more summary").click()
    card.find_element(By.CSS_SELECTOR, "button[data-action=edit]").click()
    edit = browser.find_element(By.ID, "edit-form")
    assert browser.find_element(By.CSS_SELECTOR, "#edit .edit-title").text == \
        "Change order #001 (Kim), now $10.00"
    edit.find_element(By.NAME, "add").send_keys("a can of coke")
    edit.find_element(By.NAME, "text_customer").click()
    browser.find_element(By.ID, "edit-save").click()
    wait_until(lambda: browser.execute_script(
        "return [...document.querySelectorAll(`.card[data-order='${arguments[0]}'] .line`)]"
        ".map((n) => n.textContent).includes('1 × Coke can')", number), 5, "the coke on the card")
    history = browser.execute_script(
        "return document.querySelector(`.card[data-order='${arguments[0]}'] .history`).textContent", number)
    assert history == "6:00 pm Owner: took it at the counter (phone)6:00 pm Owner: added coke can; $10.00 -> $13.50"
    receipt = wait_until(lambda: [r for r in twilio.sent if "has changed" in (r.body or "")], 10, "the receipt")
    assert receipt[0].body.splitlines()[0] == "Your order has changed. Kebabalab receipt, order #001 (27/11/2026)"
