"""Keeping a shop running: `backup`, `restore FILE` and `update VERSION` (see deployment/README.md)."""
from __future__ import annotations

import sys
from pathlib import Path

from .clock import SystemClock


def _settings():
    from .__main__ import _settings as settings
    return settings()


def cmd_backup(args) -> int:
    from .backup import BackupError, backup_folder, take_backup
    settings = _settings()
    folder = Path(args.dir) if args.dir else backup_folder(settings.database_url, settings.backup_dir)
    copy_to = settings.backup_copy_dir if args.copy_to is None else args.copy_to
    keep = args.keep_days or settings.backup_keep_days
    try:
        done = take_backup(settings.database_url, folder, SystemClock(), copy_to=copy_to, keep_days=keep)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written: {done.path}" + (f", copied to {done.copy}" if done.copy else ""))
    if done.removed:
        print(f"Deleted {len(done.removed)} backup(s) older than {keep} days.")
    return 0


def cmd_restore(args) -> int:
    from .backup import BackupError, backup_folder, restore
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


COMMANDS = [register_backup, register_restore]
