"""The board's sign-in under attack and sign-out that ends sessions: on the real database, across workers."""
import threading
from collections import Counter

import pytest

from conftest import FRIDAY_6PM
from kebabalab.__main__ import main
from kebabalab.clock import FixedClock, SystemClock
from kebabalab.config import Settings
from kebabalab.web.app import create_app
from kebabalab.web.staff_auth import COOKIE_NAME

PASSWORD = "kebab-2468"
SECRET = "a-long-random-webhook-secret-shared-by-every-worker"


def settings_for(database_url: str, **changes) -> Settings:
    return Settings(database_url=database_url, vapi_webhook_secret=SECRET, shop_order_to="+61400000001",
                    send_sms_in_background=False, staff_password=PASSWORD).replace(**changes)


@pytest.fixture
def workers(database_url):
    """Two apps on one database, as two gunicorn workers would be, sharing one clock."""
    clock = FixedClock(FRIDAY_6PM)
    apps = [create_app(settings_for(database_url), clock=clock, start_sender=False) for _ in range(2)]
    yield apps, clock
    for app in apps:
        app.extensions["kebabalab"].stop_background()


def csrf(client) -> str:
    return client.get("/api/session").get_json()["csrfToken"]


def sign_in(client, password: str = PASSWORD, token: str | None = None, **kwargs):
    return client.post("/board/login", json={"password": password},
                       headers={"X-CSRF-Token": token or csrf(client), **kwargs.pop("headers", {})}, **kwargs)


def count_checks(app) -> list:
    """Every password the app's sign-in actually checks (the slow scrypt), recorded."""
    auth = app.extensions["kebabalab_staff"]
    checked, check = [], auth.check
    auth.check = lambda password, *shop: checked.append(password) or check(password, *shop)
    return checked


def test_fifty_sign_ins_at_once_from_one_address_check_at_most_five_passwords(workers):
    apps, _ = workers
    checked = [count_checks(app) for app in apps]
    clients = [apps[n % 2].test_client() for n in range(50)]
    tokens = [csrf(client) for client in clients]
    start, statuses = threading.Barrier(50), [None] * 50

    def guess(n):
        start.wait()
        statuses[n] = sign_in(clients[n], f"{n:04d}", tokens[n]).status_code

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert (Counter(statuses), len(checked[0] + checked[1])) == (Counter({401: 5, 429: 45}), 5)
    assert sign_in(apps[0].test_client()).status_code == 429  # even the right password, on either worker


def test_the_lock_out_outlives_a_restart_and_honours_proxy_hops(database_url):
    clock = FixedClock(FRIDAY_6PM)
    behind_proxy = settings_for(database_url, proxy_hops=1)
    first = create_app(behind_proxy, clock=clock, start_sender=False)
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    client = first.test_client()
    assert [sign_in(client, "0000", headers=attacker).status_code for _ in range(5)] == [401] * 5
    first.extensions["kebabalab"].stop_background()
    restarted = create_app(behind_proxy, clock=clock, start_sender=False).test_client()
    locked = sign_in(restarted, headers=attacker)
    assert (locked.status_code, locked.headers["Retry-After"]) == (429, "900")
    assert sign_in(restarted, headers={"X-Forwarded-For": "198.51.100.20"}).status_code == 200  # the tablet
    clock.advance(minutes=15)
    assert sign_in(restarted, headers=attacker).status_code == 200


