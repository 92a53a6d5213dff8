"""Every shop's services, looked up in one place: `Shops.get(id)` hands out the shop's `ShopServices` (its
menu, hours, business, availability, and the shared stores under its id), built once at start-up, so a tool
call pays one dict look-up for its shop.

Tools, the board and the commands take a `ShopServices` where they took the app's services: the same names
(`menu`, `hours`, `business`, `availability`, `lexicon`, `settings`, `db`, `sessions`, `clock`, `sender`...),
each the shop's own, and `shop` (its directory entry).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kebabalab.config import MAIN_SHOP, Settings
from kebabalab.errors import ConfigError
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.shop.availability import Availability
from kebabalab.shop.directory import ShopDirectory, ShopEntry
from kebabalab.store.shop_scope import ShopDatabase, ShopSessions

log = logging.getLogger(__name__)
UNKNOWN_NUMBER = ("Sorry, this phone number isn't taking orders for any of our shops. Please check the number "
                  "and call the shop directly.")
RETIRED = "Sorry, this shop no longer takes phone orders. Please call one of our other shops."


class ShopServices:
    """One shop's view of the app's services: its own files and availability; the shared stores under its id;
    anything else (clock, sender, metrics, limits) the app's."""

    def __init__(self, app, shop: ShopEntry, files, *, availability: Availability | None = None, catalog=None,
                 print_queue=None, ticket_printer=None):
        self._app = app
        self.shop = shop
        self.settings: Settings = files.settings
        self.hours, self.business = files.hours, files.business
        self.availability = availability
        self.catalog = catalog  # the shop's menu versions and the one in force (service/menu_catalog.py)
        self.print_queue, self.ticket_printer = print_queue, ticket_printer
        self.db = ShopDatabase(app.db, shop.id)
        self.sessions = ShopSessions(app.sessions, shop.id)

    @property
    def menu(self):
        """The shop's menu in force now (a tool call keeps the one it began with: ToolContext.in_force)."""
        return self.catalog.current.menu

    @property
    def lexicon(self):
        return self.catalog.current.lexicon

    def __getattr__(self, name: str):
        return getattr(self._app, name)


@dataclass(frozen=True)
class Refusal:
    """A message no shop takes: the sentence the caller hears."""
    sentence: str


class Shops:
    """The directory and every shop's services, by id; which shop a Vapi message is for."""

    def __init__(self, directory: ShopDirectory, views: dict[str, ShopServices]):
        self.directory = directory
        self._views = views

    @classmethod
    def build(cls, app, settings: Settings, load_files, make_parts, loaded=None) -> "Shops":
        """Every shop's files loaded and checked (a ConfigError names the shop), and its services, with the parts
        `make_parts(entry, files)` builds on the app's stores (availability, menu catalog, printing). `loaded`:
        files already loaded for the deployment's own settings ('main' without a folder), not read twice."""
        directory = ShopDirectory.load(settings)
        views = {}
        for entry in directory.entries.values():
            shop_settings = entry.settings_for(settings)
            try:
                files = loaded if loaded is not None and shop_settings == settings else load_files(shop_settings)
                parts = make_parts(entry, files)
            except ConfigError as exc:
                raise ConfigError(f"shop {entry.id}: {exc}") from None
            views[entry.id] = ShopServices(app, entry, files, **parts)
        return cls(directory, views)

    def get(self, shop_id: str) -> ShopServices | None:
        return self._views.get(shop_id)

    @property
    def main(self) -> ShopServices:
        return self._views[MAIN_SHOP]

    def ids(self) -> list[str]:
        return sorted(self._views)

    def views(self) -> list[ShopServices]:
        """Every shop's services, by id."""
        return [self._views[shop_id] for shop_id in self.ids()]

    def ticket_printers(self) -> list:
        """The network printers of every shop that has one."""
        return [view.ticket_printer for view in self.views() if view.ticket_printer is not None]

    def refresh_menus(self, newest: dict[str, int]) -> None:
        """Bring each shop's menu in force up to its newest version (`newest`: shop id -> version, read in one
        statement for every shop)."""
        for view in self._views.values():
            if view.catalog is not None:
                view.catalog.refresh(newest.get(view.shop.id))

    def texts_from(self, shop_id: str) -> str | None:
        """The number a shop's texts come from, when it has its own (else the transport's TWILIO_FROM_NUMBER)."""
        view = self._views.get(shop_id)
        return view.shop.texts_from or None if view is not None else None

    def texting_from(self, number: str | None, shared: str) -> list[ShopServices]:
        """The shops a text to `number` (Twilio's `To`) is for: those whose texts come from it (their own
        textsFrom, else `shared`, the deployment's TWILIO_FROM_NUMBER), 'main' first; else the shop that number
        is dialled for; [] when no shop has it. A one-shop deployment's only shop, whatever the number."""
        if len(self._views) == 1:
            return [self.main]
        to = try_normalise(number) if number else None
        if to is None:
            return []
        shared = try_normalise(shared) if shared else None
        found = [view for view in self._views.values() if try_normalise(view.shop.texts_from) == to
                 or (not view.shop.texts_from and shared == to)]
        if not found and (owner := self.directory.owner(number=to)) is not None:
            found = [self._views[owner.id]]
        return sorted(found, key=lambda view: (view.shop.id != MAIN_SHOP, view.shop.id))

    def for_message(self, message) -> ShopServices | Refusal:
        """The shop a Vapi message is for (vapi/protocol.py reads the number dialled and the assistant), or the
        refusal its caller hears, logged with the number masked."""
        number = try_normalise(message.dialled_number) if message.dialled_number else None
        entry = self.directory.owner(number=number or message.dialled_number, phone_number_id=message.phone_number_id,
                                     assistant_id=message.assistant_id)
        if entry is None:
            log.warning("webhook: %s for %s (number id %s, assistant %s): no shop owns it; refused", message.type,
                        mask_phone(number) if number else "no number", message.phone_number_id or "-",
                        message.assistant_id or "-")
            return Refusal(UNKNOWN_NUMBER)
        if entry.retired:
            log.warning("webhook: %s for retired shop %s; refused", message.type, entry.id)
            return Refusal(RETIRED)
        return self._views[entry.id]
