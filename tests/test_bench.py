"""The load benchmark (bench/load.py) still runs: a short run of whole orders, every tool reported, no errors.
Its figures are not checked here (speed is measured by running it, never asserted in a test)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import ORDER, SUMMARY

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_the_load_benchmark_places_whole_orders_and_reports_every_tool():
    done = subprocess.run([sys.executable, "bench/load.py", "--calls", "3", "--seconds", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"^/health floor: p50 [\d.]+ ms, .* errors 0$", done.stdout, re.M), done.stdout
    placed = re.search(r"^tool calls/s [\d.]+  orders/s [\d.]+  orders (\d+)  errors 0  mean", done.stdout, re.M)
    assert placed and int(placed.group(1)) >= 1, done.stdout
    counts = {name: int(n) for name, n in re.findall(r"^(\w+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+$", done.stdout, re.M)}
    assert set(counts) == {name for name, _ in ORDER} and min(counts.values()) >= 1, done.stdout
    assert counts["createOrder"] == int(placed.group(1)), done.stdout  # every order placed is one createOrder


def test_the_summary_scenario_asks_for_the_summary_of_a_one_item_cart():
    done = subprocess.run([sys.executable, "bench/load.py", "--calls", "2", "--seconds", "2", "--scenario", "summary"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"^== sqlite\+memory, scenario summary,", done.stdout, re.M), done.stdout
    assert re.search(r"^tool calls/s [\d.]+  orders/s 0.00  orders 0  errors 0  mean", done.stdout, re.M), done.stdout
    counts = {name: int(n) for name, n in re.findall(r"^(\w+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+$", done.stdout, re.M)}
    assert set(counts) == {"quickAddItem", "getOrderSummary", "endCall"}, done.stdout
    assert counts["getOrderSummary"] >= SUMMARY.count(("getOrderSummary", {})) * counts["endCall"], done.stdout


def test_the_assistant_request_benchmark_answers_a_returning_caller():
    done = subprocess.run([sys.executable, "bench/assistant_request.py", "--orders", "50", "--requests", "5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"assistant-request with 50 orders in the database: p50 [\d.]+ ms  p99 [\d.]+ ms  "
                        r"max [\d.]+ ms  \(5 requests\)", done.stdout.strip()), done.stdout


def test_the_slow_client_benchmark_reports_both_phases_and_the_noise():
    done = subprocess.run([sys.executable, "bench/slow_clients.py", "--slow", "20", "--calls", "2", "--seconds", "2",
                           "--repeats", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    phases = re.findall(r"^== run 1, (\d+) slow connections: errors (\d+)", done.stdout, re.M)
    assert phases == [("0", "0"), ("20", "0")], done.stdout
    for name in ("tool calls", "/health"):
        assert re.search(rf"^{name} +p99: quiet +[\d.]+- +[\d.]+ ms \(noise +[\d.]+\), attack", done.stdout, re.M), \
            done.stdout


def test_the_capacity_ladder_reports_every_level_and_the_highest_held():
    """Callers who pause between tool calls (bench/capacity.py): each level's tools, orders and rows, then the
    highest level held. A short run with short pauses, so whole orders finish inside it."""
    done = subprocess.run([sys.executable, "bench/capacity.py", "--levels", "2,4", "--seconds", "3", "--warmup", "1",
                           "--think", "0.05", "--twilio-delay", "0"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    levels = re.findall(r"^-- (\d+) calls: tool calls/s [\d.]+  orders (\d+)  rows written (\d+)  texts sent \d+  "
                        r"errors (\d+)  CPU s per 1000 tool calls ([\d.]+)  (held|NOT held)$", done.stdout, re.M)
    assert [int(calls) for calls, *_ in levels] == [2, 4], done.stdout
    for calls, orders, rows, errors, cpu, held in levels:
        assert int(orders) >= 1 and int(errors) == 0 and float(cpu) > 0, done.stdout
        assert int(rows) >= 3 * int(orders) - 3, done.stdout  # an order row and its two texts (one may straddle)
    tools = set(re.findall(r"^(\w+)\s+\d+\s+[\d.]+\s+[\d.]+$", done.stdout, re.M))
    assert tools == {name for name, _ in ORDER}, done.stdout
    highest = re.search(r"^highest level held: (\d+) simultaneous calls", done.stdout, re.M)
    assert highest and int(highest.group(1)) in {0, 2, 4}, done.stdout


def test_the_capacity_comparison_runs_each_configuration_in_turn_and_sums_up_against_the_first():
    """Both engines in one short run (PostgreSQL and Redis started for it), with the scale-out path's round
    trips: Redis commands by name and PostgreSQL statements per order."""
    done = subprocess.run([sys.executable, "bench/capacity_compare.py", "--configs", "sqlite,postgres-redis:1",
                           "--levels", "3", "--seconds", "3", "--warmup", "1", "--think", "0.05", "--twilio-delay",
                           "0", "--rounds", "1", "--breakdown"], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.findall(r"^#### round (\d): (.+)$", done.stdout, re.M) == [
        ("1", "sqlite + memory, 1 process"), ("1", "postgres-redis, 1 worker")], done.stdout
    by_process = re.search(r"^CPU s per 1000 tool calls by process: app ([\d.]+), redis-server ([\d.]+), "
                           r"postgresql ([\d.]+)$", done.stdout, re.M)
    assert by_process and all(float(cpu) > 0 for cpu in by_process.groups()), done.stdout
    trips = re.search(r"^per tool call: redis commands [\d.]+ \(EVALSHA ([\d.]+)\), postgresql statements "
                      r"[\d.]+, postgresql commits [\d.]+$", done.stdout, re.M)
    assert trips and float(trips.group(1)) >= 1.9, done.stdout  # each tool call takes and gives back its session
    assert re.search(r"^ +[\d.]+ +INSERT INTO orders ", done.stdout, re.M), done.stdout
    rows = re.findall(r"^(.+?) +3 calls: ([\d.]+) \(x([\d.]+)\) \d+/s \d+ texts (held|NOT held)$", done.stdout,
                      re.M)
    assert [(name, ratio) for name, _, ratio, _ in rows][0] == ("sqlite + memory, 1 process", "1.00"), done.stdout
    assert [name for name, *_ in rows] == ["sqlite + memory, 1 process", "postgres-redis, 1 worker"], done.stdout
    assert re.search(r"^postgres-redis, 1 worker +[0-3]$", done.stdout, re.M), done.stdout