def test_guesses_from_many_addresses_are_slowed_shop_wide_but_signed_in_tablets_keep_working(workers):
    apps, clock = workers
    for app in apps:  # 6 rather than 30 tries shop-wide: the same rule, with fewer slow password checks
        assert app.extensions["kebabalab_staff"].guard.shop_tries == 30  # what a shop runs (SECURITY.md)
        app.extensions["kebabalab_staff"].guard.shop_tries = 6
    tablet = apps[0].test_client()
    assert sign_in(tablet).status_code == 200  # its try is given back: the right password
    guesser = apps[1].test_client()
    token = csrf(guesser)
    statuses = [sign_in(guesser, "0000", token, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"}).status_code
                for n in range(7)]
    assert statuses == [401] * 6 + [429]
    assert sign_in(guesser, token=token, environ_base={"REMOTE_ADDR": "10.9.1.1"}).status_code == 429
    assert tablet.get("/api/orders").status_code == 200  # already signed in: never locked out
    clock.advance(minutes=15)
    assert sign_in(guesser, token=token, environ_base={"REMOTE_ADDR": "10.9.1.1"}).status_code == 200


def copy_cookie(source, target) -> None:
    target.set_cookie(COOKIE_NAME, source.get_cookie(COOKIE_NAME).value)


def test_signing_out_ends_the_session_for_a_copied_cookie_too(workers):
    apps, _ = workers
    tablet, thief = apps[0].test_client(), apps[1].test_client()
    assert sign_in(tablet).status_code == 200
    copy_cookie(tablet, thief)
    assert thief.get("/api/orders").status_code == 200  # the copy works on another worker while signed in
    token = csrf(tablet)
    assert tablet.post("/board/logout", json={}, headers={"X-CSRF-Token": token}).get_json() == {"signedIn": False}
    after = thief.get("/api/orders")
    assert (after.status_code, after.get_json()) == (401, {"error": "sign in to the board first"})
    assert thief.post("/api/availability", json={"paused": True},
                      headers={"X-CSRF-Token": token}).status_code == 401


def test_sign_out_all_tablets_from_the_board_ends_every_session(workers):
    apps, _ = workers
    tablets = [apps[n % 2].test_client() for n in range(3)]
    for tablet in tablets:
        assert sign_in(tablet).status_code == 200
    ended = tablets[0].post("/board/logout-all", json={}, headers={"X-CSRF-Token": csrf(tablets[0])})
    assert ended.get_json() == {"signedIn": False, "sessionsEnded": 3}
    assert [tablet.get("/api/orders").status_code for tablet in tablets] == [401, 401, 401]
    assert sign_in(tablets[1]).status_code == 200  # signing in again works


def test_sign_out_tablets_command_ends_every_session(database_url, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app(settings_for(database_url), clock=SystemClock(), start_sender=False)
    tablets = [app.test_client(), app.test_client()]
    for tablet in tablets:
        assert sign_in(tablet).status_code == 200
    capsys.readouterr()
    assert main(["sign-out-tablets"]) == 0
    assert capsys.readouterr().out == "Signed out every tablet and till (2 signed in); staff sign in again with " \
                                      "the password.\n"
    assert [tablet.get("/api/orders").status_code for tablet in tablets] == [401, 401]
    app.extensions["kebabalab"].stop_background()


def test_changing_the_password_ends_every_session(database_url):
    clock = FixedClock(FRIDAY_6PM)
    before = create_app(settings_for(database_url), clock=clock, start_sender=False)
    tablet = before.test_client()
    assert sign_in(tablet).status_code == 200
    same = create_app(settings_for(database_url), clock=clock, start_sender=False).test_client()
    changed = create_app(settings_for(database_url, staff_password="new-pass-1357"), clock=clock,
                         start_sender=False).test_client()
    copy_cookie(tablet, same)
    copy_cookie(tablet, changed)
    assert (same.get("/api/orders").status_code, changed.get("/api/orders").status_code) == (200, 401)
    assert sign_in(changed, "new-pass-1357").status_code == 200


def test_a_busy_database_at_sign_in_is_a_503_sentence_not_a_crash(workers, monkeypatch):
    from kebabalab.store.sqlite import BUSY
    from kebabalab.errors import StoreError
    apps, _ = workers
    guard = apps[0].extensions["kebabalab_staff"].guard

    def busy(address, shop):
        raise StoreError(BUSY)
    monkeypatch.setattr(guard, "reserve", busy)
    response = sign_in(apps[0].test_client())
    assert (response.status_code, response.get_json()) == (503, {"error": BUSY})
