"""Sessions and the kitchen's availability in Redis (REDIS_URL), shared by every worker and server.

Keys, under a prefix (`kebabalab:` by default):
  session:<call id>  the session as JSON (`Session.to_dict`), expiring `ttl` seconds after its last write
  sessions           a sorted set of call ids by last write, for count, idle clean-up and the size limit
  lock:<call id>     held while one update of that call runs
  availability       the sold-out / paused / busy document (`Availability`)

Why a lock rather than WATCH-and-retry: a tool may place an order or queue a text inside `update`, so `fn`
must run exactly once per tool call, as it does in `MemorySessionStore`; a retried `fn` would say "already
placed" or text twice. So one update of a call runs at a time, across processes, with a random token in
the lock key. An update is two round trips, both Lua scripts:

  _ACQUIRE  reads the session and takes the lock (SET NX PX) in one step, returning the JSON ('' for no
            session) only if the lock was taken, or nil when another update holds it; the caller then backs
            off and tries again for up to WAIT_SECONDS (then BUSY). Taking the lock is the script's last
            step, so a script that Redis rejects (say a session key of the wrong type) leaves no lock behind.
            With `with_availability` it also returns the kitchen's availability document, which most tool
            calls read (`Session.prefetched`): one round trip where a separate GET would be a second.
  _COMMIT   stores the session (or deletes it, for an ended call) only while our token still holds the lock,
            releases it and returns the index's size; -1 means the lock was lost and nothing was written.

An update whose lock ran out can never overwrite a newer session; it fails with a StoreError instead, and
an update that does not commit (fn raised, Redis failed) gives its lock back. Only when the size that
_COMMIT returned is over `max_sessions` does the update run a third script (_DROP_IDLE), which drops the
sessions idle past the TTL, as it does every CLEANUP_INTERVAL_SECONDS. A live session is never evicted:
past `max_sessions` a new call is refused by _ACQUIRE (ToolError FULL). Any Redis failure is a StoreError.
"""
from __future__ import annotations

import json
import logging
import secrets
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import redis

from kebabalab.config import MAIN_SHOP
from kebabalab.errors import ConfigError, StoreError, ToolError
from kebabalab.store.sessions import CLEANUP_INTERVAL_SECONDS, FULL, Session

log = logging.getLogger(__name__)
T = TypeVar("T")
PREFIX = "kebabalab:"
AVAILABILITY = "availability"  # the key of the availability document, under the prefix (one per shop)
LOCK_SECONDS = 30  # longer than any tool call; a crashed worker's lock frees itself after this
WAIT_SECONDS = 10  # how long a tool call waits for another update of the same call
UNREACHABLE = "The session store cannot be reached right now; please try again in a moment."
BUSY = "This call is busy with another request; please try again in a moment."

