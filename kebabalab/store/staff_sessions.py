"""Staff sessions kept on the server, so that signing out ends them: a copied cookie stops working.

The signed cookie carries a random session id; the database keeps only its SHA-256 (a copy of the table
signs nobody in) with the session's end. Sign-out deletes that row; "sign out all tablets" (the board's
button, or `kebabalab sign-out-tablets`) deletes every row. Changing STAFF_PASSWORD changes the cookie's
signing key, so every cookie signed before it is refused before its row is even looked up.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from kebabalab.config import MAIN_SHOP
from kebabalab.store import utc_text


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class StaffSessions:
    """Start, check and end staff sessions in the order database (every worker sees the same ones)."""

    def __init__(self, db, clock, lifetime: timedelta):
        self.db, self.clock, self.lifetime = db, clock, lifetime

    def start(self, staff_id: int | None = None, shop_id: str = MAIN_SHOP) -> str:
        """A new session of one shop's board (of staff member `staff_id`, if one); returns its id (for the
        cookie). Sessions past their end are cleared here."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.db.transaction(immediate=True) as conn:
            conn.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", (utc_text(now),))
            conn.execute("INSERT INTO staff_sessions (id, created_at, expires_at, staff_id, shop_id) "
                         "VALUES (?, ?, ?, ?, ?)", (_digest(session_id), utc_text(now), utc_text(now + self.lifetime),
                                                    staff_id, shop_id))
        return session_id

    def alive(self, session_id: object, shop_id: str = MAIN_SHOP) -> bool:
        """Whether the session is open, and on this shop's board."""
        if not isinstance(session_id, str) or not session_id:
            return False
        rows = self.db.engine.read("SELECT expires_at, shop_id FROM staff_sessions WHERE id = ?",
                                   (_digest(session_id),))
        return bool(rows) and rows[0]["expires_at"] > utc_text(self.clock.now()) and rows[0]["shop_id"] == shop_id

    def end(self, session_id: object) -> None:
        if isinstance(session_id, str) and session_id:
            with self.db.transaction(immediate=True) as conn:
                conn.execute("DELETE FROM staff_sessions WHERE id = ?", (_digest(session_id),))

    def end_all(self, shop_id: str | None = None) -> int:
        """Sign out every tablet and till (of one shop, or of every shop); returns how many were still open."""
        now = utc_text(self.clock.now())
        with self.db.transaction(immediate=True) as conn:
            if shop_id is None:
                open_ = conn.execute("SELECT COUNT(*) AS n FROM staff_sessions WHERE expires_at > ?",
                                     (now,)).fetchone()
                conn.execute("DELETE FROM staff_sessions")
            else:
                open_ = conn.execute("SELECT COUNT(*) AS n FROM staff_sessions WHERE expires_at > ? AND shop_id = ?",
                                     (now, shop_id)).fetchone()
                conn.execute("DELETE FROM staff_sessions WHERE shop_id = ?", (shop_id,))
        return open_["n"]
