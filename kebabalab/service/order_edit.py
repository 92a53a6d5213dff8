"""Changing an order after the call (the board): lines added (read by the phone line's parser, priced by the
menu) or taken away; the old and new total recorded with who changed it, in one transaction with the order;
the customer texted the new receipt if they want it. Lines already on the order keep the price they were sold at."""
from __future__ import annotations

from dataclasses import dataclass

from kebabalab.errors import ToolError
from kebabalab.messaging.texts import compose_receipt, customer_text, money
from kebabalab.ordering import pricing
from kebabalab.ordering.cart import spoken_stored_item, stored_items
from kebabalab.ordering.sold_out import check_available
from kebabalab.ordering.validation import clean_text
from kebabalab.service.counter import read_lines
from kebabalab.shop.order_status import OPEN, OrderNotFound
from kebabalab.store.order_edits import ItemsChange, change_items


@dataclass(frozen=True)
class Edited:
    order: object  # as it now is
    old_total: int
    new_total: int
    detail: str  # what the history shows: "added 1 x coke can; took away chips; $15.00 -> $18.50"
    texted: bool


def edit_order(services, order_number: str, add: list[str], remove: list[int], actor: str,
               text_customer: bool = False, seen: list[str] | None = None) -> Edited:
    """Add the lines `add` says and take away the lines at `remove` (positions on the order, from 0).
    `seen`: the lines' descriptions as the tablet showed them; if the order's lines have changed since (another
    tablet changed it), positions would name other lines, so the change is refused.
    ToolError with a sentence, nothing changed, when the change will not do; OrderNotFound."""
    if not add and not remove:
        raise ToolError("Nothing to change: add a line or take one away.")
    new_lines = read_lines(services, add) if add else []
    check_available(services.menu, services.availability.in_force().sold_out, new_lines)
    added = stored_items(services.menu, new_lines)

    def change(order) -> ItemsChange:
        if order.status not in OPEN:
            raise ToolError(f"Order {order.display_number} is {order.status}; only an open order can be changed.")
        if seen is not None and seen != [clean_text(item.get("description")) or "item" for item in order.items]:
            raise ToolError(f"Order {order.display_number} was changed by someone else; reload the board and try "
                            "again.")
        if len(set(remove)) != len(remove) or any(not 0 <= i < len(order.items) for i in remove):
            raise ToolError(f"Order {order.display_number} has lines 0 to {len(order.items) - 1}; reload the board.")
        items = [item for i, item in enumerate(order.items) if i not in remove] + added
        if not items:
            raise ToolError("That would leave nothing on the order: cancel it instead.")
        total = sum(int(item["line_total_cents"]) for item in items)
        what = [f"added {spoken_stored_item(item)}" for item in added]
        what += [f"took away {spoken_stored_item(order.items[i])}" for i in sorted(remove)]
        detail = f"{'; '.join(what)}; {money(order.total)} -> {money(total)}"
        return ItemsChange(items, total, pricing.gst_of(total), total, detail)

    def receipt(after) -> list:
        if not text_customer:
            return []
        return customer_text("receipt", after, "Your order has changed. " + compose_receipt(after, services.business))

    result = change_items(services.db, order_number, change, actor=actor, at=services.clock.now(), texts=receipt,
                          shop_id=services.shop.id)
    if result is None:
        raise OrderNotFound(order_number)
    if result.texted:
        services.sender.wake()
    return Edited(result.after, result.before.total, result.after.total, result.detail, result.texted)
