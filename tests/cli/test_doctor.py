"""`kebabalab doctor` against a shop set up for real: a migrated SQLite file, the real twilio library talking to
the fake Twilio, VapiClient talking to the fake Vapi, and the app's own /health served over HTTPS with a
self-signed certificate this test trusts through REQUESTS_CA_BUNDLE (as a shop would trust its proxy's CA)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import kebabalab
from kebabalab.store import init_database
from kebabalab.cli.doctor_checks import Context, Finding
from kebabalab.cli.doctor import owner_text, render, run_checks, text_owner
from kebabalab.cli.vapi_sync import desired_tools, tool_name
from kebabalab.shop.business import Business
from tests.fakes.twilio_server import FakeTwilio
from tests.fakes.vapi_api import FakeVapi

ROOT = Path(__file__).resolve().parents[1].parent
SID, TOKEN, SENDER, SHOP = "AC" + "1" * 32, "twilio-token", "+61480000000", "+61411111111"
SECRET = "doctor-webhook-secret-0123456789abcdef"
HOUR = 3600


@pytest.fixture(scope="module")
def https_health(tmp_path_factory):
    """The app's /health over HTTPS on 127.0.0.1 (cert for IP 127.0.0.1); yields (url, CA bundle path)."""
    from kebabalab.config import Settings
    from kebabalab.web.app import create_app
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'health.db'}", send_sms_in_background=False))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=(str(cert), str(key)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}", str(cert)
    server.shutdown()
    app.extensions["kebabalab"].stop_background()


@pytest.fixture
def shop(tmp_path, https_health, monkeypatch):
    """Everything right: (env, fake Twilio, fake Vapi). Tests spoil one thing each."""
    url, ca = https_health
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
    database = f"sqlite:///{tmp_path / 'orders.db'}"
    init_database(database)
    backup = tmp_path / "backups" / "orders-20261207-020000.db"
    backup.parent.mkdir()
    backup.write_bytes(b"SQLite format 3\x00")
    made = datetime.now(timezone.utc).timestamp() - 1.5 * HOUR
    os.utime(backup, (made, made))
    with FakeTwilio() as twilio, FakeVapi(api_key="vapi-key") as vapi:
        twilio.auth_token = TOKEN
        twilio.numbers = {SENDER: {"sms": True, "mms": True, "voice": True}}
        vapi.assistant.update(server={"url": url + "/webhook", "headers": {"X-Vapi-Secret": SECRET}},
                              serverMessages=["end-of-call-report", "status-update", "hang"])
        shop = Business.load(str(Path(kebabalab.__file__).parent / "data" / "business.json"))
        for tool in desired_tools(url + "/webhook", SECRET, business=shop):
            created = dict(tool, id=f"tool-{tool_name(tool)}", createdAt="2026-12-01T00:00:00.000Z")
            vapi.tools[created["id"]] = created
            vapi.assistant["model"]["toolIds"].append(created["id"])
        env = {"DATABASE_URL": database, "VAPI_WEBHOOK_SECRET": SECRET, "STAFF_PASSWORD": "Shawarma-Night-42",
               "SHOP_ORDER_TO": SHOP, "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN,
               "TWILIO_FROM_NUMBER": SENDER, "TWILIO_API_BASE_URL": twilio.base_url, "VAPI_API_KEY": "vapi-key",
               "VAPI_ASSISTANT_ID": vapi.assistant["id"], "VAPI_API_BASE_URL": vapi.base_url, "PUBLIC_URL": url,
               "KEBABALAB_ENV": "/etc/kebabalab/kebabalab.env"}
        yield env, twilio, vapi


def check(env: dict, ahead: timedelta = timedelta(0)) -> list[Finding]:
    """The checks with this machine's clock `ahead` of the real time (the fakes' Date headers carry the real time)."""
    return run_checks(Context(env=env, now=lambda: datetime.now(timezone.utc) + ahead))


def by_name(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def problems(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.check, f.detail, f.fix) for f in findings if not f.ok]


