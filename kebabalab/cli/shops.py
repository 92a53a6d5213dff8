"""`kebabalab shops`: the shops directory (SHOPS_DIR/<id>/, see shop/directory.py) listed and changed.

    kebabalab shops                               every shop: its numbers, assistants, text numbers, retired or not
    kebabalab shops add <id> [--from main] --number +61...   a new shop from a template shop's files, checked
    kebabalab shops move-number <number> --to <id>           the number now reaches that shop
    kebabalab shops retire <id>                   its numbers are refused from the next start; its orders are kept

A change is written to the shop's shop.json and checked the way the server checks it before it serves (every
shop's files, no number given to two shops); the running server reads the directory when it starts.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from kebabalab.config import MAIN_SHOP, load_settings
from kebabalab.errors import ConfigError, ToolError
from kebabalab.ordering.phones import mask_phone, normalise_phone
from kebabalab.shop.directory import FILES, SHOP_FILE, ShopDirectory, check_shop_id


def _root(settings) -> Path:
    return Path(settings.shops_dir)


def _check(settings) -> ShopDirectory:
    """The directory as the server will load it, every shop's files checked (a ConfigError names the shop)."""
    from kebabalab.service.wiring import ShopFiles
    directory = ShopDirectory.load(settings)
    for entry in directory.entries.values():
        try:
            ShopFiles.load(entry.settings_for(settings))
        except ConfigError as exc:
            raise ConfigError(f"shop {entry.id}: {exc}") from None
    return directory


def _shop_json(folder: Path) -> dict:
    path = folder / SHOP_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _write_shop_json(folder: Path, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / (SHOP_FILE + ".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    temporary.replace(folder / SHOP_FILE)


def _changed(settings, folders: dict[Path, dict]) -> None:
    """Write the shop.json files, check the directory, and put the old files back when the check fails."""
    old = {folder: (folder / SHOP_FILE).read_bytes() if (folder / SHOP_FILE).is_file() else None for folder in folders}
    for folder, data in folders.items():
        _write_shop_json(folder, data)
    try:
        _check(settings)
    except ConfigError:
        for folder, content in old.items():
            if content is None:
                (folder / SHOP_FILE).unlink()
            else:
                (folder / SHOP_FILE).write_bytes(content)
        raise


def cmd_shops(args) -> int:
    settings = load_settings()
    directory = _check(settings)
    for entry in directory.entries.values():
        state = "retired" if entry.retired else "taking calls"
        numbers = f"numbers {', '.join(mask_phone(n) for n in entry.numbers)}" if entry.numbers else "no number listed"
        print(f"{entry.id}: {state}; {numbers}; number ids {', '.join(entry.phone_number_ids) or '-'}; "
              f"assistants {', '.join(entry.assistant_ids) or '-'} (answers with {entry.assistant_id or '-'}); "
              f"order texts to {mask_phone(entry.order_texts_to) if entry.order_texts_to else '-'}")
    return 0


def cmd_add(args) -> int:
    settings = load_settings()
    shop_id = check_shop_id(args.id)
    directory = _check(settings)
    if directory.get(shop_id) is not None:
        print(f"There is already a shop {shop_id}.")
        return 2
    if directory.catch_all is not None:  # a second shop taking calls ends the catch-all: its callers refused
        raise ConfigError(f"shop {directory.catch_all} lists no number, Vapi number id or assistant: with a second "
                          "shop taking calls every call to it would be refused; give it its number first "
                          f"(kebabalab shops move-number NUMBER --to {directory.catch_all})")
    template = directory.get(args.template)
    if template is None:
        print(f"There is no shop {args.template} to copy.")
        return 2
    numbers = [_number(n) for n in args.number]
    folder = _root(settings) / shop_id
    folder.mkdir(parents=True)
    for name, source in zip(FILES, (template.menu_file, template.hours_file, template.business_file)):
        shutil.copyfile(source, folder / name)
    try:
        _changed(settings, {folder: {"numbers": numbers, "orderTextsTo": args.order_texts_to or ""}})
    except ConfigError:
        shutil.rmtree(folder)
        raise
    print(f"Added shop {shop_id} from {template.id}'s files in {folder}: edit its menu.json, hours.json and "
          f"business.json, give its board a password (\"staffPassword\" in its shop.json, or an owner: kebabalab "
          f"staff-add NAME --role owner --shop {shop_id}), then restart the server.")
    main = directory.get(MAIN_SHOP)
    if numbers and not main.retired and not main.reachable:
        print("main lists no number: once this shop's number is in use, calls to main's number are refused. "
              "Give main its number: kebabalab shops move-number NUMBER --to main")
    return 0


def cmd_move_number(args) -> int:
    settings = load_settings()
    number = _number(args.number)
    directory = _check(settings)
    target = directory.get(args.to)
    if target is None:
        print(f"There is no shop {args.to}.")
        return 2
    root = _root(settings)
    changes = {}
    for entry in directory.entries.values():
        folder = root / entry.id
        if number in entry.numbers and entry.id != target.id:
            data = _shop_json(folder)
            data["numbers"] = [n for n in data.get("numbers", []) if _number(n) != number]
            changes[folder] = data
    data = _shop_json(root / target.id)
    data["numbers"] = [*data.get("numbers", []), number] if number not in target.numbers else data["numbers"]
    changes[root / target.id] = data
    _changed(settings, changes)
    print(f"{mask_phone(number)} now reaches shop {target.id} (after the server restarts).")
    return 0


def cmd_retire(args) -> int:
    settings = load_settings()
    directory = _check(settings)
    if directory.get(args.id) is None:
        print(f"There is no shop {args.id}.")
        return 2
    if args.id == MAIN_SHOP and len([e for e in directory.entries.values() if not e.retired]) == 1:
        print("main is the only shop taking calls; add another before retiring it.")
        return 2
    folder = _root(settings) / args.id
    _changed(settings, {folder: {**_shop_json(folder), "retired": True}})
    print(f"Retired shop {args.id}: its numbers are refused after the server restarts; its orders are kept.")
    return 0


def _number(text: str) -> str:
    try:
        return normalise_phone(text)
    except ToolError:
        raise ConfigError(f"{text!r} is not a phone number") from None


def register(sub) -> None:
    parser = sub.add_parser("shops", help="list the shops (numbers, assistants); add, move a number, retire")
    parser.set_defaults(func=cmd_shops)
    actions = parser.add_subparsers(dest="action")
    add = actions.add_parser("add", help="a new shop from a template shop's files, checked like check-menu")
    add.add_argument("id", help="the shop's id: lower-case letters, digits and dashes")
    add.add_argument("--from", dest="template", default=MAIN_SHOP, help="the shop whose files to copy (main)")
    add.add_argument("--number", action="append", default=[], help="a number that reaches it (repeatable)")
    add.add_argument("--order-texts-to", help="the shop's mobile for new-order texts")
    add.set_defaults(func=cmd_add)
    move = actions.add_parser("move-number", help="give a number to another shop")
    move.add_argument("number")
    move.add_argument("--to", required=True, help="the shop that gets it")
    move.set_defaults(func=cmd_move_number)
    retire = actions.add_parser("retire", help="refuse a shop's numbers; keep its orders")
    retire.add_argument("id")
    retire.set_defaults(func=cmd_retire)


COMMANDS: list = [register]
