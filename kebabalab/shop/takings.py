"""A trading day's takings, worked out from its orders: totals and GST, items sold, orders by hour, phone against
counter. Pure: the orders come in (anything with the stored order's fields), money stays in cents."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kebabalab.shop.hours import TRADING_DAY_STARTS_AT_HOUR
from kebabalab.shop.order_status import AWAITING


@dataclass(frozen=True)
class Tally:
    """Orders and their money (cents, GST included)."""
    orders: int = 0
    total: int = 0

    def plus(self, total: int) -> "Tally":
        return Tally(self.orders + 1, self.total + total)


@dataclass(frozen=True)
class ItemSold:
    name: str
    quantity: int
    total: int  # cents


@dataclass(frozen=True)
class Takings:
    """One trading day. Cancelled orders count in `cancelled` only; orders still awaiting the customer's YES
    (the prank guard) are not takings yet; every other order is takings."""
    day: str
    orders: int
    total: int
    gst: int
    cancelled: int
    items: tuple[ItemSold, ...]  # most sold first
    by_hour: tuple[tuple[int, Tally], ...]  # (local hour, its orders) in the trading day's order, busy hours only
    phone: Tally  # placed by the phone line (orders with a call)
    counter: Tally  # keyed in at the counter (no call)


def tally(day: str, orders, menu, hours) -> Takings:
    """The takings of `orders` (one trading day's), read with the menu's names and the shop's clock."""
    kept = [order for order in orders if order.status not in ("cancelled", AWAITING)]
    items: dict[str, list[int]] = {}
    by_hour: dict[int, Tally] = {}
    phone, counter = Tally(), Tally()
    for order in kept:
        for item in order.items:
            name = _item_name(menu, item)
            counts = items.setdefault(name, [0, 0])
            counts[0] += int(item.get("quantity") or 1)
            counts[1] += int(item.get("line_total_cents") or 0)
        hour = hours.local(datetime.fromisoformat(order.created_at)).hour
        by_hour[hour] = by_hour.get(hour, Tally()).plus(order.total)
        if order.call_id:
            phone = phone.plus(order.total)
        else:
            counter = counter.plus(order.total)
    sold = sorted((ItemSold(name, q, t) for name, (q, t) in items.items()), key=lambda i: (-i.quantity, i.name))
    hours_in_order = sorted(by_hour, key=lambda h: (h - TRADING_DAY_STARTS_AT_HOUR) % 24)
    cancelled = sum(order.status == "cancelled" for order in orders)  # not those still awaiting a YES
    return Takings(day, len(kept), sum(o.total for o in kept), sum(o.gst for o in kept), cancelled,
                   tuple(sold), tuple((h, by_hour[h]) for h in hours_in_order), phone, counter)


def _item_name(menu, item: dict) -> str:
    """The menu's name for the line's item (sizes and options folded together), else what was said."""
    known = menu.items.get(item.get("item_id") or "")
    return known.name if known is not None else str(item.get("description") or "item")
