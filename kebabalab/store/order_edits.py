"""Every statement of changing an order's lines: the new lines and totals, the event with what changed, and
the customer's text, in one transaction. What the change is comes from the caller as `change`, and the text
as `texts`, so the store knows neither the menu's prices nor the texts' wording."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable

from kebabalab.store.orders import insert_messages
from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.status import SQL as STATUS_SQL

SQL = {
    "items_set": "UPDATE orders SET items = ?, subtotal = ?, gst = ?, total = ? WHERE id = ?",
}


@dataclass(frozen=True)
class ItemsChange:
    items: list[dict]
    subtotal: int
    gst: int
    total: int
    detail: str  # for the order's history


@dataclass(frozen=True)
class ItemsChanged:
    before: StoredOrder
    after: StoredOrder
    detail: str
    texted: bool


def change_items(db, order_number: str, change: Callable[[StoredOrder], ItemsChange], *, actor: str, at: datetime,
                 texts: Callable[[StoredOrder], list], shop_id: str) -> ItemsChanged | None:
    """Read the shop's order (locked), let `change(order)` decide its new lines (it raises to refuse), write them
    with an event saying what changed, and queue `texts(order after)`. None when the shop has no such order."""
    stamp = utc_text(at)
    lock = " FOR UPDATE" if db.engine.row_locks else ""
    with db.transaction(immediate=True) as conn:
        row = conn.execute(STATUS_SQL["order"] + lock, (shop_id, order_number)).fetchone()
        if row is None:
            return None
        before = StoredOrder.from_row(row)
        new = change(before)
        conn.execute(SQL["items_set"], (json.dumps(new.items), new.subtotal, new.gst, new.total, before.id))
        conn.execute(STATUS_SQL["event_add"], (before.id, before.status, before.status, actor, stamp, new.detail))
        after = StoredOrder.from_row(conn.execute(STATUS_SQL["order"], (shop_id, order_number)).fetchone())
        texted = bool(insert_messages(conn, [replace(m, shop_id=shop_id) for m in texts(after)], stamp, due=None))
    return ItemsChanged(before, after, new.detail, texted)
