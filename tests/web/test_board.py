"""The shop's order board and its API: sign-in, CSRF, lock-out, status changes, 'ready' texts, availability."""
import re
import threading

import pytest
from werkzeug.security import generate_password_hash

from conftest import VapiCall, melbourne, vapi_fixture
from kebabalab.config import Settings
from kebabalab.store import utc_text
from kebabalab.service.status import change_status, orders_today
from kebabalab.shop.order_status import MoveRefused, check_move, undo_target
from kebabalab.store.status import order_events
from kebabalab.web.app import create_app
from kebabalab.web.staff_auth import hash_password, session_key


PASSWORD = "kebab-2468"
CALLER = "+61412345678"
LAMB_REFUSAL = "Sorry, we're out of lamb today; we have chicken, mixed or falafel."


@pytest.fixture
def settings(tmp_path) -> Settings:
    """conftest's settings with a staff password: every fixture built on `settings` gets the board on."""
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD)


def csrf(client) -> str:
    return client.get("/api/session").get_json()["csrfToken"]


def sign_in(client, password: str = PASSWORD, **kwargs):
    return client.post("/board/login", json={"password": password}, headers={"X-CSRF-Token": csrf(client)},
                       **kwargs)


@pytest.fixture
def staff(client):
    """The test client signed in; returns a function that POSTs JSON with the CSRF token."""
    assert sign_in(client).status_code == 200
    token = csrf(client)
    return lambda path, body: client.post(path, json=body, headers={"X-CSRF-Token": token})


def place_order(client, call_id: str = "call-1", name: str = "Sam", notes: str = "", number=CALLER) -> str:
    call = VapiCall(client, call_id=call_id, number=number)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    return call.ok("createOrder", customerName=name, notes=notes)["orderNumber"]


def outbox_kinds(services, number: str) -> list[tuple[str, str, str]]:
    order = services.db.find_order(number)
    return [(row.kind, row.to_phone, row.body) for row in services.db.outbox_for_order(order.id)]


# -- signed out, sign-in, lock-out, CSRF, cookies ----------------------------------------------------------

@pytest.mark.parametrize("method, path", [("GET", "/board"), ("POST", "/board/logout")])
def test_signed_out_pages_redirect_to_the_sign_in(client, method, path):
    response = client.open(path, method=method)
    assert (response.status_code, response.headers["Location"]) == (302, "/board/login")


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/orders"), ("POST", "/api/orders/20261127-001/status"), ("GET", "/api/availability"),
    ("POST", "/api/availability")])
def test_signed_out_api_answers_401_in_json(client, method, path):
    response = client.open(path, method=method, json={"status": "ready"})
    assert (response.status_code, response.get_json()) == (401, {"error": "sign in to the board first"})


def test_sign_in_page_and_session_are_public(client):
    page = client.get("/board/login")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.get("/api/session").get_json() == {"signedIn": False, "csrfToken": token}


def test_sign_in_with_the_form_and_sign_out(client):
    token = csrf(client)
    response = client.post("/board/login", data={"password": PASSWORD, "csrf_token": token})
    assert (response.status_code, response.headers["Location"]) == (303, "/board")
    assert client.get("/api/orders").status_code == 200
    fresh = csrf(client)
    assert fresh != token  # a new session on sign-in: a token planted before it is worthless
    response = client.post("/board/logout", data={"csrf_token": fresh})
    assert (response.status_code, response.headers["Location"]) == (303, "/board/login")
    assert client.get("/api/orders").status_code == 401


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "form"])
def test_wrong_password_is_401_and_sets_no_cookie(client, as_json):
    token = csrf(client)
    if as_json:
        response = client.post("/board/login", json={"password": "1234"}, headers={"X-CSRF-Token": token})
        assert response.get_json() == {"error": "Wrong PIN or password."}
    else:
        response = client.post("/board/login", data={"password": "1234", "csrf_token": token})
        assert "Wrong PIN or password." in response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/orders").status_code == 401


