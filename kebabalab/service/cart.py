"""Putting lines, or the caller's own words, in a call's cart: refused whole when the kitchen has run out of something
or the order grows past the shop's limit (the cart tools and a repeated order share this)."""
from __future__ import annotations

from kebabalab.ordering.cart import check_size
from kebabalab.ordering.lines import CartLine
from kebabalab.ordering.parser import Reading, read_order
from kebabalab.ordering.sold_out import check_available


def add_to_cart(services, session, kitchen, lines: list[CartLine]) -> int:
    """Append `lines` to the session's cart, all or none; returns the index of the first one added."""
    check_available(services.menu, kitchen.sold_out, lines)
    check_size(session.cart + lines, services.business.max_items_per_order)
    start = len(session.cart)
    session.cart = session.cart + lines
    return start


def add_said(services, session, kitchen, in_force, words: str) -> tuple[Reading, int]:
    """The caller's words read against the menu the tool call began with (`in_force`: the menu and its parser
    words), then added as add_to_cart adds lines; the reading, and the index of its first line."""
    reading = read_order(in_force.menu, words, in_force.lexicon)
    check_available(services.menu, kitchen.sold_out, reading.lines)
    check_size(session.cart + reading.lines, services.business.max_items_per_order)
    start = len(session.cart)
    session.cart = session.cart + reading.lines
    return reading, start


def replace_line(services, session, kitchen, index: int, line: CartLine) -> None:
    """Put `line` in place of the cart's line `index` (an edit), under the same checks as adding it."""
    check_available(services.menu, kitchen.sold_out, [line])
    cart = list(session.cart)
    cart[index] = line
    check_size(cart, services.business.max_items_per_order)
    session.cart = cart

