"""The shops directory: which shops one deployment serves, and which dialled number, Vapi phone number or
assistant belongs to which shop.

The directory lives in FILES under the state directory, not in the database: `SHOPS_DIR/<id>/shop.json` (the
numbers, assistants and text numbers) beside the shop's own `menu.json`, `hours.json` and `business.json`,
so a shop is one folder an owner can read, copy and back up, checked like `check-menu` before it serves.
The shop 'main' needs no folder: it is today's single shop, with MENU_FILE, HOURS_FILE, BUSINESS_FILE,
SHOP_ORDER_TO, TWILIO_FROM_NUMBER and VAPI_ASSISTANT_ID; a `shops/main/` folder, when there is one, overrides
those file by file and key by key.

Which shop a Vapi message is for: the number dialled (`message.phoneNumber.number`, `call.phoneNumberId`)
wins over the assistant (`call.assistantId`, `chat.assistantId`), which decides only for chats and web calls
that carry no number (a brand often runs one assistant on several numbers). A directory whose only shop lists
no number and no assistant takes every call (today's one-shop deployment); otherwise a number no shop owns
is refused, never answered with another shop's menu.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from kebabalab.config import MAIN_SHOP, Settings
from kebabalab.errors import ConfigError, ToolError, read_json_file
from kebabalab.ordering.phones import normalise_phone

SHOP_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
RESERVED_IDS = frozenset({"login", "logout", "logout-all", "static"})  # the board's own paths under /board/
SHOP_FILE = "shop.json"
FILES = ("menu.json", "hours.json", "business.json")
_LISTS = {"numbers": "numbers", "phoneNumberIds": "phone_number_ids", "assistantIds": "assistant_ids"}
_TEXTS = {"assistantId": "assistant_id", "orderTextsTo": "order_texts_to", "textsFrom": "texts_from",
          "staffPassword": "staff_password", "cloudprntPassword": "cloudprnt_password"}


@dataclass(frozen=True)
class ShopEntry:
    """One shop of the directory: who reaches it, where its files are, and where its texts go and come from."""
    id: str
    menu_file: str
    hours_file: str
    business_file: str
    numbers: tuple[str, ...] = ()  # dialled numbers, E.164
    phone_number_ids: tuple[str, ...] = ()  # Vapi's ids of those numbers
    assistant_ids: tuple[str, ...] = ()  # assistants that are this shop's on chats and web calls
    assistant_id: str = ""  # the assistant that answers its assistant-request
    order_texts_to: str = ""  # the shop's own mobile for new orders (SHOP_ORDER_TO for 'main')
    texts_from: str = ""  # the number its texts come from ('' = TWILIO_FROM_NUMBER)
    staff_password: str = ""  # its board's password, or a werkzeug hash of it (STAFF_PASSWORD for 'main')
    cloudprnt_password: str = ""  # its CloudPRNT printer's password (CLOUDPRNT_PASSWORD for 'main' only)
    retired: bool = False  # its orders are kept; its numbers are refused
    folder: str = ""  # SHOPS_DIR/<id>, '' for a 'main' without a folder

    def settings_for(self, settings: Settings) -> Settings:
        """The deployment's settings as this shop sees them (its files, its numbers, its assistant)."""
        return settings.replace(menu_file=self.menu_file, hours_file=self.hours_file,
                                business_file=self.business_file, shop_order_to=self.order_texts_to,
                                twilio_from_number=self.texts_from or settings.twilio_from_number,
                                vapi_assistant_id=self.assistant_id, staff_password=self.staff_password,
                                cloudprnt_password=self.cloudprnt_password)

    @property
    def reachable(self) -> bool:
        """Whether anything routes calls to it by name (a number, a Vapi number id, an assistant)."""
        return bool(self.numbers or self.phone_number_ids or self.assistant_ids)


def check_shop_id(shop_id: str) -> str:
    if not isinstance(shop_id, str) or not SHOP_ID.fullmatch(shop_id) or shop_id in RESERVED_IDS:
        raise ConfigError(f"a shop's id is 1 to 32 lower-case letters, digits and dashes (not "
                          f"{', '.join(sorted(RESERVED_IDS))}), not {shop_id!r}")
    return shop_id