def test_a_shop_with_everything_right_passes_every_check(shop):
    env, twilio, vapi = shop
    findings = check(env)
    assert [(f.check, f.ok) for f in findings] == [
        ("settings", True), ("shops", True), ("database", True), ("allergens", True), ("staff password", True), ("twilio", True),
        ("vapi", True), ("https", True), ("backups", True), ("clock", True)]
    found = by_name(findings)
    # the shop's menu has not confirmed its allergens yet: a warning with its fix, not a problem
    assert found["allergens"].detail.startswith("allergens unconfirmed for 54 of 56 menu entries (kebab, HSP, ")
    menu_file = Path(kebabalab.__file__).parent / "data" / "menu.json"
    assert found["shops"].detail == "one shop (main)"
    assert render(findings)[3:5] == [
        f"warning  allergens       {found['allergens'].detail}",
        f"                         fix: add each entry's confirmed \"allergens\" to {menu_file}, then run "
        "kebabalab check-menu"]
    assert found["twilio"].detail == f"account active, {SENDER} can send SMS"
    assert found["vapi"].detail == (f"assistant {vapi.assistant['id']}: server URL, server messages and "
                                    "22 tools match")
    assert found["https"].detail == f"{env['PUBLIC_URL']}/health answers healthy"
    assert found["clock"].detail.endswith(", within 2 min of Vapi")
    assert render(findings)[-1] == "All checks passed: the shop is ready."
    assert twilio.requests == [] and vapi.writes == []  # looked, never texted or changed anything
    assert [p.split("?")[0] for p in twilio.lookups] == [
        f"/2010-04-01/Accounts/{SID}.json", f"/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers.json"]


def test_wrong_twilio_token_is_a_problem_with_its_fix(shop):
    env, _, _ = shop
    assert problems(check({**env, "TWILIO_AUTH_TOKEN": "old-token"})) == [
        ("twilio", "Twilio refused the credentials (HTTP 401, error 20003)",
         "copy the Account SID and Auth Token again from the Twilio console")]


def test_a_sender_number_not_on_the_account_or_without_sms_is_a_problem(shop):
    env, twilio, _ = shop
    assert problems(check({**env, "TWILIO_FROM_NUMBER": "+61480000999"})) == [
        ("twilio", "TWILIO_FROM_NUMBER +61480000999 is not a number on this Twilio account",
         "set it to one of the account's numbers (Console, Phone Numbers, Active numbers)")]
    twilio.numbers[SENDER]["sms"] = False
    assert problems(check(env)) == [
        ("twilio", f"{SENDER} cannot send SMS", "buy an SMS-capable number for TWILIO_FROM_NUMBER")]


def test_a_trial_account_says_which_numbers_it_can_text(shop):
    env, twilio, _ = shop
    twilio.account["type"] = "Trial"
    fix = "upgrade the account (Twilio console, Billing) before customers call"
    assert problems(check(env)) == [("twilio", "trial account: texts go only to verified numbers (the shop's "
                                     "mobile (SHOP_ORDER_TO) is not verified) and start with 'Sent from your "
                                     "Twilio trial account'", fix)]
    twilio.verified = {SHOP}
    assert problems(check(env))[0][1].startswith("trial account: texts go only to verified numbers (the shop's "
                                                 "mobile is verified)")


def test_vapi_assistant_pointing_elsewhere_without_messages_or_tools(shop):
    env, _, vapi = shop
    vapi.assistant["server"] = {"url": "https://old.example.com/webhook"}
    vapi.assistant["serverMessages"] = ["hang"]
    vapi.tools.pop("tool-createOrder")
    webhook = env["PUBLIC_URL"] + "/webhook"
    assert problems(check(env)) == [
        ("vapi", f"the assistant's Server URL is https://old.example.com/webhook, not {webhook}",
         f"set it to {webhook} (assistant, Advanced, Server URL)"),
        ("vapi", "the assistant does not send end-of-call-report, status-update to the server",
         "tick them under the assistant's Advanced, Server Messages"),
        ("vapi", "tools missing or different: createOrder", f"run: kebabalab vapi sync --server-url {webhook} --apply")]


