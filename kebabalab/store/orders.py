"""`Database`, the app's handle on the orders and the SMS outbox, on SQLite or PostgreSQL; and the migrations.

Each method is one short transaction. Order numbers come from one counter row per shop day, bumped inside
the order's transaction; the same idempotency key returns the first order; texts are claimed by one sender.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Callable

from kebabalab.clock import SystemClock
from kebabalab.config import MAIN_SHOP
from kebabalab.errors import StoreError
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.store.records import NewOrder, OutboxMark, OutboxMessage, OutboxRow, StoredOrder, order_number_for, utc_text
from kebabalab.store.group_commit import GroupCommit
from kebabalab.store.print_jobs import queue_new_orders
from kebabalab.store.schema import MIGRATIONS, ORDER_FIELDS, ORDER_ROW, OUTBOX_ROW, OUTBOX_STATUSES, SQL, statements_for
from kebabalab.store.sqlite import SQLiteEngine

logger = logging.getLogger(__name__)
MARK_STATUSES = ("sent", "logged", "retry", "failed")  # what a sender saves of a text it tried


def open_engine(url_or_path: str | os.PathLike, *, pooled: bool = True):
    """postgresql://... -> PostgresEngine (psycopg is imported only then); sqlite:///... or a path -> SQLiteEngine."""
    from kebabalab.store.postgres import is_postgres_url
    if is_postgres_url(url_or_path):
        from kebabalab.store.postgres import PostgresEngine
        return PostgresEngine(url_or_path, pooled=pooled)
    return SQLiteEngine(url_or_path)


def migrate(engine) -> int:
    """Bring the schema up to date in one transaction; returns the schema version.

    SQLite runs it with foreign keys off (a migration that rebuilds a table drops the old one under the
    outbox's references) and checks every reference before the commit; PostgreSQL never drops a table."""
    with engine.foreign_keys_off():
        with engine.transaction(immediate=True) as conn:
            engine.lock_schema(conn)
            conn.execute(SQL["version_table"])
            version = start = conn.execute(SQL["version"]).fetchone()["version"]
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements_for(migration, engine.name):
                    conn.execute(engine.ddl(statement))
                conn.execute(SQL["version_add"], (number, utc_text(datetime.now(timezone.utc))))
                logger.info("Database migrated to schema version %d", number)
                version = number
            if version != start and engine.broken_references(conn):
                raise StoreError("The database migration left orders' texts or events without their order; "
                                 "nothing was changed.")
    return version


def init_database(url_or_path: str | os.PathLike) -> int:
    """Create or migrate the schema (SQLite or PostgreSQL); returns the version. Running it again changes nothing."""
    engine = open_engine(url_or_path, pooled=False)
    try:
        return migrate(engine)
    finally:
        engine.close()


