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
    assert main(["init-db"]) == 0
    capsys.readouterr()
    assert main(["orders", "--today"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("No orders on ")
    assert err == f"database: {env.database_url.removeprefix('sqlite:///')}\n"


def test_orders_against_a_missing_database_says_which_and_creates_none(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the default: sqlite:///data/kebabalab.db here
    assert main(["orders", "--today"]) == 3
    where = tmp_path / "data" / "kebabalab.db"
    assert capsys.readouterr() == ("", f"database: {where}\ndatabase or session store unavailable: there is no "
                                       f"database at {where} (DATABASE_URL=sqlite:///data/kebabalab.db); check "
                                       "DATABASE_URL, or create it with `kebabalab init-db`\n")
    assert list(tmp_path.iterdir()) == []


def test_orders_against_another_programs_database_is_refused(monkeypatch, tmp_path, capsys):
    import sqlite3
    other = tmp_path / "stock.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE stock (item TEXT, count INTEGER)")
    before = other.read_bytes()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    assert main(["orders", "--today", "--json"]) == 3
    assert capsys.readouterr() == ("", f"database: {other}\ndatabase or session store unavailable: {other} has no "
                                       "Kebabalab orders in it: check DATABASE_URL, or set it up with "
                                       "`kebabalab init-db`\n")
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["stock.db"]


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


def test_check_menu_warns_about_unconfirmed_allergens_until_the_shop_confirms_them(tmp_path, capsys):
    assert main(["check-menu", menu_path()]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "menu OK: 20 items, 5 extras, 4 meals",
        "warning: allergens unconfirmed for 54 of 56 menu entries (kebab, HSP, chips, lamb gozleme, chicken gozleme, "
        'vegetarian gozleme, vegan gozleme, can, ...); until the shop confirms them ("allergens" in the menu file) '
        "the assistant offers a person when asked"]
    confirmed = json.loads(open(menu_path()).read())
    for entry in [*confirmed["items"], *confirmed["extras"].values()]:
        entry["allergens"] = entry.get("allergens", [])
    options = ("proteins", "salads", "sauces", "can_brands", "chips_salt")
    confirmed["option_allergens"] = {kind: {name: [] for name in confirmed["options"][kind]} for kind in options}
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(confirmed))
    assert main(["check-menu", str(path)]) == 0
    assert capsys.readouterr().out == "menu OK: 20 items, 5 extras, 4 meals\n"


def menu_path() -> str:
    from kebabalab.config import PACKAGE_DATA
    return str(PACKAGE_DATA / "menu.json")


def test_kebabalab_env_names_the_settings_file_every_command_reads(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "")  # so the undo below removes what the settings file adds
    monkeypatch.delenv("DATABASE_URL")
    settings_file = tmp_path / "kebabalab.env"
    settings_file.write_text(f"# the shop's settings\nDATABASE_URL=sqlite:///{tmp_path}/shop.db\n")
    monkeypatch.setenv("KEBABALAB_ENV", str(settings_file))
    assert main(["init-db"]) == 0
    assert main(["orders", "--json"]) == 0
    assert capsys.readouterr().err == f"database: {tmp_path}/shop.db\n"
    monkeypatch.setenv("KEBABALAB_ENV", str(tmp_path / "missing.env"))
    assert main(["orders", "--json"]) == 2
    assert capsys.readouterr().err == (f"configuration error: KEBABALAB_ENV={tmp_path}/missing.env cannot be read "
                                       "(No such file or directory); run the command as root or as the service "
                                       "user, or unset KEBABALAB_ENV\n")
