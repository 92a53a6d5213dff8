"""Kitchen tickets on a network receipt printer: a phone order placed through the webhook prints on a fake ESC/POS
printer on 127.0.0.1, which decodes the bytes it receives (text and emphasis); once, with two workers and after a
restart; kept while the printer is off or out of paper, its state on the board; reprinted from the board."""
import json
import threading
from pathlib import Path

import pytest

from conftest import FRIDAY_6PM, VapiCall
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.fakes.escpos_printer import FakeEscposPrinter, PrintedLine
from tests.web.test_board import PASSWORD, csrf, sign_in

DEFAULT_BUSINESS = Path(__file__).parents[2] / "kebabalab" / "data" / "business.json"
B, BIG, ALERT = frozenset({"bold"}), frozenset({"bold", "double_height", "double_width"}), \
    frozenset({"bold", "double_height", "double_width", "inverted"})
PLAIN = frozenset()


def business_file(tmp_path, printing: dict) -> str:
    data = json.loads(DEFAULT_BUSINESS.read_text())
    data["printing"] = printing
    path = tmp_path / "business.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def printer():
    with FakeEscposPrinter() as fake:
        yield fake


@pytest.fixture
def shop_settings(tmp_path, printer) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD,
                    business_file=business_file(tmp_path, {"escpos": {"host": "127.0.0.1", "port": printer.port}}))


@pytest.fixture
def shop(shop_settings):
    app = create_app(shop_settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def place(client, call_id: str, name: str, notes: str | None = None) -> str:
    call = VapiCall(client, call_id=call_id)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("quickAddItem", description="two cans of coke")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    args = {"customerName": name, **({"notes": notes} if notes else {})}
    return call.ok("createOrder", **args)["orderNumber"]


def test_a_phone_order_prints_with_its_allergy_impossible_to_miss(shop, printer):
    place(shop.test_client(), "call-nuts", "Priya", notes="Severe peanut allergy, no nuts at all please")
    assert shop.extensions["kebabalab"].ticket_printer.print_next() is True

    [(lines, cut)] = printer.wait_for_jobs(1)
    assert cut is True
    assert lines == [
        PrintedLine("Kebabalab", B),
        PrintedLine("ORDER #001", BIG),
        PrintedLine("!! ALLERGY !!", ALERT),
        PrintedLine("Severe peanut", ALERT),
        PrintedLine("allergy, no nuts at", ALERT),
        PrintedLine("all please", ALERT),
        PrintedLine("Name: Priya", B),
        PrintedLine("PICKUP 6:30 pm", BIG),
        PrintedLine("Placed 6 pm", PLAIN),
        PrintedLine("-" * 42, PLAIN),
        PrintedLine("1 x large lamb kebab, garlic sauce", B),
        PrintedLine("2 x coke can", B),
        PrintedLine("-" * 42, PLAIN),
        PrintedLine("ALLERGY: SEE TOP", ALERT),
        PrintedLine("Total $22.00", PLAIN),
    ]


def test_each_ticket_prints_once_with_two_workers_and_not_again_after_a_restart(shop_settings, printer):
    clock = FixedClock(FRIDAY_6PM)
    workers = [create_app(shop_settings, clock=clock, start_sender=False) for _ in range(2)]
    try:
        names = ["Sam", "Priya", "Mehmet", "Jo", "Aisha", "Tom"]
        numbers = [place(workers[i % 2].test_client(), f"call-{i}", name) for i, name in enumerate(names)]
        drivers = [app.extensions["kebabalab"].ticket_printer for app in workers]
        threads = [threading.Thread(target=lambda d=d: [d.print_next() for _ in range(6)]) for d in drivers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        jobs = printer.wait_for_jobs(6)
        printed = sorted(lines[1].text for lines, _ in jobs)
        assert printed == [f"ORDER #00{n}" for n in range(1, 7)]
        assert len(numbers) == 6
    finally:
        for app in workers:
            app.extensions["kebabalab"].stop_background()
    restarted = create_app(shop_settings, clock=clock, start_sender=False)
    try:
        assert restarted.extensions["kebabalab"].ticket_printer.print_next() is False
        assert len(printer.jobs) == 6
    finally:
        restarted.extensions["kebabalab"].stop_background()


def test_out_of_paper_keeps_the_ticket_and_says_so_on_the_board(shop, printer):
    client = shop.test_client()
    place(client, "call-paper", "Sam")
    driver = shop.extensions["kebabalab"].ticket_printer
    printer.paper = False
    assert driver.print_next() is False
    assert printer.jobs == []
    assert sign_in(client).status_code == 200
    [state] = client.get("/api/printers").get_json()["printers"]
    assert state == {"printer": "escpos", "state": "out_of_paper", "detail": "the printer is out of paper",
                     "seenAt": "2026-11-27T18:00:00+11:00", "lastPrintedAt": None, "lastPrintedOrder": None,
                     "waiting": 1}

    printer.paper = True
    shop.extensions["kebabalab"].clock.advance(seconds=10)
    assert driver.print_next() is True
    [(lines, _)] = printer.wait_for_jobs(1)
    assert lines[1] == PrintedLine("ORDER #001", BIG)
    [state] = client.get("/api/printers").get_json()["printers"]
    assert (state["state"], state["lastPrintedOrder"], state["lastPrintedAt"], state["waiting"]) == (
        "online", "20261127-001", "2026-11-27T18:00:10+11:00", 0)


def test_a_printer_that_is_off_shows_offline_on_the_board(shop, printer):
    client = shop.test_client()
    place(client, "call-off", "Sam")
    driver = shop.extensions["kebabalab"].ticket_printer
    port = printer.port
    printer.stop()
    assert driver.print_next() is False
    assert sign_in(client).status_code == 200
    [state] = client.get("/api/printers").get_json()["printers"]
    assert (state["state"], state["detail"], state["waiting"]) == (
        "offline", f"no answer from the printer at 127.0.0.1:{port}", 1)


def test_staff_reprint_from_the_board_says_who_asked(shop, printer):
    client = shop.test_client()
    number = place(client, "call-reprint", "Sam")
    driver = shop.extensions["kebabalab"].ticket_printer
    assert driver.print_next() is True
    assert sign_in(client).status_code == 200
    response = client.post(f"/api/orders/{number}/reprint", json={}, headers={"X-CSRF-Token": csrf(client)})
    assert (response.status_code, response.get_json()) == (200, {"orderNumber": number, "queuedOn": ["escpos"]})
    assert driver.print_next() is True
    first, again = printer.wait_for_jobs(2)
    assert again[0][:3] == [PrintedLine("Kebabalab", B), PrintedLine("REPRINT (asked by Owner)", B),
                            PrintedLine("ORDER #001", BIG)]
    assert [line.text for line in again[0][3:]] == [line.text for line in first[0][2:]]
    missing = client.post("/api/orders/20261127-999/reprint", json={}, headers={"X-CSRF-Token": csrf(client)})
    assert (missing.status_code, missing.get_json()) == (404, {"error": "no order 20261127-999"})
