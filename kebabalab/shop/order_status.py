"""Where an order is in the kitchen, and which moves are allowed: pure policy.

    new -> preparing -> ready -> collected, and any status -> cancelled
    awaiting -> new (the customer's YES by text, or staff), awaiting -> cancelled (no YES in 15 minutes)

Each move can be taken back one step (undo); a cancelled order goes back to the status it was cancelled
from. The move itself (status, event row and 'ready' text in one transaction) is service/status.py over
store/status.py.

The board shows one trading day: from 5 am to 5 am in the shop's time zone (`Hours.trading_day`, as the order
numbers and `availability.py` count it), so an order placed at 00:30 on Saturday belongs to Friday night's board.
"""
from __future__ import annotations

FLOW = ("new", "preparing", "ready", "collected")
AWAITING = "awaiting"  # a first-time caller's big order, waiting for their YES (shop/order_guard.py): not cooked
STATUSES = FLOW + ("cancelled", AWAITING)


class OrderNotFound(LookupError):
    """No order has that number."""


class MoveRefused(Exception):
    """The move is not allowed from the order's status; the message says why, for the person who tapped."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_move(current: str, target: str, cancelled_from: str | None = None) -> None:
    """Raise MoveRefused unless `current -> target` is allowed (`cancelled_from`: the status before a cancel)."""
    if target not in STATUSES:
        raise MoveRefused(f"Unknown status {target!r}; use one of {', '.join(STATUSES)}.")
    if target == current:
        raise MoveRefused(f"The order is already {current}.")
    if target == "cancelled":
        return
    if current == "cancelled":
        back = cancelled_from or "new"
        if target != back:
            raise MoveRefused(f"A cancelled order can only go back to {back}.")
        return
    if current == AWAITING:
        if target != "new":
            raise MoveRefused("An order awaiting the customer's YES can only be confirmed (new) or cancelled.")
        return
    if target == AWAITING:
        raise MoveRefused("Only the phone line places an order awaiting the customer's YES.")
    if abs(FLOW.index(target) - FLOW.index(current)) != 1:
        raise MoveRefused(f"An order can't go from {current} to {target}; it moves one step at a time.")


def undo_target(current: str, cancelled_from: str | None = None) -> str:
    """The status one step back from `current`."""
    if current == "cancelled":
        return cancelled_from or "new"
    if current in ("new", AWAITING):
        raise MoveRefused(f"A{'n' if current == AWAITING else ''} {current} order has nothing to undo.")
    return FLOW[FLOW.index(current) - 1]


def decide_move(status: str, display_number: str, target: str | None, *, undo: bool = False,
                expected: str | None = None, cancelled_from: str | None = None) -> str:
    """The status an order at `status` moves to (MoveRefused if it may not): `target`, or one step back with `undo`.
    `expected`: the status the person saw; if the order has moved since, the move is refused."""
    if expected is not None and expected != status:
        raise MoveRefused(f"Order {display_number} is {status} now, not {expected}.")
    target = undo_target(status, cancelled_from) if undo else (target or "")
    check_move(status, target, cancelled_from)
    return target
