"""`kebabalab doctor`'s checks of this machine: settings, database, staff password, backups, clock.

Each check returns `Finding`s: ok or a problem with the fix in one sentence. The checks that talk to Twilio,
Vapi and the public URL are in doctor_remote.py; the command that runs them all is doctor_cli.py.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from kebabalab.config import Settings
from kebabalab.errors import ConfigError, KebabalabError, StoreError
from kebabalab.ordering.allergens import allergens_warning, every_fact
from kebabalab.ordering.menu import Menu

TRIAL_PASSWORD = "kebabalab"  # what `make run` uses when STAFF_PASSWORD is not set
SHORTEST_PASSWORD = 10
BACKUP_NAME = re.compile(r"^orders-\d{8}-\d{6}\.(db|sql\.gz)$")  # written by `kebabalab backup`
BACKUP_MAX_AGE = timedelta(hours=26)  # a nightly backup, with two hours' slack
CLOCK_SKEW_LIMIT = timedelta(minutes=2)


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was seen, and (for a problem) what to do."""
    check: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class Context:
    """What the checks share: the environment, the settings (None when invalid), the time, remote clocks seen."""
    env: dict
    settings: Settings | None = None
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    remote_dates: list[tuple[str, datetime]] = field(default_factory=list)  # (who, their Date header)


def ok(check: str, detail: str) -> Finding:
    return Finding(check, True, detail)


def problem(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, False, detail, fix)


def warning(check: str, detail: str, fix: str) -> Finding:
    """Worth fixing, but the shop can trade without it: shown with its fix, not counted as a problem."""
    return Finding(check, True, detail, fix)


def check_settings(ctx: Context) -> list[Finding]:
    """Settings parse, a webhook credential is set, and the shop's menu, hours and details load."""
    from kebabalab.service.wiring import ShopFiles
    where = ctx.env.get("KEBABALAB_ENV") or "the environment"
    try:
        settings = Settings.from_env(ctx.env)
        files = ShopFiles.load(settings)
    except (ConfigError, KebabalabError) as exc:
        return [problem("settings", f"{where}: {exc}", f"correct it in {where}, then run kebabalab doctor again")]
    ctx.settings = settings
    if settings.allow_unauthenticated or not (settings.vapi_webhook_secret or settings.vapi_hmac_secret):
        return [problem("settings", "the webhook accepts calls without a credential",
                        f"set VAPI_WEBHOOK_SECRET in {where} and remove KEBABALAB_ALLOW_UNAUTHENTICATED")]
    if not settings.shop_order_to:
        return [problem("settings", "SHOP_ORDER_TO is not set: the shop is not texted its new orders",
                        f"set SHOP_ORDER_TO in {where} to the shop's mobile (+614...)")]
    return [ok("settings", f"{where}: webhook credential set, menu of {len(files.menu.items)} items, "
                           f"hours in {files.hours.tz.key}")]


