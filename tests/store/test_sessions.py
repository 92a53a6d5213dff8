"""The in-memory session store: one session per call id, all-or-nothing updates, TTL, a limit that refuses
new calls rather than drop a live cart, and the hand-over of a graceful restart."""
import threading

import pytest

from kebabalab.ordering.cart import CartLine
from kebabalab.store.sessions import MemorySessionStore, Session
from kebabalab.errors import ToolError


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


def test_calls_admitted_at_once_never_pass_the_limit(store):
    inside, release = threading.Barrier(4), threading.Event()
    outcomes = []

    def slow(session):
        add_line(session)
        inside.wait(5)
        release.wait(5)

    def start(call):
        try:
            outcomes.append(store.update(call, slow) or "ok")
        except ToolError:
            outcomes.append("full")
    workers = [threading.Thread(target=start, args=(c,)) for c in ("a", "b", "c")]
    for worker in workers:
        worker.start()
    inside.wait(5)  # three new calls inside their first update at once: the store counts them
    start("d")
    release.set()
    for worker in workers:
        worker.join(5)
    assert (sorted(outcomes), store.count()) == (["full", "ok", "ok", "ok"], 3)


def test_a_graceful_restart_hands_live_sessions_over_with_their_remaining_ttl(store, clock):
    store.update("old", add_line)
    clock.advance(seconds=1000)
    store.update("new", add_line)
    store.update("new", add_line)
    saved = [Session.from_dict(s.to_dict()) for s in store.snapshot()]  # as JSON in the database
    assert [(s.call_id, len(s.cart)) for s in saved] == [("old", 1), ("new", 2)]
    clock.advance(seconds=700)  # the restart took a while: "old" has 100 s of its 1800 left
    after = MemorySessionStore(clock, ttl_seconds=1800, max_sessions=3)
    assert after.restore(saved) == 2
    clock.advance(seconds=101)
    assert after.cleanup_expired_sessions() == 1
    assert (after.get("old"), len(after.get("new").cart)) == (None, 2)
    clock.advance(seconds=2000)
    assert after.restore(saved) == 0  # saved too long ago: nothing past its TTL comes back


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
