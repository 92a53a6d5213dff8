"""Keeping a shop running: `backup`, `restore FILE` and `update VERSION` (see deployment/README.md)."""
from __future__ import annotations

import sys
from pathlib import Path

from kebabalab.clock import SystemClock
from kebabalab.config import load_settings as _settings


def cmd_backup(args) -> int:
    from kebabalab.store.backup import BackupError, backup_folder, take_backup
    settings = _settings()
    folder = Path(args.dir) if args.dir else backup_folder(settings.database_url, settings.backup_dir)
    copy_to = settings.backup_copy_dir if args.copy_to is None else args.copy_to
    keep = args.keep_days or settings.backup_keep_days
    try:
        done = take_backup(settings.database_url, folder, SystemClock(), copy_to=copy_to, keep_days=keep,
                           shops_dir=settings.shops_dir)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written: {done.path}" + (f", copied to {done.copy}" if done.copy else ""))
    if done.shops:
        print(f"Shops' folders archived: {done.shops}")
    if done.removed:
        print(f"Deleted {len(done.removed)} backup(s) older than {keep} days.")
    return 0


def cmd_restore(args) -> int:
    from kebabalab.store.backup import BackupError, backup_folder, restore
    settings = _settings()
    folder = Path(args.dir) if args.dir else backup_folder(settings.database_url, settings.backup_dir)
    try:
        done = restore(settings.database_url, Path(args.file), folder, SystemClock(), force=args.force)
    except BackupError as exc:
        print(f"Not restored: {exc}", file=sys.stderr)
        return 1
    if done.replaced:
        print(f"The database it replaced is kept as {done.replaced}.")
    print(f"Restored {args.file} (schema version {done.version}); {done.forgotten_again} forgotten customer(s) "
          "forgotten again.")
    return 0


def register_backup(sub) -> None:
    parser = sub.add_parser("backup", help="back up the order database now (safe while serving)")
    parser.add_argument("--dir", help="backup folder (default BACKUP_DIR, else backups/ beside the database)")
    parser.add_argument("--copy-to", help="second folder for a copy (default BACKUP_COPY_DIR; '' for none)")
    parser.add_argument("--keep-days", type=int, help="delete backups older than this (default BACKUP_KEEP_DAYS)")
    parser.set_defaults(func=cmd_backup)


def register_restore(sub) -> None:
    parser = sub.add_parser("restore", help="replace the order database with a backup (the old one is kept)")
    parser.add_argument("file", help="an orders-*.db or orders-*.sql.gz backup")
    parser.add_argument("--dir", help="where the replaced database is kept (default: the backup folder)")
    parser.add_argument("--force", action="store_true", help="even though a running server holds the database")
    parser.set_defaults(func=cmd_restore)


def cmd_update(args) -> int:
    from kebabalab.store.backup import BackupError, backup_folder, database_exists, take_backup
    from kebabalab.cli.update import Checks, Layout, UpdateError, update
    settings = _settings()
    checks = Checks(restart=args.restart_command or Checks.restart,
                    health_url=args.health_url or f"http://127.0.0.1:{settings.port}/health",
                    health_seconds=args.health_seconds, check=args.check_command or "")

    def backup():
        if not database_exists(settings.database_url):
            print("No order database yet (a first install): nothing to back up.")
            return None
        folder = backup_folder(settings.database_url, settings.backup_dir)
        return take_backup(settings.database_url, folder, SystemClock(), copy_to=settings.backup_copy_dir,
                           keep_days=settings.backup_keep_days, shops_dir=settings.shops_dir).path

    try:
        done = update(Layout(Path(args.root)), args.version, checks, backup, repo=args.repo or "",
                      python=args.python, pip_args=tuple(args.pip_arg or ()))
    except (UpdateError, BackupError) as exc:
        print(f"Update stopped: {exc}", file=sys.stderr)
        return 1
    if done.previous == done.release:
        print(f"{done.release.name} restarted and healthy.")
        return 0
    print(f"Updated to {done.release.name}" + (f" (from {done.previous.name})" if done.previous else "")
          + (f"; backup {done.backup}" if done.backup else "") + ".")
    return 0


def register_update(sub) -> None:
    from kebabalab.cli.update import ROOT, Checks
    parser = sub.add_parser("update", help="install a version beside the running one, switch, check, roll back")
    parser.add_argument("version", help="a wheel file (kebabalab-1.2.0-py3-none-any.whl), a git tag (v1.2.0) or "
                                        "a project folder")
    parser.add_argument("--repo", help="the git repository a tag comes from (default: the running release's)")
    parser.add_argument("--root", default=str(ROOT), help=f"releases/ and current live here (default {ROOT})")
    parser.add_argument("--python", default=sys.executable, help="the Python that makes the new venv")
    parser.add_argument("--pip-arg", action="append", help="passed to pip install (repeat; e.g. --no-index)")
    parser.add_argument("--restart-command", help=f"restarts the service (default: {Checks.restart})")
    parser.add_argument("--health-url", help="default http://127.0.0.1:PORT/health")
    parser.add_argument("--health-seconds", type=float, default=60.0, help="how long to wait for /health")
    parser.add_argument("--check-command", help="judges the new release (default: its `kebabalab doctor`)")
    parser.set_defaults(func=cmd_update)


def cmd_setup_env(args) -> int:
    from kebabalab.cli.env_file import find_example, for_this_machine, write_new
    example = Path(args.example) if args.example else find_example(Path.cwd())
    text = for_this_machine(example.read_text(encoding="utf-8"), args.state_dir, args.config_dir, args.log_file or "")
    if not write_new(Path(args.target), text):
        print(f"{args.target} already exists: kept as it is (it holds the shop's settings).")
        return 0
    print(f"Created {args.target} from {example}: fill in the empty secrets (VAPI_WEBHOOK_SECRET, TWILIO_*, "
          "SHOP_ORDER_TO, STAFF_PASSWORD, METRICS_TOKEN).")
    return 0


def register_setup_env(sub) -> None:
    parser = sub.add_parser("setup-env", help="write this machine's production settings file from the example")
    parser.add_argument("--target", required=True, help="the settings file to create (never overwritten)")
    parser.add_argument("--state-dir", required=True, help="database, backups: replaces /var/lib/kebabalab")
    parser.add_argument("--config-dir", required=True, help="menu, hours, shop details: replaces /etc/kebabalab")
    parser.add_argument("--log-file", help="LOG_FILE, rotated (Windows: there is no journald)")
    parser.add_argument("--example", help="default: the production example in the project folder")
    parser.set_defaults(func=cmd_setup_env)


COMMANDS = [register_backup, register_restore, register_update, register_setup_env]
