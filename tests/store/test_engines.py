"""The same contracts on every engine: orders and the outbox on SQLite and PostgreSQL, sessions in memory and
in Redis. The real servers come from tests/servers.py (started once, on loopback)."""
from __future__ import annotations

import threading
from datetime import timedelta

import psycopg
import pytest

from conftest import ITEMS, T0, new_order, shop_text
from kebabalab.ordering.cart import CartLine
from kebabalab.clock import FixedClock
from kebabalab.store import (MIGRATIONS, SQL, Database, OutboxMark, OutboxMessage, StoredOrder, init_database,
                          utc_text)
from kebabalab.store.orders import open_engine
from kebabalab.errors import StoreError, ToolError
from kebabalab.store.redis_sessions import RedisSessionStore
from kebabalab.store.sessions import MemorySessionStore, Session


TABLES = {"schema_version", "orders", "outbox", "abandoned_carts", "order_events", "order_counters",
          "login_guards", "staff_sessions", "forgotten_phones", "server_heartbeats",
          "saved_sessions", "calls", "call_messages", "text_receipts", "owner_notices", "health_marks",
          "call_offers", "sms_opt_outs", "staff_members",
          "print_jobs", "printer_states", "menu_versions", "shop_order_counters"}
BUSY = "The order database is busy right now; please try again in a moment."


