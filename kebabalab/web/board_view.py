"""The board's view of orders: what the kitchen reads on a card, as JSON, in the shop's time zone.

The server says everything the board shows about time (the clock, minutes until due, 'soon' and 'late') from
its own clock, so a tablet set to another zone, or wrong, shows the shop's time. Orders come sorted by when
they are due; each names its column (from the status list: an unknown status is an error on the board, never
a silent "done"), its kitchen lines, whether its note is about an allergy, its actions and its history.
"""
from __future__ import annotations

from datetime import datetime

from kebabalab.ordering import pricing
from kebabalab.ordering.kitchen_lines import kitchen_lines
from kebabalab.ordering.phones import mask_phone
from kebabalab.ordering.validation import clean_text
from kebabalab.shop.due import DUE_SOON_MINUTES, due
from kebabalab.shop.hours import spoken_time
from kebabalab.shop.order_status import BOARD_COLUMNS, STATUSES, UnknownStatus, board_actions, column_of

EVENT_WORDS = {"preparing": "started", "ready": "marked ready", "collected": "marked collected",
               "cancelled": "cancelled", "new": "put back to new"}


def clock_text(moment: datetime) -> str:
    """A kitchen clock's reading of a shop-local time: '6:05 pm'."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def history_json(events: list[dict], hours) -> list[dict]:
    """Who changed the order and when (shop time), oldest first: {"at", "who", "what"}."""
    return [{"at": clock_text(hours.local(datetime.fromisoformat(e["created_at"]))), "who": e["actor"] or "?",
             "what": e.get("detail") or _event_words(e)} for e in events]


def _event_words(event: dict) -> str:
    before, after = event["from_status"], event["to_status"]
    if before is None:
        return "took the order"
    if before in STATUSES and after in STATUSES and STATUSES.index(after) < STATUSES.index(before):
        return f"put back to {after}"
    return EVENT_WORDS.get(after, after)


def order_json(order, hours, events: list[dict] | None = None, *, now: datetime | None = None,
               menu=None, texts: dict | None = None) -> dict:
    """One order as the board and other tills read it; money in dollars, times in the shop's time zone.
    With `now`: minutes until due; with `menu`: the kitchen's lines; with `texts`, its texts and their
    delivery (web/order_texts.py)."""
    ready = hours.local(datetime.fromisoformat(order.ready_at)) if order.ready_at else None
    shown = {"orderNumber": order.order_number, "displayNumber": order.display_number, "status": order.status,
             "customerName": clean_text(order.customer_name), "customerPhone": mask_phone(order.customer_phone),
             "pickupAt": ready.isoformat(timespec="seconds") if ready else None,
             "pickupSpoken": spoken_time(ready) if ready else None,
             "items": [{"quantity": int(i.get("quantity") or 1),
                        "description": clean_text(i.get("description")) or "item"} for i in order.items],
             "notes": clean_text(order.notes), "allergyNote": clean_text(order.allergy_note),
             "total": pricing.dollars(order.total),
             "placedAt": hours.local(datetime.fromisoformat(order.created_at)).isoformat(timespec="seconds"),
             "history": history_json(events or [], hours), **(texts or {})}
    if now is not None:
        shown.update(_board_fields(order, ready, now, menu))
    return shown


def _board_fields(order, ready: datetime | None, now: datetime, menu) -> dict:
    when = due(now, ready, order.status) if ready else None
    try:
        column, error = column_of(order.status), None
    except UnknownStatus as exc:
        column, error = None, str(exc)
    return {"pickupClock": clock_text(ready) if ready else None,
            "due": {"minutes": when.minutes, "mark": when.mark, "text": when.text} if when else None,
            "allergy": bool(order.allergy_note), "column": column, "error": error,
            "counter": order.call_id is None,
            "lines": [{"text": clean_text(k.text), "kind": k.kind, "level": k.level}
                      for item in order.items for k in kitchen_lines(menu, item)],
            "actions": [{"to": a.to, "label": a.label, "place": a.place} for a in board_actions(order.status)]}


def due_order(order) -> tuple:
    """Sort key: the order due first comes first (an order without a time last), then by number."""
    return (order.ready_at is None, order.ready_at or "", order.day_seq)


def board_json(day: str, now_local: datetime, orders: list, events: dict, hours, menu, texts: dict) -> dict:
    """The whole board: the shop's clock, the columns and the day's orders sorted by when they are due."""
    ordered = sorted(orders, key=due_order)
    return {"day": day, "now": now_local.isoformat(timespec="seconds"), "clock": clock_text(now_local),
            "dueSoonMinutes": DUE_SOON_MINUTES, "statuses": list(STATUSES),
            "columns": [{"key": key, "title": title, "statuses": list(statuses)}
                        for key, title, statuses in BOARD_COLUMNS],
            "orders": [order_json(o, hours, events.get(o.id), now=now_local, menu=menu, texts=texts.get(o.id))
                       for o in ordered]}
