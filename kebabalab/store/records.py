"""What goes into and comes out of the order database: plain frozen dataclasses, money in cents."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Mapping

from kebabalab.config import MAIN_SHOP
from kebabalab.ordering.allergy_notes import allergy_note
from kebabalab.store.schema import OUTBOX_KINDS


def utc_text(value: datetime | str) -> str:
    """An aware datetime or ISO string -> '2026-11-30T07:30:00.000000+00:00' (UTC, fixed width)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def order_number_for(day: str, seq: int) -> str:
    """('2026-11-30', 42) -> '20261130-042'."""
    return f"{day.replace('-', '')}-{seq:03d}"


@dataclass(frozen=True)
class NewOrder:
    """An order about to be saved; money in cents, timestamps ISO-8601 with an offset."""
    call_id: str | None
    idempotency_key: str | None
    customer_name: str
    customer_phone: str | None
    items: list[dict]
    subtotal: int
    gst: int
    total: int
    ready_at: str
    notes: str
    order_day: str
    created_at: str
    status: str = "new"  # or "awaiting": the customer's YES by text first (shop/order_guard.py)
    shop_id: str = MAIN_SHOP

    def __post_init__(self):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.order_day or ""):
            raise ValueError("order_day must be YYYY-MM-DD")
        date.fromisoformat(self.order_day)


@dataclass(frozen=True)
class StoredOrder:
    """A saved order; `created` is False when an earlier order with the same key was returned."""
    id: int
    order_number: str
    order_day: str
    day_seq: int
    call_id: str | None
    idempotency_key: str | None
    customer_name: str | None
    customer_phone: str | None
    items: list[dict]
    subtotal: int
    gst: int
    total: int
    ready_at: str | None
    notes: str | None
    status: str
    created_at: str
    shop_id: str = MAIN_SHOP
    created: bool = False

    @property
    def display_number(self) -> str:
        return f"#{self.day_seq:03d}"

    @property
    def allergy_note(self) -> str:
        """The notes that mention an allergy ("" when none): flagged on the board, the shop's text and the ticket."""
        return allergy_note(self.notes, self.items)

    @classmethod
    def from_row(cls, row: Mapping, created: bool = False) -> "StoredOrder":
        """From a row of either engine (sqlite3.Row or a psycopg dict row)."""
        values = dict(row)
        values["items"] = json.loads(values["items"] or "[]")
        return cls(**values, created=created)


@dataclass(frozen=True)
class OutboxMessage:
    """A text to queue."""
    kind: str
    to_phone: str
    body: str
    call_id: str | None = None
    order_id: int | None = None
    shop_id: str = MAIN_SHOP

    def __post_init__(self):
        if self.kind not in OUTBOX_KINDS:
            raise ValueError(f"unknown outbox kind {self.kind!r}")


@dataclass(frozen=True)
class OutboxRow:
    """A queued text as stored; `order_number` comes from the linked order, if any."""
    id: int
    order_id: int | None
    call_id: str | None
    kind: str
    to_phone: str
    body: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    provider_sid: str | None
    created_at: str
    sent_at: str | None
    claimed_until: str | None
    order_number: str | None = field(default=None)
    shop_id: str = MAIN_SHOP


@dataclass(frozen=True)
class OutboxMark:
    """What became of one text: 'sent' or 'logged' (provider_sid, at), 'retry' (error, again at `at`) or
    'failed' (error)."""
    id: int
    status: str
    provider_sid: str | None = None
    at: datetime | None = None
    error: str | None = None
