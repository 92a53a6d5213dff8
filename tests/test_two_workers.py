"""Real server processes sharing one Redis and one PostgreSQL: a call's tool calls land on either process
(as behind a load balancer) and still build one cart and place one order; `serve --workers N` too."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from conftest import VapiCall
from tests.servers import HttpClient, always_open_hours, free_port, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 30
CUSTOMER, SHOP = "+61412345678", "+61400000001"


@pytest.fixture
def server_env(tmp_path, fresh_redis_url, postgres_database_url) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DATABASE_", "VAPI_", "TWILIO_"))}
    env.update(REDIS_URL=fresh_redis_url, DATABASE_URL=postgres_database_url, KEBABALAB_ALLOW_UNAUTHENTICATED="1",
               HOURS_FILE=str(always_open_hours(tmp_path)), SHOP_ORDER_TO=SHOP, PYTHONPATH=str(ROOT),
               PYTHONUNBUFFERED="1")
    return env


class Servers:
    """Starts `python -m kebabalab serve ...` processes and stops every one of them at the end."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.processes = folder, env, []

    def start(self, *args: str) -> str:
        port = free_port()
        log = self.folder / f"server-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "kebabalab", "serve", "--port", str(port), *args],
                                       cwd=self.folder, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if requests.get(url + "/health", timeout=5).status_code == 200:
                    return url
            except requests.RequestException:  # not listening yet, or (gunicorn) no worker booted yet
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server on port {port} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # the server and, under gunicorn, its workers
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def servers(tmp_path, server_env):
    started = Servers(tmp_path, server_env)
    yield started
    started.stop()


def one_call_through(calls: list[VapiCall]) -> dict:
    """The issue's call, its tool calls dealt to the servers in turn; returns createOrder's result."""
    steps = [("quickAddItem", {"description": "a large lamb kebab"}, {"cartSize": 1, "total": 15.0}),
             ("quickAddItem", {"description": "2 cokes"}, {"cartSize": 2, "total": 22.0}),
             ("convertItemsToMeals", {}, {"cartSize": 2, "total": 25.5})]
    for i, (tool, args, expected) in enumerate(steps):
        result = calls[i % len(calls)].ok(tool, **args)
        assert {key: result[key] for key in expected} == expected, (tool, result)
    pickup = calls[len(steps) % len(calls)].ok("setPickupTime", requestedTime="in 30 minutes")
    assert pickup["minutesFromNow"] in (30, 31), pickup  # the real clock: rounded up to a whole minute
    cart = calls[0].ok("getCartState")
    assert [line["description"] for line in cart["items"]] == [
        "large lamb kebab meal, with small chips (chicken salt) and a coke", "coke can"]
    return calls[1 % len(calls)].ok("createOrder", customerName="Sam")


def saved_orders(database_url: str) -> list[dict]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute("SELECT order_number, call_id, customer_name, customer_phone, total, items "
                            "FROM orders").fetchall()


def outbox(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT kind, to_phone, status, attempts FROM outbox ORDER BY kind").fetchall()


def test_one_call_alternating_between_two_server_processes_builds_one_cart_and_one_order(servers, server_env):
    urls = [servers.start(), servers.start()]
    calls = [VapiCall(HttpClient(url), call_id="call-two-workers", number=CUSTOMER) for url in urls]
    placed = one_call_through(calls)
    assert (placed["message"].startswith("Your order is placed."), placed["displayOrderNumber"], placed["total"]) \
        == (True, "#001", 25.5)
    again = calls[0].ok("createOrder", customerName="Sam")
    assert (again["message"].startswith("That order is already placed."), again["orderNumber"]) == (
        True, placed["orderNumber"])
    assert calls[1].ok("getCartState")["items"] == []
    [order] = saved_orders(server_env["DATABASE_URL"])
    assert ({k: order[k] for k in ("order_number", "call_id", "customer_name", "customer_phone", "total")},
            len(json.loads(order["items"]))) == ({"order_number": placed["orderNumber"], "call_id": "call-two-workers",
                                                   "customer_name": "Sam", "customer_phone": CUSTOMER,
                                                   "total": 2550}, 2)
    # both servers run an SMS sender against the one outbox: each text goes out once
    sent = [("customer_confirmation", CUSTOMER, "logged", 1), ("shop_order", SHOP, "logged", 1)]
    wait_until(lambda: outbox(server_env["DATABASE_URL"]) == sent, 15, "every text saved as sent, once")


def test_serve_with_two_gunicorn_workers_takes_the_same_call(servers, server_env):
    url = servers.start("--workers", "2")
    placed = one_call_through([VapiCall(HttpClient(url), call_id="call-gunicorn", number=CUSTOMER)])
    assert (placed["displayOrderNumber"], placed["total"]) == ("#001", 25.5)
    assert [o["order_number"] for o in saved_orders(server_env["DATABASE_URL"])] == [placed["orderNumber"]]


def tcp_sockets(port: int, state: str) -> set[str]:
    """The inodes, as /proc/PID/fd links name them, of the TCP sockets on local `port` in `state` (from
    /proc/net/tcp and tcp6: "0A" listening, "01" established)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(f"socket:[{fields[9]}]")
    return found


def connections_held(server_pid: int, port: int) -> list[int]:
    """How many open connections to `port` each worker (child process) of `server_pid` holds."""
    inodes = tcp_sockets(port, "01")
    held = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != server_pid:  # the parent's pid
                continue
            held.append(sum(os.readlink(fd) in inodes for fd in (stat.parent / "fd").iterdir()))
        except (OSError, ValueError):  # a process that ended meanwhile
            continue
    return held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads connections on Linux only")
def test_serve_with_four_workers_shares_a_burst_of_connections_among_them(servers):
    """Vapi keeps its connections open between tool calls, so whichever worker accepts a connection serves
    it for good: a burst of new connections must not all go to one worker."""
    url = servers.start("--workers", "4")
    port = int(url.rsplit(":", 1)[1])
    # /health answers once one worker is up; the burst must find all four listening
    wait_until(lambda: len(tcp_sockets(port, "0A")) == 4, 15, "four listening sockets, one per worker")
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(24)]
    for connection in connections:
        connection.connect()
    for connection in connections:
        connection.request("GET", "/health")
    assert [connection.getresponse().status for connection in connections] == [200] * 24
    held = connections_held(servers.processes[-1].pid, port)
    for connection in connections:
        connection.close()
    assert (len(held), sum(held)) == (4, 24), held
    # each connection goes to a worker by a hash of its addresses: all 24 on two workers or fewer has a
    # chance of 6 x 2**-24 (4e-7); on one shared socket all 24 went to one worker every time
    assert sum(1 for n in held if n) >= 3, held


def test_serve_refuses_several_workers_without_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(KEBABALAB_ALLOW_UNAUTHENTICATED="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "kebabalab", "serve", "--workers", "2"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (
        2, "Refusing to start: more than one worker needs shared sessions; set REDIS_URL.")
