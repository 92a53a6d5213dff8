"""Staff sign-in for the order board: the password hash, the session cookie, CSRF tokens and the lock-out.

- STAFF_PASSWORD (a PIN or a password) is hashed with scrypt (werkzeug) when the app starts; only the hash
  is kept. A value that already is a werkzeug hash (`scrypt:...$...$...`, `pbkdf2:...`) is used as it is,
  so the plain password need not sit in the environment. With no STAFF_PASSWORD the board is off.
- The session is Flask's signed cookie: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS
  (directly or through a proxy that says `X-Forwarded-Proto: https`), 12 hours at most.
- The cookie's signing key must be the same in every worker. It is derived with HMAC-SHA256 from the
  webhook's secrets (VAPI_WEBHOOK_SECRET, VAPI_HMAC_SECRET, which every worker has and which are long and
  random) together with STAFF_PASSWORD (so changing the password signs everybody out), under a fixed label:
  the key reveals nothing about them. Without a webhook secret (a single-process `make run`) the key is
  random per process and a restart signs staff out. A PIN alone is never the key: it could be guessed
  offline from any cookie.
- Staff members with their own PIN (service/staff.py) sign in as themselves; until the first member is added
  STAFF_PASSWORD signs in as the owner, and once one exists only PINs do (the owner adds people on the staff
  page or with `kebabalab staff-add`). Members are one shop's: a PIN entered on /board/<shop> is looked up among
  that shop's members only (the same PIN at another shop is another person), and each shop's own password
  gives way to PINs once that shop has a member.
- Every POST carries the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`).
- Five wrong passwords from one address at one shop's board within 15 minutes lock that address out of that
  board for 15 minutes (429), and each shop as a whole gets a limited number of tries: counted in the database
  before the password is checked (login_guard.py), so parallel sign-ins, several workers and a restart change
  nothing. Another shop's tablets behind the same address (one brand's office network) are not locked out.
- The cookie names a session kept on the server (staff_sessions.py): signing out ends it for every copy of
  the cookie, and "sign out all tablets" ends them all.
- Many shops: each shop's board has its own password (shop.json's `staffPassword`; STAFF_PASSWORD for
  'main'). A session is one shop's, in the cookie and in its row on the server, so a tablet signed in to one
  shop is signed out of every other (web/staff_pages.py hands each request that shop's services only).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import check_password_hash, generate_password_hash

from kebabalab.config import MAIN_SHOP
from kebabalab.service.staff import Person, identify
from kebabalab.store.login_guard import LoginGuard
from kebabalab.store.staff_members import member_count
from kebabalab.store.staff_sessions import StaffSessions

log = logging.getLogger(__name__)

COOKIE_NAME = "kebabalab_staff"
SESSION_LIFETIME = timedelta(hours=12)
CSRF_FIELD, CSRF_HEADER = "csrf_token", "X-CSRF-Token"
_KEY_LABEL = b"kebabalab staff session cookie v1"
_HASH_PREFIXES = ("scrypt:", "pbkdf2:")


def hash_password(configured: str) -> str | None:
    """The stored hash for STAFF_PASSWORD (scrypt), or the value itself when it already is a hash."""
    if not configured:
        return None
    if configured.startswith(_HASH_PREFIXES) and configured.count("$") == 2:
        return configured
    return generate_password_hash(configured, method="scrypt")


def session_key(settings) -> bytes:
    """The cookie's signing key: shared by every worker when a webhook secret is set, else random."""
    shared = [settings.vapi_webhook_secret, settings.vapi_hmac_secret]
    if not any(shared):
        return secrets.token_bytes(32)
    material = "\0".join([*shared, settings.staff_password]).encode("utf-8")
    return hmac.new(material, _KEY_LABEL, hashlib.sha256).digest()


def request_is_https() -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.is_secure or forwarded == "https"


