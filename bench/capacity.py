"""Capacity as callers load it: simultaneous phone calls that pause between tool calls, level by level.

    .venv/bin/python bench/capacity.py --levels 100,200,300,400,500 --seconds 30 --twilio-delay 0.3
    .venv/bin/python bench/capacity.py --engine postgres-redis --workers 2 --levels 100,200,300

Unlike bench/load.py (a closed loop: the next tool call fires the instant the last is answered, so the server
is always saturated), each simulated call here thinks between its tool calls as a caller and the assistant do:
an exponential pause, mean --think seconds. A call runs a whole order (bench/load.py's ORDER); when the kitchen
refuses the pickup time asked for, the caller takes the earliest offered ("as soon as possible"), as the
assistant would; a finished call is replaced by a new one, so each level holds its number of calls throughout.

Per level it prints tool calls a second, p50/p99 per tool, orders placed and rows written (orders, texts, order
events), texts sent (the fake Twilio's count: each process sends 4 at a time, so with Twilio at 300 ms at most
~13 a second a process, fewer than these levels' orders queue; the CPU counts the texts sent), errors, the CPU
seconds every server process spent per 1,000 tool calls (the app's processes and, with --engine postgres-redis,
redis-server and PostgreSQL started here for the run; never this client), and whether the level was held: no
error and every tool's p99 under --p99-ms. Last, the highest level held.
Every request goes to 127.0.0.1; each level stops by itself after --warmup + --seconds.

With --engine postgres-redis it also prints that CPU by process and the scale-out path's round trips per tool
call (Redis commands, of which each EVALSHA is one round trip; PostgreSQL statements and commits); with
--breakdown, Redis commands by name and PostgreSQL statements per order placed (pg_stat_statements).
bench/capacity_compare.py runs several configurations in turn, so their ratios come from one run.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Callable

from load import ORDER, Client, percentile, start_server, tool_message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.fakes import FakeTwilio  # noqa: E402
from tests.servers import DidNotStart, free_port, postgres_bin, wait_started  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
COUNTED_TABLES = ("orders", "outbox", "order_events")
ASAP = {"requestedTime": "as soon as possible"}


# --- CPU of the server side, from /proc --------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    return found


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += _children(current)
    return seen


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU of every live process under `roots`, and of their children that have exited."""
    total = 0
    for pid in {p for root in roots for p in _tree(root)}:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def cpu_by_process(roles: dict[str, list[int]]) -> dict[str, float]:
    return {role: cpu_seconds(roots) for role, roots in roles.items()}


# --- Redis and PostgreSQL for the scale-out path, started in a temp folder on loopback --------------------

def _wait(check, what: str) -> None:
    try:
        wait_started(check, what)
    except DidNotStart as exc:
        raise SystemExit(str(exc)) from exc


@contextlib.contextmanager
def redis_server(folder: Path):
    import redis
    binary = shutil.which("redis-server") or sys.exit("redis-server is not installed (scripts/test-services.sh)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        _wait(client.ping, "redis-server")
        client.close()
        yield f"redis://127.0.0.1:{port}/0", process.pid
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def postgres_server(folder: Path):
    """PostgreSQL with durable commits (fsync on, as a shop would run it), as the `postgres` user when root."""
    import psycopg
    bindir = postgres_bin() or sys.exit("PostgreSQL is not installed (scripts/test-services.sh)")
    data, port = folder / "pg", free_port()
    run_as = ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(run_as + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
                             "UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True, cwd=folder)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300 "
               "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all")
    subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "pg.log"), "-o", options,
                             "-w", "start"], check=True, capture_output=True, cwd=folder)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait(lambda: psycopg.connect(url, connect_timeout=1).close(), "PostgreSQL")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        yield url, int((data / "postmaster.pid").read_text().split()[0])
    finally:
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, cwd=folder)


def round_trips(database_url: str, redis_url: str) -> dict[str, dict[str, int]]:
    """Counters of the scale-out path's round trips: Redis commands by name (those run inside a script
    included; each EVALSHA is one round trip), PostgreSQL statements by text and commits."""
    counts: dict[str, dict[str, int]] = {}
    if redis_url:
        import redis
        with redis.Redis.from_url(redis_url) as client:
            counts["redis"] = {name.removeprefix("cmdstat_"): stat["calls"]
                               for name, stat in client.info("commandstats").items()}
    if database_url.startswith("postgres"):
        import psycopg
        with psycopg.connect(database_url, autocommit=True) as conn:
            counts["postgresql"] = dict(conn.execute(
                "SELECT query, SUM(calls)::bigint FROM pg_stat_statements GROUP BY query").fetchall())
            counts["postgresql"]["commits"] = conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]
    return counts


