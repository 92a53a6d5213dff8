"""The order database on real SQLite files: schema, transactions, order numbers, idempotency, the outbox."""
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest

from kebabalab.clock import FixedClock
from kebabalab.db import (MIGRATIONS, Database, DatabaseConnection, NewOrder, OutboxMessage, StoredOrder,
                          database_path, init_database)
from kebabalab.errors import ConfigError, StoreError

T0 = datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)  # 6:30 pm in Melbourne
ITEMS = [{"description": "large lamb kebab, garlic sauce", "quantity": 1, "line_total_cents": 1500}]


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/orders.db", clock=FixedClock(T0))
    database.init()
    return database


def new_order(key="call-1:1", day="2026-11-30", phone="+61412345678", at=T0, call_id="call-1", name="Sam"):
    return NewOrder(call_id=call_id, idempotency_key=key, customer_name=name, customer_phone=phone,
                    items=ITEMS, subtotal=2200, gst=200, total=2200, ready_at="2026-11-30T18:45:00+11:00",
                    notes="extra napkins", order_day=day, created_at=at.isoformat())


def shop_text(order):
    return [OutboxMessage("shop_order", "+61395345588", f"NEW ORDER {order.display_number}")]


def tables(path):
    with DatabaseConnection(path) as conn:
        return {row["name"] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_init_creates_the_versioned_schema_and_running_it_again_changes_nothing(tmp_path):
    path = str(tmp_path / "k.db")
    assert init_database(path) == len(MIGRATIONS) == 2
    assert tables(path) == {"schema_version", "orders", "outbox", "abandoned_carts", "order_events",
                            "order_counters"}
    assert init_database(f"sqlite:///{path}") == 2
    with DatabaseConnection(path) as conn:
        assert [tuple(r) for r in conn.execute("SELECT version FROM schema_version")] == [(1,), (2,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10000


def test_connection_commits_on_success_and_rows_read_by_column_name(tmp_path):
    path = str(tmp_path / "t.db")
    with DatabaseConnection(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    with DatabaseConnection(path) as conn:
        assert conn.execute("SELECT x FROM t").fetchone()["x"] == 1


def test_connection_rolls_back_on_error_and_is_always_closed(tmp_path):
    path = str(tmp_path / "t.db")
    with DatabaseConnection(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        with DatabaseConnection(path) as failed:
            failed.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    with pytest.raises(sqlite3.ProgrammingError):
        failed.execute("SELECT 1")
    with DatabaseConnection(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def test_a_held_write_lock_becomes_a_plain_store_error(tmp_path):
    path = str(tmp_path / "t.db")
    init_database(path)
    with DatabaseConnection(path, immediate=True):
        with pytest.raises(StoreError) as caught:
            with DatabaseConnection(path, immediate=True, timeout=0.2):
                pass
    assert str(caught.value) == "The order database is busy right now; please try again in a moment."


def test_twenty_simultaneous_orders_get_twenty_distinct_numbers(db):
    barrier = threading.Barrier(20)
    numbers, errors = [], []

    def place(i):
        try:
            barrier.wait(timeout=10)
            numbers.append(db.place_order(new_order(key=f"call-{i}:1", call_id=f"call-{i}"), shop_text).order_number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(numbers) == [f"20261130-{n:03d}" for n in range(1, 21)]
    assert [o.day_seq for o in db.orders_on_day("2026-11-30")] == list(range(1, 21))
    assert db.outbox_counts() == {"pending": 20, "sending": 0, "sent": 0, "logged": 0, "failed": 0}


def test_day_sequence_restarts_each_day_and_numbers_are_formatted(db):
    numbers = [db.place_order(new_order(key=f"k{i}"), shop_text).order_number for i in range(42)]
    tomorrow = db.place_order(new_order(key="next-day", day="2026-12-01"), shop_text)
    assert numbers[:2] == ["20261130-001", "20261130-002"]
    forty_second = db.find_order(numbers[-1])
    assert (forty_second.order_number, forty_second.display_number) == ("20261130-042", "#042")
    assert (tomorrow.order_number, tomorrow.display_number, tomorrow.day_seq) == ("20261201-001", "#001", 1)


def test_placed_order_round_trips_with_utc_times_and_its_texts(db):
    order = db.place_order(new_order(), shop_text)
    assert order == StoredOrder(
        id=1, order_number="20261130-001", order_day="2026-11-30", day_seq=1, call_id="call-1",
        idempotency_key="call-1:1", customer_name="Sam", customer_phone="+61412345678", items=ITEMS,
        subtotal=2200, gst=200, total=2200, ready_at="2026-11-30T07:45:00.000000+00:00", notes="extra napkins",
        status="new", created_at="2026-11-30T07:30:00.000000+00:00", created=True)
    assert db.find_order_by_key("call-1:1") == StoredOrder(**{**order.__dict__, "created": False})
    assert db.last_order_for_call("call-1").order_number == "20261130-001"
    assert db.find_order("20261130-999") is None
    [text] = db.outbox_for_order(order.id)
    assert (text.kind, text.to_phone, text.body, text.status, text.attempts, text.call_id, text.order_number,
            text.next_attempt_at) == ("shop_order", "+61395345588", "NEW ORDER #001", "pending", 0, "call-1",
                                      "20261130-001", "2026-11-30T07:30:00.000000+00:00")


def test_same_idempotency_key_twice_gives_one_order_and_one_set_of_texts(db):
    calls = []

    def compose(order):
        calls.append(order.order_number)
        return shop_text(order)

    first = db.place_order(new_order(key="call-1:cart-abc"), compose)
    again = db.place_order(new_order(key="call-1:cart-abc"), compose)
    assert (first.created, again.created) == (True, False)
    assert (again.id, again.order_number) == (first.id, "20261130-001")
    assert calls == ["20261130-001"]
    assert len(db.orders_on_day("2026-11-30")) == 1
    assert db.outbox_counts()["pending"] == 1


def test_an_order_whose_texts_cannot_be_composed_is_not_saved(db):
    def broken(order):
        raise ValueError("no template")

    with pytest.raises(ValueError):
        db.place_order(new_order(), broken)
    assert db.orders_on_day("2026-11-30") == []
    assert db.place_order(new_order(), shop_text).order_number == "20261130-001"


def test_orders_for_phone_newest_first_and_limited(db):
    for i, minutes in enumerate([0, 90, 30]):
        db.place_order(new_order(key=f"a{i}", at=T0 + timedelta(minutes=minutes), name=f"Sam {i}"), shop_text)
    db.place_order(new_order(key="other", phone="+61498765432"), shop_text)
    assert [o.customer_name for o in db.orders_for_phone("+61412345678")] == ["Sam 1", "Sam 2", "Sam 0"]
    assert [o.customer_name for o in db.orders_for_phone("+61412345678", limit=1)] == ["Sam 1"]
    assert db.orders_for_phone("+61400000000") == []


def test_claims_lease_rows_and_an_expired_lease_is_claimed_again(db):
    first, second = db.add_messages([OutboxMessage("menu_link", "+61412345678", "menu", call_id="c1"),
                                     OutboxMessage("receipt", "+61412345678", "receipt", call_id="c1")])
    db.add_messages([OutboxMessage("ready", "+61412345678", "later")], at=T0 + timedelta(hours=1))
    assert db.outbox_row(first).next_attempt_at is None  # due at once, whatever the sender's clock says
    [a] = db.claim_due(T0, limit=1)
    [b] = db.claim_due(T0, limit=1)
    assert (a.id, b.id) == (first, second)
    assert (a.status, a.attempts, a.claimed_until) == ("sending", 1, "2026-11-30T07:31:00.000000+00:00")
    assert db.claim_due(T0 + timedelta(seconds=59)) == []
    reclaimed = db.claim_due(T0 + timedelta(seconds=60))
    assert [(r.id, r.attempts) for r in reclaimed] == [(first, 2), (second, 2)]
    assert db.texts_for_call("c1") == 2


def test_outbox_marks_and_counts(db):
    ids = db.add_messages([OutboxMessage("menu_link", "+61412345678", f"m{i}") for i in range(4)])
    db.claim_due(T0)
    db.mark_sent(ids[0], "SM123", T0)
    db.mark_sent(ids[1], "log-1", T0, logged=True)
    db.mark_retry(ids[2], "Twilio HTTP 500", T0 + timedelta(seconds=5))
    db.mark_failed(ids[3], "Twilio HTTP 400")
    db.mark_failed(ids[0], "too late")  # a sent text stays sent
    assert db.outbox_counts() == {"pending": 1, "sending": 0, "sent": 1, "logged": 1, "failed": 1}
    sent, retry = db.outbox_row(ids[0]), db.outbox_row(ids[2])
    assert (sent.status, sent.provider_sid, sent.sent_at, sent.claimed_until) == (
        "sent", "SM123", "2026-11-30T07:30:00.000000+00:00", None)
    assert (retry.status, retry.last_error, retry.next_attempt_at) == (
        "pending", "Twilio HTTP 500", "2026-11-30T07:30:05.000000+00:00")


def test_abandoned_cart_keeps_the_number_for_a_call_back(db):
    cart_id = db.record_abandoned_cart("call-9", "+61412345678", "1x large lamb kebab", 1500, T0)
    with DatabaseConnection(db.path) as conn:
        row = dict(conn.execute("SELECT * FROM abandoned_carts WHERE id = ?", (cart_id,)).fetchone())
    assert row == {"id": cart_id, "call_id": "call-9", "masked_phone": "+614••••5678", "phone": "+61412345678",
                   "summary": "1x large lamb kebab", "total": 1500,
                   "created_at": "2026-11-30T07:30:00.000000+00:00"}


def test_database_path_relative_and_absolute_urls_make_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert database_path("sqlite:///data/kebabalab.db") == "data/kebabalab.db"
    assert (tmp_path / "data").is_dir()
    absolute = tmp_path / "abs" / "k.db"
    assert database_path(f"sqlite:///{absolute}") == str(absolute)
    assert (tmp_path / "abs").is_dir()


@pytest.mark.parametrize("url, message", [
    ("sqlite:///:memory:", "DATABASE_URL must name a file, not :memory:"),
    ("sqlite:///", "DATABASE_URL must name a file, not :memory:"),
    ("postgresql://shop@localhost/kebabalab", "DATABASE_URL must start with sqlite:///"),
    ("sqlite://relative.db", "DATABASE_URL must start with sqlite:///"),
    ("data/kebabalab.db", "DATABASE_URL must start with sqlite:///"),
], ids=["memory", "no path", "postgres for now", "two slashes", "bare path"])
def test_database_path_refuses(url, message):
    with pytest.raises(ConfigError) as caught:
        database_path(url)
    assert str(caught.value).startswith(message)


def test_in_memory_database_is_refused_by_the_handle_too():
    with pytest.raises(ConfigError):
        Database("sqlite:///:memory:")


def test_open_orders_due_counts_orders_still_to_make_in_the_window(db):
    for i, ready in enumerate(["2026-11-30T18:40:00+11:00", "2026-11-30T19:00:00+11:00",
                               "2026-11-30T19:20:00+11:00"]):
        db.place_order(NewOrder(**{**new_order(key=f"r{i}").__dict__, "ready_at": ready}), shop_text)
    with DatabaseConnection(db.path) as conn:
        conn.execute("UPDATE orders SET status = 'collected' WHERE day_seq = 2")
    start = datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)  # 6:30 pm in Melbourne
    assert db.open_orders_due(start, start + timedelta(minutes=30)) == 1
    assert db.open_orders_due(start, start + timedelta(minutes=60)) == 2
    assert db.open_orders_due("2026-11-30T18:00:00+11:00", "2026-11-30T18:30:00+11:00") == 0
