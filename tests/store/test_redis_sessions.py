"""Sessions and availability in a real Redis: the keys, their expiry, the per-call lock, failures, and two apps
(two workers) sharing one call. The contract shared with the memory store is in test_engines.py."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone

import pytest
import redis

from kebabalab.store import redis_sessions
from kebabalab.shop.availability import Availability
from kebabalab.ordering.cart import CartLine, Meal
from kebabalab.clock import FixedClock
from kebabalab.errors import ConfigError, StoreError, ToolError
from kebabalab.shop.hours import Hours
from kebabalab.store.redis_sessions import RedisAvailabilityStore, RedisSessionStore
from kebabalab.web.app import create_app
from kebabalab.store.sessions import Session
from kebabalab.service.handover import OFFER_PERSON
from kebabalab.tools import GENERIC_ERROR
from conftest import FRIDAY_6PM, VapiCall
from tests.servers import wait_until
from kebabalab.config import PACKAGE_DATA

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)
KEBAB_MEAL = CartLine("KEBAB", "kebab", size="large", protein="lamb", salads=("lettuce", "onion"),
                      sauces=("garlic",), cheese=True, meal=Meal("kebab_meal", "small", "chicken", "coke"))
BUSY = "This call is busy with another request; please try again in a moment."
UNREACHABLE = "The session store cannot be reached right now; please try again in a moment."
PAUSED = ("The kitchen has paused phone orders for a few minutes; please ask the caller to call back "
          "shortly.")


@pytest.fixture
def client(fresh_redis_url):
    with redis.Redis.from_url(fresh_redis_url, decode_responses=True) as client:
        yield client


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def store(fresh_redis_url, clock):
    return RedisSessionStore(fresh_redis_url, clock, ttl_seconds=1800, max_sessions=100)


def add_meal(session: Session) -> int:
    session.cart = session.cart + [KEBAB_MEAL]
    session.caller = "+61412345678"
    return len(session.cart)


def test_a_session_is_one_json_key_that_expires_ttl_seconds_after_each_write(store, client, clock):
    store.update("call-1", add_meal)
    key = "kebabalab:session:call-1"
    stored = json.loads(client.get(key))
    expected = Session("call-1", [KEBAB_MEAL], caller="+61412345678", created_at=T0.timestamp(),
                       last_seen=T0.timestamp())
    assert stored == json.loads(json.dumps(expected.to_dict()))
    assert store.get("call-1") == expected  # the tuples and the meal come back as they were
    assert client.ttl(key) == 1800
    assert client.zrange("kebabalab:sessions", 0, -1, withscores=True) == [("call-1", T0.timestamp())]
    client.expire(key, 5)
    clock.advance(seconds=60)
    store.update("call-1", add_meal)
    assert client.ttl(key) == 1800
    assert json.loads(client.get(key))["last_seen"] == T0.timestamp() + 60
    assert client.keys("kebabalab:lock:*") == []  # the write released the call's lock


def test_redis_drops_a_session_by_itself_when_its_ttl_runs_out(fresh_redis_url, clock):
    store = RedisSessionStore(fresh_redis_url, clock, ttl_seconds=1)
    store.update("call-1", add_meal)
    assert store.get("call-1") is not None
    wait_until(lambda: store.get("call-1") is None, 5, "Redis expiring the session after its 1 s TTL")


def test_count_leaves_out_sessions_idle_past_the_ttl_before_any_cleanup(store, clock):
    store.update("old", add_meal)
    clock.advance(seconds=1000)
    store.update("fresh", add_meal)
    assert store.count() == 2
    clock.advance(seconds=801)
    assert store.count() == 1


def test_an_update_that_lost_its_lock_is_not_saved(store, client):
    store.update("call-1", add_meal)

    def too_slow(session):
        add_meal(session)
        client.set("kebabalab:lock:call-1", "another worker's token")  # our lock ran out and was taken

    with pytest.raises(StoreError) as caught:
        store.update("call-1", too_slow)
    assert str(caught.value) == BUSY
    assert len(store.get("call-1").cart) == 1
    assert client.get("kebabalab:lock:call-1") == "another worker's token"  # not ours to release


def test_a_call_locked_by_a_stuck_worker_waits_then_gives_up_and_other_calls_go_on(store, client, monkeypatch):
    monkeypatch.setattr(redis_sessions, "WAIT_SECONDS", 0.3)
    client.set("kebabalab:lock:stuck", "a crashed worker", px=redis_sessions.LOCK_SECONDS * 1000)
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        store.update("stuck", add_meal)
    assert (str(caught.value), time.monotonic() - started >= 0.3) == (BUSY, True)
    assert store.update("other", add_meal) == 1
    assert client.pttl("kebabalab:lock:stuck") > 0  # frees itself when its lease ends


def test_calls_admitted_at_once_count_against_the_limit_and_a_failed_first_update_gives_its_place_back(
        fresh_redis_url, clock, client):
    store = RedisSessionStore(fresh_redis_url, clock, max_sessions=2)
    inside, release = threading.Event(), threading.Event()

    def slow(session):
        inside.set()
        release.wait(5)
        return add_meal(session)

    worker = threading.Thread(target=store.update, args=("first", slow))
    worker.start()
    assert inside.wait(5)  # "first" is inside its first update, nothing stored yet: it holds a place
    with pytest.raises(ValueError):
        store.update("second", lambda session: int("boom"))  # admitted, then fails: its place is given back
    assert store.update("third", add_meal) == 1
    with pytest.raises(ToolError):
        store.update("fourth", add_meal)
    release.set()
    worker.join(5)
    assert ({c for c in ("first", "second", "third", "fourth") if store.get(c)}, store.count()) == \
        ({"first", "third"}, 2)
    assert client.zcard("kebabalab:sessions") == 2


def test_prefixes_keep_two_shops_apart(fresh_redis_url, clock):
    north = RedisSessionStore(fresh_redis_url, clock, prefix="north:")
    south = RedisSessionStore(fresh_redis_url, clock, prefix="south:")
    north.update("call-1", add_meal)
    assert (south.get("call-1"), south.count(), north.count()) == (None, 0, 1)


def test_unreachable_redis_is_a_plain_store_error(clock, unused_port):
    store = RedisSessionStore(f"redis://127.0.0.1:{unused_port}/0", clock)
    for attempt in (lambda: store.update("call-1", add_meal), lambda: store.get("call-1"), store.count,
                    lambda: RedisAvailabilityStore(client=store.client).load()):
        with pytest.raises(StoreError) as caught:
            attempt()
        assert str(caught.value) == UNREACHABLE


def test_a_redis_url_that_is_not_one_is_a_config_error(clock):
    with pytest.raises(ConfigError) as caught:
        RedisSessionStore("localhost:6379", clock)
    assert str(caught.value).startswith("REDIS_URL is not usable")


def test_availability_saved_by_one_worker_is_seen_by_another(fresh_redis_url, clock):
    hours = Hours.load(PACKAGE_DATA / "hours.json")
    first = Availability(RedisAvailabilityStore(fresh_redis_url), clock, hours)
    second = Availability(RedisAvailabilityStore(fresh_redis_url), clock, hours)
    assert RedisAvailabilityStore(fresh_redis_url).load() == {}
    first.set_sold_out("protein", "lamb", True)
    first.set_busy(20)
    assert (second.is_sold_out("protein", "lamb"), second.state().busy_minutes) == (True, 20)
    second.set_sold_out("protein", "lamb", False)
    assert first.state().sold_out == []


def test_two_apps_on_one_redis_share_a_call_and_the_kitchen(settings, fresh_redis_url):
    settings = settings.replace(redis_url=fresh_redis_url)
    apps = [create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=False) for _ in range(2)]
    try:
        calls = [VapiCall(app.test_client(), call_id="call-shared") for app in apps]
        assert calls[0].ok("quickAddItem", description="a large lamb kebab")["cartSize"] == 1
        assert calls[1].ok("quickAddItem", description="2 cokes")["cartSize"] == 2
        assert calls[0].ok("getCartState")["total"] == 22.0
        apps[1].extensions["kebabalab"].availability.set_paused(True)
        assert apps[0].extensions["kebabalab"].availability.in_force().paused is True
        # the tool reads the pause with the call's session (one round trip), as it is the moment it runs
        assert calls[0].error("setPickupTime", requestedTime="in 40 minutes") == PAUSED
        apps[0].extensions["kebabalab"].availability.set_paused(False)
        assert calls[1].ok("setPickupTime", requestedTime="in 40 minutes")["asap"] is False
        calls[1].end()
        assert apps[0].extensions["kebabalab"].sessions.get("call-shared") is None
    finally:
        for app in apps:
            app.extensions["kebabalab"].stop_background()


def test_a_webhook_with_redis_down_answers_with_the_generic_sentence(settings, clock, unused_port):
    app = create_app(settings.replace(redis_url=f"redis://127.0.0.1:{unused_port}/0"), clock=clock,
                     start_sender=False)
    try:
        # the failure cannot be counted either (the sessions are in Redis), so the person is offered at once
        assert VapiCall(app.test_client()).error("quickAddItem", description="a can of coke") == (
            GENERIC_ERROR + OFFER_PERSON)
    finally:
        app.extensions["kebabalab"].stop_background()


class CountingRedis(redis.Redis):
    """A real client that notes the name of each command it sends to Redis (a Lua script is one EVALSHA)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []

    def execute_command(self, *args, **options):
        self.sent.append(str(args[0]).upper())
        return super().execute_command(*args, **options)


