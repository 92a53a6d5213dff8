"""The SQLite backend: `DatabaseConnection` (one transaction on a file) and the database's file path."""
from __future__ import annotations

import os
import sqlite3

from ..errors import ConfigError, StoreError

BUSY = "The order database is busy right now; please try again in a moment."


def _is_busy(exc: BaseException | None) -> bool:
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
                raise StoreError(BUSY) from exc
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
                raise StoreError(BUSY) from error
            raise
        finally:
            conn.close()
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
    """One file; BEGIN IMMEDIATE lets one writer in at a time, so nothing needs row locks."""

    name = "sqlite"
    row_locks = False
    duplicate_errors: tuple[type[Exception], ...] = ()  # writers are serialised: a duplicate cannot race in

    def __init__(self, url_or_path: str | os.PathLike):
        self.path = resolve_path(url_or_path)

    def transaction(self, immediate: bool = False) -> DatabaseConnection:
        return DatabaseConnection(self.path, immediate=immediate)

    def ddl(self, statement: str) -> str:
        return statement

    def lock_schema(self, conn) -> None:
        """Nothing to do: the migration runs in a BEGIN IMMEDIATE transaction."""

    def close(self) -> None:
        """Nothing to do: every transaction opens and closes its own connection."""