def test_unknown_assistant_and_refused_key(shop):
    env, _, _ = shop
    fix = "check VAPI_API_KEY and VAPI_ASSISTANT_ID in the Vapi dashboard"
    assert problems(check({**env, "VAPI_ASSISTANT_ID": "asst-gone"})) == [
        ("vapi", "assistant asst-gone (VAPI_ASSISTANT_ID) not found on Vapi (HTTP 404)", fix)]
    assert problems(check({**env, "VAPI_API_KEY": "wrong"})) == [
        ("vapi", "Vapi refused the API key (HTTP 401); check VAPI_API_KEY", fix)]


def test_https_needs_a_trusted_certificate_and_an_answer(shop, monkeypatch, unused_port):
    env, _, _ = shop
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")  # the public CAs only
    assert problems(check(env)) == [("https", f"{env['PUBLIC_URL']}: the certificate is not trusted",
                                     "check the proxy's certificate (Caddy fetches one itself when the DNS "
                                     "name points here)")]
    closed = f"https://127.0.0.1:{unused_port}"
    found = by_name(check({**env, "PUBLIC_URL": closed}))["https"]
    assert (found.ok, found.detail) == (False, f"{closed}/health does not answer (ConnectionError)")
    found = by_name(check({**env, "PUBLIC_URL": "http://orders.example.com"}))["https"]
    assert (found.ok, found.detail) == (False, "PUBLIC_URL is http://orders.example.com: Vapi calls only "
                                               "https:// addresses")


def test_database_missing_unmigrated_or_unset_password(shop, tmp_path):
    env, _, _ = shop
    missing = tmp_path / "elsewhere" / "orders.db"
    assert problems(check({**env, "DATABASE_URL": f"sqlite:///{missing}"}))[0][:2] == (
        "database", f"there is no database at {missing} (DATABASE_URL=sqlite:///{missing}); check "
                    "DATABASE_URL, or create it with `kebabalab init-db`")
    assert not missing.parent.exists()  # doctor never creates one
    assert problems(check({**env, "STAFF_PASSWORD": ""})) == [
        ("staff password", "STAFF_PASSWORD is not set: the order board cannot be opened",
         "set STAFF_PASSWORD (install.sh generates one) and restart the service")]
    assert problems(check({**env, "STAFF_PASSWORD": "kebabalab"}))[0][0] == "staff password"


def test_old_or_missing_backups(shop, tmp_path):
    env, _, _ = shop
    fix = "enable the nightly backup (systemctl enable --now kebabalab-backup.timer) or run `kebabalab backup`"
    old = datetime.now(timezone.utc).timestamp() - 32 * HOUR
    os.utime(tmp_path / "backups" / "orders-20261207-020000.db", (old, old))
    assert problems(check(env)) == [
        ("backups", "the newest backup, orders-20261207-020000.db, is 32 hours old", fix)]
    (tmp_path / "backups" / "orders-20261207-020000.db").rename(tmp_path / "backups" / "orders.db.partial")
    assert problems(check(env)) == [("backups", f"no backup in {tmp_path / 'backups'}", fix)]


def test_backups_are_looked_for_where_the_backup_command_writes_them(shop, tmp_path):
    env, _, _ = shop  # no BACKUP_DIR: backups/ beside the SQLite file, as `kebabalab backup` writes them
    assert by_name(check(env))["backups"].detail.startswith("orders-20261207-020000.db, 1.5 hours old")
    usb = tmp_path / "usb-drive"
    usb.mkdir()
    env = {**env, "BACKUP_DIR": str(usb)}
    assert problems(check(env)) == [("backups", f"no backup in {usb}", "enable the nightly backup (systemctl "
                                     "enable --now kebabalab-backup.timer) or run `kebabalab backup`")]
    (tmp_path / "backups" / "orders-20261207-020000.db").rename(usb / "orders-20261207-020000.db")
    assert problems(check(env)) == []