def all_at_once(count: int, work) -> list:
    """Run work(i) on `count` threads released together; returns the results in order (or raises the first error)."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


# --- orders and the outbox: SQLite and PostgreSQL -----------------------------------------------------------

def table_names(db) -> set[str]:
    sql = ("SELECT name FROM sqlite_master WHERE type = 'table'" if db.engine.name == "sqlite" else
           "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    with db.transaction() as conn:
        return {row["name"] for row in conn.execute(sql).fetchall()}


def test_init_creates_the_same_schema_on_both_engines_and_again_changes_nothing(db, database_url):
    assert table_names(db) == TABLES
    assert init_database(database_url) == db.init() == len(MIGRATIONS) == 19
    with db.transaction() as conn:
        assert [row["version"] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")] \
            == list(range(1, len(MIGRATIONS) + 1))


def test_workers_starting_at_once_migrate_the_schema_once(database_url):
    assert all_at_once(4, lambda i: init_database(database_url)) == [len(MIGRATIONS)] * 4
    db = Database(database_url, clock=FixedClock(T0))
    try:
        with db.transaction() as conn:
            assert [row["version"] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")] \
                == list(range(1, len(MIGRATIONS) + 1))
    finally:
        db.close()


def test_the_counter_migration_carries_on_from_the_orders_already_taken(database_url):
    engine = open_engine(database_url, pooled=False)
    with engine.transaction(immediate=True) as conn:  # a database still at schema version 1
        conn.execute(SQL["version_table"])
        for statement in MIGRATIONS[0]:
            conn.execute(engine.ddl(statement))
        conn.execute(SQL["version_add"], (1, utc_text(T0)))
        for seq in (1, 2, 3):
            conn.execute("INSERT INTO orders (order_number, order_day, day_seq, call_id, idempotency_key, "
                         "customer_name, customer_phone, items, subtotal, gst, total, ready_at, notes, status, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)",
                         (f"20261130-00{seq}", "2026-11-30", seq, "c", f"old-{seq}", "Al", None,
                          "[]", 100, 9, 100, None, "", utc_text(T0)))  # as the code of schema 1 wrote it
    engine.close()
    db = Database(database_url, clock=FixedClock(T0))
    try:
        assert db.init() == len(MIGRATIONS)
        assert db.place_order(new_order(), shop_text).order_number == "20261130-004"
        assert db.place_order(new_order(key="k2", day="2026-12-01"), shop_text).order_number == "20261201-001"
    finally:
        db.close()


def test_twenty_simultaneous_orders_get_twenty_distinct_numbers(db):
    numbers = all_at_once(20, lambda i: db.place_order(new_order(key=f"call-{i}:1", call_id=f"call-{i}"),
                                                       shop_text).order_number)
    assert sorted(numbers) == [f"20261130-{n:03d}" for n in range(1, 21)]
    assert [o.day_seq for o in db.orders_on_day("2026-11-30")] == list(range(1, 21))
    assert db.outbox_counts() == {"pending": 20, "sending": 0, "sent": 0, "logged": 0, "failed": 0}


def test_one_cart_sent_ten_times_at_once_is_one_order_with_one_set_of_texts(db):
    composed = []

    def compose(order):
        composed.append(order.order_number)
        return shop_text(order)

    orders = all_at_once(10, lambda i: db.place_order(new_order(key="call-1:cart-abc"), compose))
    assert sorted(o.created for o in orders) == [False] * 9 + [True]
    assert {(o.id, o.order_number) for o in orders} == {(orders[0].id, "20261130-001")}
    assert composed == ["20261130-001"]
    assert [o.order_number for o in db.orders_on_day("2026-11-30")] == ["20261130-001"]
    assert db.outbox_counts()["pending"] == 1
    assert db.place_order(new_order(key="next"), shop_text).order_number == "20261130-002"


def test_placed_order_round_trips_and_the_same_key_returns_it(db):
    order = db.place_order(new_order(), shop_text)
    assert order == StoredOrder(
        id=1, order_number="20261130-001", order_day="2026-11-30", day_seq=1, call_id="call-1",
        idempotency_key="call-1:1", customer_name="Sam", customer_phone="+61412345678", items=ITEMS,
        subtotal=2200, gst=200, total=2200, ready_at="2026-11-30T07:45:00.000000+00:00", notes="extra napkins",
        status="new", created_at="2026-11-30T07:30:00.000000+00:00", created=True)
    assert db.place_order(new_order(), shop_text) == StoredOrder(**{**order.__dict__, "created": False})
    assert db.find_order_by_key("call-1:1") == StoredOrder(**{**order.__dict__, "created": False})
    assert db.find_order("20261130-999") is None
    [text] = db.outbox_for_order(order.id)
    assert (text.kind, text.body, text.status, text.order_number) == (
        "shop_order", "NEW ORDER #001", "pending", "20261130-001")


def test_an_order_whose_texts_cannot_be_composed_is_not_saved_and_keeps_its_number_free(db):
    def broken(order):
        raise ValueError("no template")

    with pytest.raises(ValueError):
        db.place_order(new_order(), broken)
    assert db.orders_on_day("2026-11-30") == []
    assert db.place_order(new_order(), shop_text).order_number == "20261130-001"


def test_orders_for_phone_newest_first_and_stored_numbers_made_e164(db):
    for i, minutes in enumerate([0, 90, 30]):
        db.place_order(new_order(key=f"a{i}", at=T0 + timedelta(minutes=minutes), name=f"Sam {i}"), shop_text)
    db.place_order(new_order(key="spoken", phone="0412 345 678", name="Sam old", at=T0 - timedelta(days=7)),
                   shop_text)
    db.place_order(new_order(key="other", phone="+61498765432", name="Jo"), shop_text)
    assert db.normalise_phones() == 1  # '0412 345 678' (the LIKE '% %' patterns run on PostgreSQL too)
    assert [o.customer_name for o in db.orders_for_phone("+61412345678")] == ["Sam 1", "Sam 2", "Sam 0", "Sam old"]
    assert [o.customer_name for o in db.orders_for_phone("+61412345678", limit=1)] == ["Sam 1"]
    assert db.orders_for_phone("+61400000000") == []


def test_two_senders_claiming_at_once_never_get_the_same_text(db):
    ids = db.add_messages([OutboxMessage("menu_link", "+61412345678", f"menu {i}", call_id="c1") for i in range(40)])

    def sender(_):
        mine = []
        while batch := db.claim_due(T0, limit=3):
            mine += [row.id for row in batch]
        return mine

    first, second = all_at_once(2, sender)
    assert sorted(first + second) == sorted(ids)  # every text once, none twice
    assert {db.outbox_row(i).attempts for i in ids} == {1}
    assert db.texts_for_call("c1") == 40


def test_claims_lease_rows_and_an_expired_lease_is_claimed_again(db):
    first, second = db.add_messages([OutboxMessage("menu_link", "+61412345678", "menu"),
                                     OutboxMessage("receipt", "+61412345678", "receipt")])
    db.add_messages([OutboxMessage("ready", "+61412345678", "later")], at=T0 + timedelta(hours=1))
    [a] = db.claim_due(T0, limit=1)
    [b] = db.claim_due(T0, limit=1)
    assert (a.id, b.id, a.status, a.attempts) == (first, second, "sending", 1)
    assert a.claimed_until == "2026-11-30T07:31:00.000000+00:00"
    assert db.claim_due(T0 + timedelta(seconds=59)) == []
    assert [(r.id, r.attempts) for r in db.claim_due(T0 + timedelta(seconds=60))] == [(first, 2), (second, 2)]


def test_a_renewed_lease_keeps_the_text_and_only_its_own_sender_can_renew_it(db):
    [text] = db.add_messages([OutboxMessage("menu_link", "+61412345678", "menu")])
    [row] = db.claim_due(T0)
    later = "2026-11-30T07:32:00.000000+00:00"
    assert db.renew_leases([text], "2026-11-30T07:30:30.000000+00:00", later) == 0  # not the lease it holds
    assert db.renew_leases([text], row.claimed_until, later) == 1
    assert db.claim_due(T0 + timedelta(seconds=90)) == []  # past the first lease, within the renewed one
    assert [r.id for r in db.claim_due(T0 + timedelta(seconds=120))] == [text]


def test_outbox_marks_counts_queue_and_abandoned_carts(db):
    ids = db.add_messages([OutboxMessage("menu_link", "+61412345678", f"m{i}") for i in range(4)])
    db.claim_due(T0)
    db.record_marks([OutboxMark(ids[0], "sent", provider_sid="SM123", at=T0),
                     OutboxMark(ids[1], "logged", provider_sid="log-1", at=T0),
                     OutboxMark(ids[2], "retry", error="Twilio HTTP 500", at=T0 + timedelta(seconds=5)),
                     OutboxMark(ids[3], "failed", error="Twilio HTTP 400")])
    db.record_marks([OutboxMark(ids[0], "failed", error="too late")])  # a sent text stays sent
    assert db.outbox_counts() == {"pending": 1, "sending": 0, "sent": 1, "logged": 1, "failed": 1}
    db.place_order(new_order(), shop_text)  # ready 07:45 UTC
    assert (db.open_orders_due(T0, T0 + timedelta(minutes=30)), db.open_orders_due(T0, T0 + timedelta(minutes=10))) \
        == (1, 0)
    cart_id = db.record_abandoned_cart("call-9", "+61412345678", "1x large lamb kebab", 1500, T0)
    with db.transaction() as conn:
        row = dict(conn.execute("SELECT * FROM abandoned_carts WHERE id = ?", (cart_id,)).fetchone())
    assert row == {"id": cart_id, "call_id": "call-9", "masked_phone": "+614••••5678", "phone": "+61412345678",
                   "summary": "1x large lamb kebab", "total": 1500,
                   "created_at": "2026-11-30T07:30:00.000000+00:00", "shop_id": "main"}


def test_a_read_is_one_statement_and_transactions_after_it_stay_all_or_nothing(database_url):
    """The statements are counted on SQLite (its trace callback). On PostgreSQL the read runs in autocommit,
    and what is checked is that the pool's one connection is back to transactions for the write after it."""
    init_database(database_url)
    if database_url.startswith("postgresql"):
        from kebabalab.store.postgres import PostgresEngine
        engine = PostgresEngine(database_url, min_size=1, max_size=1)  # the read's connection is reused below
    else:
        engine = open_engine(database_url)
        statements: list[str] = []
        engine._connection().set_trace_callback(statements.append)
    try:
        assert engine.read(SQL["orders_for_phone"], ("main", "+61412345678", 5)) == []
        if engine.name == "sqlite":
            assert len(statements) == 1 and statements[0].startswith("SELECT id, order_number")  # no BEGIN, COMMIT
        with pytest.raises(RuntimeError):
            with engine.transaction(immediate=True) as conn:
                conn.execute(SQL["abandoned_add"], ("c", None, None, "1 x coke", 350, utc_text(T0), "main"))
                raise RuntimeError("the tool failed after its first write")
        assert engine.read("SELECT COUNT(*) AS n FROM abandoned_carts")[0]["n"] == 0
    finally:
        engine.close()


