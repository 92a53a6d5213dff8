"""Where an order is in the kitchen, and which moves are allowed: pure policy.

    new -> preparing -> ready -> collected, and any status -> cancelled

Each move can be taken back one step (undo); a cancelled order goes back to the status it was cancelled
from. The move itself (status, event row and 'ready' text in one transaction) is service/status.py over
store/status.py.

The board shows one trading day: from 5 am to 5 am in the shop's time zone (`Hours.trading_day`, as the order
numbers and `availability.py` count it), so an order placed at 00:30 on Saturday belongs to Friday night's board.
"""
from __future__ import annotations

FLOW = ("new", "preparing", "ready", "collected")
STATUSES = FLOW + ("cancelled",)


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
    if abs(FLOW.index(target) - FLOW.index(current)) != 1:
        raise MoveRefused(f"An order can't go from {current} to {target}; it moves one step at a time.")


def undo_target(current: str, cancelled_from: str | None = None) -> str:
    """The status one step back from `current`."""
    if current == "cancelled":
        return cancelled_from or "new"
    if current == "new":
        raise MoveRefused("A new order has nothing to undo.")
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
