"""assistant-request benchmark: how long the server takes to answer Vapi's "which assistant?" with history.

    .venv/bin/python bench/assistant_request.py --orders 5000 --requests 500

Builds a SQLite database of --orders past orders (one in ten from the caller), then answers --requests
assistant-request messages for that caller in this process (Flask's test client, no network) and prints the
p50, p99 and slowest answer in milliseconds. Vapi waits a few seconds for the answer; the caller hears silence
while it waits.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[1]))

from kebabalab.clock import FixedClock  # noqa: E402
from kebabalab.config import Settings  # noqa: E402
from kebabalab.store import NewOrder  # noqa: E402
from kebabalab.web.app import create_app  # noqa: E402

CALLER = "+61412345678"
FRIDAY_6PM = datetime(2026, 11, 27, 18, 0, tzinfo=ZoneInfo("Australia/Melbourne"))
ITEMS = [{"description": "large lamb kebab, garlic sauce", "quantity": 1, "unit_price_cents": 1500,
          "line_total_cents": 1500}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/orders.db", allow_unauthenticated=True,
                            send_sms_in_background=False, vapi_assistant_id="bench-assistant")
        app = create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
        db = app.extensions["kebabalab"].db
        for n in range(args.orders):
            at = FRIDAY_6PM - timedelta(days=365) + timedelta(hours=n % 8000)
            phone = CALLER if n % 10 == 0 else f"+614{n:08d}"
            db.place_order(NewOrder(call_id=f"c{n}", idempotency_key=f"c{n}:0", customer_name="Sam Lee",
                                    customer_phone=phone, items=ITEMS, subtotal=1500, gst=136, total=1500,
                                    ready_at=at.isoformat(), notes="", order_day=at.date().isoformat(),
                                    created_at=at.isoformat()), lambda order: [])
        body = {"message": {"type": "assistant-request", "call": {"id": "bench", "customer": {"number": CALLER}}}}
        client = app.test_client()
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            answer = client.post("/webhook", json=body).get_json()
            times.append((time.perf_counter() - started) * 1000)
        assert answer["assistantOverrides"]["variableValues"]["customerFirstName"] == "Sam", answer
        app.extensions["kebabalab"].stop_background()
    times.sort()
    print(f"assistant-request with {args.orders} orders in the database: p50 {statistics.median(times):.2f} ms  "
          f"p99 {times[int(len(times) * 0.99) - 1]:.2f} ms  max {times[-1]:.2f} ms  ({args.requests} requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
