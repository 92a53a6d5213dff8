"""What the phone line's health is read from: when Vapi last reached a worker (health_marks), and one shop's outbox
backlog, last text that went out, texts failing, and its own order text not delivered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.config import MAIN_SHOP
from kebabalab.store.records import utc_text

SQL = {
    "mark_set": "INSERT INTO health_marks (shop_id, name, at) VALUES (?, ?, ?) ON CONFLICT (shop_id, name) "
                "DO UPDATE SET at = excluded.at WHERE excluded.at > health_marks.at",
    "mark_get": "SELECT at FROM health_marks WHERE shop_id = ? AND name = ?",
    "backlog": "SELECT COUNT(*) AS n FROM outbox WHERE shop_id = ? AND status IN ('pending', 'sending')",
    "last_sent": "SELECT MAX(sent_at) AS at FROM outbox WHERE shop_id = ? AND status = 'sent' AND created_at >= ?",
    # The shop's oldest text since `since` that has failed at least once and has not gone out (retrying, or given up).
    "oldest_failing": "SELECT id, created_at FROM outbox WHERE shop_id = ? AND last_error IS NOT NULL AND "
                      "status IN ('pending', 'sending', 'failed') AND created_at >= ? ORDER BY id LIMIT 1",
    # The shop's order text since `since` that Twilio gave up on, or the carrier did not deliver.
    "shop_text_lost": "SELECT outbox.id, orders.day_seq, text_receipts.error_code FROM outbox "
                      "LEFT JOIN orders ON orders.id = outbox.order_id "
                      "LEFT JOIN text_receipts ON text_receipts.provider_sid = outbox.provider_sid "
                      "WHERE outbox.shop_id = ? AND outbox.kind = 'shop_order' AND outbox.created_at >= ? AND "
                      "(outbox.status = 'failed' OR text_receipts.status IN ('undelivered', 'failed')) "
                      "ORDER BY outbox.id DESC LIMIT 1",
}


@dataclass(frozen=True)
class LostText:
    outbox_id: int
    day_seq: int | None
    error_code: str | None


def set_mark(db, name: str, at: datetime, shop_id: str = MAIN_SHOP) -> None:
    """Move the mark `name` forward to `at` (a later mark of another worker is kept)."""
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["mark_set"], (shop_id, name, utc_text(at)))


def mark(db, name: str, shop_id: str = MAIN_SHOP) -> str | None:
    rows = db.engine.read(SQL["mark_get"], (shop_id, name))
    return rows[0]["at"] if rows else None


def backlog(db, shop_id: str) -> int:
    """The shop's texts waiting to go."""
    return db.engine.read(SQL["backlog"], (shop_id,))[0]["n"]


def last_sent(db, since: datetime, shop_id: str) -> str | None:
    return db.engine.read(SQL["last_sent"], (shop_id, utc_text(since)))[0]["at"]


def oldest_failing(db, since: datetime, shop_id: str) -> tuple[int, str] | None:
    rows = db.engine.read(SQL["oldest_failing"], (shop_id, utc_text(since)))
    return (rows[0]["id"], rows[0]["created_at"]) if rows else None


def shop_text_lost(db, since: datetime, shop_id: str) -> LostText | None:
    rows = db.engine.read(SQL["shop_text_lost"], (shop_id, utc_text(since)))
    return LostText(rows[0]["id"], rows[0]["day_seq"], rows[0]["error_code"]) if rows else None
