"""Shared fixtures: a pinned clock, an app on a real SQLite file, and a fake Vapi that places calls."""
from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.register_assert_rewrite("tests.servers")  # imported below, before pytest loads it as a plugin

from kebabalab.clock import FixedClock
from kebabalab.config import Settings
from kebabalab.store import Database, NewOrder, OutboxMessage
from kebabalab.ordering.menu import Menu
from kebabalab.web.app import create_app
from tests.servers import always_open_hours, free_port

pytest_plugins = ["tests.servers"]  # real redis-server and PostgreSQL on loopback, started on demand

MELBOURNE = ZoneInfo("Australia/Melbourne")
FIXTURES = Path(__file__).parent / "fixtures"
# Friday 27 November 2026, 6 pm in the shop: open (11:00-02:00), busy dinner time.
FRIDAY_6PM = datetime(2026, 11, 27, 18, 0, tzinfo=MELBOURNE)


def melbourne(*args) -> datetime:
    return datetime(*args, tzinfo=MELBOURNE)


def vapi_fixture(name: str) -> dict:
    return json.loads((FIXTURES / "vapi" / name).read_text())


@pytest.fixture
def menu() -> Menu:
    return Menu.load(Path(__file__).parents[1] / "kebabalab" / "data" / "menu.json")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    """Each engine in turn: a SQLite file, then a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/orders.db"
    return request.getfixturevalue("postgres_database_url")


# The order database on its own, without the app: T0 is 6:30 pm in Melbourne on Monday 30 November 2026.
T0 = datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)
ITEMS = [{"description": "large lamb kebab, garlic sauce", "quantity": 1, "line_total_cents": 1500}]


@pytest.fixture
def db(database_url):
    """A migrated order database on each engine in turn, its clock at T0."""
    database = Database(database_url, clock=FixedClock(T0))
    database.init()
    yield database
    database.close()


def new_order(key="call-1:1", day="2026-11-30", phone="+61412345678", at=T0, call_id="call-1", name="Sam"):
    return NewOrder(call_id=call_id, idempotency_key=key, customer_name=name, customer_phone=phone,
                    items=ITEMS, subtotal=2200, gst=200, total=2200, ready_at="2026-11-30T18:45:00+11:00",
                    notes="extra napkins", order_day=day, created_at=at.isoformat())


def shop_text(order):
    return [OutboxMessage("shop_order", "+61395345588", f"NEW ORDER {order.display_number}")]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FRIDAY_6PM)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False)


@pytest.fixture
def app(settings, clock):
    app = create_app(settings, clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


@pytest.fixture
def services(app):
    """Shop 'main's services (what the tools, the board and the commands of a one-shop deployment use); the
    app-wide ones they fall back to are `app.extensions["kebabalab"]`."""
    return app.extensions["kebabalab"].for_shop("main")


@pytest.fixture
def client(app):
    return app.test_client()


class VapiCall:
    """A fake Vapi for one phone call: posts tool calls shaped as Vapi sends them and reads the replies."""

    _ids = itertools.count(1)

    def __init__(self, client, call_id: str = "call-1", number: str | None = "+61412345678", headers=None):
        self.client, self.call_id, self.number, self.headers = client, call_id, number, headers or {}

    def message(self, calls: list[tuple[str, dict]]) -> dict:
        tool_calls = [{"id": f"tc_{next(self._ids)}", "type": "function",
                       "function": {"name": name, "arguments": args}} for name, args in calls]
        call = {"id": self.call_id, "type": "inboundPhoneCall"}
        if self.number:
            call["customer"] = {"number": self.number}
        return {"message": {"type": "tool-calls", "toolCallList": tool_calls, "call": call}}

    def post(self, body) -> "object":
        return self.client.post("/webhook", json=body, headers=self.headers)

    def run(self, name: str, **args) -> dict:
        """One tool call; returns {'result': dict} or {'error': str}."""
        response = self.post(self.message([(name, args)]))
        assert response.status_code == 200, response.get_data(as_text=True)
        entry = response.get_json()["results"][0]
        if "error" in entry:
            return {"error": entry["error"]}
        return {"result": json.loads(entry["result"])}

    def ok(self, name: str, **args) -> dict:
        outcome = self.run(name, **args)
        assert "result" in outcome, outcome
        return outcome["result"]

    def error(self, name: str, **args) -> str:
        outcome = self.run(name, **args)
        assert "error" in outcome, outcome
        return outcome["error"]

    def end(self) -> None:
        body = {"message": {"type": "status-update", "status": "ended", "call": {"id": self.call_id}}}
        assert self.post(body).status_code == 200


@pytest.fixture
def vapi(client) -> VapiCall:
    return VapiCall(client)


class ServerProcess:
    """`python -m kebabalab serve` on a free loopback port, as `make run` starts it; stops when closed."""

    def __init__(self, tmp_path: Path, **env: str):
        import os
        import subprocess
        import sys
        hours = always_open_hours(tmp_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("VAPI_", "TWILIO_", "REDIS_", "DATABASE_"))}
        self.env = {**base, "PORT": str(self.port), "HOST": "127.0.0.1", "HOURS_FILE": str(hours),
                    "DATABASE_URL": f"sqlite:///{tmp_path}/orders.db", "KEBABALAB_ALLOW_UNAUTHENTICATED": "1",
                    "SHOP_ORDER_TO": "+61400000001", "PYTHONPATH": str(Path(__file__).parents[1]), **env}
        self.log_path = tmp_path / f"server-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "kebabalab", "serve"], cwd=tmp_path, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self, seconds: float = 30) -> None:
        import time
        import requests
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # still starting, or a loaded machine
                time.sleep(0.1)
        self.close()
        raise AssertionError(f"server did not become healthy:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except Exception:
                self.process.kill()
        self.log.close()
