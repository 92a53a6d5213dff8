"""A whole phone order against a real server process, started the way `make run` starts it."""
import json
import time
import uuid

import pytest
import requests

from conftest import ServerProcess
from kebabalab.store import Database

pytestmark = pytest.mark.slow


def tool(url: str, call_id: str, name: str, **args) -> dict:
    body = {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": uuid.uuid4().hex, "function": {"name": name,
                                                                                 "arguments": json.dumps(args)}}]}}
    entry = requests.post(url + "/webhook", json=body, timeout=10).json()["results"][0]
    assert "result" in entry, entry
    return json.loads(entry["result"])


def test_whole_call_then_greeted_by_name_next_time(tmp_path):
    server = ServerProcess(tmp_path)
    try:
        first = str(uuid.uuid4())
        assert tool(server.url, first, "getCallerSmartContext")["isReturningCustomer"] is False
        tool(server.url, first, "quickAddItem", description="a large lamb kebab with garlic sauce")
        assert tool(server.url, first, "convertItemsToMeals", chipsSize="large")["total"] == 25.0
        tool(server.url, first, "setPickupTime", requestedTime="in 30 minutes")
        order = tool(server.url, first, "createOrder", customerName="Sam")
        assert (order["displayOrderNumber"], order["total"]) == ("#001", 25.0)
        tool(server.url, first, "endCall")

        second = str(uuid.uuid4())
        context = tool(server.url, second, "getCallerSmartContext")
        assert (context["isReturningCustomer"], context["customerName"]) == (True, "Sam")
        assert context["greetingSuggestion"].startswith("Welcome back, Sam!")

        db = Database(server.env["DATABASE_URL"])
        deadline = time.monotonic() + 15
        while db.outbox_counts()["logged"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert db.outbox_counts() == {"pending": 0, "sending": 0, "sent": 0, "logged": 2, "failed": 0}
        assert len(db.orders_for_phone("+61412345678")) == 1
    finally:
        server.close()
    log = server.output()
    assert "WARNING: the webhook accepts unauthenticated requests" in log
    assert "+61412345678" not in log and "SMS" in log
