"""The order database for commands that only use it (orders, forget, doctor): never created, always named.

Only `init-db`, `serve` and install.sh create or migrate a database. A command pointed at a wrong or missing
DATABASE_URL says so, with the file or server it looked at, instead of quietly starting an empty one.
"""
from __future__ import annotations

import os
import sqlite3
from urllib.parse import urlsplit, urlunsplit

from kebabalab.errors import ConfigError, StoreError
from kebabalab.store.orders import Database, open_engine
from kebabalab.store.postgres import is_postgres_url
from kebabalab.store.schema import MIGRATIONS

SQLITE_PREFIX = "sqlite:///"


def describe(url: str) -> str:
    """The database as a person can check it: SQLite's absolute file path, PostgreSQL's URL without its password."""
    if is_postgres_url(url):
        parts = urlsplit(url)
        if parts.password:
            host = parts.hostname or ""
            netloc = f"{parts.username}:•••@{host}" + (f":{parts.port}" if parts.port else "")
            parts = parts._replace(netloc=netloc)
        return urlunsplit(parts)
    return os.path.abspath(sqlite_file(url))


def sqlite_file(url: str) -> str:
    """'sqlite:///data/k.db' -> 'data/k.db', without making any folder."""
    if not isinstance(url, str) or not url.startswith(SQLITE_PREFIX) or not url[len(SQLITE_PREFIX):]:
        raise ConfigError("DATABASE_URL must start with sqlite:/// (sqlite:////absolute/path.db) or postgresql://")
    return url[len(SQLITE_PREFIX):]


def schema_version(url: str) -> int:
    """The schema version of an existing database (0: no Kebabalab tables); StoreError when there is none."""
    if is_postgres_url(url):
        engine = open_engine(url, pooled=False)
        try:
            if engine.read("SELECT to_regclass('schema_version') AS t")[0]["t"] is None:
                return 0
            return engine.read("SELECT COALESCE(MAX(version), 0) AS version FROM schema_version")[0]["version"]
        finally:
            engine.close()
    path = describe(url)
    if not os.path.isfile(path):
        raise StoreError(f"there is no database at {path} (DATABASE_URL={url}); check DATABASE_URL, "
                         "or create it with `kebabalab init-db`")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone() is None:
                return 0
            return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable SQLite database ({exc})") from None


def open_existing(url: str, *, clock=None) -> Database:
    """The app's Database on a database that exists and is migrated; StoreError saying which one otherwise."""
    version = schema_version(url)
    where = describe(url)
    if version == 0:
        raise StoreError(f"{where} has no Kebabalab orders in it: check DATABASE_URL, or set it up with "
                         "`kebabalab init-db`")
    if version < len(MIGRATIONS):
        raise StoreError(f"{where} is at schema version {version} of {len(MIGRATIONS)}: run `kebabalab init-db` "
                         "(or restart the service) to migrate it")
    if version > len(MIGRATIONS):
        raise StoreError(f"{where} is at schema version {version}, newer than this release "
                         f"({len(MIGRATIONS)}): run the release that made it")
    return Database(url, clock=clock)
