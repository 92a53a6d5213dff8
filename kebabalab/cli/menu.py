"""`load-menu`: a whole menu file made the menu in force, as a new menu version, without a restart (every worker
takes it at its next request). `check-menu` checks a file without loading it."""
from __future__ import annotations

import sys

from kebabalab.clock import SystemClock
from kebabalab.config import load_settings
from kebabalab.service.menu_catalog import MenuCatalog
from kebabalab.cli.shop_option import NoSuchShop, add_shop_option, find_shop
from kebabalab.store.existing import describe, open_existing
from kebabalab.store.menu_versions import MenuVersions


def cmd_load_menu(args) -> int:
    settings = load_settings()
    try:
        shop = find_shop(settings, args.shop)
    except NoSuchShop as exc:
        print(exc.sentence, file=sys.stderr)
        return 2
    path = args.file or shop.menu_file
    print(f"database: {describe(settings.database_url)}", file=sys.stderr)
    db = open_existing(settings.database_url)
    try:
        version = MenuCatalog(MenuVersions(db, shop.id), SystemClock()).load_file(path, by=args.by, force=True)
    finally:
        db.close()
    print(f"menu version {version} of shop {shop.id} loaded from {path}: in force at the next call on every worker")
    return 0


def register_load_menu(sub) -> None:
    parser = sub.add_parser("load-menu", help="make a whole menu file the menu in force (a new menu version)")
    parser.add_argument("file", nargs="?", help="the menu file (default: the shop's, MENU_FILE for main)")
    add_shop_option(parser)
    parser.add_argument("--by", default="load-menu", help="who is loading it, for the menu's history")
    parser.set_defaults(func=cmd_load_menu)


COMMANDS: list = [register_load_menu]
