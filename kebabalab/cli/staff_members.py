"""Staff members from the command line: `staff-add`, `staff-list`, `staff-remove` (the owner's first PIN, or a
lost one). The PIN is read from the terminal without echo (or one line of stdin), never from the command line,
where `ps` and the shell's history would keep it."""
from __future__ import annotations

import getpass
import sys

from kebabalab.clock import SystemClock
from kebabalab.config import load_settings
from kebabalab.service.staff import add_staff, remove_staff
from kebabalab.shop.staff import ROLES, StaffRefused
from kebabalab.store.existing import describe, open_existing
from kebabalab.store.staff_members import members


def _database():
    url = load_settings().database_url
    print(f"database: {describe(url)}", file=sys.stderr)
    return open_existing(url)


def _read_pin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("PIN: ")
    return sys.stdin.readline().strip()


def cmd_staff_add(args) -> int:
    pin = _read_pin()
    db = _database()
    try:
        member = add_staff(db, SystemClock(), args.name, args.role, pin)
    except StaffRefused as exc:
        print(exc)
        return 2
    finally:
        db.close()
    print(f"Added {member.name} ({member.role}); they sign in to the board with their PIN.")
    return 0


def cmd_staff_list(args) -> int:
    db = _database()
    try:
        people = members(db)
    finally:
        db.close()
    if not people:
        print("No staff members: the shared STAFF_PASSWORD signs in as the owner.")
    for member in people:
        print(f"{member.name:<30} {member.role}")
    return 0


def cmd_staff_remove(args) -> int:
    db = _database()
    try:
        found = next((m for m in members(db) if m.name == args.name), None)
        if found is None:
            print(f"No staff member is called {args.name!r}; `kebabalab staff-list` shows who is.")
            return 2
        remove_staff(db, found.id)
    except StaffRefused as exc:
        print(exc)
        return 2
    finally:
        db.close()
    print(f"Removed {found.name}; they are signed out everywhere.")
    return 0


def register(sub) -> None:
    add = sub.add_parser("staff-add", help="add a staff member with their own PIN (read from the terminal)")
    add.add_argument("name", help="their name, as it shows on orders")
    add.add_argument("--role", choices=ROLES, default="staff", help="owner: manages staff and prices (default staff)")
    add.set_defaults(func=cmd_staff_add)
    sub.add_parser("staff-list", help="list the staff members").set_defaults(func=cmd_staff_list)
    remove = sub.add_parser("staff-remove", help="remove a staff member and sign them out everywhere")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_staff_remove)


COMMANDS: list = [register]
