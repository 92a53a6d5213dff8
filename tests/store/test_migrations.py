"""Rollback is code only, so migrations only add: every schema version that has shipped migrates forward to
today's, and every shipped version's statements still run on every later schema (the old code after a
rollback). The shipped versions come from git history (tests/schema_history.py), on both engines."""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import pytest

from conftest import T0, new_order, shop_text
from kebabalab.clock import FixedClock
from kebabalab.store import MIGRATIONS, SQL, Database, utc_text
from kebabalab.store.schema import statements_for
from kebabalab.store.postgres import ddl, placeholders
from schema_history import load

HISTORY = load()
VERSIONS = [entry["version"] for entry in HISTORY]
ADDS_ONLY = re.compile(r"^\s*(CREATE TABLE \w+ \(|CREATE (UNIQUE )?INDEX \w+ ON \w+ \(|INSERT INTO \w+ \(.*\) SELECT "
                       r"|ALTER TABLE \w+ ADD COLUMN \w+ \w+( NOT NULL)?( DEFAULT \S+)?\s*$)", re.S)
CHANGES = re.compile(r"\b(DROP|RENAME|ALTER COLUMN|DELETE|UPDATE)\b|ADD COLUMN .*NOT NULL(?!.*DEFAULT)", re.S)
# The migrations that had to rebuild a table, each saying why in its comment: the table, and the statements
# allowed to change it (and nothing else).
REBUILDS = {18: ("orders", re.compile(
    r"^(DROP TABLE orders|ALTER TABLE orders_rebuilt RENAME TO orders|ALTER TABLE orders DROP CONSTRAINT \w+"
    r"|ALTER TABLE orders ADD CONSTRAINT \w+ UNIQUE \([\w, ]+\))$"))}
ENGINES = ("sqlite", "postgresql")


def test_every_version_that_shipped_is_the_start_of_todays_migrations():
    assert VERSIONS[0] == 1 and VERSIONS[-1] <= len(MIGRATIONS)
    for entry in HISTORY:
        assert entry["changed_at"] == [], f"schema version {entry['version']} was edited after it shipped"
        assert MIGRATIONS[:entry["version"]] == entry["migrations"]


@pytest.mark.parametrize("number", range(1, len(MIGRATIONS) + 1))
def test_each_migration_only_adds_tables_indexes_or_nullable_columns(number):
    _, rebuild = REBUILDS.get(number, (None, None))
    for statement in {s for engine in ENGINES for s in statements_for(MIGRATIONS[number - 1], engine)}:
        if rebuild is not None and rebuild.match(statement):
            continue
        assert ADDS_ONLY.match(statement) and not CHANGES.search(statement), statement


def test_a_rebuild_says_why_and_touches_only_its_table():
    import inspect
    from kebabalab.store import schema
    source = inspect.getsource(schema)
    for number, (table, _) in REBUILDS.items():
        comment = source[source.index(f"[  # {number}:"):].split("{", 1)[0]
        assert "A REBUILT TABLE, and why" in comment and table in comment


def build(database_url, version, migrations):
    """A database as the code of `version` left it, with one order of its day in it."""
    db = Database(database_url, clock=FixedClock(T0))
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["version_table"])
        for number, statements in enumerate(migrations[:version], start=1):
            for statement in statements_for(statements, db.engine.name):
                conn.execute(db.engine.ddl(statement))
            conn.execute(SQL["version_add"], (number, utc_text(T0)))
        conn.execute("INSERT INTO orders (order_number, order_day, day_seq, call_id, idempotency_key, customer_name, "
                     "customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at) VALUES "
                     "('20261130-001', '2026-11-30', 1, 'c', 'old', 'Al', '+61412345678', '[]', 1500, 136, 1500, "
                     "NULL, NULL, 'new', ?)", (utc_text(T0),))
        if version >= 2:  # the counter the day's order took
            conn.execute("INSERT INTO order_counters (order_day, last_seq) VALUES ('2026-11-30', 1)")
    return db


