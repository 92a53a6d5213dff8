"""A Star CloudPRNT printer's side of kitchen tickets, driven as the printer does it: it POSTs a poll, GETs the job
it was offered in the media type it picks, prints it, and DELETEs it with its result code.

Messages follow Star's CloudPRNT Developer Guide (3. Polling the server (POST): the JSON request with printerMAC,
statusCode URL-encoded, printingInProgress; the JSON response's jobReady, mediaTypes, jobToken, deleteMethod;
4. Print job requests (GET) ?type=&mac=&token=; 5. Print job confirmation (DELETE) ?code=&mac=&token=).
"""
import base64

import pytest

from conftest import FRIDAY_6PM
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.messaging.test_kitchen_tickets import business_file, place
from tests.web.test_board import PASSWORD, sign_in

MAC = "00:11:62:1a:2b:3c"
PRINTER_PASSWORD = "star-printer-7731"
STARPRNT = "application/vnd.star.starprnt"


def auth(password: str = PRINTER_PASSWORD) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"printer:{password}".encode()).decode()}


def poll_body(status: str = "200%20OK", printing: bool = False) -> dict:
    return {"status": "23 6 0 0 0 0 0 0 0 ", "printerMAC": MAC, "statusCode": status,
            "printingInProgress": printing, "clientAction": None}


def decode_starprnt(data: bytes) -> list[tuple[str, frozenset]]:
    """StarPRNT bytes -> printed lines with their emphasis (ESC E/F bold, ESC i n n big, ESC 4/5 inverted)."""
    lines, text, styles, mode, i = [], [], set(), {"bold": False, "big": False, "inverted": False}, 0
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1bd\x03"), data[:4] + data[-4:]
    data = data[2:-3]
    while i < len(data):
        if data[i:i + 2] == b"\x1bE" or data[i:i + 2] == b"\x1bF":
            mode["bold"] = data[i + 1:i + 2] == b"E"
            i += 2
        elif data[i:i + 2] == b"\x1b4" or data[i:i + 2] == b"\x1b5":
            mode["inverted"] = data[i + 1:i + 2] == b"4"
            i += 2
        elif data[i:i + 2] == b"\x1bi":
            mode["big"] = data[i + 2] > 0 and data[i + 3] > 0
            i += 4
        elif data[i] == 0x1B:
            raise AssertionError(f"unknown StarPRNT command {data[i:i + 3]!r}")
        elif data[i:i + 1] == b"\n":
            lines.append(("".join(text), frozenset(styles)))
            text, styles = [], set()
            i += 1
        else:
            text.append(chr(data[i]))
            styles.update(name for name, on in mode.items() if on)
            i += 1
    return lines


@pytest.fixture
def shop(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                        shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD,
                        cloudprnt_password=PRINTER_PASSWORD,
                        business_file=business_file(tmp_path, {"cloudprnt": True}))
    app = create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def test_the_printer_polls_fetches_prints_and_confirms_a_ticket_once(shop):
    printer, board = shop.test_client(), shop.test_client()
    assert printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json() == {"jobReady": False}
    place(board, "call-star", "Priya", notes="Sesame allergy")

    offer = printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json()
    token = offer["jobToken"]
    assert offer == {"jobReady": True, "mediaTypes": [STARPRNT, "text/plain"], "jobToken": token,
                     "deleteMethod": "DELETE"}
    # A second poll (another worker answering it) while the printer holds the ticket is not offered it again.
    assert printer.post("/cloudprnt", json=poll_body(printing=True), headers=auth()).get_json() == {"jobReady": False}
    assert printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json() == {"jobReady": False}

    job = printer.get(f"/cloudprnt?type={STARPRNT.replace('/', '%2F')}&mac={MAC}&token={token}", headers=auth())
    assert (job.status_code, job.mimetype) == (200, STARPRNT)
    bold, big = frozenset({"bold"}), frozenset({"bold", "big"})
    alert = frozenset({"bold", "big", "inverted"})
    assert decode_starprnt(job.data) == [
        ("Kebabalab", bold), ("ORDER #001", big), ("!! ALLERGY !!", alert), ("Sesame allergy", alert),
        ("Name: Priya", bold), ("PICKUP 6:30 pm", big), ("Placed 6 pm", frozenset()), ("-" * 42, frozenset()),
        ("1 x large lamb kebab, garlic sauce", bold), ("2 x coke can", bold), ("-" * 42, frozenset()),
        ("ALLERGY: SEE TOP", alert), ("Total $22.00", frozenset())]
    plain = printer.get(f"/cloudprnt?type=text/plain&mac={MAC}&token={token}", headers=auth())
    assert plain.data.decode().splitlines()[:4] == ["Kebabalab", "ORDER #001", "!! ALLERGY !!", "Sesame allergy"]

    done = printer.delete(f"/cloudprnt?code=200%20OK&mac={MAC}&token={token}", headers=auth())
    assert done.status_code == 200
    again = printer.delete(f"/cloudprnt?code=200%20OK&mac={MAC}&token={token}", headers=auth())
    assert (again.status_code, again.get_json()) == (404, {"error": "no ticket is waiting for that token"})
    assert printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json() == {"jobReady": False}

    assert sign_in(board).status_code == 200
    assert board.get("/api/printers").get_json()["printers"] == [{
        "printer": "cloudprnt", "state": "online", "detail": f"200 OK (printer {MAC})", "seenAt": "2026-11-27T18:00:00+11:00",
        "lastPrintedAt": "2026-11-27T18:00:00+11:00", "lastPrintedOrder": "20261127-001", "waiting": 0}]


def test_out_of_paper_holds_the_ticket_and_a_failed_print_is_offered_again(shop):
    printer, board = shop.test_client(), shop.test_client()
    place(board, "call-paper", "Sam")
    empty = poll_body("410%20Paper%20Empty")
    assert printer.post("/cloudprnt", json=empty, headers=auth()).get_json() == {"jobReady": False}
    assert sign_in(board).status_code == 200
    [state] = board.get("/api/printers").get_json()["printers"]
    assert (state["state"], state["detail"], state["waiting"]) == (
        "out_of_paper", f"410 Paper Empty (printer {MAC})", 1)

    first = printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json()["jobToken"]
    failed = printer.delete(f"/cloudprnt?code=520%20Download%20timeout&mac={MAC}&token={first}", headers=auth())
    assert failed.status_code == 200
    second = printer.post("/cloudprnt", json=poll_body(), headers=auth()).get_json()
    assert second["jobReady"] is True and second["jobToken"] != first
    stale = printer.get(f"/cloudprnt?type=text/plain&mac={MAC}&token={first}", headers=auth())
    assert (stale.status_code, stale.get_json()) == (404, {"error": "no ticket is waiting for that token"})


def test_only_the_printer_with_the_password_gets_tickets(shop, tmp_path):
    printer = shop.test_client()
    refused = printer.post("/cloudprnt", json=poll_body(), headers=auth("guess"))
    assert (refused.status_code, refused.get_json()) == (
        401, {"error": "the printer needs the CloudPRNT password (HTTP Basic)"})
    assert refused.headers["WWW-Authenticate"] == 'Basic realm="kebabalab-cloudprnt"'
    assert printer.post("/cloudprnt", json=poll_body()).status_code == 401
    unknown = printer.get(f"/cloudprnt?type=application/pdf&mac={MAC}&token=nothing", headers=auth())
    assert unknown.status_code == 404
