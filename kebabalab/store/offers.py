"""Every statement about the one offer a call heard: made once per call (the call id is the key), answered once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.store.records import utc_text

SQL = {
    "offer_add": "INSERT INTO call_offers (call_id, shop_id, kind, item_index, extra_cents, said, offered_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING RETURNING call_id",
    # The first answer stands: a later "yes" after a "no" (the assistant retrying) does not change it.
    "offer_answer": "UPDATE call_offers SET answer = ?, answered_at = ? WHERE call_id = ? AND answer IS NULL "
                    "RETURNING call_id",
    "offer_for_call": "SELECT call_id, shop_id, kind, item_index, extra_cents, said, offered_at, answer, answered_at "
                      "FROM call_offers WHERE call_id = ?",
}


@dataclass(frozen=True)
class CallOffer:
    call_id: str
    shop_id: str
    kind: str
    item_index: int
    extra_cents: int
    said: str
    offered_at: str
    answer: str | None
    answered_at: str | None


def record_offer(db, call_id: str, kind: str, item_index: int, extra_cents: int, said: str, at: datetime,
                 shop_id: str) -> bool:
    """Record the call's offer; False (nothing written) when the call already had one."""
    with db.transaction(immediate=True) as conn:
        row = conn.execute(SQL["offer_add"], (call_id, shop_id, kind, item_index, extra_cents, said,
                                              utc_text(at))).fetchone()
    return row is not None


def record_answer(db, call_id: str, answer: str, at: datetime) -> bool:
    """Record the caller's answer to the call's offer; False when there is none or it was answered already."""
    with db.transaction(immediate=True) as conn:
        return conn.execute(SQL["offer_answer"], (answer, utc_text(at), call_id)).fetchone() is not None


def offer_for_call(db, call_id: str) -> CallOffer | None:
    """The offer a call heard and its answer (the call log's view), or None."""
    rows = db.engine.read(SQL["offer_for_call"], (call_id,))
    return CallOffer(**dict(rows[0])) if rows else None
