"""Every statement about staff members: their names, roles and PIN hashes, per shop."""
from __future__ import annotations

from dataclasses import dataclass

from kebabalab.store.records import utc_text

SQL = {
    "all": "SELECT id, name, role, pin_hash, created_at FROM staff_members WHERE shop_id = ? ORDER BY name, id",
    "count": "SELECT COUNT(*) AS n FROM staff_members WHERE shop_id = ?",
    "named": "SELECT id FROM staff_members WHERE shop_id = ? AND name = ?",
    "add": "INSERT INTO staff_members (shop_id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?) "
           "RETURNING id",
    "remove": "DELETE FROM staff_members WHERE id = ? AND shop_id = ? RETURNING id",
    "sessions_end": "DELETE FROM staff_sessions WHERE staff_id = ?",
}


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    role: str
    pin_hash: str
    created_at: str


class MemberExists(Exception):
    """Another member of the shop already has that name."""


def members(db, shop_id: str = "main") -> list[Member]:
    return [Member(**dict(row)) for row in db.engine.read(SQL["all"], (shop_id,))]


def member_count(db, shop_id: str = "main") -> int:
    return db.engine.read(SQL["count"], (shop_id,))[0]["n"]


def add_member(db, name: str, role: str, pin_hash: str, at, shop_id: str = "main") -> int:
    """The new member's id; MemberExists when the name is taken (checked in the same transaction)."""
    with db.transaction(immediate=True) as conn:
        taken = conn.execute(SQL["named"], (shop_id, name))
        if taken.fetchone() is not None:
            raise MemberExists(name)
        return conn.execute(SQL["add"], (shop_id, name, role, pin_hash, utc_text(at))).fetchone()["id"]


def remove_member(db, member_id: int, shop_id: str = "main") -> bool:
    """Remove the member and end every session they have open; False when there was no such member."""
    with db.transaction(immediate=True) as conn:
        gone = conn.execute(SQL["remove"], (member_id, shop_id)).fetchone() is not None
        conn.execute(SQL["sessions_end"], (member_id,))
    return gone
