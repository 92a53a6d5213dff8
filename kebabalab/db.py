"""The order database: `DatabaseConnection`, the schema and its migrations, the order and outbox queries.

SQLite today. Every statement lives in `SQL` or `MIGRATIONS`, uses `?` placeholders and portable syntax
(`INSERT ... RETURNING` works in SQLite 3.35+ and PostgreSQL), so a psycopg backend can reuse them.
Timestamps are ISO-8601 UTC text of one fixed width (so text order is time order); money is integer cents.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from .clock import SystemClock
from .errors import ConfigError, StoreError
from .phones import mask_phone, try_normalise

logger = logging.getLogger(__name__)

OUTBOX_KINDS = ("shop_order", "customer_confirmation", "menu_link", "receipt", "ready")
OUTBOX_STATUSES = ("pending", "sending", "sent", "logged", "failed")
_BUSY = "The order database is busy right now; please try again in a moment."

MIGRATIONS: list[list[str]] = [
    [  # 1: orders, outbox, abandoned carts, order events
        """CREATE TABLE orders (
            id INTEGER PRIMARY KEY, order_number TEXT NOT NULL UNIQUE, order_day TEXT NOT NULL,
            day_seq INTEGER NOT NULL, call_id TEXT, idempotency_key TEXT UNIQUE, customer_name TEXT,
            customer_phone TEXT, items TEXT NOT NULL, subtotal INTEGER NOT NULL, gst INTEGER NOT NULL,
            total INTEGER NOT NULL, ready_at TEXT, notes TEXT, status TEXT NOT NULL DEFAULT 'new',
            created_at TEXT NOT NULL, UNIQUE (order_day, day_seq))""",
        "CREATE INDEX ix_orders_customer_phone ON orders (customer_phone)",
        "CREATE INDEX ix_orders_created_at ON orders (created_at)",
        "CREATE INDEX ix_orders_status ON orders (status)",
        "CREATE INDEX ix_orders_call_id ON orders (call_id)",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id), call_id TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('shop_order', 'customer_confirmation', 'menu_link',
                'receipt', 'ready')),
            to_phone TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent',
                'logged', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT, provider_sid TEXT,
            created_at TEXT NOT NULL, sent_at TEXT, claimed_until TEXT)""",
        "CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at)",
        "CREATE INDEX ix_outbox_call_id ON outbox (call_id)",
        "CREATE INDEX ix_outbox_order_id ON outbox (order_id)",
        """CREATE TABLE abandoned_carts (
            id INTEGER PRIMARY KEY, call_id TEXT, masked_phone TEXT, phone TEXT, summary TEXT,
            total INTEGER, created_at TEXT NOT NULL)""",
        """CREATE TABLE order_events (
            id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id), from_status TEXT,
            to_status TEXT NOT NULL, actor TEXT, created_at TEXT NOT NULL)""",
        "CREATE INDEX ix_order_events_order_id ON order_events (order_id)",
    ],
]

_ORDER_COLUMNS = ("id, order_number, order_day, day_seq, call_id, idempotency_key, customer_name, customer_phone, "
                  "items, subtotal, gst, total, ready_at, notes, status, created_at")
_OUTBOX_COLUMNS = ("outbox.id, outbox.order_id, outbox.call_id, kind, to_phone, body, outbox.status, attempts, "
                   "next_attempt_at, last_error, provider_sid, outbox.created_at, sent_at, claimed_until, "
                   "orders.order_number")
_OUTBOX_FROM = "FROM outbox LEFT JOIN orders ON orders.id = outbox.order_id"

