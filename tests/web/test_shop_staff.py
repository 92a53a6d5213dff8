"""Staff of many shops: each shop's members sign in to its own board only (the same PIN at another shop is another
person), each owner manages their own shop's staff only, `staff-add/list/remove --shop`, and the sign-in lock-out
counted per shop, so guesses at one shop's board do not lock another shop's tablets behind the same address."""
from __future__ import annotations

import io

from kebabalab.__main__ import main
from kebabalab.store.staff_members import members
from tests.web.test_shop_boards import FITZROY_PASSWORD, MAIN_PASSWORD, app, shops_dir, signed_in  # noqa: F401

SAME_PIN, MARIA_PIN = "582046", "975310"


def login(client, shop: str, secret: str):
    path = "/board/login" if shop == "main" else f"/board/{shop}/login"
    token = client.get("/api/session").get_json()["csrfToken"]
    return client.post(path, json={"password": secret}, headers={"X-CSRF-Token": token})


def add(client, token: str, name: str, role: str, pin: str):
    return client.post("/api/staff", json={"name": name, "role": role, "pin": pin}, headers={"X-CSRF-Token": token})


def test_a_pin_signs_in_only_among_its_own_shops_members(app):
    main_owner, main_token = signed_in(app, "main", MAIN_PASSWORD)
    fitz_owner, fitz_token = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    assert add(main_owner, main_token, "Maria", "owner", MARIA_PIN).status_code == 201
    assert add(main_owner, main_token, "Sam", "staff", SAME_PIN).status_code == 201
    added = add(fitz_owner, fitz_token, "Ali", "owner", SAME_PIN)  # the same PIN at another shop: another person
    assert (added.status_code, added.get_json()) == (201, {"members": [
        {"id": 3, "name": "Ali", "role": "owner", "since": "2026-11-27"}], "sharedPassword": False})

    sam, ali = app.test_client(), app.test_client()
    assert login(sam, "main", SAME_PIN).status_code == 200
    assert login(ali, "fitzroy", SAME_PIN).status_code == 200
    assert "Sam (staff)" in sam.get("/board").get_data(as_text=True)
    assert "Ali (owner)" in ali.get("/board/fitzroy").get_data(as_text=True)
    assert ali.get("/api/staff").get_json()["members"] == [
        {"id": 3, "name": "Ali", "role": "owner", "since": "2026-11-27"}]
    refused = login(app.test_client(), "fitzroy", MARIA_PIN)  # main's owner is nobody at fitzroy
    assert (refused.status_code, refused.get_json()) == (401, {"error": "Wrong PIN or password."})
    shared = login(app.test_client(), "fitzroy", FITZROY_PASSWORD)  # once fitzroy has a member, only PINs
    assert (shared.status_code, shared.get_json()) == (401, {"error": "Wrong PIN or password."})


def test_an_owner_of_one_shop_can_neither_list_add_nor_remove_anothers_staff(app):
    services = app.extensions["kebabalab"]
    main_owner, main_token = signed_in(app, "main", MAIN_PASSWORD)
    assert add(main_owner, main_token, "Maria", "owner", MARIA_PIN).status_code == 201
    maria_id = members(services.db, "main")[0].id
    fitz_owner, fitz_token = signed_in(app, "fitzroy", FITZROY_PASSWORD)
    assert fitz_owner.get("/api/staff").get_json() == {"members": [], "sharedPassword": True}
    page = fitz_owner.get("/board/staff").get_data(as_text=True)
    assert "Kebabalab Fitzroy" in page and "Maria" not in page
    removed = fitz_owner.post(f"/api/staff/{maria_id}/remove", headers={"X-CSRF-Token": fitz_token})
    assert (removed.status_code, removed.get_json()) == (409, {"error": "No such staff member; reload the page."})
    assert add(fitz_owner, fitz_token, "Ali", "staff", SAME_PIN).status_code == 201
    assert [(m.name, m.role) for m in members(services.db, "main")] == [("Maria", "owner")]
    assert [(m.name, m.role) for m in members(services.db, "fitzroy")] == [("Ali", "staff")]
    maria = app.test_client()
    assert login(maria, "main", MARIA_PIN).status_code == 200  # still signs in at her own shop


def test_staff_commands_take_the_shop(app, shops_dir, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/orders.db")
    monkeypatch.setenv("SHOPS_DIR", str(shops_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO(SAME_PIN + "\n"))
    assert main(["staff-add", "Ali", "--role", "owner", "--shop", "fitzroy"]) == 0
    assert main(["staff-list", "--shop", "fitzroy"]) == 0
    assert main(["staff-list"]) == 0
    assert main(["staff-remove", "Ali"]) == 2  # not main's
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Added Ali (owner) at shop fitzroy; they sign in to its board with their PIN.", f"{'Ali':<30} owner",
        "No staff members at shop main: the shared STAFF_PASSWORD signs in as the owner.",
        "No staff member of shop main is called 'Ali'; `kebabalab staff-list --shop main` shows who is."]
    assert login(app.test_client(), "fitzroy", SAME_PIN).status_code == 200
    assert login(app.test_client(), "main", SAME_PIN).status_code == 401
    for command in (["staff-list", "--shop", "carlton"], ["staff-remove", "Ali", "--shop", "carlton"],
                    ["staff-add", "Ali", "--shop", "carlton"]):
        assert main(command) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "There is no shop 'carlton'; `kebabalab shops` lists them.\n" * 3)
    assert [m.name for m in members(app.extensions["kebabalab"].db, "fitzroy")] == ["Ali"]
    assert main(["staff-remove", "Ali", "--shop", "fitzroy"]) == 0
    assert capsys.readouterr().out == "Removed Ali from shop fitzroy; they are signed out everywhere.\n"
    assert login(app.test_client(), "fitzroy", FITZROY_PASSWORD).status_code == 200  # its password again


def test_guessing_at_one_shops_board_locks_that_board_only(app):
    guesser = app.test_client()  # every test client comes from 127.0.0.1: one office network
    assert [login(guesser, "fitzroy", f"wrong-{n}").status_code for n in range(6)] == [401] * 5 + [429]
    locked = login(app.test_client(), "fitzroy", FITZROY_PASSWORD)
    assert (locked.status_code, locked.get_json()) == (429, {"error": "Too many wrong tries: wait 15 minutes."})
    assert login(app.test_client(), "main", MAIN_PASSWORD).status_code == 200  # main's tablet, same address
    assert [login(guesser, "main", f"wrong-{n}").status_code for n in range(6)] == [401] * 5 + [429]