STAFF_PATHS = ("/board", "/api/")


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request itself was HTTPS. Only the board and its API
    have a staff session: /webhook and /health never read or set the cookie (and skip its cost)."""

    def open_session(self, app, request):
        if not request.path.startswith(STAFF_PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return request_is_https()


class StaffAuth:
    """The boards' sign-in: each shop's staff PINs (or, before its first member, its own shared password: STAFF_PASSWORD
    for 'main', shop.json's staffPassword for another), the lock-out, the CSRF token."""

    def __init__(self, settings, clock, db, passwords: dict[str, str] | None = None):
        self.db = db
        passwords = passwords if passwords is not None else {MAIN_SHOP: settings.staff_password}
        self.password_hashes = {shop: hash_password(password) for shop, password in passwords.items()}
        self.guard = LoginGuard(db, clock)
        self.sessions = StaffSessions(db, clock, SESSION_LIFETIME)
        for shop, password in passwords.items():
            if password and len(password) < 6:
                log.warning("%s is shorter than 6 characters; the lock-out slows guessing, a longer PIN stops it",
                            "STAFF_PASSWORD" if shop == MAIN_SHOP else f"shop {shop}'s staffPassword")

    @property
    def password_hash(self) -> str | None:
        return self.password_hashes.get(MAIN_SHOP)

    @property
    def enabled(self) -> bool:
        return self.enabled_for(MAIN_SHOP)

    def enabled_for(self, shop: str) -> bool:
        """The shop's board can be signed in to: it has a password or a staff member."""
        return self.password_hashes.get(shop) is not None or member_count(self.db, shop) > 0

    def check(self, password: str, shop: str = MAIN_SHOP) -> bool:
        """The shop's shared staff password (STAFF_PASSWORD for 'main', shop.json's staffPassword otherwise)."""
        hashed = self.password_hashes.get(shop)
        return hashed is not None and bool(password) and check_password_hash(hashed, password)

    def identify(self, secret: str, shop: str = MAIN_SHOP) -> Person | None:
        """Who `secret` signs in at `shop`'s board: one of that shop's members by PIN once it has members, else
        the shop's shared password as its owner."""
        if not secret:
            return None
        if member_count(self.db, shop):
            return identify(self.db, secret, shop)
        return Person("Owner", "owner", None) if self.check(secret, shop) else None

    @staticmethod
    def shop() -> str:
        """The shop whose board this session is signed in to ('main' when none)."""
        return session.get("shop") or MAIN_SHOP

    def signed_in(self, shop: str | None = None) -> bool:
        """Signed in (to `shop`'s board, when given; to any one shop's otherwise)."""
        mine = self.shop()
        return session.get("staff") is True and (shop is None or shop == mine) and \
            self.sessions.alive(session.get("sid"), mine)

    def sign_in(self, name: str = "Owner", role: str = "owner", staff_id: int | None = None,
                shop: str = MAIN_SHOP) -> None:
        """Start a session of `shop`'s board for `name` in `role` (the shared staff password signs in as the owner;
        a member's session carries their id, so removing them ends it)."""
        session.clear()  # a new session and token on sign-in: nothing planted before survives
        session.permanent = True
        session["staff"] = True
        session["staff_name"], session["role"] = name, role
        session["shop"] = shop
        session["sid"] = self.sessions.start(staff_id, shop)
        session["csrf"] = secrets.token_urlsafe(32)

    def sign_out(self) -> None:
        self.sessions.end(session.get("sid"))
        session.clear()

    @staticmethod
    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    @staticmethod
    def csrf_ok() -> bool:
        expected = session.get("csrf")
        given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
        return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def init_app(app, settings, clock, db, passwords: dict[str, str] | None = None) -> StaffAuth:
    """Configure the app's session cookie for staff and return the sign-in (`passwords`: each shop's)."""
    app.secret_key = app.secret_key or session_key(settings)
    app.session_interface = StaffSessionInterface()
    app.config.update(SESSION_COOKIE_NAME=COOKIE_NAME, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME)
    auth = StaffAuth(settings, clock, db, passwords)
    app.extensions["kebabalab_staff"] = auth
    return auth