# KEYS: lock, session, index (and availability). ARGV: token, lock milliseconds, max sessions, cutoff score,
# now, call id. Returns nil when the lock is held by another update, -1 when the call is new and max sessions
# are used within the TTL (nothing taken), else the session's JSON ('' for none), or with a fourth key the pair
# {session JSON, availability JSON} ('' for none). A new call is entered in the index
# at once, so calls admitted at the same moment count against the limit; _RELEASE takes it out again if it
# never commits. The GET comes first so that an error (say a key of the wrong type) stops the script before
# it takes the lock.
_ACQUIRE = """
local raw = redis.call('GET', KEYS[2])
local new = not raw and not redis.call('ZSCORE', KEYS[3], ARGV[6])
if new and redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[4], '+inf') >= tonumber(ARGV[3]) then return -1 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
if new then redis.call('ZADD', KEYS[3], 'NX', ARGV[5], ARGV[6]) end
if KEYS[4] then return {raw or '', redis.call('GET', KEYS[4]) or ''} end
return raw or ''
"""
# KEYS: lock, session, index. ARGV: token, JSON ('' deletes), ttl seconds, last_seen, call id.
# Returns -1 when the token no longer holds the lock (nothing written), else the index's size afterwards.
# The score is the write order: last_seen, nudged past the newest score so a tie (or a worker whose clock
# lags) still counts as the most recent use.
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[5])
else
  redis.call('ZREM', KEYS[3], ARGV[5])  -- its own entry (a new call's place) is not another's later write
  local score = ARGV[4]
  local newest = redis.call('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if newest[2] and tonumber(newest[2]) >= tonumber(score) then
    score = string.format('%.6f', tonumber(newest[2]) + 0.001)
  end
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  redis.call('ZADD', KEYS[3], score, ARGV[5])
end
redis.call('DEL', KEYS[1])
return redis.call('ZCARD', KEYS[3])
"""
# KEYS: lock, session, index. ARGV: token, call id. A call admitted but never stored leaves the index too.
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
return redis.call('DEL', KEYS[1])
"""
# KEYS: index. ARGV: prefix, a cutoff score: drop every idle session last used before it. A session being
# updated stays.
_DROP_IDLE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
local dropped = 0
for _, id in ipairs(ids) do
  if redis.call('EXISTS', ARGV[1] .. 'lock:' .. id) == 0 then
    redis.call('DEL', ARGV[1] .. 'session:' .. id)
    redis.call('ZREM', KEYS[1], id)
    dropped = dropped + 1
  end
end
return dropped
"""


def connect(url: str) -> redis.Redis:
    """A client for REDIS_URL (redis://, rediss:// or unix://); it connects on first use."""
    try:
        return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5,
                                    health_check_interval=30)
    except ValueError as exc:
        raise ConfigError(f"REDIS_URL is not usable ({exc}); use redis://host:6379/0") from None


def ping(url: str) -> None:
    """Reach REDIS_URL once (StoreError if it cannot be reached), then close the connection."""
    client = connect(url)
    try:
        with _guard():
            client.ping()
    finally:
        client.close()


def availability_key(prefix: str, shop_id: str = MAIN_SHOP) -> str:
    """The shop's availability document's key: 'main' keeps the key it had before there were shops."""
    return f"{prefix}{AVAILABILITY}" + ("" if shop_id == MAIN_SHOP else f":{shop_id}")


@contextmanager
def _guard() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        log.warning("session store: %s: %s", type(exc).__name__, exc)
        raise StoreError(UNREACHABLE) from exc


class RedisSessionStore:
    """The `SessionStore` of `kebabalab.store.sessions` in Redis: the same TTL, limit and all-or-nothing updates."""

    def __init__(self, url: str | None, clock, ttl_seconds: int = 1800, max_sessions: int = 1000, *,
                 client: redis.Redis | None = None, prefix: str = PREFIX, with_availability: bool = False):
        self.client = client if client is not None else connect(url)
        self._clock = clock
        self._ttl = int(ttl_seconds)
        self._max = int(max_sessions)
        self._prefix = prefix
        self._index = f"{prefix}sessions"
        # with_availability: the session comes with its shop's RedisAvailabilityStore document (Session.prefetched)
        self._with_availability = with_availability
        self._acquire_script = self.client.register_script(_ACQUIRE)
        self._commit = self.client.register_script(_COMMIT)
        self._release = self.client.register_script(_RELEASE)
        self._drop_idle = self.client.register_script(_DROP_IDLE)
        self._last_cleanup = self._now()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _key(self, call_id: str) -> str:
        return f"{self._prefix}session:{call_id}"

    def _lock(self, call_id: str) -> str:
        return f"{self._prefix}lock:{call_id}"

    def update(self, call_id: str, fn: Callable[[Session], T], *, shop_id: str = MAIN_SHOP) -> T:
        """`fn` on the call's session, once, under its lock; `shop_id` names whose availability comes with it."""
        availability = availability_key(self._prefix, shop_id) if self._with_availability else None
        token, raw, kitchen = self._acquire(call_id, availability)
        size = None  # the index's size once committed; -1 when the lock was lost
        try:
            session = self._load(raw) if raw else Session(call_id, created_at=self._now())
            if kitchen is not None:
                session.prefetched = {availability: json.loads(kitchen) if kitchen else {}}
            result = fn(session)
            session.last_seen = self._now()
            value = "" if session.ended else json.dumps(session.to_dict(), separators=(",", ":"))
            with _guard():
                size = int(self._commit(keys=[self._lock(call_id), self._key(call_id), self._index],
                                        args=[token, value, self._ttl, repr(session.last_seen), call_id]))
            if size < 0:
                log.error("session %s: the update took over %d s and lost its lock; not saved", call_id,
                          LOCK_SECONDS)
                raise StoreError(BUSY)
            return result
        finally:
            committed = size is not None and size >= 0
            if not committed:
                self._give_back(call_id, token)
            self._housekeeping(size if committed else None)

    def _acquire(self, call_id: str, availability: str | None) -> tuple[str, str, str | None]:
        """Take the call's lock and read its session in one script; returns (token, JSON or '' for none, the
        availability JSON or '' for none, None when not asked for)."""
        token = secrets.token_hex(16)
        keys = [self._lock(call_id), self._key(call_id), self._index]
        if availability:
            keys.append(availability)
        now = self._now()
        args = [token, LOCK_SECONDS * 1000, self._max, repr(now - self._ttl), repr(now), call_id]
        with _guard():
            raw = self._wait_for(lambda: self._acquire_script(keys=keys, args=args))
        if raw == -1:
            log.warning("sessions: MAX_SESSIONS=%d calls in progress; a new call was turned away", self._max)
            raise ToolError(FULL)
        if availability:
            raw, kitchen = raw
            return token, raw, kitchen
        return token, raw, None

    @staticmethod
    def _wait_for(take: Callable[[], T]) -> T:
        """`take()` again, backing off, until it is not None (the call's lock was taken); BUSY after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        pause = 0.002
        while (taken := take()) is None:
            if time.monotonic() > deadline:
                raise StoreError(BUSY)
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return taken

    def _give_back(self, call_id: str, token: str) -> None:
        try:
            self._release(keys=[self._lock(call_id), self._key(call_id), self._index], args=[token, call_id])
        except redis.RedisError:  # the lock frees itself after LOCK_SECONDS; don't hide the first error
            log.warning("session %s: could not release its lock", call_id)

    def _housekeeping(self, size: int | None) -> None:
        """After an update: the idle clean-up every CLEANUP_INTERVAL_SECONDS, and the size limit only when the
        update's commit left more than `max_sessions` in the index (`size` is None when it did not commit)."""
        try:
            if self._now() - self._last_cleanup >= CLEANUP_INTERVAL_SECONDS:
                self.cleanup_expired_sessions()
            if size is not None and size > self._max:
                self.enforce_session_limits()
        except StoreError:  # the update itself is done (or already failing); the next one tries again
            pass

    @staticmethod
    def _load(raw: str) -> Session:
        return Session.from_dict(json.loads(raw))

    def get(self, call_id: str) -> Session | None:
        with _guard():
            raw = self.client.get(self._key(call_id))
        return self._load(raw) if raw else None

    def session_clear(self, call_id: str) -> Session | None:
        """Forget a call's session (the call ended); returns what it held, after any update of it in progress
        (a tool still running when the end-of-call report arrives) has stored its result: the clear holds the
        call's lock, as an update does."""
        token = secrets.token_hex(16)
        with _guard():
            self._wait_for(lambda: self.client.set(self._lock(call_id), token, nx=True, px=LOCK_SECONDS * 1000))
        try:
            with _guard():
                pipe = self.client.pipeline(transaction=True)
                raw, _, _ = pipe.get(self._key(call_id)).delete(self._key(call_id)).zrem(self._index,
                                                                                        call_id).execute()
        finally:
            self._give_back(call_id, token)
        return self._load(raw) if raw else None

    def cleanup_expired_sessions(self) -> int:
        """Drop sessions idle for longer than the TTL (by the app's clock); returns how many.

        Redis also expires each session key by itself; this keeps the index (and `count`) in step."""
        now = self._now()
        self._last_cleanup = now
        with _guard():
            expired = self._drop_idle(keys=[self._index], args=[self._prefix, repr(now - self._ttl)])
        if expired:
            log.info("sessions: %d expired", expired)
        return expired

    def enforce_session_limits(self) -> int:
        """The limit is kept by refusing new calls (_ACQUIRE), never by dropping a live cart; here only the
        sessions idle past the TTL go. Returns how many."""
        return self.cleanup_expired_sessions()

    def count(self) -> int:
        """Sessions used within the TTL, across every worker."""
        with _guard():
            return self.client.zcount(self._index, f"({self._now() - self._ttl!r}", "+inf")


class RedisAvailabilityStore:
    """`MemoryAvailabilityStore`'s load/save of the availability document, shared by every worker."""

    def __init__(self, url: str | None = None, *, client: redis.Redis | None = None, prefix: str = PREFIX,
                 shop_id: str = MAIN_SHOP):
        self.client = client if client is not None else connect(url)
        self._key = availability_key(prefix, shop_id)

    def load(self, prefetched: dict | None = None) -> dict:
        """The document; taken from `prefetched` (read with the call's session, `Session.prefetched`) when it
        holds this store's key, else read now."""
        if prefetched and self._key in prefetched:
            return dict(prefetched[self._key])
        with _guard():
            raw = self.client.get(self._key)
        return json.loads(raw) if raw else {}

    def update(self, change) -> dict:
        """Apply the pure function `change(doc) -> doc` with WATCH/MULTI, retried when another worker wrote first."""
        with _guard():
            for _ in range(50):
                with self.client.pipeline() as pipe:
                    try:
                        pipe.watch(self._key)
                        raw = pipe.get(self._key)
                        doc = change(json.loads(raw) if raw else {})
                        pipe.multi()
                        pipe.set(self._key, json.dumps(doc, separators=(",", ":")))
                        pipe.execute()
                        return doc
                    except redis.WatchError:
                        continue
        raise StoreError("The shop's availability settings are busy; please try again.")
