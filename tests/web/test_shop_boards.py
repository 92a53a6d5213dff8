"""Each shop's board at /board/<shop>, with its own password: a tablet signed in to one shop can neither see nor
change another shop's orders or kitchen. The attack is made on EVERY route of the app (read from its url_map,
so a page or API added later is attacked too, with no change here)."""
from __future__ import annotations

import json

import pytest

from conftest import vapi_fixture
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from tests.web.test_shops import (FITZROY_NUMBER, MAIN_NUMBER, order_at, write_shop)

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
    write_shop(root / "fitzroy", {"numbers": [FITZROY_NUMBER], "staffPassword": FITZROY_PASSWORD},
               business_change=lambda b: b.update(name="Kebabalab Fitzroy"))
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
    tablet = app.test_client()
    token = tablet.get("/api/session").get_json()["csrfToken"]
    wrong = tablet.post("/board/fitzroy/login", json={"password": MAIN_PASSWORD}, headers={"X-CSRF-Token": token})
    assert (wrong.status_code, wrong.get_json()) == (401, {"error": "Wrong PIN or password."})
    assert app.test_client().get("/board/carlton").status_code == 404


def test_a_tablet_of_one_shop_can_neither_see_nor_change_another_shops_orders_on_any_route(app):
    services = app.extensions["kebabalab"]
    webhook = app.test_client()
    order_at(webhook, "call-fitz", number=FITZROY_NUMBER)  # fitzroy's #001
    order_at(webhook, "call-main-1", name="Priya Main", number=MAIN_NUMBER)
    main_number = order_at(webhook, "call-main", name="Priya Main", number=MAIN_NUMBER)["placed"]["orderNumber"]
    assert main_number == "20261127-002"  # a number only main has
    main_tablet, _ = signed_in(app, "main", MAIN_PASSWORD)
    main_view = services.for_shop("main")
    main_before = (main_view.db.find_order(main_number), main_view.availability.state())
    body = {"status": "ready", "from": "new", "undo": False, "paused": True, "busyMinutes": 30, "kind": "protein",
            "name": "lamb", "soldOut": True, "password": FITZROY_PASSWORD}
    attacked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_STAFF_ROUTES:
            continue
        values = {arg: {"shop": "main", "number": main_number}.get(arg, "1") for arg in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            tablet, token = signed_in(app, "fitzroy", FITZROY_PASSWORD)  # afresh: a sign-out route ends it
            response = tablet.open(path, method=method, json=None if method == "GET" else body,
                                   headers={"X-CSRF-Token": token},
                                   follow_redirects=True)
            assert "Priya" not in response.get_data(as_text=True), (method, path)
            attacked.append((method, rule.rule, response.status_code, response.request.path))
    after = (main_view.db.find_order(main_number), main_view.availability.state())
    assert after == main_before  # nothing of main's was changed
    assert main_tablet.get("/api/orders").status_code == 200  # main's tablet is still signed in
    assert {rule for _, rule, _, _ in attacked} >= {"/board", "/board/<shop>", "/api/orders",
                                                 "/api/orders/<number>/status", "/api/availability",
                                                 "/board/logout-all"}
    # main's board answered the fitzroy tablet with main's sign-in page, never the board
    assert [a for a in attacked if a[1] in ("/board", "/board/<shop>")] == [
        ("GET", "/board", 200, "/board/login"), ("GET", "/board/<shop>", 200, "/board/login")]
    # the status API found no order of main's for the fitzroy tablet
    assert ("POST", "/api/orders/<number>/status", 404, f"/api/orders/{main_number}/status") in attacked


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
