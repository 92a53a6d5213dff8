"""The menu in force, from the database's menu versions: seeded from the menu file, changed on the board.

Every request first asks the database for each shop's newest version's number (one statement for every shop,
`Services.refresh_menus`) and
loads that version when it is new, so a change made on any worker is in force for the next tool call on every
worker, without a restart. A tool call keeps the menu it began with, and the prices already told to a caller
stay in their cart (`CartLine.quote`).

The menu file stays the way to load a whole menu: at start-up, a file whose content differs from the one last
loaded becomes a new version (`load-menu` does the same without a restart); an unchanged file leaves the
board's changes in force.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kebabalab.errors import ConfigError, StoreError
from kebabalab.ordering.menu import Menu
from kebabalab.ordering.menu_edits import MenuEditRefused
from kebabalab.ordering.phrases import Lexicon
from kebabalab.store.menu_versions import MenuMoved, MenuVersions

log = logging.getLogger(__name__)
FROM_FILE = "menu file"


@dataclass(frozen=True)
class MenuInForce:
    version: int
    menu: Menu
    lexicon: Lexicon
    document: dict


def _build(version: int, document: dict) -> MenuInForce:
    menu = Menu.from_dict(document)
    return MenuInForce(version, menu, Lexicon.from_menu(menu), document)


class MenuCatalog:
    """The shop's menu versions and the one in force in this process (swapped whole, never changed in place)."""

    def __init__(self, versions: MenuVersions, clock):
        self.versions, self.clock = versions, clock
        self._current: MenuInForce | None = None

    @property
    def current(self) -> MenuInForce:
        return self._current

    def load_file(self, path: str | Path, by: str = FROM_FILE, *, force: bool = False) -> int | None:
        """Make the menu file the newest version when its content is not the one last loaded (or `force`); the
        new version's number, or None when the file was loaded before. ConfigError (like check-menu) for a bad
        file, OSError for one that cannot be read."""
        text = Path(path).read_bytes()
        digest = hashlib.sha256(text).hexdigest()
        if not force and self.versions.last_file_hash() == digest:
            return None
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"menu file {path}: not valid JSON ({exc})") from None
        Menu.from_dict(document)
        for _ in range(3):  # another worker starting at the same moment may load it first
            try:
                version = self.versions.add(json.dumps(document), f"loaded the menu file {Path(path).name}", by,
                                            self.clock.now(), on_top_of=self.versions.newest_id(),
                                            file_hash=digest)
            except MenuMoved:
                if not force and self.versions.last_file_hash() == digest:
                    return None
                continue
            log.info("menu of shop %s: version %d loaded from %s", self.versions.shop_id, version, path)
            self.refresh()
            return version
        raise StoreError("The menu could not be saved: other changes kept arriving; try again.")

    def refresh(self, newest: int | None = None) -> bool:
        """Bring the menu in force up to the newest version (`newest`: its number when already read, as
        `Services.refresh_menus` does for every shop at once); True when it changed. A database that does not
        answer keeps the menu in force (logged), never fails the request."""
        try:
            if newest is None:
                newest = self.versions.newest_id()
            if self._current is not None and newest == self._current.version:
                return False
            row = self.versions.newest()
        except StoreError as exc:
            log.warning("menu of shop %s: could not check for a newer menu (%s); serving version %s",
                        self.versions.shop_id, exc, self._current.version if self._current else None)
            return False
        if row is None or (self._current is not None and row.id == self._current.version):
            return False
        self._current = _build(row.id, json.loads(row.menu))
        log.info("menu of shop %s: version %d in force (%s, by %s)", self.versions.shop_id, row.id, row.change,
                 row.changed_by)
        return True

    def change(self, edit: Callable[[dict], tuple[dict, str]], by: str, made_to: int) -> tuple[int, str]:
        """Apply `edit` to version `made_to`, check the whole menu as check-menu does, save it as the next version;
        (new version, what changed). MenuMoved when the menu changed since `made_to`; MenuEditRefused when the
        change cannot be made or leaves a menu check-menu refuses."""
        self.refresh()
        if made_to != self._current.version:
            raise MenuMoved(f"the menu is at version {self._current.version}, not {made_to}")
        document, said = edit(self._current.document)
        try:
            Menu.from_dict(document)
        except ConfigError as exc:
            raise MenuEditRefused(str(exc).removeprefix("menu: ")) from None
        version = self.versions.add(json.dumps(document), said, by, self.clock.now(), on_top_of=made_to)
        log.info("menu of shop %s: version %d by %s: %s", self.versions.shop_id, version, by, said)
        self.refresh()
        return version, said
