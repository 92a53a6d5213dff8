"""Backups and restores on both engines, as the shop runs them: `kebabalab backup` while orders come in,
`kebabalab restore FILE` refusing a database a running server holds, forgotten customers staying forgotten."""
from __future__ import annotations

import gzip
import sqlite3
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import T0, new_order
from servers import wait_until
from kebabalab.__main__ import main
from kebabalab.store.backup import BackupError, check_backup, restore, take_backup
from kebabalab.clock import FixedClock, SystemClock
from kebabalab.store import Database, OutboxMessage, init_database
from kebabalab.store.schema import MIGRATIONS
from kebabalab.store.heartbeat import Heartbeat, live_servers
from kebabalab.store.privacy import forget_phone


def text_to(phone):
    return lambda order: [OutboxMessage("customer_confirmation", phone, f"Thanks, order {order.display_number}")]


def place(db, key, phone="+61412345678", name="Sam"):
    return db.place_order(replace(new_order(key=key), customer_phone=phone, customer_name=name), text_to(phone))


def order_numbers(url) -> set[str]:
    db = Database(url, clock=FixedClock(T0))
    try:
        with db.transaction() as conn:
            return {row["order_number"] for row in conn.execute("SELECT order_number FROM orders").fetchall()}
    finally:
        db.close()


def test_a_backup_taken_while_orders_come_in_holds_every_order_acknowledged_before_it_began(db, database_url,
                                                                                          tmp_path):
    acknowledged: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def caller(n):
        for i in range(10_000):
            if stop.is_set():
                return
            number = place(db, f"caller{n}-{i}").order_number
            with lock:
                acknowledged.append(number)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40:
        stop.wait(0.01)
    with lock:
        before = set(acknowledged)
    backup = take_backup(database_url, tmp_path / "backups", FixedClock(T0))
    while len(acknowledged) < len(before) + 40:  # and orders keep coming after it
        stop.wait(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    db.close()
    done = restore(database_url, backup.path, tmp_path / "backups", FixedClock(T0 + timedelta(hours=1)))
    restored = order_numbers(database_url)
    assert before - restored == set()
    assert restored <= set(acknowledged) and len(restored) < len(acknowledged)
    assert done.replaced.name == ("replaced-20261130-083000.db" if "sqlite" in database_url
                                  else "replaced-20261130-083000.sql.gz")
    assert backup.path.name == ("orders-20261130-073000.db" if "sqlite" in database_url
                                else "orders-20261130-073000.sql.gz")


def test_restore_refuses_while_a_server_beats_and_keeps_the_database_it_replaces(db, database_url, tmp_path):
    place(db, "early")
    backup = take_backup(database_url, tmp_path / "backups", FixedClock(T0))
    place(db, "late")
    heartbeat = Heartbeat(db, SystemClock())
    heartbeat.start()
    wait_until(lambda: live_servers(db))  # its first beat
    try:
        with pytest.raises(BackupError, match=r"^a running server holds this database: .* \(process \d+, last seen "
                                              r".*\)\. Stop it first \(systemctl stop kebabalab, or stop the "
                                              r"scheduled task\), or pass --force$"):
            restore(database_url, backup.path, tmp_path / "backups", SystemClock())
        assert order_numbers(database_url) == {"20261130-001", "20261130-002"}  # untouched
    finally:
        heartbeat.stop()
    done = restore(database_url, backup.path, tmp_path / "backups", SystemClock())  # the server stopped cleanly
    assert order_numbers(database_url) == {"20261130-001"}
    assert done.version == len(MIGRATIONS)
    if "sqlite" in database_url:
        assert order_numbers(f"sqlite:///{done.replaced}") == {"20261130-001", "20261130-002"}
    else:
        with gzip.open(done.replaced, "rt") as dump:
            assert "20261130-002" in dump.read()


def test_a_beat_older_than_a_minute_is_a_crashed_server_and_does_not_stop_a_restore(db, database_url, tmp_path):
    """deployment/README: a beat every 20 s, and one in the last minute means "still running"."""
    place(db, "early")
    backup = take_backup(database_url, tmp_path / "backups", FixedClock(T0))
    place(db, "late")
    now = T0 + timedelta(hours=1)
    Heartbeat(db, FixedClock(now - timedelta(seconds=59))).beat()
    with pytest.raises(BackupError, match=r"^a running server holds this database: "):
        restore(database_url, backup.path, tmp_path / "backups", FixedClock(now))
    Heartbeat(db, FixedClock(now - timedelta(seconds=61))).beat()  # the same server's row, its last beat older
    restore(database_url, backup.path, tmp_path / "backups", FixedClock(now))
    assert order_numbers(database_url) == {"20261130-001"}


def test_restore_with_force_replaces_a_database_a_server_still_beats_on(db, database_url, tmp_path):
    place(db, "early")
    backup = take_backup(database_url, tmp_path / "backups", FixedClock(T0))
    place(db, "late")
    Heartbeat(db, SystemClock()).beat()  # a server that crashed a moment ago, or still runs
    restore(database_url, backup.path, tmp_path / "backups", SystemClock(), force=True)
    assert order_numbers(database_url) == {"20261130-001"}


def test_a_restored_backup_never_brings_a_forgotten_customer_back(db, database_url, tmp_path):
    sam = place(db, "sam", "+61412345678", "Sam")
    alex = place(db, "alex", "+61498765432", "Alex")
    backup = take_backup(database_url, tmp_path / "backups", FixedClock(T0))
    forget_phone(db, "+61412345678")
    db.close()
    done = restore(database_url, backup.path, tmp_path / "backups", FixedClock(T0))
    assert done.forgotten_again == 1
    again = Database(database_url, clock=FixedClock(T0))
    try:
        kept = again.find_order(sam.order_number)
        assert (kept.customer_name, kept.customer_phone, kept.total) == (None, None, sam.total)
        assert [t.to_phone for t in again.outbox_for_order(sam.id)] == ["(forgotten)"]
        assert again.find_order(alex.order_number).customer_phone == "+61498765432"
        # the restored database remembers the forget too: restoring the same backup into it forgets Sam again
        with again.transaction() as conn:
            assert conn.execute("SELECT COUNT(*) AS n FROM forgotten_phones").fetchone()["n"] == 1
    finally:
        again.close()


def test_backups_older_than_the_days_kept_go_and_each_is_copied_to_the_second_folder(database_url, tmp_path):
    init_database(database_url)
    folder, copies = tmp_path / "backups", tmp_path / "usb-drive"
    copies.mkdir()
    (folder / "notes.txt").parent.mkdir()
    (folder / "notes.txt").write_text("not a backup: left alone")
    made = [take_backup(database_url, folder, FixedClock(T0 + timedelta(days=day)), copy_to=str(copies),
                        keep_days=2) for day in range(4)]
    ext = ".db" if "sqlite" in database_url else ".sql.gz"
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"] + [f"orders-2026{d}-073000{ext}"
                                                                        for d in ("1201", "1202", "1203")]
    assert sorted(p.name for p in copies.iterdir()) == [f"orders-2026{d}-073000{ext}" for d in ("1201", "1202", "1203")]
    assert made[3].removed == (folder / f"orders-20261130-073000{ext}", copies / f"orders-20261130-073000{ext}")
    assert (copies / made[3].path.name).read_bytes() == made[3].path.read_bytes()