def test_the_kitchen_queue_is_read_through_the_ready_at_index(tmp_path):
    path = tmp_path / "orders.db"
    init_database(path)
    engine = open_engine(path)
    plan = engine.read("EXPLAIN QUERY PLAN " + SQL["open_orders_due"], ("main", utc_text(T0), utc_text(T0)))
    engine.close()
    [step] = [row["detail"] for row in plan]  # "SEARCH orders USING INDEX ..." ("SEARCH TABLE" before 3.36)
    assert step.startswith("SEARCH") and "USING INDEX ix_orders_shop_ready_at (shop_id=? AND ready_at>? AND ready_at<?)" in step


@pytest.mark.slow
def test_postgres_lock_timeout_is_a_plain_busy_error(postgres_database_url):
    db = Database(postgres_database_url, clock=FixedClock(T0))
    try:
        db.init()
        with db.transaction() as holder:
            holder.execute("SELECT pg_advisory_xact_lock(42)")
            with pytest.raises(StoreError) as caught:
                with db.transaction() as waiter:
                    waiter.execute("SET LOCAL lock_timeout = '100ms'")
                    waiter.execute("SELECT pg_advisory_xact_lock(42)")
        assert str(caught.value) == BUSY
        assert db.place_order(new_order(), shop_text).order_number == "20261130-001"  # the pool recovered
    finally:
        db.close()