def test_five_wrong_passwords_lock_the_address_out_for_15_minutes(client, clock):
    for _ in range(5):
        assert sign_in(client, "0000").status_code == 401
    locked = sign_in(client)  # even the right password
    assert (locked.status_code, locked.headers["Retry-After"], locked.get_json()) == (
        429, "900", {"error": "Too many wrong tries: wait 15 minutes."})
    assert sign_in(client, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200  # another tablet
    clock.advance(minutes=14, seconds=59)
    assert sign_in(client).status_code == 429
    clock.advance(seconds=1)
    assert sign_in(client).status_code == 200


def test_wrong_passwords_spread_over_more_than_15_minutes_do_not_lock(client, clock):
    for _ in range(4):
        assert sign_in(client, "0000").status_code == 401
    clock.advance(minutes=15)
    for _ in range(4):
        assert sign_in(client, "0000").status_code == 401
    assert sign_in(client).status_code == 200


def test_sign_in_needs_csrf(client):
    client.get("/board/login")
    response = client.post("/board/login", data={"password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/api/orders").status_code == 401


@pytest.mark.parametrize("path, body", [
    ("/api/orders/20261127-001/status", {"status": "preparing"}),
    ("/api/availability", {"paused": True}),
    ("/board/logout", {}),
])
@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "wrong"])
def test_every_change_needs_the_csrf_token(client, services, path, body, token):
    place_order(client)
    assert sign_in(client).status_code == 200
    headers = {"X-CSRF-Token": token} if token else {}
    response = client.post(path, json=body, headers=headers)
    assert (response.status_code, response.get_json()) == (403, {"error": "missing or wrong CSRF token; "
                                                                          "reload the board"})
    assert services.db.find_order("20261127-001").status == "new"
    assert services.availability.in_force().paused is False
    assert client.get("/api/orders").status_code == 200  # still signed in


def cookie_of(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("kebabalab_staff="))


def test_session_cookie_is_httponly_and_samesite_lax_over_http(client):
    flags = cookie_of(sign_in(client)).split("; ")
    assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Secure" not in flags


@pytest.mark.parametrize("how", ["https", "proxy"])
def test_session_cookie_is_secure_over_https(app, how):
    client = app.test_client()
    headers, base = ({}, {"base_url": "https://localhost"}) if how == "https" else ({"X-Forwarded-Proto": "https"}, {})
    token = client.get("/api/session", headers=headers, **base).get_json()["csrfToken"]
    response = client.post("/board/login", json={"password": PASSWORD},
                           headers={"X-CSRF-Token": token, **headers}, **base)
    assert response.status_code == 200
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(cookie_of(response).split("; "))


def test_a_json_till_signs_in_with_a_token_from_api_session(client):
    response = sign_in(client)
    body = response.get_json()
    assert (response.status_code, body["signedIn"], body["csrfToken"] == csrf(client)) == (200, True, True)
    assert client.get("/api/session").get_json()["signedIn"] is True


def test_the_board_is_off_without_a_staff_password(tmp_path, clock):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/o.db", send_sms_in_background=False),
                     clock=clock, start_sender=False)
    client = app.test_client()
    assert "set STAFF_PASSWORD" in client.get("/board/login").get_data(as_text=True)
    response = sign_in(client, "")
    assert (response.status_code, response.get_json()) == (
        503, {"error": "The board is off: set STAFF_PASSWORD and restart the server."})


def test_the_password_is_kept_only_as_a_scrypt_hash_and_a_hash_may_be_configured(tmp_path, clock):
    stored = hash_password("2468")
    assert stored.startswith("scrypt:") and "2468" not in stored
    assert hash_password(stored) == stored and hash_password("") is None
    configured = generate_password_hash("open sesame")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/o.db", staff_password=configured,
                              send_sms_in_background=False), clock=clock, start_sender=False)
    assert app.extensions["kebabalab_staff"].password_hash == configured
    assert sign_in(app.test_client(), "open sesame").status_code == 200


def test_the_cookie_key_is_shared_by_workers_and_never_the_pin_alone():
    worker = Settings(vapi_webhook_secret="s" * 40, staff_password="2468")
    assert session_key(worker) == session_key(Settings(vapi_webhook_secret="s" * 40, staff_password="2468"))
    assert session_key(worker) != session_key(worker.replace(staff_password="1357"))  # new password: all out
    alone = Settings(staff_password="2468")
    assert session_key(alone) != session_key(alone)  # random per process: no secret to derive it from
    assert len(session_key(worker)) == 32