def test_a_clock_ten_minutes_off_from_vapis(shop):
    env, _, _ = shop
    (name, detail, fix), = problems(check(env, ahead=timedelta(minutes=10)))
    assert (name, fix) == ("clock", "turn on time sync (timedatectl set-ntp true) and check the date")
    assert detail.startswith("this machine's clock is 60") and detail.endswith(" s ahead of Vapi's")


def test_invalid_settings_stop_the_other_checks(shop):
    env, _, _ = shop
    assert problems(check({**env, "PORT": "eighty"})) == [
        ("settings", "/etc/kebabalab/kebabalab.env: PORT must be a whole number, not 'eighty'",
         "correct it in /etc/kebabalab/kebabalab.env, then run kebabalab doctor again")]


def test_text_owner_sends_one_text_naming_the_failed_checks(shop):
    env, twilio, _ = shop
    ctx = Context(env={**env, "STAFF_PASSWORD": ""})
    findings = run_checks(ctx)
    assert text_owner(ctx, findings) == "texted the shop's mobile about it"
    (sent,) = twilio.sent
    assert (sent.to, sent.from_, sent.body) == (SHOP, SENDER, owner_text(findings))
    assert sent.body == ("Kebabalab phone orders: the daily check found a problem with staff password. "
                         "Run `kebabalab doctor` on the server for the fix.")