def counted_store(url, clock, **options) -> tuple[RedisSessionStore, CountingRedis]:
    """A store on a counting client, its scripts already known to the server so no SCRIPT LOAD shows."""
    counting = CountingRedis.from_url(url, decode_responses=True)
    store = RedisSessionStore(None, clock, client=counting, **options)
    store.update("warm-up", lambda session: setattr(session, "ended", True))  # loads both update scripts
    store.enforce_session_limits()  # and the clean-up script
    counting.sent.clear()
    return store, counting


def end_call(session: Session) -> str:
    session.ended = True
    return "bye"


def test_an_update_is_two_round_trips_to_redis(fresh_redis_url, clock):
    store, counting = counted_store(fresh_redis_url, clock, max_sessions=100)
    assert store.update("call-1", add_meal) == 1  # a new session
    assert counting.sent == ["EVALSHA", "EVALSHA"]  # read + lock, then write + unlock: no SET, GET or limit check
    counting.sent.clear()
    assert store.update("call-1", add_meal) == 2  # an existing one
    assert counting.sent == ["EVALSHA", "EVALSHA"]
    counting.sent.clear()
    assert store.update("call-1", end_call) == "bye"  # an ended one
    assert counting.sent == ["EVALSHA", "EVALSHA"]
    assert (store.get("call-1"), store.count()) == (None, 0)

    def fails(session):
        raise ValueError("boom")

    counting.sent.clear()
    with pytest.raises(ValueError):
        store.update("call-2", fails)
    assert counting.sent == ["EVALSHA", "EVALSHA"]  # read + lock, then give the lock back
    assert (store.get("call-2"), store.count()) == (None, 0)