def test_a_copy_folder_that_is_not_there_fails_loudly_and_keeps_the_backup(tmp_path):
    url = f"sqlite:///{tmp_path}/orders.db"
    init_database(url)
    with pytest.raises(BackupError, match=r"^the backup was written to .*orders-20261130-073000\.db, but the copy "
                                          r"folder .*/unmounted does not exist \(is the drive mounted\?\)$"):
        take_backup(url, tmp_path / "backups", FixedClock(T0), copy_to=str(tmp_path / "unmounted"))
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["orders-20261130-073000.db"]
    assert not (tmp_path / "unmounted").exists()


def sqlite_at_version(path: Path, version: int) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE orders (id INTEGER PRIMARY KEY); "
                       "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL);")
    conn.execute("INSERT INTO schema_version VALUES (?, '2030-01-01')", (version,))
    conn.commit()
    conn.close()
    return path


def cut_short(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.db", r"^.*missing\.db is not a file$"),
    (lambda d: (d / "notes.db").write_text("shopping list") and d / "notes.db", r"is not an SQLite database"),
    (lambda d: sqlite_at_version(d / "new.db", 99),
     rf"new\.db is at schema version 99, newer than this code \({len(MIGRATIONS)}\): restore it with the version "
     "that made it$"),
    (lambda d: sqlite_at_version(d / "other.db", 1).unlink() or
     sqlite3.connect(d / "other.db").execute("CREATE TABLE t (x)") and d / "other.db",
     r"other\.db is an SQLite file but not an order database$"),
], ids=["no such file", "a text file", "made by newer code", "another program's database"])
def test_restore_checks_an_sqlite_backup_first(tmp_path, make, message):
    url = f"sqlite:///{tmp_path}/orders.db"
    with pytest.raises(BackupError, match=message):
        check_backup(url, make(tmp_path))


@pytest.mark.slow
def test_restore_checks_a_pg_dump_first(postgres_database_url, tmp_path):
    init_database(postgres_database_url)
    whole = take_backup(postgres_database_url, tmp_path, FixedClock(T0)).path
    check_backup(postgres_database_url, whole)
    cut = tmp_path / "cut.sql.gz"
    with gzip.open(whole, "rt") as src, gzip.open(cut, "wt") as dst:
        dst.write(src.read()[:-200])
    with pytest.raises(BackupError, match=r"cut\.sql\.gz is cut short \(pg_dump's closing line is missing\); "
                                          r"choose another backup$"):
        check_backup(postgres_database_url, cut)
    with pytest.raises(BackupError, match=r"not a gzipped pg_dump file"):
        check_backup(postgres_database_url, cut_short(whole))


def test_backup_and_restore_commands_as_the_shop_runs_them(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/state/orders.db")
    monkeypatch.setenv("BACKUP_COPY_DIR", "")
    db = Database(f"sqlite:///{tmp_path}/state/orders.db", clock=FixedClock(T0))
    db.init()
    place(db, "one")
    db.close()
    assert main(["backup", "--keep-days", "7"]) == 0
    [backup] = (tmp_path / "state" / "backups").iterdir()
    assert capsys.readouterr().out == f"Backup written: {backup}\n"
    assert main(["restore", str(backup)]) == 0
    [replaced] = [p for p in (tmp_path / "state" / "backups").iterdir() if p.name.startswith("replaced-")]
    # each one file: no -wal or -shm beside a backup, even after it was checked and read
    assert sorted(p.name for p in backup.parent.iterdir()) == sorted([backup.name, replaced.name])
    assert capsys.readouterr().out == (f"The database it replaced is kept as {replaced}.\n"
                                       f"Restored {backup} (schema version {len(MIGRATIONS)}); 0 forgotten customer(s) "
                                       "forgotten again.\n")
    assert main(["restore", str(tmp_path / "nothing.db")]) == 1
    assert capsys.readouterr().err == f"Not restored: {tmp_path / 'nothing.db'} is not a file\n"
