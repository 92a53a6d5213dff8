"""A busy Friday's board, for the browser tests and README's pictures: a dozen orders placed through the real
webhook (phone calls) at the times customers asked for, some started, one ready, one collected, one with an
allergy, one late; then the shop's clock set to 6:20 pm.

    python -m tests.board_scene OUTPUT_DIR     write board-tablet.png (1024x768) and board-phone.png (390x844)

`make screenshots` writes README's pictures into docs/images/ this way; the test writes them to a temporary
folder and never touches the tracked files.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # conftest's helpers, when run as a script
from conftest import FRIDAY_6PM, VapiCall  # noqa: E402
from kebabalab.clock import FixedClock
from kebabalab.config import Settings  # noqa: E402
from kebabalab.web.app import create_app  # noqa: E402
from tests.fakes import FakeTwilio  # noqa: E402
from tests.servers import HttpClient  # noqa: E402

PASSWORD = "counter-2468"
SIZES = {"board-tablet.png": (1024, 768), "board-phone.png": (390, 844)}
# (name, what they said, pickup asked for, notes, moves on the board)
ORDERS = (
    ("Sam", "a large lamb kebab with lettuce tomato onion and garlic sauce", "6:15 pm", "", ["preparing"]),
    ("Priya", "a small falafel HSP with hummus, no cheese", "6:20 pm", "sesame allergy, please check", []),
    ("Jo", "two large chips with chicken salt and two cokes", "6:20 pm", "", ["preparing", "ready"]),
    ("Alex", "a large mixed kebab meal with garlic and chilli, large chips, a coke zero", "6:25 pm", "", []),
    ("Mia", "a small chicken kebab with lettuce, bbq sauce and extra cheese", "6:25 pm", "cut in half", []),
    ("Tom", "a large lamb HSP with garlic chilli and bbq", "6:30 pm", "", ["preparing"]),
    ("Lee", "a lamb gozleme and an ayran", "6:35 pm", "", []),
    ("Noah", "three baklava and a turkish delight", "6:40 pm", "", []),
    ("Ava", "a small chips with no salt and a water", "6:10 pm", "", ["preparing", "ready", "collected"]),
    ("Zoe", "a large chicken kebab with the lot and garlic sauce", "6:45 pm", "", []),
    ("Omar", "a large falafel kebab with tomato, onion and hummus", "6:50 pm", "no onion on the second one", []),
    ("Kim", "a meat container 500g mixed with garlic sauce", "7 pm", "", []),
)


@contextmanager
def live_board(tmp_path: Path, clock: FixedClock | None = None):
    """The app on a loopback port with Twilio faked; yields (base URL, clock, the fake Twilio, services)."""
    from werkzeug.serving import make_server
    clock = clock or FixedClock(FRIDAY_6PM)
    with FakeTwilio() as twilio:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                            staff_password=PASSWORD, shop_order_to="+61400000001",
                            twilio_account_sid="AC" + "0" * 32, twilio_auth_token="token",
                            twilio_from_number="+61400000000", twilio_api_base_url=twilio.base_url)
        app = create_app(settings, clock=clock, start_sender=True)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="board-app", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", clock, twilio, app.extensions["kebabalab"].for_shop("main")
        finally:
            server.shutdown()
            thread.join(5)
            app.extensions["kebabalab"].stop_background()


def place_dozen(base: str, clock: FixedClock, services) -> list[str]:
    """The dozen orders, placed from 5 pm on; the clock left at 6:20 pm. Returns their order numbers."""
    from kebabalab.service.status import change_status
    clock.set(FRIDAY_6PM - timedelta(minutes=60))
    numbers = []
    for n, (name, said, when, notes, moves) in enumerate(ORDERS):
        call = VapiCall(HttpClient(base), call_id=f"call-scene-{n}", number=f"+6141234{n:04d}")
        call.ok("quickAddItem", description=said)
        call.ok("setPickupTime", requestedTime=when)
        numbers.append(call.ok("createOrder", customerName=name, notes=notes)["orderNumber"])
        clock.advance(minutes=2)
    for number, (*_, moves) in zip(numbers, ORDERS):
        for status in moves:
            change_status(services, number, status, actor="Sam")
    clock.set(FRIDAY_6PM + timedelta(minutes=20))
    return numbers


def emulate(driver, width: int, height: int) -> None:
    """Exactly this viewport (a phone's is mobile), whatever the headless window is."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 700})


def sign_in(driver, base: str, secret: str = PASSWORD) -> None:
    from selenium.webdriver.common.by import By
    from tests.servers import wait_until
    driver.get(base + "/board/login")
    driver.find_element(By.ID, "password").send_keys(secret)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: driver.execute_script("return document.body.dataset.loaded === 'true'"), 10,
               "the board loaded its orders")


def screenshots(driver, base: str, folder: Path) -> list[Path]:
    """README's pictures of the signed-in board, at a tablet's and a phone's size."""
    from tests.servers import wait_until
    written = []
    for name, (width, height) in SIZES.items():
        emulate(driver, width, height)
        driver.refresh()
        wait_until(lambda: driver.execute_script("return document.body.dataset.loaded === 'true'"), 10, "reload")
        path = folder / name
        path.write_bytes(driver.get_screenshot_as_png())
        written.append(path)
    return written


def chromium(profile: Path):
    """Headless Debian Chromium, as tests/web/test_board_browser.py drives it."""
    import shutil
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from tests.web.test_board_browser import CHROMIUM_FLAGS
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))


def main(argv: list[str]) -> int:
    import tempfile
    if len(argv) != 1:
        print("usage: python -m tests.board_scene OUTPUT_DIR")
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, live_board(Path(tmp)) as (base, clock, _, services):
        place_dozen(base, clock, services)
        driver = chromium(Path(tmp) / "profile")
        try:
            sign_in(driver, base)
            for path in screenshots(driver, base, folder):
                print(f"wrote {path}")
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