@pytest.mark.slow
def test_a_pooled_connection_idle_past_the_window_is_checked_and_one_taken_again_at_once_is_not(
        postgres_database_url):
    """The pool checks a connection (a round trip) only when it has been idle for a while: one the server
    dropped while idle is replaced before the read runs; within the window no check is made, so a drop in it
    is the read's plain StoreError, and the next read has a new connection."""
    from kebabalab.store.postgres import PostgresEngine
    pid = "SELECT pg_backend_pid() AS pid"

    def drop(backend: int) -> None:
        with psycopg.connect(postgres_database_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (backend,))

    checked = PostgresEngine(postgres_database_url, min_size=1, max_size=1, check_after_idle=0)
    try:
        first = checked.read(pid)[0]["pid"]
        drop(first)
        second = checked.read(pid)[0]["pid"]
        assert second != first  # the check found it gone; no error reached the read
    finally:
        checked.close()
    unchecked = PostgresEngine(postgres_database_url, min_size=1, max_size=1, check_after_idle=60)
    try:
        drop(unchecked.read(pid)[0]["pid"])
        with pytest.raises(StoreError) as caught:
            unchecked.read(pid)
        assert str(caught.value) == "The order database cannot be reached right now; please try again in a moment."
        assert unchecked.read("SELECT 1 AS one") == [{"one": 1}]
    finally:
        unchecked.close()