def check_shops(ctx: Context) -> list[Finding]:
    """Every shop of the shops directory (SHOPS_DIR) loads, is reached by a number or an assistant, and is texted
    its orders; one line for a one-shop deployment."""
    from kebabalab.service.wiring import ShopFiles
    from kebabalab.shop.directory import ShopDirectory
    try:
        directory = ShopDirectory.load(ctx.settings)
    except ConfigError as exc:
        return [problem("shops", str(exc), f"correct the shop's folder in {ctx.settings.shops_dir}; "
                                           "`kebabalab shops` lists them")]
    taking = [entry for entry in directory.entries.values() if not entry.retired]
    if [entry.id for entry in taking] == ["main"] and len(directory.entries) == 1:
        return [ok("shops", "one shop (main)")]
    findings = []
    for entry in taking:
        try:
            ShopFiles.load(entry.settings_for(ctx.settings))
        except ConfigError as exc:
            findings.append(problem("shops", f"shop {entry.id}: {exc}", f"correct its files in "
                                    f"{entry.folder or 'the settings'}, then run kebabalab doctor again"))
        else:
            if entry.id != directory.catch_all and not entry.reachable:  # main too: its callers would be refused
                findings.append(problem("shops", f"shop {entry.id}: no number, Vapi number id or assistant reaches it",
                                        f"kebabalab shops move-number NUMBER --to {entry.id}"))
            if entry.id != "main" and not entry.order_texts_to:
                findings.append(problem("shops", f"shop {entry.id} is not texted its new orders",
                                        f"set orderTextsTo in {entry.folder}/shop.json to its mobile (+614...)"))
            if entry.id != "main" and not entry.assistant_id:  # main's is VAPI_ASSISTANT_ID, the vapi check's
                findings.append(problem("shops", f"shop {entry.id}: no assistant answers its calls (assistant-request "
                                        "is answered \"our phone orders aren't working\")",
                                        f"set assistantId in {entry.folder}/shop.json (its own assistant, or the "
                                        "one VAPI_ASSISTANT_ID names)"))
    retired = [entry.id for entry in directory.entries.values() if entry.retired]
    return findings or [ok("shops", f"{len(taking)} shops taking calls ({', '.join(e.id for e in taking)})"
                                    + (f"; retired: {', '.join(retired)}" if retired else ""))]


def check_database(ctx: Context) -> list[Finding]:
    """The database exists (never made here), is migrated to this release, and this user can write to it."""
    from kebabalab.store.existing import describe, schema_version
    from kebabalab.store.schema import MIGRATIONS
    url = ctx.settings.database_url
    try:
        where = describe(url)
        version = schema_version(url)
        _check_writable(url)
    except (StoreError, ConfigError) as exc:
        return [problem("database", str(exc), "point DATABASE_URL at the shop's database (install.sh made it)")]
    if version != len(MIGRATIONS):
        return [problem("database", f"{where} is at schema version {version}, this release needs {len(MIGRATIONS)}",
                        "restart the service (it migrates on start) or run `kebabalab init-db`")]
    return [ok("database", f"{where}: reachable, writable, schema version {version}")]


def _check_writable(url: str) -> None:
    """StoreError unless this user may write: SQLite takes its write lock (and needs its folder for the WAL
    files); PostgreSQL is asked for the INSERT privilege on orders."""
    from kebabalab.store.existing import describe
    from kebabalab.store.postgres import is_postgres_url
    where = describe(url)
    if is_postgres_url(url):
        from kebabalab.store.orders import open_engine
        engine = open_engine(url, pooled=False)
        try:
            allowed = engine.read("SELECT has_table_privilege('orders', 'INSERT') AS ok")[0]["ok"]
        finally:
            engine.close()
        if not allowed:
            raise StoreError(f"{where}: this user may not add orders (no INSERT privilege on orders)")
        return
    if not os.access(os.path.dirname(where), os.W_OK):
        raise StoreError(f"{os.path.dirname(where)} is not writable by this user (SQLite writes its journal there)")
    try:
        with sqlite3.connect(where, timeout=10, isolation_level=None) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise StoreError(f"{where} is not writable by this user ({exc})") from None


def check_allergens(ctx: Context) -> list[Finding]:
    """Every menu entry's allergens confirmed by each shop (absent ones are "unconfirmed", never guessed), in the
    menu the shop serves: its newest menu version in the database (changed on the board), else its menu file."""
    from kebabalab.shop.directory import ShopDirectory
    try:
        shops = [entry for entry in ShopDirectory.load(ctx.settings).entries.values() if not entry.retired]
    except ConfigError:  # check_shops says what is wrong with the directory
        return []
    findings = []
    for entry in shops:
        try:
            menu, edited = _menu_in_force(ctx, entry)
        except ConfigError:  # a menu that does not load: check_settings or check_shops names it
            continue
        named = "" if len(shops) == 1 else f"shop {entry.id}: "
        said = allergens_warning(menu)
        if not said:
            findings.append(ok("allergens", f"{named}the shop has confirmed the allergens of all "
                                            f"{len(every_fact(menu))} menu entries"))
        elif edited:
            findings.append(warning("allergens", named + said, "confirm them on the board's Menu page (owner), or add "
                                    f"them to {entry.menu_file} and run kebabalab load-menu --shop {entry.id}"))
        else:
            findings.append(warning("allergens", named + said, f"add each entry's confirmed \"allergens\" to "
                                                               f"{entry.menu_file}, then run kebabalab check-menu"))
    return findings