# -- the board page ----------------------------------------------------------------------------------------

def test_board_page_has_the_token_the_panel_and_strict_headers(client, staff):
    response = client.get("/board")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Kebabalab</h1>" in page  # a one-shop deployment's heading names no shop id
    assert f'<meta name="csrf-token" content="{csrf(client)}">' in page
    for toggle in ('data-kind="protein" data-name="lamb"', 'data-kind="brand" data-name="coke"',
                   'data-kind="item" data-name="CHIPS"', 'data-busy="30"', 'id="pause"'):
        assert toggle in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert (response.headers["X-Frame-Options"], response.headers["Cache-Control"]) == ("DENY", "no-store")
    assert client.get("/board/login").headers["Location"] == "/board"  # already signed in
    assert client.get("/static/board.js").status_code == 200


# -- orders and their status -------------------------------------------------------------------------------

def test_api_orders_lists_todays_orders_due_first_as_the_kitchen_reads_them(client, staff):
    place_order(client, "call-1", "Sam", notes="extra napkins")
    place_order(client, "call-2", "Alex", number="+61498765432")
    body = client.get("/api/orders").get_json()
    assert (body["day"], [o["displayNumber"] for o in body["orders"]]) == ("2026-11-27", ["#001", "#002"])
    assert body["orders"][0] == {
        "orderNumber": "20261127-001", "displayNumber": "#001", "status": "new", "customerName": "Sam",
        "customerPhone": "+614••••5678", "pickupAt": "2026-11-27T18:30:00+11:00", "pickupSpoken": "6:30 pm",
        "items": [{"quantity": 1, "description": "large lamb kebab, garlic sauce"}], "notes": "extra napkins",
        "allergyNote": "", "total": 15.0, "placedAt": "2026-11-27T18:00:00+11:00", "history": [],
        "textProblem": None,
        "texts": [{"kind": "shop_order", "status": "pending", "delivery": None, "errorCode": None},
                  {"kind": "customer_confirmation", "status": "pending", "delivery": None, "errorCode": None}],
        "pickupClock": "6:30 pm",
        "due": {"minutes": 30, "mark": None, "text": "in 30 min"}, "allergy": False, "column": "new",
        "error": None, "counter": False,
        "lines": [{"text": "1 × Large Kebab", "kind": "item", "level": 0},
                  {"text": "Lamb", "kind": "meat", "level": 1}, {"text": "NO salad", "kind": "no", "level": 1},
                  {"text": "Garlic sauce", "kind": "sauce", "level": 1}],
        "actions": [{"to": "preparing", "label": "Start", "place": "main"},
                    {"to": "collected", "label": "Collected", "place": "side"},
                    {"to": "edit", "label": "Change order", "place": "more"},
                    {"to": "cancelled", "label": "Cancel order", "place": "more"}]}


def test_an_allergy_in_the_notes_is_flagged_on_the_board_and_first_on_the_shops_text(client, staff, services):
    number = place_order(client, notes="Sesame allergy, please change gloves. Extra napkins")
    order = client.get("/api/orders").get_json()["orders"][0]
    assert (order["allergyNote"], order["notes"], order["allergy"]) == (
        "Sesame allergy, please change gloves. Extra napkins",) * 2 + (True,)
    shop_text = outbox_kinds(services, number)[0]
    assert shop_text[:2] == ("shop_order", "+61400000001")
    assert shop_text[2].split("\n")[:2] == ["ALLERGY: Sesame allergy, please change gloves. Extra napkins",
                                            "NEW ORDER #001"]


