"""Finding a caller's own orders: those placed today from their number, for "where's my order?"."""
from __future__ import annotations

from datetime import datetime

from kebabalab.store.calls import orders_called_from
from kebabalab.store.records import StoredOrder

MAX_ORDERS_A_DAY = 20  # more orders than this from one number in a day: the latest 20


def todays_orders_from(services, phone: str, now: datetime) -> list[StoredOrder]:
    """The orders of the trading day at `now` left under `phone` (E.164) or placed on a call from it, newest
    first."""
    day = services.hours.trading_day(now)[0].isoformat()
    found = {order.id: order for order in services.db.orders_for_phone(phone, limit=MAX_ORDERS_A_DAY)
             if order.order_day == day}
    found.update((order.id, order) for order in orders_called_from(services.db, phone, day, services.shop.id))
    return sorted(found.values(), key=lambda order: (order.created_at, order.id), reverse=True)[:MAX_ORDERS_A_DAY]
