"""How long the kitchen needs: the shop's lead time, grown by the queue and the size of the order."""
from __future__ import annotations

MINUTES_PER_QUEUED_ORDER = 2
ITEMS_BEFORE_EXTRA_TIME = 4


def lead_minutes(*, default_lead: int, minimum: int, queued_orders: int, items: int, busy_extra: int = 0) -> int:
    """Minutes from now until an order of `items` items can be ready.

    `queued_orders` are open orders due within the next half hour: each adds two minutes; every item past
    the fourth adds one; busy mode adds its minutes on top. Never below the shop's minimum lead.
    """
    extra = queued_orders * MINUTES_PER_QUEUED_ORDER + max(0, items - ITEMS_BEFORE_EXTRA_TIME)
    return max(minimum, default_lead + extra + max(0, busy_extra))
