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
    levels = re.findall(r"^-- (\d+) calls: tool calls/s [\d.]+  orders (\d+)  rows written (\d+)  errors (\d+)  "
                        r"CPU s per 1000 tool calls ([\d.]+)  (held|NOT held)$", done.stdout, re.M)
    assert [int(calls) for calls, *_ in levels] == [2, 4], done.stdout
    for calls, orders, rows, errors, cpu, held in levels:
        assert int(orders) >= 1 and int(errors) == 0 and float(cpu) > 0, done.stdout
        assert int(rows) >= 3 * int(orders) - 3, done.stdout  # an order row and its two texts (one may straddle)
    tools = set(re.findall(r"^(\w+)\s+\d+\s+[\d.]+\s+[\d.]+$", done.stdout, re.M))
    assert tools == {name for name, _ in ORDER}, done.stdout
    highest = re.search(r"^highest level held: (\d+) simultaneous calls", done.stdout, re.M)
    assert highest and int(highest.group(1)) in {0, 2, 4}, done.stdout