def test_after_midnight_orders_belong_to_the_trading_day(client, staff, clock):
    clock.set(melbourne(2026, 11, 26, 20, 0))
    place_order(client, "call-thu", "Thursday")
    clock.set(melbourne(2026, 11, 27, 23, 30))
    place_order(client, "call-fri", "Friday")
    clock.set(melbourne(2026, 11, 28, 0, 30))
    place_order(client, "call-late", "After midnight")
    clock.set(melbourne(2026, 11, 28, 1, 45))
    body = client.get("/api/orders").get_json()
    assert (body["day"], [o["customerName"] for o in body["orders"]]) == (
        "2026-11-27", ["Friday", "After midnight"])  # due at midnight, then at 1 am
    clock.set(melbourne(2026, 11, 28, 11, 0))
    assert sign_in(client).status_code == 200  # the morning shift: yesterday's session ended after 12 hours
    morning = client.get("/api/orders").get_json()
    assert {k: morning[k] for k in ("day", "now", "clock", "orders", "statuses")} == {
        "day": "2026-11-28", "now": "2026-11-28T11:00:00+11:00", "clock": "11:00 am", "orders": [],
        "statuses": ["new", "preparing", "ready", "collected", "cancelled", "awaiting"]}


def test_marking_ready_queues_one_ready_text_and_records_every_change(client, staff, services, clock):
    number = place_order(client)
    url = f"/api/orders/{number}/status"
    assert staff(url, {"status": "preparing", "from": "new"}).get_json()["readyTextQueued"] is False
    clock.advance(minutes=7)
    ready = staff(url, {"status": "ready", "from": "preparing"}).get_json()
    assert (ready["from"], ready["to"], ready["actor"], ready["at"], ready["order"]["status"],
            ready["readyTextQueued"]) == ("preparing", "ready", "Owner", utc_text(clock.now()), "ready", True)
    assert staff(url, {"undo": True}).get_json()["to"] == "preparing"  # a mistaken tap
    assert staff(url, {"status": "ready"}).get_json()["readyTextQueued"] is False  # texted once already
    assert staff(url, {"status": "collected"}).status_code == 200
    assert [k for k in outbox_kinds(services, number) if k[0] == "ready"] == [
        ("ready", CALLER, "Kebabalab: order #001 is ready for pickup.")]
    order = services.db.find_order(number)
    events = order_events(services.db, order.id)
    at_6pm, at_607 = utc_text(melbourne(2026, 11, 27, 18, 0)), utc_text(melbourne(2026, 11, 27, 18, 7))
    assert [(e["from_status"], e["to_status"], e["actor"], e["created_at"]) for e in events] == [
        ("new", "preparing", "Owner", at_6pm), ("preparing", "ready", "Owner", at_607),
        ("ready", "preparing", "Owner", at_607), ("preparing", "ready", "Owner", at_607),
        ("ready", "collected", "Owner", at_607)]
    assert order.status == "collected"
    assert services.sender.run_once()["logged"] == 3  # the shop's text, the confirmation and 'ready'


@pytest.mark.parametrize("moves, body, message", [
    ([], {"status": "ready"}, "An order can't go from new to ready; it moves one step at a time."),
    (["cancelled"], {"status": "collected"}, "A cancelled order can only go back to new."),
    ([], {"status": "new"}, "The order is already new."),
    ([], {"status": "cooking"}, "Unknown status 'cooking'; use one of new, preparing, ready, collected, "
                                "cancelled, awaiting."),
    ([], {"undo": True}, "A new order has nothing to undo."),
    (["preparing"], {"status": "ready", "from": "new"}, "Order #001 is preparing now, not new."),
    (["preparing", "cancelled"], {"status": "new"}, "A cancelled order can only go back to preparing."),
    (["cancelled"], {"status": "cancelled"}, "The order is already cancelled."),
], ids=["skip-to-ready", "collect-a-cancelled-one", "same", "unknown", "undo-new", "stale-screen",
        "cancelled-elsewhere", "cancel-twice"])
def test_moves_that_are_not_allowed_are_409_with_a_message(client, staff, services, moves, body, message):
    number = place_order(client)
    for status in moves:
        assert staff(f"/api/orders/{number}/status", {"status": status}).status_code == 200
    response = staff(f"/api/orders/{number}/status", body)
    assert (response.status_code, response.get_json()) == (409, {"error": message})
    assert services.db.find_order(number).status == (moves[-1] if moves else "new")


