"""Migration 7 (many shops): today's single-shop database, with real orders, texts, events and an abandoned
cart, becomes shop 'main' of a many-shop database with nothing lost, on SQLite and PostgreSQL; afterwards a
second shop numbers its orders from #001 on the same day, and the first carries on from its own counter."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from conftest import T0, new_order, shop_text
from kebabalab.clock import FixedClock
from kebabalab.store import MIGRATIONS, SQL, Database, utc_text
from kebabalab.store.schema import statements_for

# the many-shops migration (the one that rebuilds orders), and the single-shop schema every migration before it made
SHOPS = next(n for n, m in enumerate(MIGRATIONS) if any("orders_rebuilt" in str(s) for s in m))
SHIPPED = MIGRATIONS[:SHOPS]
ORDERS = [  # (number, day, seq, phone, name, status, total)
    ("20261129-001", "2026-11-29", 1, "+61412345678", "Sam", "collected", 2200),
    ("20261129-002", "2026-11-29", 2, "+61498765432", "Priya", "cancelled", 1250),
    ("20261130-001", "2026-11-30", 1, "+61412345678", "Sam", "new", 3100),
]


def single_shop_database(url: str) -> Database:
    """A database as the one-shop code before many shops left it, filled the way that code fills it."""
    db = Database(url, clock=FixedClock(T0))
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["version_table"])
        for number, migration in enumerate(SHIPPED, start=1):
            for statement in migration:
                conn.execute(db.engine.ddl(statement))
            conn.execute(SQL["version_add"], (number, utc_text(T0)))
        for order_number, day, seq, phone, name, status, total in ORDERS:
            order_id = conn.execute(
                "INSERT INTO orders (order_number, order_day, day_seq, call_id, idempotency_key, customer_name, "
                "customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (order_number, day, seq, f"call-{order_number}", f"call-{order_number}:1", name, phone,
                 json.dumps([{"description": "large lamb kebab", "quantity": 1}]), total, total // 11, total,
                 utc_text(T0), "no onion", status, utc_text(T0))).fetchone()["id"]
            conn.execute("INSERT INTO outbox (order_id, call_id, kind, to_phone, body, status, attempts, created_at) "
                         "VALUES (?, ?, 'shop_order', '+61400000001', ?, 'sent', 1, ?)",
                         (order_id, f"call-{order_number}", f"NEW ORDER #{seq:03d}", utc_text(T0)))
            conn.execute("INSERT INTO order_events (order_id, from_status, to_status, actor, created_at) "
                         "VALUES (?, 'new', ?, 'staff', ?)", (order_id, status, utc_text(T0)))
        conn.execute("INSERT INTO order_counters (order_day, last_seq) VALUES ('2026-11-29', 2), ('2026-11-30', 1)")
        conn.execute("INSERT INTO abandoned_carts (call_id, masked_phone, phone, summary, total, created_at) "
                     "VALUES ('call-x', '+614••••5678', '+61412345678', '1 large lamb kebab', 1500, ?)", (utc_text(T0),))
    return db


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in db.engine.read(sql)]


def test_a_single_shop_database_becomes_shop_main_with_nothing_lost(database_url):
    db = single_shop_database(database_url)
    try:
        before = rows(db, "SELECT o.id, o.order_number, o.status, e.to_status, x.body FROM orders o JOIN order_events "
                          "e ON e.order_id = o.id JOIN outbox x ON x.order_id = o.id ORDER BY o.id")
        assert db.init() == len(MIGRATIONS)
        assert rows(db, "SELECT o.id, o.order_number, o.status, e.to_status, x.body FROM orders o JOIN order_events "
                        "e ON e.order_id = o.id JOIN outbox x ON x.order_id = o.id ORDER BY o.id") == before
        assert rows(db, "SELECT order_number, shop_id FROM orders ORDER BY id") == [
            ("20261129-001", "main"), ("20261129-002", "main"), ("20261130-001", "main")]
        assert rows(db, "SELECT shop_id FROM outbox") == [("main",)] * 3
        assert rows(db, "SELECT call_id, shop_id FROM abandoned_carts") == [("call-x", "main")]
        assert [o.customer_name for o in db.orders_for_phone("+61412345678")] == ["Sam", "Sam"]
        # the one shop carries on from its counter; a new shop starts its own day at #001
        main = db.place_order(new_order(key="after-update"), shop_text)
        fitzroy = db.place_order(replace(new_order(key="fitzroy-1"), shop_id="fitzroy"), shop_text)
        assert (main.order_number, main.shop_id) == ("20261130-002", "main")
        assert (fitzroy.order_number, fitzroy.display_number, fitzroy.shop_id) == ("20261130-001", "#001", "fitzroy")
        assert db.find_order("20261130-001").customer_name == "Sam"
        assert db.find_order("20261130-001", "fitzroy").id == fitzroy.id
        assert [m.body for m in db.outbox_for_order(fitzroy.id)] == ["NEW ORDER #001"]
        assert [m.shop_id for m in db.outbox_for_order(fitzroy.id)] == ["fitzroy"]
        assert db.orders_on_day("2026-11-30", "fitzroy") == [replace(fitzroy, created=False)]
        assert db.open_orders_due(T0, T0 + timedelta(days=1), "fitzroy") == 1
        # a shop's order number is still unique within the shop
        with pytest.raises(Exception):
            with db.transaction(immediate=True) as conn:
                conn.execute("INSERT INTO orders (order_number, order_day, day_seq, items, subtotal, gst, total, "
                             "created_at, shop_id) VALUES ('20261130-001', '2026-11-30', 9, '[]', 0, 0, 0, ?, "
                             "'fitzroy')", (utc_text(T0),))
    finally:
        db.close()


def test_the_sqlite_rebuild_keeps_every_reference_to_orders_enforced(tmp_path):
    url = f"sqlite:///{tmp_path}/orders.db"
    db = single_shop_database(url)
    db.init()
    db.close()
    conn = sqlite3.connect(tmp_path / "orders.db")
    conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[2] for r in conn.execute("PRAGMA foreign_key_list(outbox)")] == ["orders"]
    assert sorted(r[1] for r in conn.execute("PRAGMA index_list(orders)") if r[1].startswith("ix_")) == [
        "ix_orders_call_id", "ix_orders_created_at", "ix_orders_customer_phone", "ix_orders_ready_at",
        "ix_orders_shop_created_at", "ix_orders_shop_ready_at", "ix_orders_status"]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO outbox (order_id, kind, to_phone, body, created_at) VALUES "
                     "(999, 'receipt', '+61412345678', 'x', 'now')")
    conn.close()


def test_the_statements_differ_by_engine_only_where_the_rebuild_needs_it():
    sqlite_only = set(statements_for(MIGRATIONS[SHOPS], "sqlite")) - set(statements_for(MIGRATIONS[SHOPS],
                                                                                           "postgresql"))
    assert "DROP TABLE orders" in sqlite_only
    assert [m for m in SHIPPED if any(not isinstance(s, str) for s in m)] == []