def test_the_kitchen_comes_with_the_session_in_the_same_round_trip_and_is_never_saved(fresh_redis_url, clock,
                                                                                        client):
    store, counting = counted_store(fresh_redis_url, clock, with_availability=True)
    seen = []

    def look(session: Session) -> int:
        seen.append(session.prefetched)
        return add_meal(session)

    assert store.update("call-1", look) == 1
    kitchen = Availability(RedisAvailabilityStore(client=client), clock, Hours.load(PACKAGE_DATA / "hours.json"))
    kitchen.set_paused(True)  # another worker, between two tool calls of this one
    assert store.update("call-1", look) == 2
    paused = {"day": "2026-11-30", "sold_out": [], "paused": True, "busy_minutes": 0}
    assert seen == [{"kebabalab:availability": {}}, {"kebabalab:availability": paused}]
    assert counting.sent == ["EVALSHA"] * 4  # two updates: read + lock, then write + unlock; no GET
    assert RedisAvailabilityStore(client=counting).load(seen[1]) == paused and counting.sent == ["EVALSHA"] * 4
    # an availability store under another key (another shop's) reads its own document, not this one
    assert RedisAvailabilityStore(client=counting, prefix="north:").load(seen[1]) == {}
    assert counting.sent[4:] == ["GET"]
    saved = json.loads(client.get("kebabalab:session:call-1"))
    assert "prefetched" not in saved and store.get("call-1").prefetched is None
    # a store not asked for it leaves the document to the availability store
    seen.clear()
    RedisSessionStore(fresh_redis_url, clock).update("call-1", look)
    assert seen == [None]