@pytest.mark.slow
def test_an_order_on_postgres_is_four_round_trips_and_its_texts_go_with_the_commit(postgres_database_url,
                                                                                   tmp_path):
    """BEGIN goes with the idempotency look-up, then the day's number and the order (each read back), then the
    texts with COMMIT: counted in libpq's trace of the pool's one connection as the client's waits for the
    server (Flush and Sync messages; the pipeline's end sends a Flush right behind its Sync, one wait)."""
    from kebabalab.store.postgres import PostgresEngine
    db = Database(postgres_database_url, clock=FixedClock(T0))
    db.engine.close()
    db.engine = PostgresEngine(postgres_database_url, min_size=1, max_size=1, check_after_idle=60)
    trace = tmp_path / "libpq.trace"
    try:
        db.init()
        with trace.open("w") as out:
            with db.engine._pool.connection() as conn:
                conn.pgconn.trace(out.fileno())
            order = db.place_order(new_order(), shop_text)
            with db.engine._pool.connection() as conn:
                conn.pgconn.untrace()
        sent = [line.split("\t")[3].split(" ")[0] for line in trace.read_text().splitlines()
                if line.split("\t")[1] == "F"]
        assert (order.order_number, [kind for kind in sent if kind in ("Flush", "Sync")]) == (
            "20261130-001", ["Flush", "Flush", "Flush", "Sync", "Flush"])
        assert [row.kind for row in db.outbox_for_order(order.id)] == ["shop_order"]
    finally:
        db.close()


@pytest.mark.slow
def test_postgres_that_cannot_be_reached_is_a_plain_store_error(unused_port):
    with pytest.raises(StoreError) as caught:
        init_database(f"postgresql://postgres@127.0.0.1:{unused_port}/kebabalab")
    assert str(caught.value) == "The order database cannot be reached right now; please try again in a moment."


# --- the session store contract: memory and Redis -----------------------------------------------------------

@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.slow)])
def make_store(request):
    """make_store(clock, ttl, max_sessions) -> a store. Called again: another handle on the same sessions
    (another worker's client, for Redis; the same object, for memory)."""
    if request.param == "memory":
        made: list[MemorySessionStore] = []

        def make(clock, ttl=1800, max_sessions=1000):
            made[:] = made or [MemorySessionStore(clock, ttl, max_sessions)]
            return made[0]
        return make
    url = request.getfixturevalue("fresh_redis_url")
    return lambda clock, ttl=1800, max_sessions=1000: RedisSessionStore(url, clock, ttl, max_sessions)


@pytest.fixture
def session_clock():
    return FixedClock(T0)


def add_line(session: Session) -> int:
    session.cart = session.cart + [CartLine("CAN", "drink", brand="coke")]
    return len(session.cart)


def test_update_keeps_the_change_and_get_returns_a_copy(make_store, session_clock):
    store = make_store(session_clock)
    assert (store.update("a", add_line), store.update("a", add_line)) == (1, 2)
    session = store.get("a")
    assert (session.call_id, [line.brand for line in session.cart], session.created_at, session.last_seen) == (
        "a", ["coke", "coke"], T0.timestamp(), T0.timestamp())
    session.cart.clear()
    assert len(store.get("a").cart) == 2
    assert (store.get("nobody"), store.count()) == (None, 1)


def test_an_update_that_fails_changes_nothing(make_store, session_clock):
    store = make_store(session_clock)
    store.update("a", add_line)

    def half_then_fail(session):
        add_line(session)
        session.caller = "+61412345678"
        raise ValueError("boom")

    with pytest.raises(ValueError):
        store.update("a", half_then_fail)
    with pytest.raises(ValueError):
        store.update("new", half_then_fail)
    assert (len(store.get("a").cart), store.get("a").caller, store.get("new")) == (1, None, None)
    assert store.update("a", add_line) == 2  # and the call is not left locked


def test_an_ended_session_is_deleted_and_clear_returns_what_it_held(make_store, session_clock):
    store = make_store(session_clock)
    store.update("a", add_line)
    store.update("b", add_line)
    assert store.update("a", lambda s: setattr(s, "ended", True) or "bye") == "bye"
    assert (store.get("a"), store.count()) == (None, 1)
    cleared = store.session_clear("b")
    assert (cleared.call_id, len(cleared.cart)) == ("b", 1)
    assert (store.get("b"), store.session_clear("b"), store.count()) == (None, None, 0)


