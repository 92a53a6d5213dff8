"""Latency under a slow-client attack, next to the same load without it, with the run-to-run noise.

    .venv/bin/python bench/slow_clients.py --slow 200 --calls 10 --seconds 10 --repeats 3
    .venv/bin/python bench/slow_clients.py --server waitress

Starts the real server as bench/load.py does, then, `--repeats` times: a quiet phase (`--calls` keep-alive
callers placing whole orders while one more client asks /health on a new connection each time, as a health
check does), then the same under attack: `--slow` connections that trickle their headers a line at a time or
their body a byte at a time, each replaced by a new one as soon as the server drops it, so the attack lasts
the whole phase. Prints per phase the p50, p99 and worst answer of the tool calls and of /health, and how many
slow connections the server dropped; then the spread of the quiet phases (the noise) and the difference
under attack. The target: every answer within 250 ms.
"""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load import ORDER, Client, order_worker, percentile, run_phase, start_server  # noqa: E402
from kebabalab.cli.serving import SERVERS  # noqa: E402
from tests.fakes import FakeTwilio  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tests.slow_clients import SlowClients  # noqa: E402

SECRET = "bench-secret"  # bench/load.py's server
TRICKLE_SECONDS = 0.5
TARGET_MS = 250


def attack(port: int, pairs: int, stop, dropped) -> None:
    """Keep `pairs` pairs of slow connections open until `stop`; `dropped` counts those the server closed.
    Run in a process of its own, so the attacker's work does not slow the measuring threads (one GIL)."""
    slow = SlowClients(port, pairs, SECRET)
    try:
        while not stop.wait(TRICKLE_SECONDS):
            slow.trickle()
            while len(slow.open) < 2 * pairs:
                slow.connect_pair()
    finally:
        dropped.value = slow.closed
        slow.close_all()


def health_prober(port: int, stop_at: float, record) -> None:
    """/health on a new connection each time (a load balancer's check), 20 times a second."""
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        try:
            status, _ = Client(port, "").request("GET", "/health")
            record("/health", (time.perf_counter() - t0) * 1000 if status == 200 else None)
        except OSError:
            record("/health", None)
        time.sleep(0.05)


def phase(port: int, calls: int, seconds: float, slow: int) -> tuple[dict, int, int]:
    """One phase: latencies by name, errors, slow connections dropped."""
    stop, dropped = multiprocessing.Event(), multiprocessing.Value("i", 0)
    attacker = multiprocessing.Process(target=attack, args=(port, slow // 2, stop, dropped)) if slow else None
    if attacker:
        attacker.start()
        time.sleep(1)  # the attack is in place before the first measured answer
    clients = [Client(port, SECRET) for _ in range(calls)]
    orders = order_worker(clients, ORDER)

    def work(index, stop_at, record):
        return health_prober(port, stop_at, record) if index == calls else orders(index, stop_at, record)
    latencies, _, errors, _ = run_phase(calls + 1, seconds, work)
    if attacker:
        stop.set()
        attacker.join(30)
    tools = [ms for name, values in latencies.items() if name != "/health" for ms in values]
    return {"tool calls": tools, "/health": latencies.get("/health", [])}, errors, dropped.value


def line(label: str, values: list[float]) -> str:
    return (f"{label:<11} n {len(values):>5}  p50 {percentile(values, 50):6.1f}  p99 {percentile(values, 99):6.1f}  "
            f"worst {max(values, default=float('nan')):7.1f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slow", type=int, default=200, help="slow connections, half of each kind")
    parser.add_argument("--calls", type=int, default=10, help="simultaneous callers placing orders")
    parser.add_argument("--seconds", type=float, default=10, help="each phase")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--server", default="auto", choices=SERVERS)
    args = parser.parse_args(argv)
    args.slow = max(2, min(args.slow, 900))
    quiet, loud = [], []
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio() as twilio:
        port = free_port()
        settings = argparse.Namespace(workers=1, server=args.server, database_url="", redis_url="")
        server = start_server(settings, port, Path(tmp), twilio.base_url)
        try:
            for run in range(1, args.repeats + 1):
                for slow, kept in ((0, quiet), (args.slow, loud)):
                    latencies, errors, dropped = phase(port, args.calls, args.seconds, slow)
                    kept.append(latencies)
                    print(f"== run {run}, {slow} slow connections: errors {errors}, dropped by the server {dropped}")
                    for name, values in latencies.items():
                        print("   " + line(name, values))
        finally:
            server.terminate()
            server.wait(30)
    summary(quiet, loud)
    return 0


def summary(quiet: list[dict], loud: list[dict]) -> None:
    print(f"\n== {len(quiet)} runs: quiet spread (noise) and attack, target every answer within {TARGET_MS} ms")
    for name in ("tool calls", "/health"):
        for pct in (50, 99):
            calm = [percentile(run[name], pct) for run in quiet]
            hit = [percentile(run[name], pct) for run in loud]
            noise = max(calm) - min(calm)
            print(f"{name:<11} p{pct}: quiet {min(calm):6.1f}-{max(calm):6.1f} ms (noise {noise:5.1f}), "
                  f"attack {min(hit):6.1f}-{max(hit):6.1f} ms")
        calm = max(max(run[name], default=float("nan")) for run in quiet)
        worst = max(max(run[name], default=float("nan")) for run in loud)
        print(f"{name:<11} worst: quiet {calm:.1f} ms, under attack {worst:.1f} ms: "
              f"{'within' if worst <= TARGET_MS else 'OVER'} the target")


if __name__ == "__main__":
    sys.exit(main())
