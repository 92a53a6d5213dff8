"""Load benchmark: N simultaneous phone calls, each a whole order over HTTP, against a real server.

    .venv/bin/python bench/load.py --calls 50 --seconds 20 --twilio-delay 0.3
    .venv/bin/python bench/load.py --calls 50 --workers 4 \
        --database-url postgresql://... --redis-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/load.py --calls 50 --scenario summary
    .venv/bin/python bench/load.py --calls 50 --hmac     # every request HMAC-signed: each one is remembered
                                                          # against replays (the replay guard's cost)

It starts the server itself (`python -m kebabalab serve`) with an always-open hours file (in a zone where it
is about noon, so no run meets a closing time), texts answered by a fake Twilio on 127.0.0.1 after
--twilio-delay seconds, then runs two phases at the same concurrency: the /health floor, then whole orders
(or, with --scenario summary, one item and its summary asked again and again: what a tool call costs when
the tool itself does almost nothing). It prints tool calls per second, p50 and p99 per tool, orders per
second and errors, and each tool's p50 as a multiple of the /health p50 measured in the same run.
Every request goes to 127.0.0.1; the loops stop by themselves after --seconds.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from kebabalab.cli.serving import SERVERS  # noqa: E402
from tests.fakes import FakeTwilio  # noqa: E402
from tests.servers import always_open_hours, free_port  # noqa: E402

ADD_KEBAB = ("quickAddItem", {"description": "a large lamb kebab with garlic sauce and lettuce"})
ORDER = [
    ("getCallerSmartContext", {}),
    ADD_KEBAB,
    ("quickAddItem", {"description": "small chips and a coke"}),
    ("convertItemsToMeals", {}),
    ("getOrderSummary", {}),
    ("setPickupTime", {"requestedTime": "in 40 minutes"}),
    ("createOrder", {"customerName": "Bench"}),
    ("endCall", {}),
]
# The cost of a tool call that does almost nothing: one item in the cart, then its summary again and again.
SUMMARY = [ADD_KEBAB] + [("getOrderSummary", {})] * 14 + [("endCall", {})]
SCENARIOS = {"order": ORDER, "summary": SUMMARY}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Client:
    """One keep-alive HTTP connection to the server; after an error it is closed and the next request opens
    it again (http.client does that by itself)."""

    def __init__(self, port: int, secret: str, hmac_key: str = ""):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Content-Type": "application/json", "X-Vapi-Secret": secret}
        self.hmac_key = hmac_key.encode()

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = self.headers
        if self.hmac_key and data is not None:  # signed as Vapi's HMAC credential signs, instead of the secret
            stamp = str(int(time.time()))
            signature = hmac.new(self.hmac_key, stamp.encode() + b"." + data, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Timestamp": stamp, "X-Signature": signature}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise


def tool_message(call_id: str, number: str, name: str, args: dict, n: int) -> dict:
    return {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": number}},
                        "toolCallList": [{"id": f"t{n}", "function": {"name": name, "arguments": args}}]}}


def run_phase(workers: int, seconds: float, work) -> tuple[dict, int, int, float]:
    """Run `work(client_index, stop_at, record)` on `workers` threads; returns latencies, counts and duration."""
    latencies: dict[str, list[float]] = defaultdict(list)
    counters = {"errors": 0, "orders": 0}
    lock = threading.Lock()

    def record(name: str, ms: float | None, order: bool = False) -> None:
        with lock:
            if ms is None:
                counters["errors"] += 1
            else:
                latencies[name].append(ms)
            counters["orders"] += order

    started = time.perf_counter()
    stop_at = started + seconds
    threads = [threading.Thread(target=work, args=(i, stop_at, record)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return latencies, counters["orders"], counters["errors"], time.perf_counter() - started


def health_worker(clients: list[Client]):
    def work(index: int, stop_at: float, record) -> None:
        client = clients[index]
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                status, _ = client.request("GET", "/health")
                record("/health", (time.perf_counter() - t0) * 1000 if status == 200 else None)
            except (OSError, http.client.HTTPException):
                record("/health", None)
    return work


def order_worker(clients: list[Client], steps: list[tuple[str, dict]]):
    numbers = itertools.count(10_000_000)

    def work(index: int, stop_at: float, record) -> None:
        client = clients[index]
        while time.perf_counter() < stop_at:
            call_id, number = str(uuid.uuid4()), f"+614{next(numbers) % 100_000_000:08d}"
            for n, (name, args) in enumerate(steps):
                t0 = time.perf_counter()
                try:
                    status, body = client.request("POST", "/webhook", tool_message(call_id, number, name, args, n))
                    entry = json.loads(body)["results"][0] if status == 200 else {}
                except (OSError, http.client.HTTPException, ValueError, KeyError):  # Client closed a failed connection
                    entry = {}
                ok = "result" in entry
                record(name, (time.perf_counter() - t0) * 1000 if ok else None, order=ok and name == "createOrder")
                if not ok:
                    break
    return work


def start_server(args, port: int, tmp: Path, twilio_url: str) -> subprocess.Popen:
    hours = always_open_hours(tmp)
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "HOURS_FILE": str(hours),
           "VAPI_WEBHOOK_SECRET": "bench-secret", "VAPI_HMAC_SECRET": "bench-hmac", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
           "TWILIO_AUTH_TOKEN": "bench", "TWILIO_FROM_NUMBER": "+61400000000", "TWILIO_API_BASE_URL": twilio_url,
           "SHOP_ORDER_TO": "+61400000001", "LOG_LEVEL": "WARNING", "TOOL_CALLS_PER_MINUTE": "1000",
           "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.db", "REDIS_URL": args.redis_url or ""}
    log = open(tmp / "server.log", "w")  # a file, not a pipe: a full pipe would stall the server mid-run
    server = subprocess.Popen([sys.executable, "-m", "kebabalab", "serve", "--workers", str(args.workers),
                               "--server", args.server],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if Client(port, "").request("GET", "/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start: " + (tmp / "server.log").read_text()[-2000:])


def mean(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def report(label: str, health: tuple, orders: tuple, steps: list[tuple[str, dict]]) -> None:
    """Each phase's mean and rate too: under this closed loop, mean latency = calls / rate (Little's law)."""
    health_latencies, _, health_errors, health_seconds = health
    latencies, placed, errors, seconds = orders
    answered = health_latencies.get("/health", [])
    floor = statistics.median(answered) if answered else float("nan")
    every_call = [ms for values in latencies.values() for ms in values]
    print(f"\n== {label}")
    print(f"/health floor: p50 {floor:.1f} ms, p99 {percentile(answered, 99):.1f} ms, mean "
          f"{mean(answered):.1f} ms, {len(answered) / health_seconds:.0f}/s, errors {health_errors}")
    print(f"tool calls/s {len(every_call) / seconds:.1f}  orders/s {placed / seconds:.2f}  orders {placed}  "
          f"errors {errors}  mean {mean(every_call):.1f} ms")
    print(f"{'tool':<24}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'p50/health':>12}")
    for name in dict.fromkeys(name for name, _ in steps):
        values = latencies.get(name, [])
        p50 = percentile(values, 50)
        print(f"{name:<24}{len(values):>6}{p50:>9.1f}{percentile(values, 99):>9.1f}{p50 / floor:>12.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50, help="simultaneous calls")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--twilio-delay", type=float, default=0.0, help="seconds the fake Twilio takes to answer")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server", default="auto", choices=SERVERS,
                        help="the serve command's --server")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--scenario", default="order", choices=sorted(SCENARIOS),
                        help="what each call does: whole orders, or one item and its summary asked again and again "
                             "(the cost of a tool call that does almost nothing)")
    parser.add_argument("--hmac", action="store_true",
                        help="sign every request with HMAC rather than send the shared secret")
    args = parser.parse_args(argv)
    args.calls = max(1, min(args.calls, 500))
    args.seconds = max(1.0, min(args.seconds, 300.0))
    steps = SCENARIOS[args.scenario]
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as twilio:
        twilio.delay = args.twilio_delay
        port = free_port()
        server = start_server(args, port, Path(tmp), twilio.base_url)
        try:
            # One set of connections for both phases: with several workers, gunicorn shares connections out
            # as they are accepted, and the floor is only a floor if both phases see the same sharing.
            clients = [Client(port, "bench-secret", "bench-hmac" if args.hmac else "") for _ in range(args.calls)]
            health = run_phase(args.calls, args.seconds / 2, health_worker(clients))
            orders = run_phase(args.calls, args.seconds, order_worker(clients, steps))
        finally:
            server.terminate()
            server.wait(30)
        engine = "postgresql+redis" if args.database_url.startswith("postgres") else "sqlite+memory"
        report(f"{engine}, scenario {args.scenario}, {'HMAC' if args.hmac else 'secret'}, {args.server} server, {args.workers} worker(s), "
               f"{args.calls} calls, twilio {args.twilio_delay * 1000:.0f} ms, {len(twilio.sent)} texts delivered",
               health, orders, steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
