"""Putting lines in a call's cart: refused whole when the kitchen has run out of something or the order grows past
the shop's limit (the cart tools and a repeated order share this)."""
from __future__ import annotations

from kebabalab.ordering.cart import check_size
from kebabalab.ordering.lines import CartLine
from kebabalab.shop.availability import check_available


def add_to_cart(services, session, kitchen, lines: list[CartLine]) -> int:
    """Append `lines` to the session's cart, all or none; returns the index of the first one added."""
    check_available(services.menu, kitchen, lines)
    check_size(session.cart + lines, services.business.max_items_per_order)
    start = len(session.cart)
    session.cart = session.cart + lines
    return start


def replace_line(services, session, kitchen, index: int, line: CartLine) -> None:
    """Put `line` in place of the cart's line `index` (an edit), under the same checks as adding it."""
    check_available(services.menu, kitchen, [line])
    cart = list(session.cart)
    cart[index] = line
    check_size(cart, services.business.max_items_per_order)
    session.cart = cart

