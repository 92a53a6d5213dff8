"""Staff members from the command line: `staff-add`, `staff-list`, `staff-remove` (the owner's first PIN, or a
lost one), each about one shop's members (`--shop`, default main). The PIN is read from the terminal without echo
(or one line of stdin), never from the command line, where `ps` and the shell's history would keep it."""
from __future__ import annotations

import getpass
import sys

from kebabalab.clock import SystemClock
from kebabalab.config import MAIN_SHOP, load_settings
from kebabalab.service.staff import add_staff, remove_staff
from kebabalab.cli.shop_option import NoSuchShop, add_shop_option, find_shop
from kebabalab.shop.staff import ROLES, StaffRefused
from kebabalab.store.existing import describe, open_existing
from kebabalab.store.staff_members import members


def _shop_and_database(shop_id: str):
    """The shop's id and the existing database; (None, None) with a sentence when there is no such shop."""
    settings = load_settings()
    try:
        shop = find_shop(settings, shop_id)
    except NoSuchShop as exc:
        print(exc.sentence, file=sys.stderr)
        return None, None
    print(f"database: {describe(settings.database_url)}", file=sys.stderr)
    return shop.id, open_existing(settings.database_url)


def _read_pin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("PIN: ")
    return sys.stdin.readline().strip()


def cmd_staff_add(args) -> int:
    shop, db = _shop_and_database(args.shop)
    if db is None:
        return 2
    pin = _read_pin()
    try:
        member = add_staff(db, SystemClock(), args.name, args.role, pin, shop)
    except StaffRefused as exc:
        print(exc)
        return 2
    finally:
        db.close()
    print(f"Added {member.name} ({member.role}) at shop {shop}; they sign in to its board with their PIN.")
    return 0


def cmd_staff_list(args) -> int:
    shop, db = _shop_and_database(args.shop)
    if db is None:
        return 2
    try:
        people = members(db, shop)
    finally:
        db.close()
    if not people:
        shared = "STAFF_PASSWORD" if shop == MAIN_SHOP else "shop's staffPassword"
        print(f"No staff members at shop {shop}: the shared {shared} signs in as the owner.")
    for member in people:
        print(f"{member.name:<30} {member.role}")
    return 0


def cmd_staff_remove(args) -> int:
    shop, db = _shop_and_database(args.shop)
    if db is None:
        return 2
    try:
        found = next((m for m in members(db, shop) if m.name == args.name), None)
        if found is None:
            print(f"No staff member of shop {shop} is called {args.name!r}; `kebabalab staff-list --shop {shop}` "
                  "shows who is.")
            return 2
        remove_staff(db, found.id, shop)
    except StaffRefused as exc:
        print(exc)
        return 2
    finally:
        db.close()
    print(f"Removed {found.name} from shop {shop}; they are signed out everywhere.")
    return 0


def register(sub) -> None:
    add = sub.add_parser("staff-add", help="add a staff member with their own PIN (read from the terminal)")
    add.add_argument("name", help="their name, as it shows on orders")
    add.add_argument("--role", choices=ROLES, default="staff", help="owner: manages staff and prices (default staff)")
    add.set_defaults(func=cmd_staff_add)
    listing = sub.add_parser("staff-list", help="list the staff members")
    listing.set_defaults(func=cmd_staff_list)
    remove = sub.add_parser("staff-remove", help="remove a staff member and sign them out everywhere")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_staff_remove)
    for parser in (add, listing, remove):
        add_shop_option(parser)


COMMANDS: list = [register]
