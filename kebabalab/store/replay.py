"""Replayed webhook requests: a signed request seen before gets the first reply again, and never runs twice.

An HMAC-signed request stays valid for HMAC_TOLERANCE_SECONDS either side of its timestamp, so a copy of it
could be sent again and again (the same quickAddItem adding a line each time). Each signed request is
remembered by the SHA-256 of what the signature covers (the HMAC plan's payload, `"{timestamp}.{body}"`
by default, with the plan's header names): not by the signature's text, which can be written with or without `sha256=` and in either case. The first request
runs; a copy gets the first one's status and body again (so a genuine retry by Vapi loses nothing); a copy
arriving while the first still runs waits for its reply.

Where they are remembered, for REPLAY_SECONDS (longer than any timestamp stays valid):
- REDIS_URL set: in Redis, shared by every worker and server using it (`SET NX EX`).
- otherwise: in the process's memory. Without REDIS_URL `serve` refuses more than one worker, so one process
  sees every request. The order database would also outlive a restart, but it cost two writes per request,
  queued behind the orders' writer: the load benchmark's quickAddItem went from 23-31 ms to 85-132 ms (p50).
  A restart forgets what was seen: a copy sent within 5 minutes of it can run again (not with Redis).
Requests authenticated by the shared secret carry no signature and are not remembered: the secret does not
expire, so whoever holds it can send anything, copies included.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Mapping

from kebabalab.hmac_plan import DEFAULT_HMAC_PLAN, HMAC_TOLERANCE_SECONDS, HmacPlan

REPLAY_SECONDS = 2 * HMAC_TOLERANCE_SECONDS + 60
WAIT_SECONDS = 10.0  # a copy waits this long for the first request's reply
POLL_SECONDS = 0.05
PRUNE_SECONDS = 60


@dataclass(frozen=True)
class Reply:
    status: int
    body: str


RUNNING = Reply(0, "")  # claimed by a request that has not answered yet


def replay_key(headers: Mapping[str, str], body: bytes, plan: HmacPlan = DEFAULT_HMAC_PLAN) -> str | None:
    """The key a signed request is remembered by (what the plan's signature covers), or None for a request
    without a signature."""
    stamp = (headers.get(plan.timestamp_header) or "").strip()
    if plan.given(headers) is None or (plan.signs_timestamp and not stamp):
        return None
    return hashlib.sha256(plan.payload(stamp, body)).hexdigest()


class ReplayGuard:
    """`first(key)`: None when this request is the first (it runs, then `remember` or `forget`), else the
    reply to give again (RUNNING when the first has not answered within WAIT_SECONDS)."""

    def __init__(self, store, wait_seconds: float = WAIT_SECONDS):
        self.store, self.wait_seconds = store, wait_seconds

    def first(self, key: str) -> Reply | None:
        seen = self.store.claim(key)
        deadline = time.monotonic() + self.wait_seconds
        while seen is RUNNING and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            seen = self.store.claim(key)
        return seen

    def remember(self, key: str, status: int, body: str) -> None:
        self.store.finish(key, Reply(status, body))

    def forget(self, key: str) -> None:
        """The first request did not run (refused by a limit, or crashed): a retry may run it."""
        self.store.release(key)


class MemoryReplayStore:
    """In this process's memory: enough without REDIS_URL, because `serve` then runs one process."""

    def __init__(self, clock):
        self.clock = clock
        self._seen: dict[str, tuple[float, Reply]] = {}  # key -> (forgotten at, reply or RUNNING)
        self._lock = threading.Lock()
        self._pruned_at = 0.0

    def claim(self, key: str) -> Reply | None:
        now = self.clock.now().timestamp()
        with self._lock:
            if now - self._pruned_at >= PRUNE_SECONDS:
                self._seen = {k: seen for k, seen in self._seen.items() if seen[0] > now}
                self._pruned_at = now
            seen = self._seen.get(key)
            if seen is not None and seen[0] > now:
                return seen[1]
            self._seen[key] = (now + REPLAY_SECONDS, RUNNING)
        return None

    def finish(self, key: str, reply: Reply) -> None:
        with self._lock:
            if key in self._seen:
                self._seen[key] = (self._seen[key][0], reply)

    def release(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)


class RedisReplayStore:
    """In Redis: `replay:<key>` is '' while the first request runs, then its reply as JSON."""

    def __init__(self, url: str, prefix: str | None = None):
        from kebabalab.store.redis_sessions import PREFIX, _guard, connect  # redis is imported only when REDIS_URL is set
        self.client, self._guard = connect(url), _guard
        self._prefix = f"{prefix or PREFIX}replay:"

    def claim(self, key: str) -> Reply | None:
        with self._guard():
            if self.client.set(self._prefix + key, "", nx=True, ex=REPLAY_SECONDS):
                return None
            raw = self.client.get(self._prefix + key)
        if not raw:
            return RUNNING
        saved = json.loads(raw)
        return Reply(saved["status"], saved["body"])

    def finish(self, key: str, reply: Reply) -> None:
        with self._guard():
            self.client.set(self._prefix + key, json.dumps({"status": reply.status, "body": reply.body}),
                            xx=True, keepttl=True)

    def release(self, key: str) -> None:
        with self._guard():
            self.client.delete(self._prefix + key)


def make_replay_guard(settings, clock) -> ReplayGuard:
    if settings.redis_url:
        return ReplayGuard(RedisReplayStore(settings.redis_url))
    return ReplayGuard(MemoryReplayStore(clock))
