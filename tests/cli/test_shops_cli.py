"""`kebabalab shops` run as whoever looks after the server runs it: list, add from a template, move a number,
retire; each change checked like check-menu, and a bad one leaves the directory as it was."""
from __future__ import annotations

import json

import pytest

from kebabalab.__main__ import main


@pytest.fixture
def shops(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/orders.db")
    monkeypatch.setenv("SHOPS_DIR", str(tmp_path / "shops"))
    monkeypatch.setenv("SHOP_ORDER_TO", "+61400000001")
    return tmp_path / "shops"


def listing(capsys) -> list[str]:
    capsys.readouterr()
    assert main(["shops"]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_one_shop_deployment_lists_main_alone(shops, capsys):
    assert listing(capsys) == ["main: taking calls; no number listed; number ids -; assistants - "
                               "(answers with -); order texts to +614••••0001"]
    assert not shops.exists()  # listing writes nothing


def test_add_move_and_retire(shops, capsys):
    assert main(["shops", "move-number", "+61 3 9534 5588", "--to", "main"]) == 0
    assert main(["shops", "add", "fitzroy", "--number", "03 9417 0000", "--order-texts-to", "0400 000 002"]) == 0
    assert sorted(p.name for p in (shops / "fitzroy").iterdir()) == ["business.json", "hours.json", "menu.json",
                                                                     "shop.json"]
    assert listing(capsys) == [
        "fitzroy: taking calls; numbers +613••••0000; number ids -; assistants - (answers with -); "
        "order texts to +614••••0002",
        "main: taking calls; numbers +613••••5588; number ids -; assistants - (answers with -); "
        "order texts to +614••••0001"]
    assert main(["shops", "move-number", "+61395345588", "--to", "fitzroy"]) == 0
    assert json.loads((shops / "main" / "shop.json").read_text())["numbers"] == []
    assert json.loads((shops / "fitzroy" / "shop.json").read_text())["numbers"] == ["+61394170000", "+61395345588"]
    assert main(["shops", "retire", "fitzroy"]) == 0
    assert listing(capsys)[0].startswith("fitzroy: retired; numbers +613••••0000, +613••••5588")


def test_adding_a_second_shop_before_main_has_its_number_is_refused(shops, capsys):
    """main lists no number (today's one-shop settings): once a second shop takes calls, a number no shop lists
    is refused, so main's own callers would all be turned away after the next restart."""
    capsys.readouterr()
    assert main(["shops", "add", "fitzroy", "--number", "+61394170000"]) == 2
    assert capsys.readouterr().err == (
        "configuration error: shop main lists no number, Vapi number id or assistant: with a second shop taking "
        "calls every call to it would be refused; give it its number first (kebabalab shops move-number "
        "NUMBER --to main)\n")
    assert not (shops / "fitzroy").exists()
    assert main(["shops", "move-number", "+61395345588", "--to", "main"]) == 0
    assert main(["shops", "add", "fitzroy", "--number", "+61394170000"]) == 0


def test_adding_a_shop_says_what_is_left_to_do_and_warns_when_main_lists_no_number(shops, capsys):
    assert main(["shops", "move-number", "+61395345588", "--to", "main"]) == 0
    capsys.readouterr()
    assert main(["shops", "add", "carlton", "--number", "+61393470000"]) == 0
    assert capsys.readouterr().out == (  # main has its number: nothing to warn about
        f"Added shop carlton from main's files in {shops / 'carlton'}: edit its menu.json, hours.json and "
        "business.json, give its board a password (\"staffPassword\" in its shop.json, or an owner: kebabalab "
        "staff-add NAME --role owner --shop carlton), then restart the server.\n")
    # main's number taken off it by hand (two shops take calls, so nothing catches every call any more)
    (shops / "main" / "shop.json").write_text(json.dumps({"numbers": []}))
    assert main(["shops", "add", "fitzroy", "--number", "+61394170000"]) == 0
    assert capsys.readouterr().out == (
        f"Added shop fitzroy from main's files in {shops / 'fitzroy'}: edit its menu.json, hours.json and "
        "business.json, give its board a password (\"staffPassword\" in its shop.json, or an owner: kebabalab "
        "staff-add NAME --role owner --shop fitzroy), then restart the server.\n"
        "main lists no number: once this shop's number is in use, calls to main's number are refused. "
        "Give main its number: kebabalab shops move-number NUMBER --to main\n")


def test_a_shop_with_a_broken_menu_or_a_taken_number_is_refused_and_nothing_changes(shops, capsys):
    assert main(["shops", "move-number", "+61395345588", "--to", "main"]) == 0
    assert main(["shops", "add", "fitzroy", "--number", "+61394170000"]) == 0
    before = (shops / "fitzroy" / "shop.json").read_text()
    assert main(["shops", "add", "carlton", "--number", "+61394170000"]) == 2
    assert capsys.readouterr().err == ("configuration error: +61394170000 is given to two shops (carlton and fitzroy); "
                                       "one number or assistant belongs to one shop\n")
    assert not (shops / "carlton").exists() and (shops / "fitzroy" / "shop.json").read_text() == before
    (shops / "fitzroy" / "menu.json").write_text("{not json")
    assert main(["shops"]) == 2
    assert capsys.readouterr().err.startswith("configuration error: shop fitzroy: menu file ")


def test_orders_takes_the_shop(shops, capsys):
    assert main(["shops", "move-number", "+61395345588", "--to", "main"]) == 0
    assert main(["shops", "add", "fitzroy", "--number", "+61394170000"]) == 0
    assert main(["init-db"]) == 0
    capsys.readouterr()
    assert main(["orders", "--day", "2026-11-27", "--shop", "fitzroy"]) == 0
    assert capsys.readouterr().out == "No orders on 2026-11-27.\n"
    assert main(["orders", "--day", "2026-11-27", "--shop", "carlton"]) == 2
    assert capsys.readouterr().out == "There is no shop 'carlton'; `kebabalab shops` lists them.\n"


def test_the_nightly_backup_keeps_the_shops_folders_beside_the_database(shops, tmp_path, monkeypatch, capsys):
    import tarfile
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("BACKUP_COPY_DIR", str(tmp_path / "usb-drive"))
    (tmp_path / "usb-drive").mkdir()
    assert main(["init-db"]) == 0
    assert main(["shops", "move-number", "+61395345588", "--to", "main"]) == 0
    assert main(["shops", "add", "fitzroy", "--number", "03 9417 0000", "--order-texts-to", "0400 000 002"]) == 0
    capsys.readouterr()
    assert main(["backup"]) == 0
    [database, archive] = sorted((tmp_path / "backups").iterdir())
    assert (database.name.startswith("orders-"), archive.name.startswith("shops-")) == (True, True)
    copied = tmp_path / "usb-drive" / database.name
    assert capsys.readouterr().out == (f"Backup written: {database}, copied to {copied}\n"
                                       f"Shops' folders archived: {archive}\n")
    assert sorted(p.name for p in (tmp_path / "usb-drive").iterdir()) == [database.name, archive.name]
    restored = tmp_path / "restored"
    with tarfile.open(archive) as tar:  # what deployment/README.md tells the owner to run: tar -xzf in the parent
        tar.extractall(restored, filter="data")
    assert sorted(p.name for p in (restored / "shops" / "fitzroy").iterdir()) == [
        "business.json", "hours.json", "menu.json", "shop.json"]
    assert (restored / "shops" / "fitzroy" / "shop.json").read_bytes() == (shops / "fitzroy" / "shop.json").read_bytes()
