"""Each shop's board at /board/<shop>, with its own password: a tablet signed in to one shop can neither see nor
change another shop's orders or kitchen. The attack is made on EVERY route of the app (read from its url_map,
so a page or API added later is attacked too, with no change here)."""
from __future__ import annotations

import json
import re

import pytest

from conftest import vapi_fixture
from kebabalab.config import Settings
from kebabalab.ordering import menu_edits
from kebabalab.service.call_log import calls_on_day
from kebabalab.service.callbacks import callbacks_on_day
from kebabalab.service.staff import add_staff
from kebabalab.store.call_messages import call_messages_since
from kebabalab.store.staff_members import members
from kebabalab.web.app import create_app
from tests.web.test_shops import DATA, FITZROY_NUMBER, MAIN_NUMBER, order_at, tool_message, write_shop

MAIN_PASSWORD, FITZROY_PASSWORD = "main-kebab-2468", "fitz-kebab-1357"


def settings_for(tmp_path, shops_dir) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=MAIN_PASSWORD,
                    shops_dir=str(shops_dir))
NOT_STAFF_ROUTES = {"static", "health", "webhook", "metrics"}  # no staff session: the webhook's own guards


@pytest.fixture
def shops_dir(tmp_path):
    root = tmp_path / "shops"
    (root / "main").mkdir(parents=True)
    (root / "main" / "shop.json").write_text(json.dumps({"numbers": [MAIN_NUMBER]}))
    business = json.loads((DATA / "business.json").read_text())
    (root / "main" / "business.json").write_text(json.dumps({**business, "printing": {"cloudprnt": True}}))
    write_shop(root / "fitzroy", {"numbers": [FITZROY_NUMBER], "staffPassword": FITZROY_PASSWORD},
               business_change=lambda b: b.update(name="Kebabalab Fitzroy", printing={"cloudprnt": True}))
    return root