class Database:
    """The app's handle on the order database; each method is one short transaction."""

    def __init__(self, url: str, *, clock=None, printers: dict[str, tuple[str, ...]] | None = None):
        self.engine = open_engine(url)
        # each shop's kitchen printers, by shop id: a new order's ticket is queued for its shop's, with the order
        self.printers = printers or {}
        self.path = self.engine.path  # the SQLite file; None on PostgreSQL
        self.clock = clock or SystemClock()
        # New orders that arrive together share a transaction (SQLite: one writer; PostgreSQL: one counter row
        # per day, locked from the number's update to the commit).
        self._group_commit = GroupCommit(self.place_orders)

    def init(self) -> int:
        version = migrate(self.engine)
        self.normalise_phones()
        return version

    def close(self) -> None:
        """Stop the order writer (SQLite) and close the engine's connections."""
        self._group_commit.close()  # orders already waiting are still saved
        self.engine.close()

    def checkpoint(self) -> bool:
        """SQLite: fold the write-ahead log into the file and empty it (after a forget); see the engines."""
        return self.engine.checkpoint()

    def transaction(self, immediate: bool = False, pipelined: bool = False):
        """`with db.transaction() as conn: conn.execute(sql, params)` on either engine (rows read by name);
        `pipelined`: on PostgreSQL, a statement whose result is not read shares the next one's round trip."""
        return self.engine.transaction(immediate=immediate, pipelined=pipelined)

    def normalise_phones(self) -> int:
        """Rewrite stored numbers in any local or spoken form ('0412 345 678') as E.164; returns how many."""
        changed = 0
        with self.transaction(immediate=True) as conn:
            for row in conn.execute(SQL["phones_not_e164"]).fetchall():
                e164 = try_normalise(row["customer_phone"])
                if e164 and e164 != row["customer_phone"]:
                    conn.execute(SQL["phone_set"], (e164, row["id"]))
                    changed += 1
        if changed:
            logger.info("normalised %d stored phone numbers to E.164", changed)
        return changed

    def _read(self, sql: str, params: tuple = ()) -> list:
        return self.engine.read(SQL[sql], params)

    def _count(self, sql: str, params: tuple = ()) -> int:
        return self._read(sql, params)[0]["n"]

    def _orders(self, sql: str, params: tuple) -> list[StoredOrder]:
        return [StoredOrder.from_row(row) for row in self._read(sql, params)]

    def place_order(self, new: NewOrder, compose: Callable[[StoredOrder], list[OutboxMessage]]) -> StoredOrder:
        """Save the order and its texts in one transaction; the same idempotency key returns the first order.

        Orders arriving together share a transaction (group commit)."""
        try:
            return self._group_commit.submit((new, compose))
        except self.engine.duplicate_errors:
            # PostgreSQL: another worker saved this key between our look-up and our insert; ours rolled back.
            first = self.find_order_by_key(new.idempotency_key) if new.idempotency_key is not None else None
            if first is None:
                raise
            return first

    def place_orders(self, batch: list[tuple[NewOrder, Callable[[StoredOrder], list[OutboxMessage]]]]
                     ) -> list[StoredOrder]:
        """Save several orders and their texts in one transaction, in a fixed number of statements: the
        idempotency look-up, the day's numbers, the orders, the texts. Results are in the batch's order; an
        order whose key is already saved (or earlier in the batch) comes back as that order, created=False.
        On PostgreSQL four round trips: BEGIN with the look-up, the numbers, the orders, the texts with COMMIT."""
        with self.transaction(immediate=True, pipelined=True) as conn:
            keys = sorted({new.idempotency_key for new, _ in batch if new.idempotency_key is not None})
            saved = {row["idempotency_key"]: StoredOrder.from_row(row) for row in conn.execute(
                SQL["orders_by_keys"].format(marks=", ".join("?" * len(keys))), keys).fetchall()} if keys else {}
            fresh: list[int] = []
            first_with_key: dict[str, int] = {}
            for index, (new, _) in enumerate(batch):
                key = new.idempotency_key
                if key is None or (key not in saved and key not in first_with_key):
                    fresh.append(index)
                    if key is not None:
                        first_with_key[key] = index
            results: list[StoredOrder | None] = [None] * len(batch)
            if fresh:
                self._insert_orders(conn, batch, fresh, results)
            for index, (new, _) in enumerate(batch):
                if results[index] is None:
                    key = new.idempotency_key
                    earlier = saved.get(key) or results[first_with_key[key]]
                    results[index] = replace(earlier, created=False)
        return results  # type: ignore[return-value]

    def _insert_orders(self, conn, batch, fresh: list[int], results: list) -> None:
        """Insert the batch's new orders (`fresh` indexes) and their texts; fills `results` at those indexes."""
        seqs: dict[int, int] = {}
        days: dict[tuple[str, str], list[int]] = {}
        for index in fresh:
            days.setdefault((batch[index][0].shop_id, batch[index][0].order_day), []).append(index)
        for (shop_id, day), indexes in days.items():
            last = _next_seqs(conn, shop_id, day, len(indexes))
            for offset, index in enumerate(indexes):
                seqs[index] = last - len(indexes) + 1 + offset
        orders = [self._as_saved(batch[index][0], seqs[index]) for index in fresh]
        statement = SQL["orders_add"].format(rows=", ".join([ORDER_ROW] * len(orders)))
        values = [value for order in orders for value in _insert_values(order)]
        ids = self.engine.insert_ids(conn, statement, values, [(order.shop_id, order.order_number) for order in orders])
        texts = []
        for index, order in zip(fresh, orders):
            new, compose = batch[index]
            stored = results[index] = replace(order, id=ids[(order.shop_id, order.order_number)])
            texts += [(replace(message, shop_id=stored.shop_id), stored.created_at, stored.created_at, stored.id,
                       new.call_id) for message in compose(stored)]
        insert_message_rows(conn, texts, returning=False)
        for index in fresh:
            order = results[index]
            if self.printers.get(order.shop_id):
                queue_new_orders(conn, [order.id], self.printers[order.shop_id], order.created_at, order.shop_id)

    @staticmethod
    def _as_saved(new: NewOrder, day_seq: int) -> StoredOrder:
        """The order as its row will read once inserted (its id still 0), without reading it back: each row
        read inside the order's transaction is another turn at the GIL."""
        return StoredOrder(
            id=0, order_number=order_number_for(new.order_day, day_seq), order_day=new.order_day, day_seq=day_seq,
            call_id=new.call_id, idempotency_key=new.idempotency_key, customer_name=new.customer_name,
            customer_phone=new.customer_phone, items=new.items, subtotal=new.subtotal, gst=new.gst, total=new.total,
            ready_at=utc_text(new.ready_at) if new.ready_at else None, notes=new.notes, status=new.status,
            created_at=utc_text(new.created_at), shop_id=new.shop_id, created=True)

    def find_order(self, order_number: str, shop_id: str = MAIN_SHOP) -> StoredOrder | None:
        return next(iter(self._orders("order_by_number", (shop_id, order_number))), None)

    def find_order_by_key(self, key: str) -> StoredOrder | None:
        return next(iter(self._orders("order_by_key", (key,))), None)

    def orders_for_phone(self, e164: str, limit: int = 20, shop_id: str = MAIN_SHOP) -> list[StoredOrder]:
        """The shop's orders from this number, newest first (a caller of two shops is a returning caller of each
        separately)."""
        return self._orders("orders_for_phone", (shop_id, e164, int(limit)))

    def orders_on_day(self, day: str, shop_id: str = MAIN_SHOP) -> list[StoredOrder]:
        return self._orders("orders_on_day", (shop_id, day))

    def open_orders_due(self, start: datetime | str, end: datetime | str, shop_id: str = MAIN_SHOP) -> int:
        """How many of the shop's orders not yet ready, collected or cancelled are due between start and end."""
        return self._count("open_orders_due", (shop_id, utc_text(start), utc_text(end)))

    def record_abandoned_cart(self, call_id: str | None, phone: str | None, summary: str, total: int,
                              at: datetime | str, shop_id: str = MAIN_SHOP) -> int:
        with self.transaction(immediate=True) as conn:
            return conn.execute(SQL["abandoned_add"], (call_id, mask_phone(phone), phone, summary, total,
                                                       utc_text(at), shop_id)).fetchone()["id"]

    def add_messages(self, messages: list[OutboxMessage], at: datetime | None = None) -> list[int]:
        """Queue texts not tied to a new order (menu link, receipt): due at `at`, or at once (NULL) by default."""
        created_at = utc_text(self.clock.now())
        with self.transaction(immediate=True) as conn:
            return insert_messages(conn, messages, created_at, due=utc_text(at) if at else None)

    def claim_due(self, now: datetime, limit: int = 10, lease_seconds: int = 60) -> list[OutboxRow]:
        """Lease due texts (pending and due, or 'sending' with an expired lease) to this sender.

        Several senders never get one row: SQLite lets one claim run at a time; PostgreSQL locks the rows
        it picks and passes over rows another sender has locked (FOR UPDATE SKIP LOCKED)."""
        now_text = utc_text(now)
        until = utc_text(now + timedelta(seconds=lease_seconds))
        due = "outbox_due_skip_locked" if self.engine.row_locks else "outbox_due"
        with self.transaction(immediate=True, pipelined=True) as conn:  # the claim goes with COMMIT
            rows = conn.execute(SQL[due], (now_text, now_text, int(limit))).fetchall()
            if rows:
                conn.execute(SQL["outbox_claim"].format(marks=", ".join("?" * len(rows))),
                             [until, *(row["id"] for row in rows)])
        return [OutboxRow(**{**dict(row), "status": "sending", "claimed_until": until,
                             "attempts": row["attempts"] + 1}) for row in rows]

    def renew_leases(self, ids: list[int], until: str, new_until: str) -> int:
        """Extend the lease on texts still being sent by this sender (leased `until`); returns how many."""
        if not ids:
            return 0
        with self.transaction(immediate=True) as conn:
            return conn.execute(SQL["outbox_renew"].format(marks=", ".join("?" * len(ids))),
                                [new_until, until, *ids]).rowcount

    def record_marks(self, marks: list[OutboxMark]) -> None:
        """What became of several texts, in one transaction (the sender's round of sends)."""
        if not marks:
            return
        if any(mark.status not in MARK_STATUSES for mark in marks):
            raise ValueError("an outbox mark is sent, logged, retry or failed")
        with self.transaction(immediate=True, pipelined=True) as conn:  # PostgreSQL: one round trip
            for mark in marks:
                sql, params = _mark_statement(mark)
                conn.execute(SQL[sql], params)

    def outbox_row(self, id: int) -> OutboxRow | None:
        rows = self._read("outbox_by_id", (id,))
        return OutboxRow(**dict(rows[0])) if rows else None

    def outbox_for_order(self, order_id: int) -> list[OutboxRow]:
        return [OutboxRow(**dict(row)) for row in self._read("outbox_for_order", (order_id,))]

    def outbox_counts(self) -> dict[str, int]:
        """Every status with its count, zeros included."""
        counts = dict.fromkeys(OUTBOX_STATUSES, 0)
        counts.update({row["status"]: row["n"] for row in self._read("outbox_counts")})
        return counts

    def requested_texts_for_call(self, call_id: str) -> int:
        """Texts the caller asked for on this call (menu links, receipts): what MAX_TEXTS_PER_CALL caps."""
        return self._count("requested_texts_for_call", (call_id,))

    def save_sessions(self, sessions: list[tuple[str, str]]) -> None:
        """Keep (call id, session JSON) pairs for the next server (a graceful restart), in one transaction."""
        saved_at = utc_text(self.clock.now())
        with self.transaction(immediate=True) as conn:
            for call_id, session in sessions:
                conn.execute(SQL["session_save"], (call_id, session, saved_at))

    def take_saved_sessions(self) -> list[tuple[str, str]]:
        """The (call id, session JSON) pairs a stopped server saved, removed as they are read (they hold
        callers' numbers: kept no longer than a restart)."""
        with self.transaction(immediate=True) as conn:
            rows = conn.execute(SQL["sessions_saved"]).fetchall()
            if rows:
                conn.execute(SQL["sessions_saved_clear"])
        return [(row["call_id"], row["session"]) for row in rows]

    def texts_for_call(self, call_id: str) -> int:
        """How many texts this call has queued, whatever became of them."""
        return self._count("texts_for_call", (call_id,))