def test_idle_sessions_expire_after_the_ttl(make_store, session_clock):
    store = make_store(session_clock, ttl=1800)
    store.update("old", add_line)
    session_clock.advance(seconds=1000)
    store.update("fresh", add_line)
    session_clock.advance(seconds=900)
    assert store.cleanup_expired_sessions() == 1
    assert (store.get("old"), store.get("fresh").call_id, store.count()) == (None, "fresh", 1)
    assert store.cleanup_expired_sessions() == 0


def test_past_the_limit_a_new_call_is_told_and_no_live_cart_is_dropped(make_store, session_clock):
    store = make_store(session_clock, max_sessions=3)
    for call in ("a", "b", "c"):
        store.update(call, add_line)
        session_clock.advance(seconds=1)
    with pytest.raises(ToolError) as told:
        store.update("d", add_line)
    assert told.value.message == ("Sorry, we're answering too many calls at once to take another order by phone "
                                  "right now; please call back in a few minutes.")
    assert store.update("a", add_line) == 2  # calls in progress carry on
    assert ({c: len(store.get(c).cart) for c in "abc"}, store.get("d"), store.count()) == \
        ({"a": 2, "b": 1, "c": 1}, None, 3)
    store.update("b", lambda session: setattr(session, "ended", True))  # a call ends: room for the next
    assert store.update("d", add_line) == 1
    session_clock.advance(seconds=1801)  # every call idle past the TTL: a new call takes the room of one
    assert store.update("e", add_line) == 1
    assert ({c for c in "acde" if store.get(c)}, store.count()) == ({"e"}, 1)


def test_clearing_a_call_waits_for_its_update_in_progress_and_it_is_not_saved_again(make_store, session_clock):
    """The end-of-call report can arrive (at another worker) while the call's last tool, say createOrder, still
    runs: the clear must see what that tool left (the cart emptied by the order), and the tool must not bring the
    call back."""
    store, other_worker = make_store(session_clock), make_store(session_clock)
    store.update("a", add_line)
    running, release, cleared = threading.Event(), threading.Event(), []

    def place(session):
        running.set()
        release.wait(5)
        session.cart, session.order_number = [], "20261130-001"

    tool = threading.Thread(target=store.update, args=("a", place))
    tool.start()
    assert running.wait(5)
    ender = threading.Thread(target=lambda: cleared.append(other_worker.session_clear("a")))
    ender.start()
    ender.join(0.2)
    release.set()
    tool.join(5)
    ender.join(5)
    assert ([(s.cart, s.order_number) for s in cleared], store.get("a"), store.count()) == \
        ([([], "20261130-001")], None, 0)
    if isinstance(store, RedisSessionStore):  # no session, index entry or lock left behind
        assert store.client.keys("kebabalab:*") == []


def test_two_workers_updating_one_call_at_once_lose_nothing_and_run_each_update_once(make_store, session_clock):
    stores = [make_store(session_clock), make_store(session_clock)]
    runs = []

    def counted(session):
        runs.append(1)
        session.orders_placed += 1
        return add_line(session)

    def worker(i):
        return [stores[i].update("a", counted) for _ in range(50)]

    first, second = all_at_once(2, worker)
    assert sorted(first + second) == list(range(1, 101))  # each update saw every earlier one
    assert (len(stores[0].get("a").cart), stores[1].get("a").orders_placed, len(runs)) == (100, 100, 100)


def test_sessions_saved_by_a_stopping_server_are_taken_back_once(db):
    db.save_sessions([("call-a", '{"call_id":"call-a"}'), ("call-b", '{"call_id":"call-b"}')])
    db.save_sessions([("call-a", '{"call_id":"call-a","orders_placed":1}')])  # saved again: the newer one stays
    assert db.take_saved_sessions() == [("call-a", '{"call_id":"call-a","orders_placed":1}'),
                                        ("call-b", '{"call_id":"call-b"}')]
    assert db.take_saved_sessions() == []  # they held callers' numbers: gone once restored
