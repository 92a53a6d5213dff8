"""Each shop's kitchen printers: a Star CloudPRNT printer polls its own shop's path with its own shop's password
and never gets another shop's ticket; a reprint from one shop's board goes to that shop's printers only; the
printing status shows the shop's own printers.

The printer's side follows Star's CloudPRNT Developer Guide as tests/web/test_cloudprnt.py does (POST poll, GET the
job with ?type=&token=, DELETE with ?code=)."""
from __future__ import annotations

import json

import pytest

from kebabalab.web.app import create_app
from tests.messaging.test_kitchen_tickets import business_file
from tests.web.test_cloudprnt import MAC, auth, poll_body
from tests.web.test_shop_boards import FITZROY_PASSWORD, MAIN_PASSWORD, settings_for, signed_in
from tests.web.test_shops import FITZROY_NUMBER, MAIN_NUMBER, order_at, write_shop

MAIN_PRINTER, FITZ_PRINTER = "main-star-4410", "fitz-star-8823"


def star_on(business: dict) -> None:
    business.update(name="Kebabalab Fitzroy", printing={"cloudprnt": True})


@pytest.fixture
def app(tmp_path, clock):
    root = tmp_path / "shops"
    (root / "main").mkdir(parents=True)
    (root / "main" / "shop.json").write_text(json.dumps({"numbers": [MAIN_NUMBER]}))
    write_shop(root / "fitzroy", {"numbers": [FITZROY_NUMBER], "staffPassword": FITZROY_PASSWORD,
                                  "cloudprntPassword": FITZ_PRINTER}, business_change=star_on)
    write_shop(root / "carlton", {"numbers": ["+61393470000"]}, business_change=star_on)  # no password of its own
    settings = settings_for(tmp_path, root).replace(cloudprnt_password=MAIN_PRINTER,
                                                    business_file=business_file(tmp_path, {"cloudprnt": True}))
    app = create_app(settings, clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def fetch(printer, path: str, password: str) -> str | None:
    """One poll and, when offered, the ticket as plain text, confirmed printed; None when nothing was offered."""
    offer = printer.post(path, json=poll_body(), headers=auth(password)).get_json()
    if not offer["jobReady"]:
        return None
    token = offer["jobToken"]
    ticket = printer.get(f"{path}?type=text/plain&mac={MAC}&token={token}", headers=auth(password))
    assert ticket.status_code == 200
    assert printer.delete(f"{path}?code=200%20OK&mac={MAC}&token={token}", headers=auth(password)).status_code == 200
    return ticket.data.decode()


def ticket_head(text: str) -> list[str]:
    lines = text.splitlines()
    return [lines[0], *(line for line in lines if line.startswith(("ORDER ", "REPRINT", "Name: ")))]


def test_each_shops_printer_gets_its_own_shops_tickets_only(app):
    webhook, printer = app.test_client(), app.test_client()
    order_at(webhook, "call-main", name="Priya Main", number=MAIN_NUMBER)
    order_at(webhook, "call-fitz", name="Sam Fitz", number=FITZROY_NUMBER)
    assert ticket_head(fetch(printer, "/cloudprnt/fitzroy", FITZ_PRINTER)) == [
        "Kebabalab Fitzroy", "ORDER #001", "Name: Sam Fitz"]
    assert fetch(printer, "/cloudprnt/fitzroy", FITZ_PRINTER) is None  # main's ticket is not fitzroy's
    assert ticket_head(fetch(printer, "/cloudprnt", MAIN_PRINTER)) == ["Kebabalab", "ORDER #001", "Name: Priya Main"]
    assert fetch(printer, "/cloudprnt/main", MAIN_PRINTER) is None


def test_a_printer_with_another_shops_password_gets_nothing(app):
    webhook, printer = app.test_client(), app.test_client()
    order_at(webhook, "call-main", name="Priya Main", number=MAIN_NUMBER)
    order_at(webhook, "call-fitz", name="Sam Fitz", number=FITZROY_NUMBER)
    for path, password in (("/cloudprnt", FITZ_PRINTER), ("/cloudprnt/main", FITZ_PRINTER),
                           ("/cloudprnt/fitzroy", MAIN_PRINTER)):
        refused = printer.post(path, json=poll_body(), headers=auth(password))
        assert (refused.status_code, refused.get_json()) == (
            401, {"error": "the printer needs the CloudPRNT password (HTTP Basic)"}), path
    # CLOUDPRNT_PASSWORD is main's: a shop without a cloudprntPassword of its own has CloudPRNT off
    for path in ("/cloudprnt/carlton", "/cloudprnt/nowhere"):
        off = printer.post(path, json=poll_body(), headers=auth(MAIN_PRINTER))
        assert (off.status_code, off.get_json()) == (404, {"error": "CloudPRNT is not turned on for this shop"})
    assert ticket_head(fetch(printer, "/cloudprnt/fitzroy", FITZ_PRINTER))[2] == "Name: Sam Fitz"  # still waiting


def test_a_reprint_from_a_board_goes_to_its_own_shops_printer_with_its_own_order(app):
    webhook, printer = app.test_client(), app.test_client()
    order_at(webhook, "call-main", name="Priya Main", number=MAIN_NUMBER)  # main's #001, first in the table
    order_at(webhook, "call-fitz", name="Sam Fitz", number=FITZROY_NUMBER)  # fitzroy's #001
    order_at(webhook, "call-main-2", name="Priya Main", number=MAIN_NUMBER)  # main's #002: fitzroy has none
    while fetch(printer, "/cloudprnt", MAIN_PRINTER):
        pass
    fetch(printer, "/cloudprnt/fitzroy", FITZ_PRINTER)
    fitz, token = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    queued = fitz.post("/api/orders/20261127-001/reprint", headers={"X-CSRF-Token": token})
    assert (queued.status_code, queued.get_json()) == (200, {"orderNumber": "20261127-001", "queuedOn": ["cloudprnt"]})
    missing = fitz.post("/api/orders/20261127-002/reprint", headers={"X-CSRF-Token": token})
    assert (missing.status_code, missing.get_json()) == (404, {"error": "no order 20261127-002"})
    assert fetch(printer, "/cloudprnt", MAIN_PRINTER) is None
    reprinted = fetch(printer, "/cloudprnt/fitzroy", FITZ_PRINTER)
    assert ticket_head(reprinted) == ["Kebabalab Fitzroy", "REPRINT (asked by Owner)", "ORDER #001", "Name: Sam Fitz"]
    assert "Priya" not in reprinted

    main_tablet, _ = signed_in(app, "main", MAIN_PASSWORD)
    [main_state] = main_tablet.get("/api/printers").get_json()["printers"]
    [fitz_state] = fitz.get("/api/printers").get_json()["printers"]
    assert (main_state["lastPrintedOrder"], main_state["waiting"]) == ("20261127-002", 0)
    assert (fitz_state["lastPrintedOrder"], fitz_state["waiting"]) == ("20261127-001", 0)
    carlton = app.extensions["kebabalab"].for_shop("carlton")
    assert carlton.print_queue.states() == []  # nobody's printer was recorded as carlton's