def _menu_in_force(ctx: Context, entry) -> tuple:
    """(the shop's menu in force, whether it is a database version changed since its file was loaded): the newest
    version when the database has one, else the menu file."""
    from kebabalab.store.existing import open_existing
    from kebabalab.store.menu_versions import MenuVersions
    try:
        db = open_existing(ctx.settings.database_url)
    except StoreError:  # check_database says why
        return Menu.load(entry.menu_file), False
    try:
        newest = MenuVersions(db, entry.id).newest()
    finally:
        db.close()
    if newest is None:
        return Menu.load(entry.menu_file), False
    return Menu.from_dict(json.loads(newest.menu)), newest.file_hash is None


def check_staff_password(ctx: Context) -> list[Finding]:
    password = ctx.settings.staff_password
    if not password:
        return [problem("staff password", "STAFF_PASSWORD is not set: the order board cannot be opened",
                        "set STAFF_PASSWORD (install.sh generates one) and restart the service")]
    if password == TRIAL_PASSWORD or len(password) < SHORTEST_PASSWORD:
        return [problem("staff password", "STAFF_PASSWORD is the trial's or shorter than "
                        f"{SHORTEST_PASSWORD} characters", "choose a longer one and restart the service")]
    return [ok("staff password", "set for the order board")]


def check_backups(ctx: Context) -> list[Finding]:
    """The newest orders-YYYYmmdd-HHMMSS.db or .sql.gz where `kebabalab backup` writes them is under a day old."""
    from kebabalab.store.backup import backup_folder
    folder = backup_folder(ctx.settings.database_url, ctx.settings.backup_dir)
    try:
        backups = [p for p in folder.iterdir() if BACKUP_NAME.match(p.name) and p.is_file()]
    except OSError:
        backups = []
    fix = "enable the nightly backup (systemctl enable --now kebabalab-backup.timer) or run `kebabalab backup`"
    if not backups:
        return [problem("backups", f"no backup in {folder}", fix)]
    newest = max(backups, key=lambda p: p.stat().st_mtime)
    age = ctx.now() - datetime.fromtimestamp(newest.stat().st_mtime, timezone.utc)
    hours = age.total_seconds() / 3600
    if age > BACKUP_MAX_AGE:
        return [problem("backups", f"the newest backup, {newest.name}, is {hours:.0f} hours old", fix)]
    return [ok("backups", f"{newest.name}, {hours:.1f} hours old")]


def check_clock(ctx: Context) -> list[Finding]:
    """The shop's time zone loads, and this machine's clock agrees with the servers it talked to."""
    from kebabalab.shop.hours import Hours
    hours = Hours.load(ctx.settings.hours_file)
    now = ctx.now()
    local = now.astimezone(hours.tz)
    fix = "turn on time sync (timedatectl set-ntp true) and check the date"
    if now.year < 2025:
        return [problem("clock", f"this machine says it is {now:%Y-%m-%d}", fix)]
    for who, their in ctx.remote_dates:
        skew = now - their
        if abs(skew) > CLOCK_SKEW_LIMIT:
            return [problem("clock", f"this machine's clock is {abs(skew.total_seconds()):.0f} s "
                            f"{'ahead of' if skew > timedelta(0) else 'behind'} {who}'s", fix)]
    compared = f", within {CLOCK_SKEW_LIMIT.seconds // 60} min of {', '.join(w for w, _ in ctx.remote_dates)}" \
        if ctx.remote_dates else " (no other server's clock to compare with)"
    return [ok("clock", f"shop time {local:%a %Y-%m-%d %H:%M} {hours.tz.key}{compared}")]