def _difference(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {kind: {name: n - before.get(kind, {}).get(name, 0) for name, n in counts.items()
                   if n - before.get(kind, {}).get(name, 0) > 0} for kind, counts in after.items()}


def count_rows(database_url: str) -> int:
    query = " + ".join(f"(SELECT COUNT(*) FROM {table})" for table in COUNTED_TABLES)
    if database_url.startswith("sqlite:///"):
        import sqlite3
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)) as conn:
            return conn.execute(f"SELECT {query}").fetchone()[0]
    import psycopg
    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT {query}").fetchone()[0]


# --- the callers --------------------------------------------------------------------------------------------

class Level:
    """What one level's callers saw while it was being measured."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors = 0
        self.orders = 0
        self.counting = False

    def record(self, name: str, ms: float | None, order: bool = False) -> None:
        with self.lock:
            if not self.counting:
                return
            if ms is None:
                self.errors += 1
            else:
                self.latencies[name].append(ms)
            self.orders += order


class Caller(Client):
    """One caller's keep-alive connection; a request that finds it closed by the server while idle (nothing of
    it was read by the app) is sent once more on a new connection."""

    def call(self, message: dict) -> tuple[int, bytes]:
        try:
            return self.request("POST", "/webhook", message)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            return self.request("POST", "/webhook", message)


def caller(port: int, level: Level, stop: threading.Event, think: float, rng: random.Random, numbers) -> None:
    client = Caller(port, "bench-secret")
    stop.wait(rng.uniform(0, think * len(ORDER)))  # calls arrive spread out, not all at once
    while not stop.is_set():
        call_id, number = str(uuid.uuid4()), f"+614{next(numbers) % 100_000_000:08d}"
        for n, (name, args) in enumerate(ORDER):
            if stop.wait(rng.expovariate(1 / think)):
                if n:  # the level is over: hang up, as a caller does, so the next level starts with no stale call
                    _tool_call(client, tool_message(call_id, number, "endCall", {}, n))
                return
            entry, ms = _tool_call(client, tool_message(call_id, number, name, args, n))
            if name == "setPickupTime" and "error" in entry and "earliest" in entry["error"].lower():
                level.record(name, ms)  # a refusal naming the earliest time is an answer, not a failure
                entry, ms = _tool_call(client, tool_message(call_id, number, name, ASAP, n + 100))
            ok = "result" in entry
            level.record(name, ms if ok else None, order=ok and name == "createOrder")
            if not ok:
                break


def _tool_call(client: Caller, message: dict) -> tuple[dict, float]:
    t0 = time.perf_counter()
    try:
        status, body = client.call(message)
        entry = json.loads(body)["results"][0] if status == 200 else {}
    except (OSError, http.client.HTTPException, ValueError, KeyError):
        entry = {}
    return entry, (time.perf_counter() - t0) * 1000


def run_level(port: int, calls: int, args, roles: dict[str, list[int]], database_url: str, seed: int,
              texts: Callable[[], int]) -> dict:
    level, stop = Level(), threading.Event()
    numbers = itertools.count(seed * 1_000_000)
    threads = [threading.Thread(target=caller, daemon=True,
                                args=(port, level, stop, args.think, random.Random(seed * 100_000 + i), numbers))
               for i in range(calls)]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    trips0 = round_trips(database_url, args.redis_url)
    rows0, texts0, cpu0, t0 = count_rows(database_url), texts(), cpu_by_process(roles), time.perf_counter()
    level.counting = True
    time.sleep(args.seconds)
    level.counting = False
    seconds, cpu1, sent = time.perf_counter() - t0, cpu_by_process(roles), texts() - texts0
    rows = count_rows(database_url) - rows0
    trips = _difference(trips0, round_trips(database_url, args.redis_url))
    stop.set()
    for t in threads:
        t.join(60)
    answered = sum(len(v) for v in level.latencies.values())
    p99s = {name: percentile(v, 99) for name, v in level.latencies.items()}
    cpu = {role: 1000 * (cpu1[role] - cpu0[role]) / answered if answered else 0.0 for role in roles}
    return {"calls": calls, "latencies": level.latencies, "errors": level.errors, "orders": level.orders,
            "rows": rows, "texts": sent, "rate": answered / seconds, "trips": trips, "answered": answered, "cpu": cpu,
            "cpu_per_1000": sum(cpu.values()),
            "held": level.errors == 0 and answered > 0 and max(p99s.values()) < args.p99_ms}


def print_level(result: dict, breakdown: bool) -> None:
    print(f"\n-- {result['calls']} calls: tool calls/s {result['rate']:.1f}  orders {result['orders']}  rows written "
          f"{result['rows']}  texts sent {result['texts']}  errors {result['errors']}  CPU s per 1000 tool calls "
          f"{result['cpu_per_1000']:.2f}  {'held' if result['held'] else 'NOT held'}")
    if len(result["cpu"]) > 1:
        print("CPU s per 1000 tool calls by process: " + ", ".join(f"{role} {value:.2f}"
                                                                   for role, value in result["cpu"].items()))
    answered, orders, trips = result["answered"], result["orders"], result["trips"]
    if answered and trips:  # a few of these are the counting queries themselves
        redis, postgres = trips.get("redis", {}), dict(trips.get("postgresql", {}))
        commits = postgres.pop("commits", 0)
        print(f"per tool call: redis commands {sum(redis.values()) / answered:.2f} (EVALSHA "
              f"{redis.get('evalsha', 0) / answered:.2f}), postgresql statements "
              f"{sum(postgres.values()) / answered:.2f}, postgresql commits {commits / answered:.2f}")
        if breakdown:
            print("redis commands per tool call: " + ", ".join(
                f"{name} {n / answered:.2f}" for name, n in sorted(redis.items(), key=lambda kv: -kv[1])))
            print(f"postgresql statements per order placed ({orders}):")
            for query, n in sorted(postgres.items(), key=lambda kv: -kv[1]):  # all: a new one must show
                print(f"  {n / max(orders, 1):6.2f}  {' '.join(query.split())[:100]}")
    print(f"{'tool':<24}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for name in dict.fromkeys(name for name, _ in ORDER):
        values = result["latencies"].get(name, [])
        print(f"{name:<24}{len(values):>7}{percentile(values, 50):>9.1f}{percentile(values, 99):>9.1f}")


def arguments(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """The ladder's options (also bench/capacity_compare.py's), read and kept within bounds."""
    parser.add_argument("--levels", default="100,200,300,400", help="simultaneous calls per level, comma-separated")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds per level before measuring (default: long enough for every call to start)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a call's tool calls (s)")
    parser.add_argument("--twilio-delay", type=float, default=0.3, help="seconds the fake Twilio takes to answer")
    parser.add_argument("--p99-ms", type=float, default=250, help="a level is held when every tool's p99 is under")
    parser.add_argument("--server", default="auto")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print Redis commands per tool call by name and PostgreSQL statements per order")
    args = parser.parse_args(argv)
    args.levels = [max(1, min(int(n), 1000)) for n in args.levels.split(",")]
    if args.warmup is None:
        args.warmup = args.think * len(ORDER) + 2
    args.seconds, args.warmup = max(1.0, min(args.seconds, 300.0)), max(0.0, min(args.warmup, 60.0))
    return args


def ladder(args) -> tuple[list[dict], int]:
    """Every level of `args.levels` on a server of `args.engine` with `args.workers`, started here and stopped
    after; prints each level and returns the levels' results and the texts Twilio got."""
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as twilio, contextlib.ExitStack() as stack:
        twilio.delay, folder, services = args.twilio_delay, Path(tmp), {}
        args.database_url, args.redis_url = f"sqlite:///{tmp}/bench.db", ""
        if args.engine == "postgres-redis":
            args.redis_url, redis_pid = stack.enter_context(redis_server(folder))
            args.database_url, pg_pid = stack.enter_context(postgres_server(folder))
            services = {"redis-server": [redis_pid], "postgresql": [pg_pid]}
        port = free_port()
        server = start_server(args, port, folder, twilio.base_url)
        try:
            print(f"== {args.engine}, {args.workers} worker(s), think {args.think:g} s, twilio "
                  f"{args.twilio_delay * 1000:.0f} ms, {args.seconds:g} s per level, p99 target {args.p99_ms:g} ms")
            results = []
            for seed, calls in enumerate(args.levels, start=1):
                results.append(run_level(port, calls, args, {"app": [server.pid], **services}, args.database_url,
                                         seed, lambda: len(twilio.sent)))
                print_level(results[-1], args.breakdown)
        finally:
            server.terminate()
            server.wait(30)
        return results, len(twilio.sent)


def highest_held(results: list[dict]) -> int:
    return max((r["calls"] for r in results if r["held"]), default=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgres-redis"])
    parser.add_argument("--workers", type=int, default=1)
    args = arguments(parser, argv)
    results, texts = ladder(args)
    print(f"\nhighest level held: {highest_held(results)} simultaneous calls ({texts} texts delivered in the run)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
