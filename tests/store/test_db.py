"""SQLite-only parts of the order database: schema, transactions, file paths, day numbers (the order and
outbox behaviour on both engines is in test_engines.py)."""
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from conftest import T0, new_order, shop_text
from kebabalab.clock import FixedClock
from kebabalab.store import (MIGRATIONS, Database, DatabaseConnection, NewOrder,
                          database_path, init_database)
from kebabalab.errors import ConfigError, StoreError



@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/orders.db", clock=FixedClock(T0))
    database.init()
    return database


def tables(path):
    with DatabaseConnection(path) as conn:
        return {row["name"] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_init_creates_the_versioned_schema_and_running_it_again_changes_nothing(tmp_path):
    path = str(tmp_path / "k.db")
    assert init_database(path) == len(MIGRATIONS) == 19
    assert tables(path) == {"schema_version", "orders", "outbox", "abandoned_carts", "order_events",
                            "order_counters", "login_guards", "staff_sessions", "forgotten_phones",
                            "server_heartbeats", "saved_sessions", "calls", "call_messages", "text_receipts",
                            "owner_notices", "health_marks", "call_offers", "sms_opt_outs",
                            "staff_members", "print_jobs", "printer_states", "menu_versions",
                            "shop_order_counters"}
    assert init_database(f"sqlite:///{path}") == 19
    with DatabaseConnection(path) as conn:
        versions = [tuple(r) for r in conn.execute("SELECT version FROM schema_version")]
        assert versions == [(1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (9,), (10,), (11,), (12,), (13,),
                            (14,), (15,), (16,), (17,), (18,), (19,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
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


def test_day_sequence_restarts_each_day_and_numbers_are_formatted(db):
    numbers = [db.place_order(new_order(key=f"k{i}"), shop_text).order_number for i in range(42)]
    tomorrow = db.place_order(new_order(key="next-day", day="2026-12-01"), shop_text)
    assert numbers[:2] == ["20261130-001", "20261130-002"]
    forty_second = db.find_order(numbers[-1])
    assert (forty_second.order_number, forty_second.display_number) == ("20261130-042", "#042")
    assert (tomorrow.order_number, tomorrow.display_number, tomorrow.day_seq) == ("20261201-001", "#001", 1)


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
