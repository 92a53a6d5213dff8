"""Staff commands run as the shop would run them."""
import json

import pytest

from conftest import VapiCall
from kebabalab.__main__ import main


@pytest.fixture
def env(settings, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return settings


def place(client):
    call = VapiCall(client)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce and a coke")
    call.ok("setPickupTime", requestedTime="6.30")
    return call.ok("createOrder", customerName="Sam", notes="ring the bell")


def test_orders_json_for_a_day(env, client, capsys):
    place(client)
    capsys.readouterr()
    assert main(["orders", "--day", "2026-11-27", "--json"]) == 0
    [order] = json.loads(capsys.readouterr().out)
    assert order == {"orderNumber": "20261127-001", "displayOrderNumber": "#001", "status": "new",
                     "customerName": "Sam", "customerPhone": "+61412345678",
                     "readyAt": "2026-11-27T07:30:00.000000+00:00", "total": 18.5, "notes": "ring the bell",
                     "items": [{"description": "large lamb kebab, garlic sauce", "quantity": 1},
                               {"description": "coke can", "quantity": 1}]}


def test_orders_text_for_a_day(env, client, capsys):
    place(client)
    capsys.readouterr()
    assert main(["orders", "--day", "2026-11-27"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "#001   6:30 pm  new       Sam  +61412345678  $18.50"
    assert "      1 x large lamb kebab, garlic sauce" in out
    assert out.splitlines()[-1] == "1 order, $18.50 on 2026-11-27."


def test_orders_today_on_an_empty_day(env, capsys):
    assert main(["orders", "--today"]) == 0
    assert capsys.readouterr().out.startswith("No orders on ")


def test_orders_bad_day(env, capsys):
    assert main(["orders", "--day", "tomorrow"]) == 2


def test_check_menu_names_the_broken_entry(tmp_path, capsys, menu):
    broken = json.loads(open(menu_path()).read())
    broken["items"][0]["sizes_cents"].pop("large")
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(broken))
    assert main(["check-menu", str(path)]) == 2
    assert capsys.readouterr().err == "configuration error: menu: item KEBAB must price exactly the sizes small, large\n"
    assert main(["check-menu", menu_path()]) == 0


def menu_path() -> str:
    from kebabalab.config import PACKAGE_DATA
    return str(PACKAGE_DATA / "menu.json")