def _strings(data: dict, key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return tuple(v.strip() for v in value)


def _number(value: str, what: str, source: str) -> str:
    try:
        return normalise_phone(value)
    except ToolError:
        raise ConfigError(f"{source}: {what} {value!r} is not a phone number") from None


def entry_from_dict(base: ShopEntry, data: Any, source: str) -> ShopEntry:
    """`base` with what a shop.json says (every key optional), or a ConfigError naming what is wrong."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: must be a JSON object")
    unknown = set(data) - set(_LISTS) - set(_TEXTS) - {"retired", "name"}
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {field: _strings(data, key, source) for key, field in _LISTS.items() if key in data}
    if "numbers" in changes:
        changes["numbers"] = tuple(_number(n, "number", source) for n in changes["numbers"])
    for key, field in _TEXTS.items():
        if key in data:
            if not isinstance(data[key], str):
                raise ConfigError(f"{source}: '{key}' must be a string")
            changes[field] = data[key].strip()
    for key in ("orderTextsTo", "textsFrom"):
        if changes.get(_TEXTS[key]):
            changes[_TEXTS[key]] = _number(changes[_TEXTS[key]], key, source)
    if "retired" in data:
        if not isinstance(data["retired"], bool):
            raise ConfigError(f"{source}: 'retired' must be true or false")
        changes["retired"] = data["retired"]
    entry = replace(base, **changes)
    if not entry.assistant_id and entry.assistant_ids:
        entry = replace(entry, assistant_id=entry.assistant_ids[0])
    return entry


def main_entry(settings: Settings) -> ShopEntry:
    """'main' as today's settings describe it (SHOP_ORDER_TO is checked where the shop is built)."""
    return ShopEntry(MAIN_SHOP, settings.menu_file, settings.hours_file, settings.business_file,
                     assistant_id=settings.vapi_assistant_id, order_texts_to=settings.shop_order_to,
                     texts_from=settings.twilio_from_number, staff_password=settings.staff_password,
                     cloudprnt_password=settings.cloudprnt_password)


def load_entry(folder: Path, base: ShopEntry | None) -> ShopEntry:
    """The shop in `folder` (its shop.json and files); `base` gives 'main' its defaults."""
    shop_id = check_shop_id(folder.name)
    files = {name: str(folder / name) for name in FILES}
    if base is None:
        missing = [name for name, path in files.items() if not Path(path).is_file()]
        if missing:
            raise ConfigError(f"shop {shop_id}: {', '.join(missing)} missing in {folder}")
        base = ShopEntry(shop_id, files["menu.json"], files["hours.json"], files["business.json"])
    else:  # 'main': a file of its folder replaces the setting's
        base = replace(base, **{f"{name[:-5]}_file": path for name, path in files.items() if Path(path).is_file()})
    base = replace(base, folder=str(folder))
    shop_file = folder / SHOP_FILE
    if not shop_file.is_file():
        if shop_id != MAIN_SHOP:
            raise ConfigError(f"shop {shop_id}: {shop_file} is missing")
        return base
    return entry_from_dict(base, read_json_file(str(shop_file), "shop"), f"shop file {shop_file}")


class ShopDirectory:
    """Every shop by id, and the maps from number, Vapi number id and assistant to a shop."""

    def __init__(self, entries: Iterable[ShopEntry]):
        self.entries: dict[str, ShopEntry] = {}
        self._by: dict[str, dict[str, str]] = {"numbers": {}, "phone_number_ids": {}, "assistant_ids": {}}
        for entry in entries:
            if entry.id in self.entries:
                raise ConfigError(f"shop {entry.id} is in the directory twice")
            self.entries[entry.id] = entry
            for field, owners in self._by.items():
                for key in getattr(entry, field):
                    if owners.setdefault(key, entry.id) != entry.id:
                        raise ConfigError(f"{key} is given to two shops ({owners[key]} and {entry.id}); "
                                          "one number or assistant belongs to one shop")
        if MAIN_SHOP not in self.entries:
            raise ConfigError("the shops directory has no 'main' shop")
        active = [e for e in self.entries.values() if not e.retired]
        self._catch_all = active[0].id if len(active) == 1 and not active[0].reachable else None

    @classmethod
    def load(cls, settings: Settings) -> "ShopDirectory":
        """'main' from the settings (and its folder, if any), and every other folder of SHOPS_DIR."""
        root = Path(settings.shops_dir) if settings.shops_dir else None
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if root is not None and root.is_dir() else []
        main = main_entry(settings)
        entries = [load_entry(folder, main if folder.name == MAIN_SHOP else None) for folder in folders]
        if MAIN_SHOP not in {e.id for e in entries}:
            entries.insert(0, main)
        return cls(entries)

    @property
    def catch_all(self) -> str | None:
        """The shop taking every call no shop lists: the only shop taking calls, when it lists nothing itself."""
        return self._catch_all

    def get(self, shop_id: str) -> ShopEntry | None:
        return self.entries.get(shop_id)

    def ids(self) -> list[str]:
        return sorted(self.entries)

    def owner(self, *, number: str | None = None, phone_number_id: str | None = None,
              assistant_id: str | None = None) -> ShopEntry | None:
        """The shop a message is for: by the number dialled (or Vapi's id of it), else, with no number, by the
        assistant; None when no shop owns what the message names. Retired shops are returned (and refused by
        the caller, with their own sentence)."""
        if number or phone_number_id:
            found = self._by["numbers"].get(number or "") or self._by["phone_number_ids"].get(phone_number_id or "")
        else:
            found = self._by["assistant_ids"].get(assistant_id or "")
        found = found or self._catch_all  # a retired shop's number stays its own (refused), never the catch-all's
        return self.entries[found] if found else None
