"""The owner's takings: the page and its API, the CSV for the accountant, and the end-of-day summary text."""
import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import VapiCall, melbourne
from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.store import NewOrder
from kebabalab.store.owner_notices import notices_with_key
from kebabalab.web.app import create_app
from kebabalab.web.takings_csv import neutralise
from tests.web.test_delivery_receipts import twilio  # noqa: F401  (a fixture)
from tests.web.test_board import PASSWORD, csrf, sign_in

OWNER = "+61411222333"
DEFAULT_BUSINESS = Path(__file__).parents[2] / "kebabalab" / "data" / "business.json"


@pytest.fixture
def business_file(tmp_path) -> str:
    data = json.loads(DEFAULT_BUSINESS.read_text())
    path = tmp_path / "business.json"
    path.write_text(json.dumps({**data, "owner": {"phone": "0411 222 333"}}))
    return str(path)


def shop_settings(database_url, business_file, twilio) -> Settings:
    return Settings(database_url=database_url, allow_unauthenticated=True, shop_order_to="+61400000001",
                    send_sms_in_background=False, staff_password=PASSWORD, business_file=business_file,
                    twilio_account_sid="AC" + "0" * 32, twilio_auth_token="token", twilio_from_number="+61400000000",
                    twilio_api_base_url=twilio.base_url)


@pytest.fixture
def settings(tmp_path, business_file, twilio) -> Settings:
    return shop_settings(f"sqlite:///{tmp_path}/orders.db", business_file, twilio)


def phone_order(client, clock, call_id, at, description, name="Sam"):
    clock.set(at)
    call = VapiCall(client, call_id=call_id)
    call.ok("quickAddItem", description=description)
    call.ok("setPickupTime", requestedTime="asap")
    return call.ok("createOrder", customerName=name)["orderNumber"]


def counter_order(services, at, name, items, total):
    """Keyed in at the counter: no call (issue 21's counter orders have call_id NULL)."""
    new = NewOrder(call_id=None, idempotency_key=None, customer_name=name, customer_phone=None, items=items,
                   subtotal=total, gst=round(total / 11), total=total, ready_at=at.isoformat(), notes="",
                   order_day="2026-11-27", created_at=at.isoformat())
    return services.db.place_order(new, lambda order: [])


@pytest.fixture
def friday(client, clock, services):
    """Friday 27 November: two phone orders (6 pm, 7 pm), one at the counter (7:30 pm), one cancelled."""
    phone_order(client, clock, "call-1", melbourne(2026, 11, 27, 18, 5), "a large lamb kebab with garlic sauce")
    phone_order(client, clock, "call-2", melbourne(2026, 11, 27, 19, 10), "two small chicken kebabs and a coke")
    counter_order(services, melbourne(2026, 11, 27, 19, 30), "=HYPERLINK(\"http://x\")",
                  [{"item_id": "KEBAB", "description": "small lamb kebab", "quantity": 1, "line_total_cents": 1000}],
                  1000)
    cancelled = phone_order(client, clock, "call-3", melbourne(2026, 11, 27, 20, 0), "a lamb gozleme")
    assert sign_in(client).status_code == 200
    moved = client.post(f"/api/orders/{cancelled}/status", json={"status": "cancelled"},
                        headers={"X-CSRF-Token": csrf(client)})
    assert moved.status_code == 200
    clock.set(melbourne(2026, 11, 27, 21, 0))


def test_todays_takings_total_gst_items_hours_and_phone_against_counter(client, friday):
    assert client.get("/api/takings").get_json() == {
        "day": "2026-11-27", "orders": 3, "total": 48.5, "gst": 4.41, "cancelled": 1,
        "items": [{"name": "Kebab", "quantity": 4, "total": 45.0},
                  {"name": "Soft Drink Can (375ml)", "quantity": 1, "total": 3.5}],
        "byHour": [{"hour": 18, "label": "6 pm", "orders": 1, "total": 15.0},
                   {"hour": 19, "label": "7 pm", "orders": 2, "total": 33.5}],
        "phone": {"orders": 2, "total": 38.5}, "counter": {"orders": 1, "total": 10.0}}


def test_any_days_takings_and_a_clear_error_for_a_bad_day(client, friday):
    assert client.get("/api/takings?day=2026-11-26").get_json()["orders"] == 0
    refused = client.get("/api/takings?day=27/11/2026")
    assert (refused.status_code, refused.get_json()) == (400, {"error": "day must be a date like 2026-11-27, not "
                                                                        "'27/11/2026'"})


def test_the_page_shows_the_figures_and_the_board_links_to_it_for_the_owner(client, friday):
    board = client.get("/board").get_data(as_text=True)
    assert '<a id="takings-link" class="chip quiet" href="/board/takings">Takings</a>' in board
    page = client.get("/board/takings").get_data(as_text=True)
    assert '<strong id="total">$48.50</strong>' in page and '<strong id="phone">2 · $38.50</strong>' in page


