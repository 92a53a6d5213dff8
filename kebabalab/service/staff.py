"""Staff members with their own PIN (the board and the CLI): add, remove, list, and who a PIN signs in.

A PIN is kept only as a salted scrypt hash (werkzeug's `scrypt:n:r:p$salt$hex` form, so either can read it).
Members are one shop's (staff_members.shop_id): every member of a shop has a different PIN, so a PIN entered on
that shop's board says who is signing in; the same PIN at another shop is another person. Until a shop's first
member is added its shared password signs in as the owner (web/staff_auth.py); once one exists only PINs do.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from kebabalab.shop.staff import StaffRefused, check_name, check_pin, check_removal, check_role
from kebabalab.store.staff_members import MemberExists, Member, add_member, members, remove_member

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1


@dataclass(frozen=True)
class Person:
    """Who a PIN signs in: their name on orders, their role, their member id."""
    name: str
    role: str
    staff_id: int


def hash_pin(pin: str, n: int = SCRYPT_N) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.scrypt(pin.encode(), salt=salt.encode(), n=n, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=132 * n * SCRYPT_R * SCRYPT_P).hex()
    return f"scrypt:{n}:{SCRYPT_R}:{SCRYPT_P}${salt}${digest}"


def pin_matches(stored: str, pin: str) -> bool:
    """Compared in constant time; a stored value in another form never matches."""
    try:
        method, salt, digest = stored.split("$")
        name, n, r, p = method.split(":")
        if name != "scrypt":
            return False
        given = hashlib.scrypt(pin.encode(), salt=salt.encode(), n=int(n), r=int(r), p=int(p),
                               maxmem=132 * int(n) * int(r) * int(p)).hex()
    except ValueError:
        return False
    return hmac.compare_digest(given.encode(), digest.encode())


def identify(db, pin: str, shop_id: str = "main") -> Person | None:
    """The member whose PIN this is, or None."""
    for member in members(db, shop_id):
        if pin_matches(member.pin_hash, pin):
            return Person(member.name, member.role, member.id)
    return None


def add_staff(db, clock, name: object, role: object, pin: object, shop_id: str = "main") -> Member:
    """A new member (StaffRefused with a sentence when the name, role or PIN will not do)."""
    name, role, pin = check_name(name), check_role(role), check_pin(pin)
    if identify(db, pin, shop_id) is not None:
        raise StaffRefused("Someone already has that PIN; choose another.")
    try:
        member_id = add_member(db, name, role, hash_pin(pin), clock.now(), shop_id)
    except MemberExists:
        raise StaffRefused(f"There is already a {name}; add a surname or initial.") from None
    return next(m for m in members(db, shop_id) if m.id == member_id)


def remove_staff(db, member_id: int, shop_id: str = "main") -> Member:
    """Remove a member and end their sessions (StaffRefused: no such member, or the last owner)."""
    current = members(db, shop_id)
    member = next((m for m in current if m.id == member_id), None)
    if member is None:
        raise StaffRefused("No such staff member; reload the page.")
    check_removal(current, member_id)
    remove_member(db, member_id, shop_id)
    return member