def test_the_limit_costs_no_round_trip_and_counts_every_workers_calls(fresh_redis_url, clock, client):
    store, counting = counted_store(fresh_redis_url, clock, max_sessions=3)
    for call in ("a", "b", "c"):
        clock.advance(seconds=1)
        store.update(call, add_meal)
        assert counting.sent == ["EVALSHA", "EVALSHA"]  # the check is part of taking the lock
        counting.sent.clear()
    with pytest.raises(ToolError):
        store.update("d", add_meal)
    assert counting.sent == ["EVALSHA"]  # refused before taking any lock
    # The count is the shared index's, whoever filled it: another worker with a larger limit adds two calls,
    # and this worker still refuses new calls while keeping every one of them.
    roomy = RedisSessionStore(fresh_redis_url, clock, max_sessions=100)
    for call in ("e", "f"):
        clock.advance(seconds=1)
        roomy.update(call, add_meal)
    with pytest.raises(ToolError):
        store.update("g", add_meal)
    assert store.update("b", add_meal) == 2
    assert ({c for c in "abcdefg" if store.get(c)}, store.count()) == (set("abcef"), 5)
    assert client.zcard("kebabalab:sessions") == 5


def test_a_second_update_of_a_held_call_waits_for_the_first_then_sees_its_write(fresh_redis_url, clock, client):
    first = RedisSessionStore(fresh_redis_url, clock)
    second, counting = counted_store(fresh_redis_url, clock)  # another worker
    first.update("call-1", add_meal)
    inside, release, ran, results = threading.Event(), threading.Event(), [], []

    def slow(session):
        inside.set()
        release.wait(5)
        ran.append("first")
        return add_meal(session)

    def quick(session):
        ran.append("second")
        return add_meal(session)

    workers = [threading.Thread(target=lambda: results.append(first.update("call-1", slow))),
               threading.Thread(target=lambda: results.append(second.update("call-1", quick)))]
    workers[0].start()
    assert inside.wait(5)
    workers[1].start()
    wait_until(lambda: len(counting.sent) >= 2, what="the second update refused the lock and trying again")
    assert (ran, workers[1].is_alive()) == ([], True)  # the second waits on the lock, its fn not yet run
    release.set()
    for worker in workers:
        worker.join(5)
    assert (ran, results, len(first.get("call-1").cart)) == (["first", "second"], [2, 3], 3)
    assert len(counting.sent) > 2 and set(counting.sent) == {"EVALSHA"}  # it retried the read-and-lock script
    assert client.keys("kebabalab:lock:*") == []


