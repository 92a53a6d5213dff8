"""Twilio's delivery receipts: each text's last known status (sent, delivered, undelivered, failed) and error code,
kept by its message sid and read beside the outbox's own status (a text Twilio accepted may still not arrive)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.store.records import utc_text

FINAL = ("delivered", "undelivered", "failed")
RECORDED = ("sent", *FINAL)  # Twilio's other statuses (queued, sending, ...) tell the shop nothing new

SQL = {
    # A receipt that is not final never replaces a final one: Twilio's callbacks may arrive out of order. The
    # receipt is its text's shop's (one Twilio account and one callback URL for every shop).
    "receipt_add": "INSERT INTO text_receipts (provider_sid, shop_id, status, error_code, received_at) VALUES (?, "
                   "COALESCE((SELECT MIN(shop_id) FROM outbox WHERE provider_sid = ?), 'main'), ?, ?, ?) "
                   "ON CONFLICT (provider_sid) DO UPDATE SET status = excluded.status, "
                   "error_code = excluded.error_code, received_at = excluded.received_at "
                   "WHERE text_receipts.status NOT IN ('delivered', 'undelivered', 'failed') "
                   "OR excluded.status IN ('delivered', 'undelivered', 'failed')",
    # "{marks}": one "?" per order
    "texts_of_orders": "SELECT outbox.id, outbox.order_id, outbox.kind, outbox.status, "
                       "text_receipts.status AS delivery, text_receipts.error_code "
                       "FROM outbox LEFT JOIN text_receipts ON text_receipts.provider_sid = outbox.provider_sid "
                       "WHERE outbox.order_id IN ({marks}) ORDER BY outbox.id",
}


@dataclass(frozen=True)
class TextState:
    """One text of an order: the outbox's status (pending, sending, sent, logged, failed) and, once Twilio has
    told us, its delivery (sent, delivered, undelivered, failed) with Twilio's error code."""
    kind: str
    status: str
    delivery: str | None
    error_code: str | None


def record_receipt(db, provider_sid: str, status: str, error_code: str | None, at: datetime) -> None:
    """Keep what Twilio said of one text (`status` one of RECORDED)."""
    if status not in RECORDED:
        raise ValueError(f"a receipt is one of {', '.join(RECORDED)}, not {status!r}")
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["receipt_add"], (provider_sid, provider_sid, status, error_code or None, utc_text(at)))


def texts_of_orders(db, order_ids: list[int]) -> dict[int, list[TextState]]:
    """Each order's texts, oldest first, in one read (orders without texts are left out)."""
    if not order_ids:
        return {}
    rows = db.engine.read(SQL["texts_of_orders"].format(marks=", ".join("?" * len(order_ids))), tuple(order_ids))
    found: dict[int, list[TextState]] = {}
    for row in rows:
        found.setdefault(row["order_id"], []).append(
            TextState(row["kind"], row["status"], row["delivery"], row["error_code"]))
    return found