def test_the_command_exits_1_on_a_problem_and_names_the_fix(shop, tmp_path):
    env, twilio, _ = shop
    run_env = {**os.environ, **env, "STAFF_PASSWORD": "", "KEBABALAB_ENV": ""}
    result = subprocess.run([sys.executable, "-m", "kebabalab", "doctor", "--text-owner"], env=run_env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert ("PROBLEM  staff password  STAFF_PASSWORD is not set: the order board cannot be opened\n"
            "                         fix: set STAFF_PASSWORD (install.sh generates one) and restart the service\n"
            ) in result.stdout
    assert result.stdout.endswith("1 problem: fix it and run kebabalab doctor again.\n")
    assert "texted the shop's mobile about it" in result.stderr
    assert len(twilio.sent) == 1


def test_each_shop_of_several_is_checked_and_named(shop, tmp_path):
    env, _, _ = shop
    data = Path(kebabalab.__file__).parent / "data"
    for shop_id, config in (("fitzroy", {"numbers": ["+61394170000"], "orderTextsTo": "+61400000002"}),
                            ("carlton", {"numbers": ["+61393470000"]}),
                            ("glenhuntly", {"numbers": ["+61395550000"], "retired": True})):
        folder = tmp_path / "shops" / shop_id
        folder.mkdir(parents=True)
        (folder / "shop.json").write_text(json.dumps(config))
        for name in ("menu.json", "hours.json", "business.json"):
            (folder / name).write_text((data / name).read_text())
    env = {**env, "SHOPS_DIR": str(tmp_path / "shops")}
    assert [p for p in problems(check(env)) if p[0] == "shops"] == [
        ("shops", "shop main: no number, Vapi number id or assistant reaches it",  # its callers are refused
         "kebabalab shops move-number NUMBER --to main"),
        ("shops", "shop carlton is not texted its new orders",
         f"set orderTextsTo in {tmp_path / 'shops' / 'carlton'}/shop.json to its mobile (+614...)"),
        ("shops", "shop carlton: no assistant answers its calls (assistant-request is answered \"our phone orders "
                  "aren't working\")", f"set assistantId in {tmp_path / 'shops' / 'carlton'}/shop.json (its "
                  "own assistant, or the one VAPI_ASSISTANT_ID names)"),
        ("shops", "shop fitzroy: no assistant answers its calls (assistant-request is answered \"our phone orders "
                  "aren't working\")", f"set assistantId in {tmp_path / 'shops' / 'fitzroy'}/shop.json (its "
                  "own assistant, or the one VAPI_ASSISTANT_ID names)")]
    (tmp_path / "shops" / "fitzroy" / "shop.json").write_text(json.dumps({
        "numbers": ["+61394170000"], "orderTextsTo": "+61400000002", "assistantId": "fitzroy-assistant"}))
    (tmp_path / "shops" / "main").mkdir()
    (tmp_path / "shops" / "main" / "shop.json").write_text(json.dumps({"numbers": ["+61395345588"]}))
    (tmp_path / "shops" / "carlton" / "shop.json").write_text(json.dumps({"orderTextsTo": "+61400000003",
                                                                          "assistantId": "carlton-assistant"}))
    (tmp_path / "shops" / "fitzroy" / "hours.json").write_text("{")
    fitzroy = tmp_path / "shops" / "fitzroy"
    assert [p for p in problems(check(env)) if p[0] == "shops"] == [
        ("shops", "shop carlton: no number, Vapi number id or assistant reaches it",
         "kebabalab shops move-number NUMBER --to carlton"),
        ("shops", f"shop fitzroy: hours file {fitzroy / 'hours.json'}: not valid JSON (line 1)",
         f"correct its files in {fitzroy}, then run kebabalab doctor again")]
    (tmp_path / "shops" / "fitzroy" / "hours.json").write_text((data / "hours.json").read_text())
    (tmp_path / "shops" / "carlton" / "shop.json").write_text(json.dumps({"numbers": ["+61393470000"],
                                                                          "orderTextsTo": "+61400000003",
                                                                          "assistantId": "carlton-assistant"}))
    assert by_name(check(env))["shops"].detail == "3 shops taking calls (carlton, fitzroy, main); retired: glenhuntly"


def test_allergens_are_checked_in_the_menu_each_shop_serves(shop, tmp_path):
    """Each shop's line; a menu changed on the board (a database version) is the one checked, not its file."""
    from kebabalab.ordering.allergens import allergens_warning
    from kebabalab.ordering.menu import Menu
    from kebabalab.store import Database
    from kebabalab.store.menu_versions import MenuVersions
    env, _, _ = shop
    data = Path(kebabalab.__file__).parent / "data"
    menu = json.loads((data / "menu.json").read_text())
    fitzroy_menu = {**menu, "items": menu["items"][:-1]}  # fitzroy sells one thing fewer
    folder = tmp_path / "shops" / "fitzroy"
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps({"numbers": ["+61394170000"], "orderTextsTo": "+61400000002",
                                                  "assistantId": "fitzroy-assistant"}))
    (folder / "menu.json").write_text(json.dumps(fitzroy_menu))
    for name in ("hours.json", "business.json"):
        (folder / name).write_text((data / name).read_text())
    (tmp_path / "shops" / "main").mkdir()
    (tmp_path / "shops" / "main" / "shop.json").write_text(json.dumps({"numbers": ["+61395345588"]}))
    edited = {**menu, "items": menu["items"][:-2]}  # main's owner took two things off on the board
    db = Database(env["DATABASE_URL"])
    MenuVersions(db, "main").add(json.dumps(edited), "took two items off", "Owner", datetime.now(timezone.utc),
                                 on_top_of=None)
    db.close()
    found = [(f.detail, f.fix) for f in check({**env, "SHOPS_DIR": str(tmp_path / "shops")}) if f.check == "allergens"]
    assert found == [
        ("shop fitzroy: " + allergens_warning(Menu.from_dict(fitzroy_menu)),
         f"add each entry's confirmed \"allergens\" to {folder / 'menu.json'}, then run kebabalab check-menu"),
        ("shop main: " + allergens_warning(Menu.from_dict(edited)),
         f"confirm them on the board's Menu page (owner), or add them to {data / 'menu.json'} and run kebabalab "
         "load-menu --shop main")]
    assert found[1][0] != "shop main: " + allergens_warning(Menu.from_dict(menu))  # not main's file
