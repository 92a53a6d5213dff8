"""A stale tablet (its view not yet refreshed) acting on an order another tablet already changed, in a real
browser: its Undo and its change of lines are refused with a sentence, and the other tablet's work stands."""
import pytest

from conftest import VapiCall
from kebabalab.service.order_edit import edit_order
from kebabalab.service.status import change_status
from tests.board_scene import emulate, live_board, sign_in
from tests.servers import HttpClient, wait_until
from tests.web.test_board_browser import browser, card_status, click  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow

# The tablet stops hearing about changes: its reads of the board hang, as on a flaky Wi-Fi; its taps still go.
FREEZE = ("const real = window.fetch; window.fetch = (url, options) => "
          "(options && options.method === 'POST') ? real(url, options) : new Promise(() => {});")


def toast(driver) -> str:
    return driver.execute_script("const t = document.getElementById('toast'); return t.hidden ? '' : t.textContent")


@pytest.fixture
def scene(tmp_path, browser):  # noqa: F811
    with live_board(tmp_path) as (base, clock, twilio, services):
        call = VapiCall(HttpClient(base), call_id="call-stale", number="+61412340001")
        call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
        call.ok("quickAddItem", description="a can of coke")
        call.ok("setPickupTime", requestedTime="6:30 pm")
        number = call.ok("createOrder", customerName="Raj")["orderNumber"]
        emulate(browser, 1024, 768)
        sign_in(browser, base)
        yield browser, services, number


def test_a_stale_undo_does_not_take_back_another_tablets_move(scene):
    driver, services, number = scene
    click(driver, number, "preparing")
    wait_until(lambda: card_status(driver, number) == "preparing", 5, "the order started")
    driver.execute_script(FREEZE)
    change_status(services, number, "ready", actor="Sam")  # the other tablet: it is ready
    click(driver, number, "undo")  # this tablet still shows it preparing, and means to take back its Start
    wait_until(lambda: toast(driver), 5, "the refusal")
    assert toast(driver) == "Order #001 is ready now, not preparing."
    assert services.db.find_order(number).status == "ready"


def test_a_stale_change_does_not_take_away_a_line_another_tablet_changed(scene):
    from selenium.webdriver.common.by import By
    driver, services, number = scene
    driver.execute_script(FREEZE)
    card = driver.find_element(By.CSS_SELECTOR, f".card[data-order='{number}']")
    card.find_element(By.CSS_SELECTOR, ".more summary").click()
    card.find_element(By.CSS_SELECTOR, "button[data-action=edit]").click()
    edit_order(services, number, [], [0], "Sam")  # the other tablet took the kebab away
    driver.find_element(By.CSS_SELECTOR, "#edit-lines input[name=remove][value='0']").click()  # meant the kebab
    driver.find_element(By.ID, "edit-save").click()
    wait_until(lambda: toast(driver), 5, "the refusal")
    assert toast(driver) == "Order #001 was changed by someone else; reload the board and try again."
    assert [i["description"] for i in services.db.find_order(number).items] == ["coke can"]
