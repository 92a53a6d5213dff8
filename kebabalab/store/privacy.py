"""Every statement that forgets customers: one customer's number everywhere, or all history before a cut-off.

Orders are kept (the shop's books need them) but lose the name, number and notes; the texts about them
lose their number and body, and any not yet sent are stopped; abandoned carts lose the number; the call log
loses the caller's number, the transcript, the recording links, the summary and the structured outputs (the
call's times, ended reason, cost and outcome are kept for the shop's figures); messages taken
for the shop lose the name, number and words (and their texts to the shop, their body). A forget
on request is recorded as a hash of the number (forgotten_phones), so `reapply_forgets` can forget the
customer again in a database restored from a backup taken before.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from kebabalab.store import SQL, utc_text
from kebabalab.ordering.phones import mask_phone

log = logging.getLogger(__name__)
FORGOTTEN = "(forgotten)"

_ORDERS_WHERE = {
    "phone": "customer_phone = ?",
    "before": "created_at < ? AND (customer_phone IS NOT NULL OR customer_name IS NOT NULL)",
}
# Texts about the orders concerned: unsent ones are stopped, every one loses its number and body.
_BLANK_TEXTS = ("UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' ELSE status END, "
                "last_error = CASE WHEN status IN ('pending', 'sending') THEN 'customer forgotten' ELSE last_error END, "
                "to_phone = ?, body = '' WHERE order_id IN (SELECT id FROM orders WHERE {where})")

# Messages taken for the shop (store/call_messages.py) keep why and when, not who: "WHERE ..." follows.
_BLANK_CALL_MESSAGES = "UPDATE call_messages SET caller_name = NULL, phone = NULL, message = '' WHERE "


# What the call log forgets of a call: who called and everything said in it
_CALL_WORDS = ("caller = NULL, transcript = NULL, recording_url = NULL, stereo_recording_url = NULL, summary = NULL, "
               "structured = NULL")


@dataclass(frozen=True)
class Forgotten:
    orders: int
    texts: int
    carts: int
    calls: int = 0


def phone_hash(e164: str) -> str:
    """What forgotten_phones keeps of a number: its SHA-256, never the number itself."""
    return hashlib.sha256(e164.encode("utf-8")).hexdigest()


def forget_phone(db, e164: str, shop_id: str | None = None) -> Forgotten:
    """Remove one customer's name and number from every stored order, text and abandoned cart (of one shop, or
    of every shop); record the forget. A one-shop forget is recorded like any other, so a restore from an older
    backup forgets the number in every shop: it errs on the side of the customer's privacy."""
    only = " AND shop_id = ?" if shop_id else ""  # every table here carries the shop of its row
    shop = (shop_id,) if shop_id else ()
    with db.transaction(immediate=True) as conn:
        conn.execute(SQL["forgotten_add"], (phone_hash(e164), utc_text(db.clock.now())))
        texts = _blank_texts(conn, _ORDERS_WHERE["phone"] + only, (e164, *shop))
        texts += conn.execute("UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' "
                              f"ELSE status END, to_phone = ?, body = '' WHERE to_phone = ?{only}",
                              (FORGOTTEN, e164, *shop)).rowcount
        orders = conn.execute("UPDATE orders SET customer_name = NULL, customer_phone = NULL, notes = NULL "
                              f"WHERE customer_phone = ?{only}", (e164, *shop)).rowcount
        carts = conn.execute(f"UPDATE abandoned_carts SET phone = NULL, masked_phone = NULL WHERE phone = ?{only}",
                             (e164, *shop)).rowcount
        texts += conn.execute("UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'failed' "
                              "ELSE status END, to_phone = ?, body = '' WHERE order_id IS NULL AND call_id IN "
                              f"(SELECT call_id FROM call_messages WHERE phone = ?{only})",
                              (FORGOTTEN, e164, *shop)).rowcount
        conn.execute(_BLANK_CALL_MESSAGES + "phone = ?" + only, (e164, *shop))
        calls = conn.execute(f"UPDATE calls SET {_CALL_WORDS} WHERE caller = ?{only}", (e164, *shop)).rowcount
    _scrub(db)
    log.info("forgot customer %s (%s): %d orders, %d texts, %d abandoned carts, %d calls", mask_phone(e164),
             f"shop {shop_id}" if shop_id else "every shop", orders, texts, carts, calls)
    return Forgotten(orders, texts, carts, calls)


