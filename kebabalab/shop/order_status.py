"""Where an order is in the kitchen, and which moves are allowed: pure policy.

    new -> preparing -> ready -> collected, any open status -> collected in one tap (a walk-in paying at the
    counter), and any status -> cancelled
    awaiting -> new (the customer's YES by text, or staff), awaiting -> cancelled (no YES in 15 minutes)

Each move can be taken back one step (undo); a cancelled or collected order goes back to the status it came
from (`came_from`, the status before its last move). The move itself (status, event row and 'ready' text in one transaction) is service/status.py over
store/status.py.

The board shows one trading day: from 5 am to 5 am in the shop's time zone (`Hours.trading_day`, as the order
numbers and `availability.py` count it), so an order placed at 00:30 on Saturday belongs to Friday night's board.
"""
from __future__ import annotations

from dataclasses import dataclass

FLOW = ("new", "preparing", "ready", "collected")
AWAITING = "awaiting"  # a first-time caller's big order, waiting for their YES (shop/order_guard.py): not cooked
STATUSES = FLOW + ("cancelled", AWAITING)
OPEN = ("new", "preparing", "ready")
# The board's columns, in order: (key, heading, the statuses shown in it). Every status is in exactly one; an
# order awaiting the customer's YES shows in New, marked, its button "Confirmed by phone".
BOARD_COLUMNS = (("new", "New", (AWAITING, "new")), ("preparing", "Preparing", ("preparing",)),
                 ("ready", "Ready", ("ready",)), ("done", "Collected & cancelled", ("collected", "cancelled")))
MAIN_ACTIONS = {AWAITING: ("new", "Confirmed by phone"), "new": ("preparing", "Start"),
                "preparing": ("ready", "Ready"), "ready": ("collected", "Collected")}


class OrderNotFound(LookupError):
    """No order has that number."""


class UnknownStatus(ValueError):
    """An order's stored status is not one the board knows: shown as an error, never filed as done."""


@dataclass(frozen=True)
class Action:
    to: str  # the target status, "undo", or "edit" (change the order's lines)
    label: str
    place: str  # "main" (the one big button), "side" (small, beside it), "more" (away from it, confirmed)


class MoveRefused(Exception):
    """The move is not allowed from the order's status; the message says why, for the person who tapped."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_move(current: str, target: str, came_from: str | None = None) -> None:
    """Raise MoveRefused unless `current -> target` is allowed (`came_from`: the status before the last move)."""
    if target not in STATUSES:
        raise MoveRefused(f"Unknown status {target!r}; use one of {', '.join(STATUSES)}.")
    if target == current:
        raise MoveRefused(f"The order is already {current}.")
    if target == "cancelled" or (target == "collected" and current in OPEN):
        return
    if current in ("cancelled", "collected"):
        back = came_from or ("new" if current == "cancelled" else "ready")
        if target != back:
            raise MoveRefused(f"A {current} order can only go back to {back}.")
        return
    if current == AWAITING:
        if target != "new":
            raise MoveRefused("An order awaiting the customer's YES can only be confirmed (new) or cancelled.")
        return
    if target == AWAITING:
        raise MoveRefused("Only the phone line places an order awaiting the customer's YES.")
    if abs(FLOW.index(target) - FLOW.index(current)) != 1:
        raise MoveRefused(f"An order can't go from {current} to {target}; it moves one step at a time.")


def undo_target(current: str, came_from: str | None = None) -> str:
    """The status one step back from `current` (a cancelled or collected order: the one it came from)."""
    if current in ("new", AWAITING):
        raise MoveRefused(f"A{'n' if current == AWAITING else ''} {current} order has nothing to undo.")
    if current in ("cancelled", "collected"):
        return came_from or ("new" if current == "cancelled" else "ready")
    return FLOW[FLOW.index(current) - 1]


def decide_move(status: str, display_number: str, target: str | None, *, undo: bool = False,
                expected: str | None = None, came_from: str | None = None) -> str:
    """The status an order at `status` moves to (MoveRefused if it may not): `target`, or one step back with `undo`.
    `expected`: the status the person saw; if the order has moved since, the move is refused."""
    if expected is not None and expected != status:
        raise MoveRefused(f"Order {display_number} is {status} now, not {expected}.")
    target = undo_target(status, came_from) if undo else (target or "")
    check_move(status, target, came_from)
    return target


def column_of(status: str) -> str:
    """The board's column for a status; UnknownStatus for one the flow does not know."""
    for key, _, statuses in BOARD_COLUMNS:
        if status in statuses:
            return key
    raise UnknownStatus(f"unknown status {status!r}: the board shows {', '.join(STATUSES)}")


def board_actions(status: str) -> list[Action]:
    """The buttons on an order's card: its next step big; Undo and a one-tap Collected (a walk-in who paid and
    left) small beside it; Change and Cancel away from them, behind 'More' (a cancel is confirmed)."""
    actions = []
    if status in MAIN_ACTIONS:
        actions.append(Action(*MAIN_ACTIONS[status], "main"))
    if status not in ("new", AWAITING) and status in STATUSES:
        actions.append(Action("undo", "Undo", "side"))
    if status in ("new", "preparing"):
        actions.append(Action("collected", "Collected", "side"))
    if status in OPEN:
        actions.append(Action("edit", "Change order", "more"))
    if status in OPEN or status == AWAITING:
        actions.append(Action("cancelled", "Cancel order", "more"))
    return actions