@pytest.fixture
def app(tmp_path, clock, shops_dir):
    app = create_app(settings_for(tmp_path, shops_dir), clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def signed_in(app, shop: str, password: str):
    """A tablet (its own cookie jar) signed in to `shop`; returns (client, its CSRF token)."""
    client = app.test_client()
    login = "/board/login" if shop == "main" else f"/board/{shop}/login"
    token = client.get("/api/session").get_json()["csrfToken"]
    response = client.post(login, json={"password": password}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return client, response.get_json()["csrfToken"]


def test_each_board_signs_in_with_its_own_password_and_shows_its_own_orders(app):
    webhook = app.test_client()
    order_at(webhook, "call-main", number=MAIN_NUMBER)
    order_at(webhook, "call-fitz", number=FITZROY_NUMBER)
    fitz, _ = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    main, _ = signed_in(app, "main", MAIN_PASSWORD)
    assert [o["orderNumber"] for o in fitz.get("/api/orders").get_json()["orders"]] == ["20261127-001"]
    page = fitz.get("/board/fitzroy").get_data(as_text=True)
    assert "Kebabalab Fitzroy" in page
    assert main.get("/board").status_code == 200 and "Kebabalab Fitzroy" not in main.get("/board/main").get_data(
        as_text=True)
    # each page heads with the shop it is signed in to, even while a new shop's business.json is main's copy
    headings = {path: re.findall(r"<h1>([^<]*)</h1>", client.get(path).get_data(as_text=True))[:1] for client, path in (
        (fitz, "/board/fitzroy"), (main, "/board"), (fitz, "/board/takings"), (main, "/board/calls"),
        (app.test_client(), "/board/fitzroy/login"))}
    assert headings == {"/board/fitzroy": ["Kebabalab Fitzroy (fitzroy)"], "/board": ["Kebabalab (main)"],
                        "/board/takings": ["Kebabalab Fitzroy (fitzroy) takings"],
                        "/board/calls": ["Kebabalab (main) calls"],
                        "/board/fitzroy/login": ["Kebabalab Fitzroy (fitzroy) orders"]}
    tablet = app.test_client()
    token = tablet.get("/api/session").get_json()["csrfToken"]
    wrong = tablet.post("/board/fitzroy/login", json={"password": MAIN_PASSWORD}, headers={"X-CSRF-Token": token})
    assert (wrong.status_code, wrong.get_json()) == (401, {"error": "Wrong PIN or password."})
    assert app.test_client().get("/board/carlton").status_code == 404


MAIN_CALLER, MAIN_MESSAGE, MAIN_MEMBER = "+61455501234", "Ring me about forty kebabs for Saturday", "Maria Main"
MAIN_PRINTER = "00:11:62:0a:0b:0c"


def main_has_one_of_everything(app) -> dict:
    """Real rows of main's behind every kind of id a route takes: orders (#001, a number fitzroy has too, and
    #002, one only main has), a call on the callback list with a message left, a staff member, a menu version of
    theirs (a large kebab at $16.50), print jobs and a printer out of paper; returns the ids the attack aims at."""
    services = app.extensions["kebabalab"]
    main = services.for_shop("main")
    webhook = app.test_client()
    order_at(webhook, "call-fitz", number=FITZROY_NUMBER)  # fitzroy's #001
    order_at(webhook, "call-main-1", name="Priya Main", number=MAIN_NUMBER)
    number = order_at(webhook, "call-main", name="Priya Main", number=MAIN_NUMBER)["placed"]["orderNumber"]
    taken = webhook.post("/webhook", json=tool_message("call-main-message", [("takeMessage", {
        "callerName": "Priya Main", "message": MAIN_MESSAGE})], number=MAIN_NUMBER, caller=MAIN_CALLER))
    assert "result" in taken.get_json()["results"][0], taken.get_json()
    ended = vapi_fixture("status-update-ended.json")
    ended["message"]["call"].update(id="call-main-message", customer={"number": MAIN_CALLER})
    ended["message"]["phoneNumber"] = {"id": "", "number": MAIN_NUMBER, "provider": "twilio"}
    assert webhook.post("/webhook", json=ended).status_code == 200
    [message] = call_messages_since(main.db, main.hours.trading_day(main.clock.now())[1], "main")
    member = add_staff(main.db, main.clock, MAIN_MEMBER, "owner", "975310", "main")
    main.catalog.change(lambda doc: menu_edits.set_price(doc, "KEBAB", "large", 1650), MAIN_MEMBER,
                        main.catalog.current.version)
    main.print_queue.set_state("cloudprnt", "out_of_paper", f"410 Paper Empty (printer {MAIN_PRINTER})",
                               main.clock.now())
    assert [c.logged.call.call_id for c in callbacks_on_day(main, main.clock.now()).callbacks] == ["call-main-message"]
    assert main.print_queue.jobs_for_order(main.db.find_order(number).id) != []
    return {"shop": "main", "number": number, "call_id": "call-main-message", "message_id": message.id,
            "member_id": member.id, "version": main.catalog.current.version}


def main_rows(app) -> tuple:
    """Everything of main's a board route could show or change."""
    main = app.extensions["kebabalab"].for_shop("main")
    now = main.clock.now()
    orders = [main.db.find_order(f"20261127-00{n}") for n in (1, 2)]
    return (orders, main.availability.state(), calls_on_day(main, now).calls,
            call_messages_since(main.db, main.hours.trading_day(now)[1], "main"), main.catalog.versions.history(),
            main.catalog.current.version, members(main.db, "main"),
            [main.print_queue.jobs_for_order(order.id) for order in orders], main.print_queue.states())


def test_a_tablet_of_one_shop_can_neither_see_nor_change_another_shops_rows_on_any_route(app):
    main_tablet, _ = signed_in(app, "main", MAIN_PASSWORD)  # signed in before main had a member: stays signed in
    aim = main_has_one_of_everything(app)
    before = main_rows(app)
    body = {"status": "ready", "from": "new", "undo": False, "paused": True, "busyMinutes": 30, "kind": "protein",
            "name": "lamb", "soldOut": True, "password": FITZROY_PASSWORD, "outcome": "ordered",
            "version": aim["version"], "itemId": "KEBAB", "size": "large", "price": "1.00", "hidden": True,
            "category": "kebabs", "role": "owner", "add": ["a can of coke"]}
    attacked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_STAFF_ROUTES:
            continue
        path = rule.build({arg: aim[arg] for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            tablet, token = signed_in(app, "fitzroy", FITZROY_PASSWORD)  # afresh: a sign-out route ends it
            response = tablet.open(path, method=method, json=None if method == "GET" else body,
                                   headers={"X-CSRF-Token": token},
                                   follow_redirects=True)
            text = response.get_data(as_text=True)
            for secret in ("Priya", MAIN_CALLER, MAIN_CALLER[-4:], MAIN_MESSAGE, MAIN_MEMBER, "call-main",
                           MAIN_PRINTER, "16.5"):
                assert secret not in text, (method, path, secret)
            attacked.append((method, rule.rule, response.status_code, response.request.path))
    assert main_rows(app) == before  # nothing of main's was changed
    assert main_tablet.get("/api/orders").status_code == 200  # main's tablet is still signed in
    for path, secret in (("/api/orders", "Priya Main"), ("/api/callbacks", MAIN_CALLER), ("/api/staff", MAIN_MEMBER),
                         ("/api/call-messages", MAIN_MESSAGE), ("/api/menu", "16.5"), ("/api/printers", MAIN_PRINTER)):
        assert secret in main_tablet.get(path).get_data(as_text=True), path  # what was looked for is there to leak
    assert {rule for _, rule, _, _ in attacked} >= {
        "/board", "/board/<shop>", "/api/orders", "/api/orders/<number>/status", "/api/availability",
        "/board/logout-all", "/api/takings", "/board/takings", "/board/takings.csv", "/api/calls", "/api/callbacks",
        "/api/calls/<call_id>/callback", "/api/call-messages", "/api/call-messages/<int:message_id>/handled",
        "/api/menu", "/api/menu/price", "/api/menu/hidden", "/api/menu/items", "/board/menu", "/api/printers",
        "/api/orders/<number>/reprint", "/api/orders/<number>/lines", "/api/counter/orders", "/api/counter/quote",
        "/api/staff", "/api/staff/<int:member_id>/remove", "/board/staff", "/api/phone-line"}
    # main's board answered the fitzroy tablet with main's sign-in page, never the board
    assert [a for a in attacked if a[1] in ("/board", "/board/<shop>")] == [
        ("GET", "/board", 200, "/board/login"), ("GET", "/board/<shop>", 200, "/board/login")]
    # each of main's rows, named by its own id, was not found for the fitzroy tablet
    number = aim["number"]
    assert {a for a in attacked if a[2] in (400, 404, 409)} >= {
        ("POST", "/api/orders/<number>/status", 404, f"/api/orders/{number}/status"),
        ("POST", "/api/orders/<number>/reprint", 404, f"/api/orders/{number}/reprint"),
        ("POST", "/api/orders/<number>/lines", 404, f"/api/orders/{number}/lines"),
        ("POST", "/api/calls/<call_id>/callback", 400, "/api/calls/call-main-message/callback"),
        ("POST", "/api/call-messages/<int:message_id>/handled", 404,
         f"/api/call-messages/{aim['message_id']}/handled"),
        ("POST", "/api/staff/<int:member_id>/remove", 409, f"/api/staff/{aim['member_id']}/remove"),
        ("POST", "/api/menu/price", 409, "/api/menu/price")}


def test_signing_out_one_shops_tablets_leaves_the_others_signed_in(shops_dir, monkeypatch, tmp_path, capsys):
    from kebabalab.__main__ import main
    from kebabalab.clock import SystemClock
    app = create_app(settings_for(tmp_path, shops_dir), clock=SystemClock(), start_sender=False)  # as the command's
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/orders.db")
    fitz, _ = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    main_tablet, _ = signed_in(app, "main", MAIN_PASSWORD)
    capsys.readouterr()
    assert main(["sign-out-tablets", "--shop", "fitzroy"]) == 0
    assert capsys.readouterr().out == ("Signed out every tablet and till of shop fitzroy (1 signed in); staff sign "
                                       "in again with the password.\n")
    assert (fitz.get("/api/orders").status_code, main_tablet.get("/api/orders").status_code) == (401, 200)
    app.extensions["kebabalab"].stop_background()
