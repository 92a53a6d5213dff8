"""Backups of the order database and restoring one: SQLite's online backup API, PostgreSQL's pg_dump.

`take_backup` writes orders-YYYYmmdd-HHMMSS.db (SQLite) or orders-YYYYmmdd-HHMMSS.sql.gz (PostgreSQL), UTC
time, into the backup folder while the server keeps taking orders, copies it to a second folder (a mounted
drive), and deletes backups older than the days to keep in both. `restore` checks a backup, refuses to
replace a database a running server holds (its heartbeat) unless forced, keeps the database it replaces as
replaced-YYYYmmdd-HHMMSS.*, and forgets again every customer forgotten since the backup was taken.
"""
from __future__ import annotations

import glob
import gzip
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kebabalab.store import MIGRATIONS, SQL, Database
from kebabalab.store.existing import sqlite_file
from kebabalab.store.postgres import is_postgres_url
from kebabalab.store.sqlite import resolve_path
from kebabalab.errors import KebabalabError
from kebabalab.store.heartbeat import live_servers
from kebabalab.store.privacy import forgotten_hashes, reapply_forgets

log = logging.getLogger(__name__)
STAMP = "%Y%m%d-%H%M%S"
_BACKUP_NAME = re.compile(r"^(?:orders-(\d{8}-\d{6})\.(?:db|sql\.gz)|shops-(\d{8}-\d{6})\.tar\.gz)$")
PG_DUMP_HEAD = "-- PostgreSQL database dump"
PG_DUMP_TAIL = "-- PostgreSQL database dump complete"


class BackupError(KebabalabError):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    copy: Path | None
    removed: tuple[Path, ...]
    shops: Path | None = None  # the shops' folders, archived


@dataclass(frozen=True)
class Restored:
    replaced: Path | None
    version: int
    forgotten_again: int


def backup_folder(database_url: str, configured: str = "") -> Path:
    """BACKUP_DIR, else backups/ beside the SQLite file (data/backups for PostgreSQL); makes no folder, so
    `kebabalab doctor` can ask where they are."""
    if configured:
        return Path(configured)
    if is_postgres_url(database_url):
        return Path("data") / "backups"
    return Path(sqlite_file(database_url) if "://" in database_url else database_url).parent / "backups"


def database_exists(database_url: str) -> bool:
    """False only for an SQLite file not made yet (PostgreSQL's database is made by its administrator)."""
    return is_postgres_url(database_url) or Path(resolve_path(database_url)).exists()


def backup_time(path: Path) -> datetime | None:
    """The UTC time in a backup's name, or None for a file that is not one of ours."""
    match = _BACKUP_NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1) or match.group(2), STAMP).replace(tzinfo=timezone.utc)


