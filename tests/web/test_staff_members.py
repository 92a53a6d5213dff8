"""Staff members with their own PIN: the owner adds them, each signs in as themselves, every change on an
order says who made it; the shared password works as the owner only until the first member is added."""
import pytest

from kebabalab.__main__ import main
from kebabalab.store.staff_members import members
from kebabalab.store.status import order_events
from tests.web.test_board import PASSWORD, csrf, place_order, settings, sign_in  # noqa: F401  (settings: fixture)

ALI_PIN, MARIA_PIN = "432187", "975310"


def post(client, path, body):
    return client.post(path, json=body, headers={"X-CSRF-Token": csrf(client)})


def add(client, name, role, pin):
    return post(client, "/api/staff", {"name": name, "role": role, "pin": pin})


@pytest.fixture
def owner(app):
    """A client signed in with the shared password (the owner, before any member exists)."""
    client = app.test_client()
    assert sign_in(client).status_code == 200
    return client


def test_the_owner_adds_staff_and_then_only_their_pins_sign_in(app, owner, services):
    assert owner.get("/api/staff").get_json() == {"members": [], "sharedPassword": True}
    assert add(owner, "Maria", "owner", MARIA_PIN).status_code == 201
    listed = add(owner, "  Ali ", "staff", ALI_PIN)
    assert (listed.status_code, listed.get_json()) == (201, {"members": [
        {"id": 2, "name": "Ali", "role": "staff", "since": "2026-11-27"},
        {"id": 1, "name": "Maria", "role": "owner", "since": "2026-11-27"}], "sharedPassword": False})
    assert [m.pin_hash.split("$")[0] for m in members(services.db)] == ["scrypt:16384:8:1"] * 2
    assert not any(ALI_PIN in m.pin_hash or MARIA_PIN in m.pin_hash for m in members(services.db))

    shared = app.test_client()
    assert (sign_in(shared).status_code, sign_in(shared).get_json()) == (401, {"error": "Wrong PIN or password."})
    ali = app.test_client()
    assert sign_in(ali, ALI_PIN).status_code == 200
    page = ali.get("/board").get_data(as_text=True)
    assert "Ali (staff)" in page and 'id="staff-link"' not in page
    refused = add(ali, "Sneaky", "owner", "1111")
    assert (refused.status_code, refused.get_json()) == (403, {"error": "only the owner can do that; sign in as "
                                                                         "the owner"})
    maria = app.test_client()
    assert sign_in(maria, MARIA_PIN).status_code == 200
    assert 'id="staff-link"' in maria.get("/board").get_data(as_text=True)
    assert maria.get("/board/staff").status_code == 200


def test_every_change_says_who_made_it_and_when_on_the_order(app, owner, services, clock):
    add(owner, "Ali", "staff", ALI_PIN)
    add(owner, "Maria", "owner", MARIA_PIN)
    number = place_order(owner)
    ali, maria = app.test_client(), app.test_client()
    sign_in(ali, ALI_PIN)
    sign_in(maria, MARIA_PIN)
    assert post(ali, f"/api/orders/{number}/status", {"status": "preparing"}).get_json()["actor"] == "Ali"
    clock.advance(minutes=9)
    assert post(maria, f"/api/orders/{number}/status", {"status": "ready"}).status_code == 200
    assert post(ali, f"/api/orders/{number}/status", {"undo": True}).status_code == 200
    events = order_events(services.db, services.db.find_order(number).id)
    assert [(e["to_status"], e["actor"]) for e in events] == [("preparing", "Ali"), ("ready", "Maria"),
                                                              ("preparing", "Ali")]
    [shown] = ali.get("/api/orders").get_json()["orders"]
    assert shown["history"] == [{"at": "6:00 pm", "who": "Ali", "what": "started"},
                                {"at": "6:09 pm", "who": "Maria", "what": "marked ready"},
                                {"at": "6:09 pm", "who": "Ali", "what": "put back to preparing"}]


@pytest.mark.parametrize("body, message", [
    ({"name": "", "role": "staff", "pin": "123456"}, "Give a name of 1 to 30 letters, as it should show on orders."),
    ({"name": "Ali", "role": "boss", "pin": "123456"}, "The role is one of owner, staff."),
    ({"name": "Ali", "role": "staff", "pin": "12"}, "A PIN is 6 to 8 digits."),
    ({"name": "Ali", "role": "staff", "pin": "4321"}, "A PIN is 6 to 8 digits."),  # 4 digits: guessed in a day
    ({"name": "Ali", "role": "staff", "pin": "1234ab"}, "A PIN is 6 to 8 digits."),
    ({"name": "Ali", "role": "staff", "pin": 123456}, "A PIN is 6 to 8 digits."),
    ({"name": "Sam", "role": "staff", "pin": MARIA_PIN}, "Someone already has that PIN; choose another."),
    ({"name": "Maria", "role": "staff", "pin": "246801"}, "There is already a Maria; add a surname or initial."),
])
def test_a_member_that_will_not_do_is_refused_with_a_sentence_and_nothing_added(owner, services, body, message):
    add(owner, "Maria", "owner", MARIA_PIN)
    refused = post(owner, "/api/staff", body)
    assert (refused.status_code, refused.get_json()) == (400, {"error": message})
    assert [m.name for m in members(services.db)] == ["Maria"]


def test_removing_someone_signs_them_out_and_the_last_owner_stays(app, owner, services):
    add(owner, "Maria", "owner", MARIA_PIN)
    add(owner, "Ali", "staff", ALI_PIN)
    ali, maria = app.test_client(), app.test_client()
    sign_in(ali, ALI_PIN)
    sign_in(maria, MARIA_PIN)
    assert ali.get("/api/orders").status_code == 200
    assert post(maria, "/api/staff/2/remove", {}).get_json()["members"] == [
        {"id": 1, "name": "Maria", "role": "owner", "since": "2026-11-27"}]
    assert ali.get("/api/orders").status_code == 401  # Ali's tablet is signed out at once
    add(maria, "Ali", "staff", ALI_PIN)
    refused = post(maria, "/api/staff/1/remove", {})
    assert (refused.status_code, refused.get_json()) == (
        409, {"error": "Keep at least one owner: add another owner before removing this one."})
    assert sign_in(app.test_client(), "0000").status_code == 401


def test_wrong_pins_meet_the_same_lock_out(app, owner):
    add(owner, "Maria", "owner", MARIA_PIN)
    guesser = app.test_client()
    assert [sign_in(guesser, f"{n:06d}").status_code for n in range(6)] == [401] * 5 + [429]
    assert sign_in(guesser, MARIA_PIN).status_code == 429  # locked out: even the right PIN waits


def test_staff_commands_add_list_and_remove(settings, app, monkeypatch, capsys, tmp_path):  # noqa: F811
    import io
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(MARIA_PIN + "\n"))
    assert main(["staff-add", "Maria", "--role", "owner"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["staff-add", "Ali"]) == 2
    assert main(["staff-list"]) == 0
    assert main(["staff-remove", "Nobody"]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "Added Maria (owner) at shop main; they sign in to its board with their PIN.", "A PIN is 6 to 8 digits.",
        f"{'Maria':<30} owner",
        "No staff member of shop main is called 'Nobody'; `kebabalab staff-list --shop main` shows who is."]
    client = app.test_client()
    assert sign_in(client, MARIA_PIN).status_code == 200
    assert (sign_in(app.test_client(), PASSWORD).status_code) == 401
