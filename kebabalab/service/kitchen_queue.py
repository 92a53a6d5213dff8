"""How long the kitchen needs right now: the shop's lead time, grown by the open orders due soon."""
from __future__ import annotations

from datetime import datetime, timedelta

from kebabalab.shop.kitchen import lead_minutes

QUEUE_WINDOW_MINUTES = 30


def current_lead(services, now: datetime, items: int, busy_minutes: int) -> int:
    """Minutes until an order of `items` items can be ready, from the orders due in the next half hour."""
    queued = services.db.open_orders_due(now, now + timedelta(minutes=QUEUE_WINDOW_MINUTES))
    return lead_minutes(default_lead=services.business.default_lead_minutes,
                        minimum=services.hours.min_lead_minutes, queued_orders=queued, items=items,
                        busy_extra=busy_minutes)