def find_pg_tool(name: str) -> str:
    """pg_dump or psql: the newest /usr/lib/postgresql/<version>/bin one (Debian), else the one on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(re.sub(r"\D", "", Path(p).parent.parent.name) or 0))
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (apt-get install "
                          "postgresql-client) or put it on PATH")
    return tool


def take_backup(database_url: str, folder: Path, clock, *, copy_to: str = "", keep_days: int = 14,
                shops_dir: str = "") -> Backup:
    """One backup now, its copy in `copy_to`, and backups older than `keep_days` deleted from both. With a
    shops directory (`shops_dir`, when it exists), its folders (each shop's numbers, password and files) are
    archived beside the database as shops-<time>.tar.gz, copied and kept the same way."""
    folder.mkdir(parents=True, exist_ok=True)
    now = clock.now()
    if is_postgres_url(database_url):
        path = folder / f"orders-{now:{STAMP}}.sql.gz"
        _pg_dump(database_url, path)
    else:
        path = folder / f"orders-{now:{STAMP}}.db"
        copy_sqlite(resolve_path(database_url), path)
    log.info("backup written: %s (%d bytes)", path, path.stat().st_size)
    shops = archive_shops(Path(shops_dir), folder / f"shops-{now:{STAMP}}.tar.gz") if shops_dir else None
    removed = prune(folder, now - timedelta(days=keep_days))
    copy = None
    if copy_to:
        copy = _copy_off_disk(path, Path(copy_to))
        if shops is not None:
            _copy_off_disk(shops, Path(copy_to))
        removed += prune(Path(copy_to), now - timedelta(days=keep_days))
    return Backup(path, copy, removed, shops)


def archive_shops(shops_dir: Path, target: Path) -> Path | None:
    """The shops directory as a tar.gz (its folder's name at the top, so `tar -xzf` in its parent puts it back);
    None when there is no such directory (a one-shop deployment without one)."""
    if not shops_dir.is_dir():
        return None
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        archive.add(shops_dir, arcname=shops_dir.name)
    os.replace(partial, target)
    log.info("shops' folders archived: %s", target)
    return target


def copy_sqlite(source: str, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included) through the online backup API, written
    under a temporary name and renamed, so a half-written file never carries a backup's name."""
    if not Path(source).exists():
        raise BackupError(f"there is no database at {source} to back up")
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, so one moment's database
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, opened without -wal/-shm files
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not back up {source}: {exc}") from None
    finally:
        src.close()
    os.replace(partial, target)


def _pg_dump(database_url: str, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    command = [find_pg_tool("pg_dump"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
               "--dbname", database_url]
    with gzip.open(partial, "wb") as out:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out.write(done.stdout)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise BackupError(f"pg_dump failed: {first}")
    os.replace(partial, target)


def _copy_off_disk(path: Path, folder: Path) -> Path:
    """The second copy. The folder must exist: an unmounted drive's empty mount point is not created, so the
    copy never quietly lands on the same disk."""
    if not folder.is_dir():
        raise BackupError(f"the backup was written to {path}, but the copy folder {folder} does not exist "
                          "(is the drive mounted?)")
    target = folder / path.name
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(path, partial)
    os.replace(partial, target)
    return target


def prune(folder: Path, before: datetime) -> tuple[Path, ...]:
    """Delete our backups (by the time in their names) older than `before`; other files are left alone."""
    old = tuple(p for p in sorted(folder.iterdir()) if (backup_time(p) or before) < before)
    for path in old:
        path.unlink()
        log.info("old backup deleted: %s", path)
    return old


def check_backup(database_url: str, file: Path) -> None:
    """BackupError unless `file` is a whole backup this code can restore into this database's engine."""
    if not file.is_file():
        raise BackupError(f"{file} is not a file")
    if is_postgres_url(database_url):
        _check_pg_dump(file)
    else:
        _check_sqlite_file(file)


def _check_sqlite_file(file: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{file} is damaged (SQLite's check failed); choose another backup")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"orders", "schema_version"} <= tables:
                raise BackupError(f"{file} is an SQLite file but not an order database")
            version = conn.execute(SQL["version"]).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not an SQLite database ({exc})") from None
    if version > len(MIGRATIONS):
        raise BackupError(f"{file} is at schema version {version}, newer than this code ({len(MIGRATIONS)}): "
                          "restore it with the version that made it")


def _check_pg_dump(file: Path) -> None:
    head, orders, tail = [], False, []
    try:
        with gzip.open(file, "rt", encoding="utf-8") as dump:
            for line in dump:
                head += [line.strip()] if len(head) < 3 else []
                orders = orders or line.startswith("CREATE TABLE public.orders ")
                tail = (tail + [line.strip()])[-4:] if line.strip() else tail  # pg_dump 15.14+ ends \unrestrict
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BackupError(f"{file} is not a gzipped pg_dump file ({exc})") from None
    if PG_DUMP_HEAD not in head:
        raise BackupError(f"{file} is not a pg_dump of a database")
    if PG_DUMP_TAIL not in tail:
        raise BackupError(f"{file} is cut short (pg_dump's closing line is missing); choose another backup")
    if not orders:
        raise BackupError(f"{file} is a pg_dump but not of an order database")


def restore(database_url: str, file: Path, folder: Path, clock, *, force: bool = False) -> Restored:
    """Replace the database with `file`, keeping the one replaced in `folder`; forgotten customers stay forgotten."""
    check_backup(database_url, file)
    folder.mkdir(parents=True, exist_ok=True)
    postgres = is_postgres_url(database_url)
    exists = database_exists(database_url)
    hashes: set[str] = set()
    replaced = None
    if exists:
        current = Database(database_url, clock=clock)
        try:
            current.init()
            servers = live_servers(current)
            if servers and not force:
                who = ", ".join(f"{s.host} (process {s.pid}, last seen {s.beat_at[:19]}Z)" for s in servers)
                raise BackupError(f"a running server holds this database: {who}. Stop it first "
                                  "(systemctl stop kebabalab, or stop the scheduled task), or pass --force")
            hashes = forgotten_hashes(current)
        finally:
            current.close()
        stamp = f"{clock.now():{STAMP}}"
        if postgres:
            replaced = folder / f"replaced-{stamp}.sql.gz"
            _pg_dump(database_url, replaced)
        else:
            replaced = folder / f"replaced-{stamp}.db"
            copy_sqlite(resolve_path(database_url), replaced)
        log.info("the database being replaced is kept as %s", replaced)
    if postgres:
        _psql_restore(database_url, file)
    else:
        _sqlite_restore(file, resolve_path(database_url))
    restored = Database(database_url, clock=clock)
    try:
        version = restored.init()
        with restored.transaction(immediate=True) as conn:
            conn.execute(SQL["heartbeats_clear"])  # the backup's own server beats no more
        again = reapply_forgets(restored, hashes)
    finally:
        restored.close()
    log.info("restored %s (schema version %d); %d forgotten customers forgotten again", file, version, again)
    return Restored(replaced, version, again)


def _sqlite_restore(file: Path, target: str) -> None:
    """The backup's pages into the database file through the backup API: one transaction, WAL handled."""
    src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _psql_restore(database_url: str, file: Path) -> None:
    """The dump (made with --clean --if-exists) through psql in one transaction: all of it or none."""
    with gzip.open(file, "rb") as dump:
        sql = dump.read()
    done = subprocess.run([find_pg_tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction",
                           "--set", "ON_ERROR_STOP=1", "--dbname", database_url],
                          input=sql, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise BackupError(f"psql could not restore {file} (nothing was changed): {first}")
