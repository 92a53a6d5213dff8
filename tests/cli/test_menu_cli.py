"""The menu from the command line: check-menu names the categories it allows when it refuses one, and load-menu
makes a whole file the menu in force on a running server (its next request), as a new menu version."""
import json

from conftest import VapiCall
from kebabalab.__main__ import main
from tests.cli.test_staff_cli import env, menu_path  # noqa: F401  (env is a fixture)


def test_check_menu_shows_the_categories_it_allows(tmp_path, capsys):
    menu = json.loads(open(menu_path()).read())
    menu["items"][0]["category"] = "burgers"
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(menu))
    assert main(["check-menu", str(path)]) == 2
    assert capsys.readouterr().err == (
        "configuration error: menu: item KEBAB has unknown category 'burgers'; the categories are kebab, hsp, "
        "chips, gozleme, drink, sweet, meat_container, side\n")


def test_load_menu_is_in_force_at_the_next_call_without_a_restart(env, client, services, tmp_path,  # noqa: F811
                                                                  capsys):
    menu = json.loads(open(menu_path()).read())
    next(item for item in menu["items"] if item["id"] == "WATER")["price_cents"] = 400
    path = tmp_path / "menu-winter.json"
    path.write_text(json.dumps(menu))
    capsys.readouterr()
    assert main(["load-menu", str(path), "--by", "Maria"]) == 0
    assert capsys.readouterr().out == (
        f"menu version 2 of shop main loaded from {path}: in force at the next call on every worker\n")
    call = VapiCall(client, call_id="call-water")
    assert call.ok("quickAddItem", description="a bottle of water")["added"][0]["lineTotal"] == 4.0
    assert services.catalog.versions.history()[0]["changed_by"] == "Maria"

    menu["items"][0]["category"] = "burgers"
    path.write_text(json.dumps(menu))
    assert main(["load-menu", str(path)]) == 2
    assert "unknown category 'burgers'; the categories are kebab" in capsys.readouterr().err
    assert services.catalog.versions.newest_id() == 2