def test_a_collected_order_undone_goes_back_where_it_was_collected_from(client, staff):
    number = place_order(client)
    url = f"/api/orders/{number}/status"
    assert staff(url, {"status": "collected"}).get_json()["from"] == "new"  # a walk-in who paid and left
    refused = staff(url, {"status": "ready"})
    assert (refused.status_code, refused.get_json()) == (409, {"error": "A collected order can only go back to new."})
    assert staff(url, {"undo": True}).get_json()["to"] == "new"


def test_undo_brings_a_cancelled_order_back_where_it_was(client, staff, services):
    number = place_order(client)
    url = f"/api/orders/{number}/status"
    for status in ("preparing", "ready", "cancelled"):
        staff(url, {"status": status})
    back = staff(url, {"undo": True}).get_json()
    assert (back["from"], back["to"], back["readyTextQueued"]) == ("cancelled", "ready", False)
    assert [k[0] for k in outbox_kinds(services, number)].count("ready") == 1


STATUS_BODY = 'send JSON: {"status": "ready"} or {"undo": true} (a cancel may add "textCustomer": true)'


@pytest.mark.parametrize("path, body, status, error", [
    ("/api/orders/20261127-099/status", {"status": "preparing"}, 404, "no order 20261127-099"),
    ("/api/orders/20261127-001/status", {}, 400, STATUS_BODY),
    ("/api/orders/20261127-001/status", {"status": 3}, 400, STATUS_BODY),
    ("/api/orders/20261127-001/status", ["ready"], 400, STATUS_BODY),
])
def test_bad_status_requests(client, staff, path, body, status, error):
    place_order(client)
    response = staff(path, body)
    assert (response.status_code, response.get_json()) == (status, {"error": error})