def test_staff_cannot_see_the_takings(client, friday):
    with client.session_transaction("/board") as flask_session:
        flask_session["staff_name"], flask_session["role"] = "Ali", "staff"
    for path in ("/board/takings", "/api/takings", "/board/takings.csv?day=2026-11-27"):
        response = client.get(path)
        assert (response.status_code, response.get_json()) == (
            403, {"error": "only the owner can do that; sign in as the owner"})
    assert "takings-link" not in client.get("/board").get_data(as_text=True)


def test_signed_out_the_takings_are_closed(app):
    client = app.test_client()
    assert client.get("/api/takings").status_code == 401
    assert client.get("/board/takings").headers["Location"] == "/board/login"


def test_the_csv_has_every_order_and_runs_no_formula(client, friday):
    response = client.get("/board/takings.csv?day=2026-11-27")
    assert response.headers["Content-Disposition"] == 'attachment; filename="takings-2026-11-27.csv"'
    assert response.get_data(as_text=True).split("\r\n") == [
        "order,placed_at,channel,status,customer,items,subtotal,gst,total",
        "20261127-001,2026-11-27T18:05:00+11:00,phone,new,Sam,\"1x large lamb kebab, garlic sauce\",15.00,1.36,15.00",
        "20261127-002,2026-11-27T19:10:00+11:00,phone,new,Sam,2x small chicken kebab; 1x coke can,23.50,2.14,23.50",
        "20261127-003,2026-11-27T19:30:00+11:00,counter,new,\"'=HYPERLINK(\"\"http://x\"\")\",1x small lamb kebab,"
        "10.00,0.91,10.00",
        "20261127-004,2026-11-27T20:00:00+11:00,phone,cancelled,Sam,1x lamb gozleme,15.00,1.36,15.00",
        ""]


@pytest.mark.parametrize("cell, shown", [
    ("=1+1", "'=1+1"), ("+61412345678", "'+61412345678"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"), ("Sam = chef", "Sam = chef"), ("", ""),
], ids=["equals", "plus", "minus", "at", "tab", "carriage return", "inside", "empty"])
def test_formula_like_cells_are_neutralised(cell, shown):
    assert neutralise(cell) == shown


# -- the end-of-day summary ------------------------------------------------------------------------------

SUMMARY = ("Kebabalab takings Fri 27 Nov\n3 orders, $48.50 (incl GST $4.41)\nPhone 2 ($38.50), counter 1 ($10.00)\n"
           "Cancelled 1\nTop: Kebab x4, Soft Drink Can (375ml) x1\nLost orders: none.")


def owner_texts(twilio):
    return [r.body for r in twilio.sent if r.to == OWNER]


def test_the_owner_gets_the_summary_at_closing_time_once(friday, services, clock, twilio):
    clock.set(melbourne(2026, 11, 28, 1, 59))  # Friday closes at 2 am
    assert services.notices.run_once() == {"sent": 0, "failed": 0}
    clock.set(melbourne(2026, 11, 28, 2, 0))
    assert services.notices.run_once() == {"sent": 1, "failed": 0}
    clock.set(melbourne(2026, 11, 28, 2, 5))
    assert services.notices.run_once() == {"sent": 0, "failed": 0}
    assert owner_texts(twilio) == [SUMMARY]


def test_several_workers_send_one_summary(database_url, business_file, twilio, tmp_path):
    """Two apps on one database (two gunicorn workers, or two machines on PostgreSQL) both see closing time."""
    clock = FixedClock(melbourne(2026, 11, 27, 18, 5))
    apps = [create_app(shop_settings(database_url, business_file, twilio), clock=clock, start_sender=False)
            for _ in range(2)]
    try:
        phone_order(apps[0].test_client(), clock, "call-1", clock.now(), "a large lamb kebab")
        clock.set(melbourne(2026, 11, 28, 2, 1))
        sent = [app.extensions["kebabalab"].notices.run_once()["sent"] for app in apps + apps]
        assert (sent, len(owner_texts(twilio))) == ([1, 0, 0, 0], 1)
        rows = notices_with_key(apps[1].extensions["kebabalab"].db, "day-summary:2026-11-27")
        assert [(r["channel"], r["to_address"], r["status"]) for r in rows] == [("text", OWNER, "sent")]
    finally:
        for app in apps:
            app.extensions["kebabalab"].stop_background()
            app.extensions["kebabalab"].db.close()


def test_a_summary_twilio_refused_is_tried_again(friday, services, clock, twilio):
    clock.set(melbourne(2026, 11, 28, 2, 0))
    twilio.fail_next(1, status=503)
    assert services.notices.run_once() == {"sent": 0, "failed": 1}
    clock.set(melbourne(2026, 11, 28, 2, 2))
    assert services.notices.run_once() == {"sent": 1, "failed": 0}
    assert owner_texts(twilio) == [SUMMARY]
