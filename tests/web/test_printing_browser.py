"""Kitchen tickets on the board in headless Chromium: the printer's state beside the header (out of paper, then
printing again) and a card's Reprint button, with the app's own ticket thread printing to a fake ESC/POS printer."""
import pytest

from conftest import FRIDAY_6PM, VapiCall
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.fakes.escpos_printer import FakeEscposPrinter
from tests.messaging.test_kitchen_tickets import business_file
from tests.servers import HttpClient, serving, wait_until
from tests.web.test_board_browser import PASSWORD, browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def printer():
    with FakeEscposPrinter() as fake:
        yield fake


@pytest.fixture
def live_shop(tmp_path, printer):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                        staff_password=PASSWORD, shop_order_to="+61400000001",
                        business_file=business_file(tmp_path, {"escpos": {"host": "127.0.0.1",
                                                                          "port": printer.port}}))
    clock = FixedClock(FRIDAY_6PM)
    app = create_app(settings, clock=clock, start_sender=True)
    app.extensions["kebabalab"].ticket_printer.retry_seconds = 0
    try:
        with serving(app, "printing-app") as base:
            yield base, app
    finally:
        app.extensions["kebabalab"].stop_background()


def test_the_board_shows_the_printer_out_of_paper_and_reprints_a_ticket(browser, live_shop, printer):  # noqa: F811
    from selenium.webdriver.common.by import By

    base, app = live_shop
    printer.paper = False
    browser.get(base + "/board")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded === 'true'"), 10, "the board")

    call = VapiCall(HttpClient(base), call_id="call-print", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]

    chip = browser.find_element(By.ID, "printers")
    wait_until(lambda: "OUT OF PAPER" in chip.text, 15, "the printer's state on the board")
    assert chip.text.startswith("Printer: OUT OF PAPER (the printer is out of paper)")
    assert "alert" in chip.get_attribute("class")

    printer.paper = True
    app.extensions["kebabalab"].ticket_printer.wake()
    printer.wait_for_jobs(1, 15)
    wait_until(lambda: chip.text.startswith("Printer: ready"), 15, "the printer ready again on the board")
    assert "last printed" in chip.text and "alert" not in chip.get_attribute("class")

    button = f".card[data-order='{number}'] button.reprint"
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, button), 10, "a Reprint button on the card")
    browser.execute_script(f'document.querySelector("{button}").click();')
    jobs = printer.wait_for_jobs(2, 15)
    assert jobs[1][0][1].text == "REPRINT (asked by Owner)"
    toast = browser.find_element(By.ID, "toast")
    wait_until(lambda: toast.text == "Ticket #001 sent to the printer again.", 5, "the reprint's toast")
