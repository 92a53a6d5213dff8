"""A day's orders as CSV for the accountant, safe to open in a spreadsheet.

Every text cell that a spreadsheet could run as a formula (one starting with =, +, -, @, a tab or a carriage
return: OWASP's "CSV Injection") gets a leading apostrophe, so a customer named "=HYPERLINK(...)" is shown, not
run; cells holding a comma or a quote are quoted by the csv module, so no cell can spill into the next.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("order", "placed_at", "channel", "status", "customer", "items", "subtotal", "gst", "total")


def neutralise(cell: str) -> str:
    """'=1+1' -> "'=1+1"; anything else unchanged."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _items(order) -> str:
    return "; ".join(f"{int(i.get('quantity') or 1)}x {i.get('description') or 'item'}" for i in order.items)


def orders_csv(orders, hours) -> str:
    """One row per order, oldest first, money in dollars with cents, times in the shop's time zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for order in orders:
        placed = hours.local(datetime.fromisoformat(order.created_at)).isoformat(timespec="seconds")
        texts = (order.order_number, placed, "phone" if order.call_id else "counter", order.status,
                 order.customer_name or "", _items(order))
        writer.writerow([neutralise(str(cell)) for cell in texts]
                        + [_amount(order.subtotal), _amount(order.gst), _amount(order.total)])
    return out.getvalue()
