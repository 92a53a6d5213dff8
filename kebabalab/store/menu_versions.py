"""Every statement of the menu's versions: the newest (and a cheap look at its number, asked on every request),
a new version added only on top of the one its change was made to, the history of who changed what and when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.store.records import utc_text

SQL = {
    "newest_id": "SELECT MAX(id) AS id FROM menu_versions WHERE shop_id = ?",
    "newest_ids": "SELECT shop_id, MAX(id) AS id FROM menu_versions GROUP BY shop_id",
    "newest": "SELECT id, menu, change, changed_by, created_at, file_hash, parent_id FROM menu_versions WHERE shop_id = ? "
              "ORDER BY id DESC LIMIT 1",
    "last_from_file": "SELECT file_hash FROM menu_versions WHERE shop_id = ? AND file_hash IS NOT NULL "
                      "ORDER BY id DESC LIMIT 1",
    "add": "INSERT INTO menu_versions (shop_id, menu, change, changed_by, created_at, file_hash, parent_id) "
           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    "history": "SELECT id, change, changed_by, created_at FROM menu_versions WHERE shop_id = ? "
               "ORDER BY id DESC LIMIT ?",
}


class MenuMoved(Exception):
    """Another change was saved since the one this change was made to; nothing was saved."""


@dataclass(frozen=True)
class MenuVersion:
    id: int
    menu: str  # the menu document, JSON
    change: str
    changed_by: str
    created_at: str
    file_hash: str | None
    parent_id: int = 0


def newest_versions(db) -> dict[str, int]:
    """Every shop's newest menu version, by shop id, in one statement."""
    return {row["shop_id"]: row["id"] for row in db.engine.read(SQL["newest_ids"], ())}


class MenuVersions:
    """The menu versions of one shop on the app's Database (either engine)."""

    def __init__(self, db, shop_id: str = "main"):
        self.db, self.shop_id = db, shop_id

    def newest_id(self) -> int | None:
        """The newest version's number: one indexed read, cheap enough for every request."""
        return self.db.engine.read(SQL["newest_id"], (self.shop_id,))[0]["id"]

    def newest(self) -> MenuVersion | None:
        rows = self.db.engine.read(SQL["newest"], (self.shop_id,))
        return MenuVersion(**dict(rows[0])) if rows else None

    def add(self, menu_json: str, change: str, by: str, at: datetime, *, on_top_of: int | None,
            file_hash: str | None = None) -> int:
        """Save a new version made from version `on_top_of` (None: the first); MenuMoved if that is no longer
        the newest (on PostgreSQL a change racing ours to the same version is refused by the unique parent)."""
        try:
            with self.db.transaction(immediate=True) as conn:
                newest = conn.execute(SQL["newest_id"], (self.shop_id,)).fetchone()["id"]
                if newest != on_top_of:
                    raise MenuMoved(f"the menu is at version {newest}, not {on_top_of}")
                return conn.execute(SQL["add"], (self.shop_id, menu_json, change, by, utc_text(at), file_hash,
                                                 on_top_of or 0)).fetchone()["id"]
        except self.db.engine.duplicate_errors as exc:
            raise MenuMoved(f"another change was saved on top of version {on_top_of}") from exc

    def last_file_hash(self) -> str | None:
        rows = self.db.engine.read(SQL["last_from_file"], (self.shop_id,))
        return rows[0]["file_hash"] if rows else None

    def history(self, limit: int = 20) -> list[dict]:
        return [dict(row) for row in self.db.engine.read(SQL["history"], (self.shop_id, int(limit)))]