@pytest.mark.parametrize("finish", [add_meal, end_call], ids=["save", "end"])
def test_an_update_whose_lock_ran_out_neither_saves_nor_deletes_over_a_newer_write(store, client, clock,
                                                                                    fresh_redis_url, finish):
    other = RedisSessionStore(fresh_redis_url, clock)  # another worker
    store.update("call-1", add_meal)

    def too_slow(session):
        client.delete("kebabalab:lock:call-1")  # our lease ran out...
        other.update("call-1", lambda s: setattr(s, "caller", "+61400000002"))  # ...and another worker wrote
        return finish(session)

    with pytest.raises(StoreError) as caught:
        store.update("call-1", too_slow)
    assert str(caught.value) == BUSY
    kept = store.get("call-1")
    assert (len(kept.cart), kept.caller, store.count()) == (1, "+61400000002", 1)
    assert client.keys("kebabalab:lock:*") == []
    assert store.update("call-1", add_meal) == 2  # and the call goes on


def test_ending_the_last_session_is_a_commit_not_a_lost_lock(store, client):
    store.update("only", add_meal)
    assert store.update("only", end_call) == "bye"  # the index is empty afterwards: size 0, not a failure
    assert (store.get("only"), store.count(), client.keys("kebabalab:*")) == (None, 0, [])


def test_a_session_redis_cannot_read_fails_without_running_fn_or_leaving_a_lock(store, client):
    client.rpush("kebabalab:session:odd", "not a session")
    ran = []
    with pytest.raises(StoreError) as caught:
        store.update("odd", ran.append)
    assert (str(caught.value), ran, client.keys("kebabalab:lock:*")) == (UNREACHABLE, [], [])
    assert store.update("other", add_meal) == 1


def test_each_shops_carts_and_kitchen_have_their_own_keys(settings, fresh_redis_url, client, tmp_path):
    """Many shops on one Redis: 'main' keeps the keys it had before there were shops; another shop's keys
    carry its id, so one shop's pause or cart is never another's."""
    folder = tmp_path / "shops" / "fitzroy"
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps({"numbers": ["+61394170000"]}))
    for name in ("menu.json", "hours.json", "business.json"):
        (folder / name).write_text((PACKAGE_DATA / name).read_text())
    (tmp_path / "shops" / "main").mkdir()
    (tmp_path / "shops" / "main" / "shop.json").write_text(json.dumps({"numbers": ["+61395345588"]}))
    app = create_app(settings.replace(redis_url=fresh_redis_url, shops_dir=str(tmp_path / "shops")),
                     clock=FixedClock(FRIDAY_6PM), start_sender=False)
    services = app.extensions["kebabalab"]
    try:
        for shop in ("main", "fitzroy"):
            services.for_shop(shop).sessions.update("call-1", add_meal)
        services.for_shop("fitzroy").availability.set_paused(True)
        assert sorted(key for key in client.keys("kebabalab:*") if "lock" not in key) == [
            "kebabalab:availability:fitzroy", "kebabalab:session:call-1", "kebabalab:session:fitzroy/call-1",
            "kebabalab:sessions"]
        assert (services.for_shop("main").availability.in_force().paused,
                services.for_shop("fitzroy").availability.in_force().paused) == (False, True)
        assert services.for_shop("fitzroy").sessions.session_clear("call-1").call_id == "call-1"
        assert services.for_shop("main").sessions.get("call-1").cart == [KEBAB_MEAL]
        # each call's session comes with its own shop's kitchen, read in the same script (no second GET)
        seen = {}
        for shop in ("main", "fitzroy"):
            services.for_shop(shop).sessions.update("call-2", lambda session, shop=shop: seen.update(
                {shop: services.for_shop(shop).availability.in_force(session.prefetched).paused}) or 0)
        assert seen == {"main": False, "fitzroy": True}
        prefetched = []
        services.for_shop("fitzroy").sessions.update("call-3", lambda session: prefetched.append(session.prefetched))
        assert [sorted(keys) for keys in prefetched] == [["kebabalab:availability:fitzroy"]]
    finally:
        services.stop_background()
