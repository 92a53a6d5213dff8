"""What every staff page and its API share: the sign-in guard, CSRF, security headers, the signed-in person's role.

A new page of the board is a Blueprint made by `staff_blueprint()` in its own module under web/, registered in
web/app.py. Signed out, its pages redirect to the sign-in and its API answers 401; every POST needs the session's
CSRF token; `owner_required` keeps a route to the owner (prices, menu, staff, takings).
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for

from kebabalab.errors import StoreError
from kebabalab.shop.staff import ROLES  # noqa: F401  (the roles, where pages look for them)

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Staff:
    """Who is signed in: the shared staff password signs in as the owner."""
    name: str
    role: str


def auth():
    return current_app.extensions["kebabalab_staff"]


def services():
    """The signed-in shop's services (ShopServices): every page and API sees that shop's orders only."""
    return current_app.extensions["kebabalab"].for_shop(auth().shop())


def shop_services(shop_id: str):
    """A shop's services by id (None when there is no such shop), for its sign-in page."""
    return current_app.extensions["kebabalab"].for_shop(shop_id)


def shop_title(view) -> str:
    """A shop's name as its pages head it (ShopServices `view`): the business name, and with several shops the
    shop's id after it, so a tablet shows which branch it is signed in to (a business.json copied from another
    shop names that one until it is edited)."""
    name = view.business.name
    return name if len(view.shops.ids()) == 1 else f"{name} ({view.shop.id})"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def error(status: int, message: str, **extra):
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def current_staff() -> Staff | None:
    """The signed-in person, or None."""
    if not auth().signed_in():
        return None
    return Staff(name=session.get("staff_name") or "Owner", role=session.get("role") or "owner")


def guard(public: frozenset[str] = frozenset(), csrf_refused=None):
    """Before every request of a staff blueprint: signed in (unless public) to the shop the path names, if it
    names one (`<shop>`), and a CSRF token on every POST."""
    wanted = (request.view_args or {}).get("shop")
    if wanted is not None and shop_services(wanted) is None:
        return error(404, f"there is no shop {wanted}")
    signed_in = auth().signed_in(wanted) and shop_services(auth().shop()) is not None
    if request.endpoint not in public and not signed_in:
        if wants_json():
            return error(401, "sign in to the board first")
        return redirect(url_for("board.login", shop=wanted or auth().shop()))
    if request.method not in SAFE_METHODS and not auth().csrf_ok():
        log.warning("board: %s %s refused without a valid CSRF token", request.method, request.path)
        if wants_json() or csrf_refused is None:
            return error(403, "missing or wrong CSRF token; reload the board")
        return csrf_refused()
    return None


def _store_error(exc: StoreError):
    """The database busy or gone (sign-in tries and sessions live there): a sentence, not a crash."""
    return error(503, str(exc))


def _headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def staff_blueprint(name: str, import_name: str, public: tuple[str, ...] = (), csrf_refused=None) -> Blueprint:
    """A Blueprint whose every route needs a staff session (but `public` endpoints) and CSRF on POST."""
    bp = Blueprint(name, import_name)
    bp.before_request(functools.partial(guard, frozenset(public), csrf_refused))
    bp.register_error_handler(StoreError, _store_error)
    bp.after_request(_headers)
    return bp


def owner_required(view):
    """Only the owner (prices, menu, staff, takings); anyone else signed in gets 403."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        staff = current_staff()
        if staff is None or staff.role != "owner":
            return error(403, "only the owner can do that; sign in as the owner")
        return view(*args, **kwargs)
    return wrapper
