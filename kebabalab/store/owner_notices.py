"""What each shop's owner is told (the end-of-day summary, alerts), one row per shop, notice and channel (text,
email).

A notice is claimed by its shop and key: the first worker to add it wins, and a key seen before adds nothing, so
several workers that all see closing time pass send one summary (and each shop its own). Sending leases a row (one
worker at a time) and records the outcome; a failed try is tried again after a pause, at most MAX_ATTEMPTS times.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kebabalab.config import MAIN_SHOP
from kebabalab.store.records import utc_text

MAX_ATTEMPTS = 10  # with PAUSES, tried for about an hour and a half, as the outbox tries a text for about an hour
PAUSES = (60, 120, 240, 480, 900)  # seconds after the 1st, 2nd, ... failed try; the last for every try after
CHANNELS = ("text", "email")
_ROW = "id, shop_id, notice_key, channel, to_address, subject, body, attempts"

SQL = {
    "notice_add": "INSERT INTO owner_notices (shop_id, notice_key, channel, to_address, subject, body, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, notice_key, channel) DO NOTHING RETURNING id",
    "notices_due": "SELECT id FROM owner_notices WHERE status = 'pending' AND (claimed_until IS NULL OR "
                   "claimed_until <= ?) ORDER BY id LIMIT ?",
    # Only one worker's lease takes: the guard is checked again after waiting for another worker's row lock.
    "notice_lease": f"UPDATE owner_notices SET claimed_until = ?, attempts = attempts + 1 WHERE id = ? AND "
                    f"status = 'pending' AND (claimed_until IS NULL OR claimed_until <= ?) RETURNING {_ROW}",
    "notice_sent": "UPDATE owner_notices SET status = 'sent', sent_at = ?, claimed_until = NULL WHERE id = ?",
    "notice_failed": "UPDATE owner_notices SET status = ?, last_error = ?, claimed_until = ? WHERE id = ?",
    "notices_with_key": f"SELECT {_ROW}, status, last_error FROM owner_notices WHERE shop_id = ? AND notice_key = ? "
                        "ORDER BY id",
}


@dataclass(frozen=True)
class Notice:
    """One message to the owner on one channel."""
    channel: str  # text or email
    to_address: str  # a phone number (E.164) or an email address
    subject: str
    body: str

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"a notice goes by {' or '.join(CHANNELS)}, not {self.channel!r}")


@dataclass(frozen=True)
class LeasedNotice:
    id: int
    shop_id: str  # whose owner it is for (a text goes from that shop's number)
    notice_key: str
    channel: str
    to_address: str
    subject: str
    body: str
    attempts: int


def claim_notice(db, key: str, notices: list[Notice], at: datetime, shop_id: str = MAIN_SHOP) -> bool:
    """Add the shop's notice `key` on each channel, in one transaction; True when this call added it (first to
    claim)."""
    added = 0
    with db.transaction(immediate=True) as conn:
        for notice in notices:
            row = conn.execute(SQL["notice_add"], (shop_id, key, notice.channel, notice.to_address, notice.subject,
                                                   notice.body, utc_text(at))).fetchone()
            added += row is not None
    return added > 0


def lease_due(db, now: datetime, lease_seconds: int = 120, limit: int = 10) -> list[LeasedNotice]:
    """Notices waiting to go (never sent, their pause over), each leased to this worker."""
    stamp, until = utc_text(now), utc_text(now + timedelta(seconds=lease_seconds))
    leased = []
    with db.transaction(immediate=True) as conn:
        for row in conn.execute(SQL["notices_due"], (stamp, limit)).fetchall():
            got = conn.execute(SQL["notice_lease"], (until, row["id"], stamp)).fetchone()
            if got is not None:
                leased.append(LeasedNotice(**dict(got)))
    return leased


def mark_sent(db, notice_id: int, at: datetime) -> None:
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["notice_sent"], (utc_text(at), notice_id))


def mark_failed(db, notice: LeasedNotice, error: str, at: datetime) -> None:
    """A try that failed: again after a pause that grows with each try (so an outage of Twilio or of the SMTP
    server longer than a few minutes is outlasted), or for good after MAX_ATTEMPTS."""
    final = notice.attempts >= MAX_ATTEMPTS
    again = utc_text(at + timedelta(seconds=PAUSES[min(notice.attempts, len(PAUSES)) - 1]))
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["notice_failed"], ("failed" if final else "pending", error[:300], None if final else again,
                                            notice.id))


def notices_with_key(db, key: str, shop_id: str = MAIN_SHOP) -> list[dict]:
    """Every channel's row of one of the shop's notices (for the board and tests): id, channel, to_address,
    status, ..."""
    return [dict(row) for row in db.engine.read(SQL["notices_with_key"], (shop_id, key))]
