"""Prometheus metrics, one registry per app (so tests and several apps never share counters)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.tool_calls = Counter("kebabalab_tool_calls_total", "Tool calls by shop, tool and outcome",
                                  ("shop", "tool", "outcome"), registry=self.registry)
        self.tool_latency = Histogram("kebabalab_tool_call_seconds", "Tool call latency", ("tool",),
                                      buckets=LATENCY_BUCKETS, registry=self.registry)
        self.orders = Counter("kebabalab_orders_placed_total", "Orders placed, by shop", ("shop",),
                              registry=self.registry)
        self.sms = Counter("kebabalab_sms_total", "SMS by outcome (sent, logged, failed, retried)", ("outcome",),
                           registry=self.registry)
        self.sessions = Gauge("kebabalab_active_sessions", "Calls with a session in this process",
                              registry=self.registry)
        self.vapi_last_seen = Gauge("kebabalab_vapi_last_seen_timestamp_seconds",
                                    "When Vapi last reached the server (0: not today)", registry=self.registry)
        self.texts_going_out = Gauge("kebabalab_texts_going_out", "1 while the shop's texts go out; 0 when they have "
                                     "been failing for 10 minutes", ("shop",), registry=self.registry)
        self.outbox_backlog = Gauge("kebabalab_outbox_backlog", "The shop's texts waiting to go out", ("shop",),
                                    registry=self.registry)
        self.phone_line_problems = Gauge("kebabalab_phone_line_problems", "Problems on the shop's board banner "
                                         "(its order text undelivered, texts failing)", ("shop",),
                                         registry=self.registry)

    def tool_call(self, tool: str, outcome: str, seconds: float, shop: str = "main") -> None:
        self.tool_calls.labels(shop, tool, outcome).inc()
        self.tool_latency.labels(tool).observe(seconds)

    def order_placed(self, shop: str) -> None:
        self.orders.labels(shop).inc()

    def sms_outcome(self, outcome: str) -> None:
        self.sms.labels(outcome).inc()

    def phone_line(self, health, shop: str = "main") -> None:
        """A shop's board health figures (service/phone_line.py Health), set just before a scrape; the Vapi mark
        is the deployment's (one webhook)."""
        self.vapi_last_seen.set(health.vapi_last_seen.timestamp() if health.vapi_last_seen else 0)
        self.texts_going_out.labels(shop).set(1 if health.texts_going_out else 0)
        self.outbox_backlog.labels(shop).set(health.backlog)
        self.phone_line_problems.labels(shop).set(len(health.problems))

    def render(self, active_sessions: int) -> bytes:
        self.sessions.set(active_sessions)
        return generate_latest(self.registry)
