"""Who may do what on the board, and what a staff member's name and PIN must be: pure policy.

Two roles: the owner manages staff, prices and the menu (and does everything staff do); staff move and edit
orders. Until the first member is added, the shared STAFF_PASSWORD signs in as the owner.
"""
from __future__ import annotations

import re

ROLES = ("owner", "staff")
PIN_DIGITS = (6, 8)  # the board is on the internet: 4 digits fall to the shop-wide limit of tries in days
NAME_LENGTH = 30


class StaffRefused(ValueError):
    """A member cannot be added or removed; the message says why, for the owner who tried."""


def check_name(name: object) -> str:
    """The name as shown on orders ('Ali'), or StaffRefused."""
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean or len(clean) > NAME_LENGTH or not all(c.isprintable() for c in clean):
        raise StaffRefused(f"Give a name of 1 to {NAME_LENGTH} letters, as it should show on orders.")
    return clean


def check_role(role: object) -> str:
    if role not in ROLES:
        raise StaffRefused(f"The role is one of {', '.join(ROLES)}.")
    return role


def check_pin(pin: object) -> str:
    low, high = PIN_DIGITS
    if not isinstance(pin, str) or not re.fullmatch(rf"\d{{{low},{high}}}", pin):
        raise StaffRefused(f"A PIN is {low} to {high} digits.")
    return pin


def check_removal(members: list, member_id: int) -> None:
    """The last owner stays: without one nobody could manage staff (the shared password is off by then)."""
    owners = [m for m in members if m.role == "owner"]
    if len(owners) == 1 and owners[0].id == member_id and len(members) > 1:
        raise StaffRefused("Keep at least one owner: add another owner before removing this one.")