SQL = {
    "version_table": "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)",
    "version": "SELECT COALESCE(MAX(version), 0) FROM schema_version",
    "version_add": "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
    "order_by_key": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE idempotency_key = ?",
    "order_by_id": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id = ?",
    "order_by_number": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_number = ?",
    "orders_for_phone": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE customer_phone = ? "
                        "ORDER BY created_at DESC, id DESC LIMIT ?",
    "orders_on_day": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_day = ? ORDER BY day_seq",
    "open_orders_due": "SELECT COUNT(*) FROM orders WHERE status NOT IN ('ready', 'collected', 'cancelled') "
                       "AND ready_at >= ? AND ready_at <= ?",
    "last_order_for_call": f"SELECT {_ORDER_COLUMNS} FROM orders WHERE call_id = ? ORDER BY id DESC LIMIT 1",
    "next_day_seq": "SELECT COALESCE(MAX(day_seq), 0) + 1 FROM orders WHERE order_day = ?",
    "order_add": "INSERT INTO orders (order_number, order_day, day_seq, call_id, idempotency_key, customer_name, "
                 "customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?) RETURNING id",
    "outbox_add": "INSERT INTO outbox (order_id, call_id, kind, to_phone, body, status, attempts, next_attempt_at, "
                  "created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) RETURNING id",
    "outbox_due": f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE (outbox.status = 'pending' AND "
                  "(next_attempt_at IS NULL OR next_attempt_at <= ?)) OR (outbox.status = 'sending' AND "
                  "claimed_until <= ?) ORDER BY outbox.id LIMIT ?",
    "outbox_claim": "UPDATE outbox SET status = 'sending', claimed_until = ?, attempts = attempts + 1 WHERE id = ?",
    "outbox_sent": "UPDATE outbox SET status = ?, provider_sid = ?, sent_at = ?, claimed_until = NULL WHERE id = ?",
    "outbox_retry": "UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?, claimed_until = NULL "
                    "WHERE id = ? AND status NOT IN ('sent', 'logged')",
    "outbox_failed": "UPDATE outbox SET status = 'failed', last_error = ?, claimed_until = NULL "
                     "WHERE id = ? AND status NOT IN ('sent', 'logged')",
    "outbox_by_id": f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE outbox.id = ?",
    "outbox_for_order": f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE outbox.order_id = ? ORDER BY outbox.id",
    "outbox_counts": "SELECT status, COUNT(*) FROM outbox GROUP BY status",
    "texts_for_call": "SELECT COUNT(*) FROM outbox WHERE call_id = ?",
    "phones_not_e164": "SELECT id, customer_phone FROM orders WHERE customer_phone IS NOT NULL "
                       "AND (customer_phone NOT LIKE '+%' OR customer_phone LIKE '% %' OR customer_phone LIKE '%-%' "
                       "OR customer_phone LIKE '%(%')",
    "phone_set": "UPDATE orders SET customer_phone = ? WHERE id = ?",
    "abandoned_add": "INSERT INTO abandoned_carts (call_id, masked_phone, phone, summary, total, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
}


def utc_text(value: datetime | str) -> str:
    """An aware datetime or ISO string -> '2026-11-30T07:30:00.000000+00:00' (UTC, fixed width)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class DatabaseConnection:
    """`with DatabaseConnection(path) as conn:` one transaction: commit on success, rollback on error, closed."""

    def __init__(self, path: str, immediate: bool = False, timeout: float = 10):
        self.path = path
        self.immediate = immediate
        self.timeout = timeout
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE" if self.immediate else "BEGIN")
        except sqlite3.Error as exc:
            conn.close()
            if _is_busy(exc):
                raise StoreError(_BUSY) from exc
            raise
        self._conn = conn
        return conn

    def __exit__(self, exc_type, exc, tb) -> bool:
        conn, self._conn = self._conn, None
        try:
            if exc_type is None:
                conn.execute("COMMIT")
            elif conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if _is_busy(error):
                raise StoreError(_BUSY) from error
            raise
        finally:
            conn.close()
        if isinstance(exc, sqlite3.Error) and _is_busy(exc):
            raise StoreError(_BUSY) from exc
        return False


def database_path(url: str) -> str:
    """'sqlite:///data/k.db' -> 'data/k.db', 'sqlite:////abs/k.db' -> '/abs/k.db'; makes the parent folder."""
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix):
        raise ConfigError("DATABASE_URL must start with sqlite:/// (sqlite:///relative/path.db or "
                          "sqlite:////absolute/path.db)")
    path = url[len(prefix):]
    if not path or path.startswith(":memory:") or "mode=memory" in path:
        raise ConfigError("DATABASE_URL must name a file, not :memory: (several connections share one database)")
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return path


def _resolve(url_or_path: str | os.PathLike) -> str:
    text = os.fspath(url_or_path)
    if "://" in text:
        return database_path(text)
    if not text or text.startswith(":memory:"):
        raise ConfigError("The database must be a file, not :memory:")
    return text


def init_database(url_or_path: str | os.PathLike) -> int:
    """Create or migrate the schema; returns the schema version. Running it again changes nothing."""
    path = _resolve(url_or_path)
    with DatabaseConnection(path, immediate=True) as conn:
        conn.execute(SQL["version_table"])
        version = conn.execute(SQL["version"]).fetchone()[0]
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute(SQL["version_add"], (number, utc_text(datetime.now(timezone.utc))))
            logger.info("Database migrated to schema version %d", number)
            version = number
    return version


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
    created: bool = False

    @property
    def display_number(self) -> str:
        return f"#{self.day_seq:03d}"

    @classmethod
    def from_row(cls, row: sqlite3.Row, created: bool = False) -> "StoredOrder":
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


def order_number_for(day: str, seq: int) -> str:
    """('2026-11-30', 42) -> '20261130-042'."""
    return f"{day.replace('-', '')}-{seq:03d}"


class Database:
    """The app's handle on the order database; each method is one short transaction."""

    def __init__(self, url: str, *, clock=None):
        self.path = _resolve(url)
        self.clock = clock or SystemClock()

    def init(self) -> int:
        version = init_database(self.path)
        self.normalise_phones()
        return version

    def normalise_phones(self) -> int:
        """Rewrite stored numbers in any local or spoken form ('0412 345 678') as E.164; returns how many."""
        changed = 0
        with DatabaseConnection(self.path, immediate=True) as conn:
            for row in conn.execute(SQL["phones_not_e164"]).fetchall():
                e164 = try_normalise(row["customer_phone"])
                if e164 and e164 != row["customer_phone"]:
                    conn.execute(SQL["phone_set"], (e164, row["id"]))
                    changed += 1
        if changed:
            logger.info("normalised %d stored phone numbers to E.164", changed)
        return changed

    def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with DatabaseConnection(self.path) as conn:
            return conn.execute(SQL[sql], params).fetchall()

    def _orders(self, sql: str, params: tuple) -> list[StoredOrder]:
        return [StoredOrder.from_row(row) for row in self._read(sql, params)]

    def place_order(self, new: NewOrder, compose: Callable[[StoredOrder], list[OutboxMessage]]) -> StoredOrder:
        """Save the order and its texts in one transaction; the same idempotency key returns the first order."""
        with DatabaseConnection(self.path, immediate=True) as conn:
            if new.idempotency_key is not None:
                row = conn.execute(SQL["order_by_key"], (new.idempotency_key,)).fetchone()
                if row is not None:
                    return StoredOrder.from_row(row, created=False)
            seq = conn.execute(SQL["next_day_seq"], (new.order_day,)).fetchone()[0]
            created_at = utc_text(new.created_at)
            ready_at = utc_text(new.ready_at) if new.ready_at else None
            order_id = conn.execute(SQL["order_add"], (
                order_number_for(new.order_day, seq), new.order_day, seq, new.call_id, new.idempotency_key,
                new.customer_name, new.customer_phone, json.dumps(new.items), new.subtotal, new.gst, new.total,
                ready_at, new.notes, created_at)).fetchone()[0]
            stored = StoredOrder.from_row(conn.execute(SQL["order_by_id"], (order_id,)).fetchone(), created=True)
            _insert_messages(conn, compose(stored), created_at, due=created_at, order_id=order_id,
                             call_id=new.call_id)
        return stored

    def find_order(self, order_number: str) -> StoredOrder | None:
        return next(iter(self._orders("order_by_number", (order_number,))), None)

    def find_order_by_key(self, key: str) -> StoredOrder | None:
        return next(iter(self._orders("order_by_key", (key,))), None)

    def orders_for_phone(self, e164: str, limit: int = 20) -> list[StoredOrder]:
        """Newest first."""
        return self._orders("orders_for_phone", (e164, int(limit)))

    def orders_on_day(self, day: str) -> list[StoredOrder]:
        return self._orders("orders_on_day", (day,))

    def open_orders_due(self, start: datetime | str, end: datetime | str) -> int:
        """How many orders not yet ready, collected or cancelled are due for pickup between start and end."""
        return self._read("open_orders_due", (utc_text(start), utc_text(end)))[0][0]

    def last_order_for_call(self, call_id: str) -> StoredOrder | None:
        return next(iter(self._orders("last_order_for_call", (call_id,))), None)

    def record_abandoned_cart(self, call_id: str | None, phone: str | None, summary: str, total: int,
                              at: datetime | str) -> int:
        with DatabaseConnection(self.path) as conn:
            return conn.execute(SQL["abandoned_add"], (call_id, mask_phone(phone), phone, summary, total,
                                                       utc_text(at))).fetchone()[0]

    def add_messages(self, messages: list[OutboxMessage], at: datetime | None = None) -> list[int]:
        """Queue texts not tied to a new order (menu link, receipt): due at `at`, or at once (NULL) by default."""
        created_at = utc_text(self.clock.now())
        with DatabaseConnection(self.path) as conn:
            return _insert_messages(conn, messages, created_at, due=utc_text(at) if at else None)

    def claim_due(self, now: datetime, limit: int = 10, lease_seconds: int = 60) -> list[OutboxRow]:
        """Lease due texts (pending and due, or 'sending' with an expired lease) to this sender."""
        now_text = utc_text(now)
        until = utc_text(now + timedelta(seconds=lease_seconds))
        with DatabaseConnection(self.path, immediate=True) as conn:
            rows = conn.execute(SQL["outbox_due"], (now_text, now_text, int(limit))).fetchall()
            for row in rows:
                conn.execute(SQL["outbox_claim"], (until, row["id"]))
        return [OutboxRow(**{**dict(row), "status": "sending", "claimed_until": until,
                             "attempts": row["attempts"] + 1}) for row in rows]

    def mark_sent(self, id: int, provider_sid: str, at: datetime, logged: bool = False) -> None:
        self._write("outbox_sent", ("logged" if logged else "sent", provider_sid, utc_text(at), id))

    def mark_retry(self, id: int, error: str, next_attempt_at: datetime) -> None:
        self._write("outbox_retry", (error, utc_text(next_attempt_at), id))

    def mark_failed(self, id: int, error: str) -> None:
        self._write("outbox_failed", (error, id))

    def _write(self, sql: str, params: tuple) -> None:
        with DatabaseConnection(self.path) as conn:
            conn.execute(SQL[sql], params)

    def outbox_row(self, id: int) -> OutboxRow | None:
        rows = self._read("outbox_by_id", (id,))
        return OutboxRow(**dict(rows[0])) if rows else None

    def outbox_for_order(self, order_id: int) -> list[OutboxRow]:
        return [OutboxRow(**dict(row)) for row in self._read("outbox_for_order", (order_id,))]

    def outbox_counts(self) -> dict[str, int]:
        """Every status with its count, zeros included."""
        counts = dict.fromkeys(OUTBOX_STATUSES, 0)
        counts.update({row[0]: row[1] for row in self._read("outbox_counts")})
        return counts

    def texts_for_call(self, call_id: str) -> int:
        """How many texts this call has queued, whatever became of them."""
        return self._read("texts_for_call", (call_id,))[0][0]


def _insert_messages(conn: sqlite3.Connection, messages: list[OutboxMessage], created_at: str, *, due: str | None,
                     order_id: int | None = None, call_id: str | None = None) -> list[int]:
    return [conn.execute(SQL["outbox_add"], (
        message.order_id if message.order_id is not None else order_id,
        message.call_id if message.call_id is not None else call_id,
        message.kind, message.to_phone, message.body, due, created_at)).fetchone()[0] for message in messages]
