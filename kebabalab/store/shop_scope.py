"""One shop's view of the shared stores: its orders, texts and abandoned carts in the one database (every row
carries its shop), and its calls' sessions under keys of its own, in memory or in Redis."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, TypeVar

from kebabalab.config import MAIN_SHOP
from kebabalab.store.records import NewOrder, OutboxMessage, StoredOrder

T = TypeVar("T")


class ShopDatabase:
    """The database as one shop sees it: every per-shop read and write names the shop. What is not per shop
    (the outbox sender's claims, sessions saved at a restart, transactions) is the database's own."""

    def __init__(self, db, shop_id: str):
        self.db, self.shop_id = db, shop_id

    def __getattr__(self, name: str):
        return getattr(self.db, name)

    def _key(self, key: str | None) -> str | None:
        """An idempotency key within the shop (keys are unique across the database): 'main' keeps its keys as
        they were, another shop's carry its id, so the same till form key or call cart at two shops is two orders."""
        return key if key is None or self.shop_id == MAIN_SHOP else f"{self.shop_id}/{key}"

    def place_order(self, new: NewOrder, compose: Callable[[StoredOrder], list[OutboxMessage]]) -> StoredOrder:
        return self.db.place_order(replace(new, shop_id=self.shop_id, idempotency_key=self._key(new.idempotency_key)),
                                   compose)

    def find_order(self, order_number: str) -> StoredOrder | None:
        return self.db.find_order(order_number, self.shop_id)

    def find_order_by_key(self, key: str) -> StoredOrder | None:
        order = self.db.find_order_by_key(self._key(key))
        return order if order is not None and order.shop_id == self.shop_id else None

    def orders_for_phone(self, e164: str, limit: int = 20) -> list[StoredOrder]:
        return self.db.orders_for_phone(e164, limit, self.shop_id)

    def orders_on_day(self, day: str) -> list[StoredOrder]:
        return self.db.orders_on_day(day, self.shop_id)

    def open_orders_due(self, start, end) -> int:
        return self.db.open_orders_due(start, end, self.shop_id)

    def record_abandoned_cart(self, call_id, phone, summary: str, total: int, at) -> int:
        return self.db.record_abandoned_cart(call_id, phone, summary, total, at, self.shop_id)

    def add_messages(self, messages: list[OutboxMessage], at=None) -> list[int]:
        return self.db.add_messages([replace(m, shop_id=self.shop_id) for m in messages], at)


def session_key(shop_id: str, call_id: str) -> str:
    """A call's key in the session store: the call id for 'main' (as before there were shops), else the shop's
    id before it, so no shop ever reads another's cart."""
    return call_id if shop_id == MAIN_SHOP else f"{shop_id}/{call_id}"


class ShopSessions:
    """The session store under one shop's keys."""

    def __init__(self, store, shop_id: str):
        self.store, self.shop_id = store, shop_id

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def update(self, call_id: str, fn: Callable) -> T:
        return self.store.update(session_key(self.shop_id, call_id), fn, shop_id=self.shop_id)

    def get(self, call_id: str):
        return self.store.get(session_key(self.shop_id, call_id))

    def session_clear(self, call_id: str):
        """The call's session, removed, with its own call id (not the store's key)."""
        session = self.store.session_clear(session_key(self.shop_id, call_id))
        return replace(session, call_id=call_id) if session is not None else None