def test_two_tablets_tapping_ready_at_once_make_one_change_and_one_text(settings, clock, database_url):
    app = create_app(settings.replace(database_url=database_url), clock=clock, start_sender=False)
    services = app.extensions["kebabalab"].for_shop("main")  # the one shop of a one-shop deployment
    try:
        number = place_order(app.test_client())
        change_status(services, number, "preparing")
        barrier, outcomes = threading.Barrier(4), []

        def tap():
            barrier.wait(timeout=10)
            try:
                outcomes.append(change_status(services, number, "ready", expected="preparing").to_status)
            except MoveRefused:
                outcomes.append("refused")

        threads = [threading.Thread(target=tap) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["ready", "refused", "refused", "refused"]
        order = services.db.find_order(number)
        assert [k for k in outbox_kinds(services, number) if k[0] == "ready"] == [
            ("ready", CALLER, "Kebabalab: order #001 is ready for pickup.")]
        assert [e["to_status"] for e in order_events(services.db, order.id)] == ["preparing", "ready"]
        assert [o.order_number for o in orders_today(services.db, services.hours, clock.now(), "main")] == [number]
    finally:
        services.db.close()


@pytest.mark.parametrize("current, target, allowed", [
    ("new", "preparing", True), ("preparing", "ready", True), ("ready", "collected", True),
    ("preparing", "new", True), ("ready", "preparing", True), ("collected", "ready", True),
    ("new", "cancelled", True), ("collected", "cancelled", True), ("cancelled", "ready", True),
    ("new", "ready", False), ("ready", "new", False), ("cancelled", "new", False), ("ready", "ready", False),
])
def test_check_move(current, target, allowed):
    try:
        check_move(current, target, came_from="ready")
        assert allowed
    except MoveRefused:
        assert not allowed


@pytest.mark.parametrize("current, came_from, back", [
    ("preparing", None, "new"), ("ready", None, "preparing"), ("collected", "ready", "ready"),
    ("collected", "new", "new"), ("collected", None, "ready"), ("cancelled", "collected", "collected"),
    ("cancelled", None, "new")])
def test_undo_target(current, came_from, back):
    assert undo_target(current, came_from) == back


# -- sold out, paused, busy --------------------------------------------------------------------------------

def test_availability_starts_empty_and_lists_what_can_be_marked(client, staff):
    body = client.get("/api/availability").get_json()
    assert (body["day"], body["soldOut"], body["paused"], body["busyMinutes"]) == ("2026-11-27", [], False, 0)
    assert [c["name"] for c in body["choices"]["protein"]] == ["lamb", "chicken", "mixed", "falafel"]
    assert {"name": "CHIPS", "label": "Chips"} in body["choices"]["item"]
    assert "coke" in [c["name"] for c in body["choices"]["brand"]]


def test_sold_out_from_the_board_is_refused_by_quick_add_until_it_is_back(client, staff, vapi):
    marked = staff("/api/availability", {"kind": "protein", "name": "lamb", "soldOut": True}).get_json()
    assert marked["soldOut"] == ["protein:lamb"]
    assert vapi.error("quickAddItem", description="a large lamb kebab") == LAMB_REFUSAL
    assert staff("/api/availability", {"kind": "protein", "name": "lamb", "soldOut": False}).get_json()[
        "soldOut"] == []
    assert vapi.ok("quickAddItem", description="a large lamb kebab")["total"] == 15.0


def test_busy_minutes_from_the_board_grow_the_ready_time(client, staff, vapi):
    vapi.ok("quickAddItem", description="a large lamb kebab")
    before = vapi.ok("estimateReadyTime")["estimatedMinutes"]
    assert staff("/api/availability", {"busyMinutes": 20}).get_json()["busyMinutes"] == 20
    assert vapi.ok("estimateReadyTime")["estimatedMinutes"] == before + 20
    assert vapi.ok("setPickupTime", requestedTime="asap")["minutesFromNow"] == before + 20
    staff("/api/availability", {"busyMinutes": 0})
    assert vapi.ok("estimateReadyTime")["estimatedMinutes"] == before


def test_pausing_from_the_board_is_reported_by_check_open(client, staff, vapi):
    assert staff("/api/availability", {"paused": True}).get_json()["paused"] is True
    paused = vapi.ok("checkOpen")
    assert (paused["takingOrders"], paused["message"]) == (
        False, "We're open, but the kitchen has paused phone orders for a few minutes.")
    staff("/api/availability", {"paused": False})
    assert vapi.ok("checkOpen")["takingOrders"] is True


def test_pausing_from_the_board_stops_phone_orders_until_unpaused(client, staff, vapi, services):
    vapi.ok("quickAddItem", description="a large lamb kebab")
    vapi.ok("setPickupTime", requestedTime="asap")
    staff("/api/availability", {"paused": True})
    assert vapi.error("createOrder", customerName="Sam") == \
        "Sorry, we can't take orders right now; check the opening hours with checkOpen."
    assert vapi.error("setPickupTime", requestedTime="asap").startswith("The kitchen has paused phone orders")
    assert vapi.error("estimateReadyTime").startswith("The kitchen has paused phone orders")
    assert services.db.orders_on_day("2026-11-27") == []  # nothing saved while paused
    staff("/api/availability", {"paused": False})
    vapi.ok("setPickupTime", requestedTime="asap")
    assert vapi.ok("createOrder", customerName="Sam")["displayOrderNumber"] == "#001"


@pytest.mark.parametrize("body", [
    {"kind": "meat", "name": "lamb", "soldOut": True}, {"kind": "protein", "name": "goat", "soldOut": True},
    {"kind": "protein", "name": "lamb", "soldOut": "yes"}, {"kind": "protein", "soldOut": True},
    {"paused": "yes"}, {"busyMinutes": 121}, {"busyMinutes": -5}, {"busyMinutes": "10"}, {"busyMinutes": True},
    {"paused": True, "busyMinutes": 500}, {}, [],
], ids=["unknown-kind", "not-on-menu", "not-bool", "no-name", "paused-text", "busy-too-long", "busy-negative",
        "busy-text", "busy-bool", "half-good", "nothing", "list"])
def test_bad_availability_changes_are_400_and_change_nothing(client, staff, services, body):
    response = staff("/api/availability", body)
    assert response.status_code == 400 and response.get_json()["error"]
    state = services.availability.state()
    assert (state.sold_out, state.paused, state.busy_minutes) == ([], False, 0)


def test_the_webhook_never_reads_or_sets_the_staff_cookie(client):
    """A signed-in staff session is permanent, so any request that opened it would send it back refreshed."""
    assert sign_in(client).status_code == 200
    response = client.post("/webhook", json=vapi_fixture("tool-calls.json"))  # with the staff cookie
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
