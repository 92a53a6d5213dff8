"""The in-memory session store: one session per call id, all-or-nothing updates, TTL and LRU limits."""
import threading

import pytest

from kebabalab.ordering.cart import CartLine
from kebabalab.store.sessions import MemorySessionStore, Session


@pytest.fixture
def store(clock):
    return MemorySessionStore(clock, ttl_seconds=1800, max_sessions=3)


def add_line(session: Session) -> int:
    session.cart = session.cart + [CartLine("CAN", "drink", brand="coke")]
    return len(session.cart)


def test_update_keeps_the_change(store):
    assert store.update("a", add_line) == 1
    assert store.update("a", add_line) == 2
    assert [line.brand for line in store.get("a").cart] == ["coke", "coke"]


def test_failed_update_changes_nothing(store):
    store.update("a", add_line)

    def half_then_fail(session):
        add_line(session)
        raise ValueError("boom")

    with pytest.raises(ValueError):
        store.update("a", half_then_fail)
    assert len(store.get("a").cart) == 1


def test_get_returns_a_copy(store):
    store.update("a", add_line)
    store.get("a").cart.clear()
    assert len(store.get("a").cart) == 1


def test_ended_session_is_deleted(store):
    store.update("a", add_line)
    store.update("a", lambda s: setattr(s, "ended", True))
    assert store.get("a") is None and store.count() == 0


def test_session_clear_returns_what_it_held(store):
    store.update("a", add_line)
    cleared = store.session_clear("a")
    assert (cleared.call_id, len(cleared.cart)) == ("a", 1)
    assert store.get("a") is None
    assert store.session_clear("a") is None


def test_idle_sessions_expire_after_ttl(store, clock):
    store.update("old", add_line)
    clock.advance(seconds=1000)
    store.update("fresh", add_line)
    clock.advance(seconds=900)
    assert store.cleanup_expired_sessions() == 1
    assert (store.get("old"), store.get("fresh").call_id) == (None, "fresh")


def test_cleanup_runs_by_itself_at_most_every_five_minutes(store, clock):
    store.update("x", add_line)
    clock.advance(seconds=1600)
    store.update("z", add_line)  # 1600 s since the last cleanup: one runs (x is not yet idle 1800 s)
    clock.advance(seconds=250)
    store.update("y", add_line)  # x is now expired, but the last cleanup was 250 s ago
    assert store.get("x") is not None
    clock.advance(seconds=60)
    store.update("y", add_line)  # 310 s since the last cleanup: it runs and x goes
    assert store.get("x") is None


def test_limit_never_evicts_a_session_in_use(store):
    inside = threading.Event()
    release = threading.Event()

    def slow(session):
        add_line(session)
        inside.set()
        release.wait(5)

    worker = threading.Thread(target=store.update, args=("busy", slow))
    worker.start()
    assert inside.wait(5)
    for call in ("b", "c", "d", "e"):
        store.update(call, add_line)
    release.set()
    worker.join(5)
    assert store.get("busy") is not None


def test_concurrent_updates_of_one_call_lose_nothing(store):
    def many():
        for _ in range(50):
            store.update("a", add_line)

    threads = [threading.Thread(target=many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.get("a").cart) == 200


def test_session_round_trips_through_json_shape(store):
    store.update("a", add_line)
    session = store.get("a")
    assert Session.from_dict(session.to_dict()) == session
