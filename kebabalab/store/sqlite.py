"""The SQLite backend: `DatabaseConnection` (one transaction on a file) and the database's file path."""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Iterator

from kebabalab.errors import ConfigError, StoreError

BUSY = "The order database is busy right now; please try again in a moment."


def _is_busy(exc: BaseException | None) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def connect(path: str, timeout: float = 10) -> sqlite3.Connection:
    """A connection set up the way every transaction expects: rows by name, busy timeout, foreign keys, and
    secure_delete (what a forget or an anonymisation removes is overwritten with zeros, not left in free space)."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def ensure_wal(path: str, attempts: int = 50) -> None:
    """Switch the file to WAL once (it stays so); the switch needs a moment alone, so retry briefly."""
    for attempt in range(attempts):
        conn = connect(path)
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == attempts - 1:
                raise StoreError(BUSY) from exc
        finally:
            conn.close()
        time.sleep(0.02)


class DatabaseConnection:
    """`with DatabaseConnection(path) as conn:` one transaction: commit on success, rollback on error, closed.

    Given `connection=`, it runs the transaction on that open connection and leaves it open (the engine's
    per-thread connections)."""

    def __init__(self, path: str, immediate: bool = False, timeout: float = 10,
                 connection: sqlite3.Connection | None = None):
        self.path = path
        self.immediate = immediate
        self.timeout = timeout
        self._given = connection
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        conn = self._given or connect(self.path, self.timeout)
        try:
            conn.execute("BEGIN IMMEDIATE" if self.immediate else "BEGIN")
        except sqlite3.Error as exc:
            self._close(conn)
            if _is_busy(exc):
                raise StoreError(BUSY) from exc
            raise
        self._conn = conn
        return conn

    def _close(self, conn: sqlite3.Connection) -> None:
        if conn is not self._given:
            conn.close()

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
                raise StoreError(BUSY) from error
            raise
        finally:
            self._close(conn)
        if _is_busy(exc):
            raise StoreError(BUSY) from exc
        return False


def database_path(url: str) -> str:
    """'sqlite:///data/k.db' -> 'data/k.db', 'sqlite:////abs/k.db' -> '/abs/k.db'; makes the parent folder."""
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix):
        raise ConfigError("DATABASE_URL must start with sqlite:/// (sqlite:///relative/path.db or "
                          "sqlite:////absolute/path.db) or postgresql:// (postgresql://user@host:5432/name)")
    path = url[len(prefix):]
    if not path or path.startswith(":memory:") or "mode=memory" in path:
        raise ConfigError("DATABASE_URL must name a file, not :memory: (several connections share one database)")
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return path


def resolve_path(url_or_path: str | os.PathLike) -> str:
    """A sqlite:/// URL or a plain file path -> the file path."""
    text = os.fspath(url_or_path)
    if "://" in text:
        return database_path(text)
    if not text or text.startswith(":memory:"):
        raise ConfigError("The database must be a file, not :memory:")
    return text


class SQLiteEngine:
    """One file; BEGIN IMMEDIATE lets one writer in at a time, so nothing needs row locks.

    Each thread keeps one open connection (opening one costs more than most queries), and this process's
    writers queue on a lock rather than in SQLite's busy handler, which sleeps in steps of up to 100 ms."""

    name = "sqlite"
    row_locks = False
    duplicate_errors: tuple[type[Exception], ...] = ()  # writers are serialised: a duplicate cannot race in

    def __init__(self, url_or_path: str | os.PathLike):
        self.path = resolve_path(url_or_path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        ensure_wal(self.path)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
        return conn

    @contextmanager
    def transaction(self, immediate: bool = False, pipelined: bool = False) -> Iterator[sqlite3.Connection]:
        """`pipelined` is for PostgreSQL (round trips); here every statement runs in this process."""
        with self._write_lock if immediate else nullcontext():
            with DatabaseConnection(self.path, immediate=immediate, connection=self._connection()) as conn:
                yield conn

    def read(self, sql: str, params: tuple | list = ()) -> list:
        """One SELECT as its own transaction (autocommit): no BEGIN and COMMIT, each a turn at the GIL."""
        try:
            return self._connection().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise StoreError(BUSY) from exc
            raise

    @staticmethod
    def insert_ids(conn: sqlite3.Connection, statement: str, params: list, numbers: list[tuple[str, str]]
                   ) -> dict[tuple[str, str], int]:
        """Run a multi-row INSERT INTO orders; returns {(shop_id, order_number): id}, the rows in VALUES order.

        Without RETURNING: reading each new row back is one more turn at the GIL per order. SQLite gives each
        row of one INSERT the largest rowid so far plus one, and this transaction is the only writer, so the
        ids are the ones ending at lastrowid."""
        last = conn.execute(statement, params).lastrowid
        return {number: last - len(numbers) + 1 + offset for offset, number in enumerate(numbers)}

    def ddl(self, statement: str) -> str:
        return statement

    def lock_schema(self, conn) -> None:
        """Nothing to do: the migration runs in a BEGIN IMMEDIATE transaction."""

    @contextmanager
    def foreign_keys_off(self) -> Iterator[None]:
        """This thread's connection without foreign keys (a table rebuilt under its references), then on again.
        SQLite ignores the setting inside a transaction, so it wraps one."""
        conn = self._connection()
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    @staticmethod
    def broken_references(conn) -> int:
        """How many rows point at a row that is not there (checked before a migration commits)."""
        return len(conn.execute("PRAGMA foreign_key_check").fetchall())

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the file and truncate it, so old page images (a forgotten customer's
        name and number) are gone from the -wal file too; False when a reader kept part of the log."""
        with self._write_lock:
            busy = self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    def close(self) -> None:
        """Close this thread's connection (other threads' close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()