@pytest.mark.parametrize("version", VERSIONS)
def test_every_shipped_schema_migrates_forward_to_todays(database_url, version):
    shipped = HISTORY[VERSIONS.index(version)]["migrations"]
    db = build(database_url, version, shipped)
    try:
        assert db.init() == len(MIGRATIONS)
        assert db.find_order("20261130-001").customer_name == "Al"
        assert db.place_order(new_order(key="after-update"), shop_text).order_number == "20261130-002"
    finally:
        db.close()


def statement_to_run(sql: str) -> tuple[str, tuple]:
    """A statement with its {marks}/{rows} filled and one NULL per `?` (outside quotes)."""
    columns = re.search(r"INSERT INTO \w+ \(([^)]*)\)", sql)
    rows = "(" + ", ".join("?" * len(columns.group(1).split(","))) + ")" if columns else ""
    sql = sql.replace("{marks}", "?").replace("{rows}", rows)
    marks = sum(part.count("?") for part in sql.split("'")[::2])
    return sql, (None,) * marks


@contextmanager
def schema_at(database_url, folder, version):
    """A fresh schema as migrate() makes it up to `version`; yields check(statements) -> failures."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(folder / f"schema-{version}.db")
        for statement in [SQL["version_table"], *(s for migration in MIGRATIONS[:version]
                                                  for s in statements_for(migration, "sqlite"))]:
            conn.execute(statement)
        # row locks (FOR UPDATE ... SKIP LOCKED) are PostgreSQL's only: SQLite's writers take turns instead
        yield lambda statements: _failures([e for e in statements if " FOR UPDATE " not in e["sql"]],
                                           lambda sql, p: conn.execute("EXPLAIN " + sql, p), sqlite3.Error)
        conn.close()
        return
    import psycopg
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA v{version}")
        conn.execute(f"SET search_path TO v{version}")
        for statement in [SQL["version_table"], *(s for migration in MIGRATIONS[:version]
                                                  for s in statements_for(migration, "postgresql"))]:
            conn.execute(ddl(statement))
        # PostgreSQL's EXPLAIN plans queries only (not CREATE TABLE IF NOT EXISTS, which runs on any schema)
        yield lambda statements: _failures(
            [e for e in statements if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", e["sql"])],
            lambda sql, p: conn.execute("EXPLAIN " + placeholders(sql), p), psycopg.Error)


def _failures(statements, explain, error) -> list[str]:
    failed = []
    for entry in statements:
        sql, params = statement_to_run(entry["sql"])
        try:
            explain(sql, params)  # compiled (SQLite) or planned (PostgreSQL) against the schema, not run
        except error as exc:
            failed.append(f"{entry['name']}: {str(exc).splitlines()[0]}")
    return failed


def test_the_code_of_every_shipped_version_runs_on_every_later_schema(database_url, tmp_path):
    """After an update to schema N and a rollback, the code of schema M < N runs on schema N: each of its
    statements is compiled there (SQLite) or planned (PostgreSQL) without an error."""
    failed = {}
    for later in range(1, len(MIGRATIONS) + 1):
        with schema_at(database_url, tmp_path, later) as check:
            for entry in (e for e in HISTORY if e["version"] <= later):
                if found := check(entry["statements"]):
                    failed[f"code of schema {entry['version']} on schema {later}"] = found
    assert failed == {}


def test_a_statement_the_schema_lacks_a_column_for_is_caught(database_url, tmp_path):
    """The check above can fail: a statement of tomorrow's code is refused on today's schema."""
    tomorrow = [{"name": "orders_by_table", "sql": "SELECT table_number FROM orders WHERE id = ?"}]
    with schema_at(database_url, tmp_path, len(MIGRATIONS)) as check:
        [found] = check(tomorrow)
    assert found.startswith("orders_by_table: ") and "table_number" in found