def reapply_forgets(db, hashes: set[str] = frozenset()) -> int:
    """Forget again every recorded customer (those in this database and `hashes`, from the database it replaced)
    whose number is still stored; returns how many numbers were forgotten."""
    with db.transaction(immediate=True) as conn:
        recorded = {row["phone_hash"]: row["forgotten_at"] for row in conn.execute(SQL["forgotten_all"]).fetchall()}
        stamp = utc_text(db.clock.now())
        for missing in set(hashes) - set(recorded):
            conn.execute(SQL["forgotten_add"], (missing, stamp))
    wanted = set(recorded) | set(hashes)
    phones = [row["phone"] for row in db.engine.read(SQL["known_phones"]) if row["phone"] != FORGOTTEN]
    again = [phone for phone in phones if phone_hash(phone) in wanted]
    for phone in again:
        forget_phone(db, phone)
    return len(again)


def forgotten_hashes(db) -> set[str]:
    return {row["phone_hash"] for row in db.engine.read(SQL["forgotten_all"])}


def anonymise_before(db, cutoff: datetime) -> Forgotten:
    """Anonymise orders, texts and abandoned carts created before `cutoff`."""
    stamp = utc_text(cutoff)
    with db.transaction(immediate=True) as conn:
        texts = _blank_texts(conn, _ORDERS_WHERE["before"], (stamp,))
        texts += conn.execute("UPDATE outbox SET to_phone = ?, body = '' WHERE order_id IS NULL AND created_at < ? "
                              "AND to_phone <> ?", (FORGOTTEN, stamp, FORGOTTEN)).rowcount
        orders = conn.execute("UPDATE orders SET customer_name = NULL, customer_phone = NULL, notes = NULL "
                              f"WHERE {_ORDERS_WHERE['before']}", (stamp,)).rowcount
        carts = conn.execute("UPDATE abandoned_carts SET phone = NULL, masked_phone = NULL, summary = '' "
                             "WHERE created_at < ? AND (phone IS NOT NULL OR summary <> '')", (stamp,)).rowcount
        conn.execute(_BLANK_CALL_MESSAGES + "created_at < ? AND (phone IS NOT NULL OR message <> '')", (stamp,))
        calls = conn.execute(f"UPDATE calls SET {_CALL_WORDS}, cart_summary = NULL WHERE started_at < ? AND "
                             "(caller IS NOT NULL OR transcript IS NOT NULL OR recording_url IS NOT NULL OR "
                             "stereo_recording_url IS NOT NULL OR summary IS NOT NULL OR structured IS NOT NULL OR "
                             "cart_summary IS NOT NULL)", (stamp,)).rowcount
    if orders or texts or carts or calls:
        _scrub(db)
        log.info("anonymised history before %s: %d orders, %d texts, %d abandoned carts, %d calls", stamp[:10], orders,
                 texts, carts, calls)
    return Forgotten(orders, texts, carts, calls)


def _scrub(db) -> None:
    """The old values are overwritten in the file (secure_delete); fold the write-ahead log, which still holds
    the pages as they were, into the file and empty it."""
    if not db.checkpoint():
        log.warning("the write-ahead log could not be emptied while a reader held it; it is at the next checkpoint")


def _blank_texts(conn, where: str, params: tuple) -> int:
    return conn.execute(_BLANK_TEXTS.format(where=where), (FORGOTTEN, *params)).rowcount
