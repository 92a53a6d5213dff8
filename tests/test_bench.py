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