def insert_messages(conn, messages: list[OutboxMessage], created_at: str, *, due: str | None) -> list[int]:
    """Queue texts in one statement (each statement inside a write costs the writer a turn at the GIL); each
    message carries its own order_id and call_id."""
    return insert_message_rows(conn, [(message, created_at, due, None, None) for message in messages])


def insert_message_rows(conn, rows: list[tuple[OutboxMessage, str, str | None, int | None, str | None]], *,
                        returning: bool = True) -> list[int]:
    """Queue texts given as (message, created_at, due, order_id, call_id) in one statement; the message's own
    order_id and call_id, when set, win. Returns the new ids, or [] with returning=False (reading each id
    back is a turn at the GIL per row)."""
    if not rows:
        return []
    params = [value for message, created_at, due, order_id, call_id in rows for value in (
        message.order_id if message.order_id is not None else order_id,
        message.call_id if message.call_id is not None else call_id,
        message.kind, message.to_phone, message.body, due, created_at, message.shop_id)]
    statement = SQL["outbox_add"].format(rows=", ".join([OUTBOX_ROW] * len(rows)))
    if not returning:
        conn.execute(statement, params)
        return []
    return sorted(row["id"] for row in conn.execute(statement + " RETURNING id", params).fetchall())



def _next_seqs(conn, shop_id: str, day: str, count: int) -> int:
    """Take the shop's next `count` order numbers of the day; the last of them."""
    if shop_id == MAIN_SHOP:
        return conn.execute(SQL["next_day_seqs"], (day, count)).fetchone()["last_seq"]
    return conn.execute(SQL["next_shop_day_seqs"], (shop_id, day, count)).fetchone()["last_seq"]


def _mark_statement(mark: OutboxMark) -> tuple[str, tuple]:
    """The SQL (by name) and parameters that save one text's outcome."""
    if mark.status in ("sent", "logged"):
        return "outbox_sent", (mark.status, mark.provider_sid, utc_text(mark.at), mark.id)
    if mark.status == "retry":
        return "outbox_retry", (mark.error, utc_text(mark.at), mark.id)
    return "outbox_failed", (mark.error, mark.id)


def _insert_values(order: StoredOrder) -> list:
    """One ORDER_ROW's parameters: every column but the id."""
    return [json.dumps(order.items) if field == "items" else getattr(order, field)
            for field in ORDER_FIELDS if field != "id"]
