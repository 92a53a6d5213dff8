"""The kitchen's board in a real browser (headless Chromium, the app on loopback, a dozen phone orders): sorted
by when they are due, the shop's clock whatever the tablet's zone, late and soon marks, kitchen lines, the
allergy at the top of its card, Cancel behind "More" and confirmed (texting the customer when asked), an
unknown status shown as an error, and on a 390x844 phone the next order's action on the first screen."""
import pytest

from tests.board_scene import emulate, live_board, place_dozen, screenshots, sign_in
from tests.servers import wait_until
from tests.web.test_board_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def scene(tmp_path):
    with live_board(tmp_path) as (base, clock, twilio, services):
        numbers = place_dozen(base, clock, services)
        yield base, numbers, twilio, services


def cards(driver, column: str) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll(`.cards[data-status='${arguments[0]}'] .card`)]"
        ".map((card) => card.querySelector('.name').textContent)", column)


def card_text(driver, number: str, selector: str) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll(`.card[data-order='${arguments[0]}'] ${arguments[1]}`)]"
        ".map((node) => node.textContent)", number, selector)


def test_a_tablet_shows_the_orders_by_when_they_are_due_in_the_shops_time(browser, scene):  # noqa: F811
    base, numbers, _, _ = scene
    emulate(browser, 1024, 768)
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/New_York"})
    sign_in(browser, base)
    assert browser.execute_script("return document.getElementById('clock').textContent") == "6:20 pm"
    assert cards(browser, "new") == ["Priya", "Alex", "Mia", "Lee", "Noah", "Zoe", "Omar", "Kim"]
    assert (cards(browser, "preparing"), cards(browser, "ready"), cards(browser, "done")) == (
        ["Sam", "Tom"], ["Jo"], ["Ava"])
    sam, priya, alex = numbers[0], numbers[1], numbers[3]
    assert card_text(browser, sam, ".due") == ["6:15 pm5 min late"]
    assert browser.execute_script(
        "return [...document.querySelectorAll('.card.due-late')].map((c) => c.querySelector('.name').textContent)"
    ) == ["Sam"]
    assert card_text(browser, priya, ".minutes") == ["due now"]
    assert card_text(browser, priya, ".allergy") == ["ALLERGY sesame allergy, please check"]
    assert browser.execute_script(  # the allergy is the first thing on its card, in the alert colour
        "const card = document.querySelector(`.card[data-order='${arguments[0]}']`);"
        "return [card.firstElementChild.className, getComputedStyle(card.firstElementChild).backgroundColor]",
        priya) == ["allergy", "rgb(201, 42, 42)"]
    assert card_text(browser, alex, ".line") == [
        "1 × Large Kebab meal", "Mixed", "NO salad", "Garlic, chilli sauce", "Large chips", "Chicken salt",
        "Coke zero can"]
    assert card_text(browser, alex, ".line.kind-no") == ["NO salad"]
    assert card_text(browser, alex, "footer > button") == ["Start", "Collected"]


def test_cancel_is_behind_more_and_asks_first_and_can_text_the_customer(browser, scene):  # noqa: F811
    from selenium.webdriver.common.by import By
    base, numbers, twilio, _ = scene
    emulate(browser, 1024, 768)
    sign_in(browser, base)
    kim = numbers[11]
    card = browser.find_element(By.CSS_SELECTOR, f".card[data-order='{kim}']")
    cancel = card.find_element(By.CSS_SELECTOR, "button[data-action=cancelled]")
    assert not cancel.is_displayed()  # folded away under "More"
    card.find_element(By.CSS_SELECTOR, ".more summary").click()
    browser.find_element(By.CSS_SELECTOR, f".card[data-order='{kim}'] button[data-action=cancelled]").click()
    dialog = browser.find_element(By.ID, "confirm")
    assert dialog.find_element(By.CLASS_NAME, "question").text == "Cancel order #012 for Kim?"
    dialog.find_element(By.CLASS_NAME, "keep").click()
    assert cards(browser, "new")[-1] == "Kim" and "Kim" not in cards(browser, "done")

    browser.find_element(By.CSS_SELECTOR, f".card[data-order='{kim}'] .more summary").click()
    browser.find_element(By.CSS_SELECTOR, f".card[data-order='{kim}'] button[data-action=cancelled]").click()
    dialog.find_element(By.NAME, "text_customer").click()
    dialog.find_element(By.CLASS_NAME, "cancel-order").click()
    wait_until(lambda: "Kim" in cards(browser, "done"), 5, "Kim's order cancelled")
    sent = wait_until(lambda: [r for r in twilio.sent if "cancelled" in (r.body or "")], 10, "the cancel text")
    assert [(r.to, r.body) for r in sent] == [
        ("+61412340011", "Kebabalab: sorry, order #012 has been cancelled. Questions? Call +61 3 9534 5588.")]


def test_an_order_with_an_unknown_status_is_shown_as_an_error(browser, scene):  # noqa: F811
    base, numbers, _, services = scene
    with services.db.transaction() as conn:
        conn.execute("UPDATE orders SET status = 'lost' WHERE order_number = ?", (numbers[6],))
    emulate(browser, 1024, 768)
    sign_in(browser, base)
    assert browser.execute_script("return document.getElementById('problems').textContent") == (
        "Order #007 (Lee): unknown status 'lost': the board shows new, preparing, ready, collected, cancelled, awaiting. "
        "It is not on the board: tell the owner.")
    assert "Lee" not in cards(browser, "done") + cards(browser, "new")


def test_on_a_phone_the_next_orders_action_is_on_the_first_screen(browser, scene):  # noqa: F811
    base, numbers, _, _ = scene
    emulate(browser, 390, 844)
    sign_in(browser, base)
    first = browser.execute_script(
        "const cards = [...document.querySelectorAll('.card')];"
        "cards.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);"
        "const button = cards[0].querySelector('button.main');"
        "return [cards[0].dataset.order, button.textContent, button.getBoundingClientRect().bottom,"
        "        window.innerHeight, document.documentElement.scrollWidth]")
    assert first[:2] == [numbers[0], "Ready"]  # Sam's, 5 minutes late, being made
    assert first[2] <= first[3] and first[4] <= 390  # on the first screen, and nothing wider than the phone


def test_make_screenshots_writes_readmes_pictures_somewhere_else(browser, scene, tmp_path):  # noqa: F811
    from pathlib import Path
    base, _, _, _ = scene
    sign_in(browser, base)
    written = screenshots(browser, base, tmp_path)
    assert [(p.name, p.read_bytes()[:8]) for p in written] == [
        ("board-tablet.png", b"\x89PNG\r\n\x1a\n"), ("board-phone.png", b"\x89PNG\r\n\x1a\n")]
    docs = Path(__file__).resolve().parents[2] / "docs" / "images"
    assert sorted(p.name for p in docs.glob("board-*.png")) == ["board-phone.png", "board-tablet.png"]
