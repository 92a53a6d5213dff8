"""The shop's order board and its JSON API, for the counter tablet or another till.

    GET  /board, /board/<shop>           a shop's board (signed in to it), polling /api/orders every 3 seconds;
                                         /board is the shop 'main's (a one-shop deployment's)
    GET  /board/login, POST /board/login sign in with STAFF_PASSWORD (form, or JSON {"password"}); another
         /board/<shop>/login             shop's board with its own password (shop.json's staffPassword)
    POST /board/logout                   sign out (the session ends on the server: a copied cookie stops working)
    POST /board/logout-all               sign out every tablet and till
    GET  /api/session                    {"signedIn", "csrfToken"}: a token to sign in with from a till
    GET  /api/orders                     today's orders (the shop's trading day), the one due first first, with
                                         the shop's clock and the board's columns
    POST /api/orders/<number>/status     {"status": "ready", "from": "preparing"} or {"undo": true}; a cancel
                                         with {"textCustomer": true} texts the customer
    GET  /api/availability, POST         sold-out marks, paused phone orders, busy minutes

A session is one shop's: the API answers with that shop's orders and kitchen only. Everything but sign-in
needs a staff session; every POST needs the session's CSRF token (`X-CSRF-Token`
header or `csrf_token` field). Signed out, pages redirect to the sign-in and the API answers 401.
"""
from __future__ import annotations

import logging

from flask import jsonify, redirect, render_template, request, session, url_for

from kebabalab.version import __version__
from kebabalab.shop.availability import KINDS, MAX_BUSY_MINUTES
from kebabalab.service.status import change_status, orders_today
from kebabalab.store.status import events_of_orders
from kebabalab.shop.order_status import BOARD_COLUMNS, MoveRefused, OrderNotFound
from kebabalab.web.board_view import board_json, clock_text, order_json  # noqa: F401  (order_json: for tills)
from kebabalab.config import MAIN_SHOP
from kebabalab.web.staff_pages import auth as _auth, error as _error, services as _services, shop_services, \
    shop_title
from kebabalab.web.staff_pages import current_staff, staff_blueprint, wants_json as _wants_json
from kebabalab.web.staff_auth import init_app as init_staff_auth
from kebabalab.web.order_texts import texts_fields
from kebabalab.ordering.validation import clean_text

log = logging.getLogger(__name__)

PUBLIC_ENDPOINTS = ("board.login", "board.session_info")
BUSY_CHOICES = (0, 10, 20, 30)


def _csrf_refused_page():
    return _login_page("That form had expired; please try again.", 403)


bp = staff_blueprint("board", __name__, public=PUBLIC_ENDPOINTS, csrf_refused=_csrf_refused_page)


def init_app(app, services) -> None:
    """Sign-in, session cookie and the board's routes on the app (create_app calls this once)."""
    passwords = {shop: services.for_shop(shop).settings.staff_password for shop in services.shops.ids()}
    init_staff_auth(app, services.settings, services.clock, services.db, passwords)
    app.register_blueprint(bp)


def _page_shop() -> str:
    """The shop the path names (/board/<shop>/...), else the one the session is signed in to."""
    return (request.view_args or {}).get("shop") or _auth().shop()


@bp.url_defaults
def _shop_in_urls(endpoint: str, values: dict) -> None:
    """Links to the board and its sign-in stay on this request's shop."""
    if endpoint in ("board.login", "board.board") and "shop" not in values:
        values["shop"] = _page_shop()


# -- sign-in -------------------------------------------------------------------------------------------

def _login_page(error: str | None = None, status: int = 200, headers: dict | None = None):
    auth = _auth()
    if not auth.enabled_for(_page_shop()) and error is None:
        error = _board_off()
    page = render_template("login.html", error=error, csrf_token=auth.csrf_token(),
                           shop=shop_title(shop_services(_page_shop())), version=__version__)
    return page, status, headers or {}


def _login_refused(status: int, message: str, headers: dict | None = None):
    if _wants_json():
        response = _error(status, message)
        response.headers.update(headers or {})
        return response
    return _login_page(message, status, headers)


def _given_password() -> str:
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("password") if isinstance(body, dict) else None
    else:
        value = request.form.get("password")
    return value if isinstance(value, str) else ""


def _board_off() -> str:
    if _page_shop() == MAIN_SHOP:
        return "The board is off: set STAFF_PASSWORD and restart the server."
    return "The board is off: set staffPassword in the shop's shop.json and restart the server."


@bp.route("/board/login", methods=["GET", "POST"], defaults={"shop": MAIN_SHOP})
@bp.route("/board/<shop>/login", methods=["GET", "POST"])
def login(shop: str):
    auth = _auth()
    if request.method == "GET":
        return redirect(url_for("board.board", shop=shop)) if auth.signed_in(shop) else _login_page()
    address = request.remote_addr or "?"  # the client's, through PROXY_HOPS (ProxyFix)
    if not auth.enabled_for(shop):
        return _login_refused(503, _board_off())
    wait = auth.guard.reserve(address, shop)  # counted before the slow check: parallel tries cannot slip past
    if wait:
        return _login_refused(429, f"Too many wrong tries: wait {-(-wait // 60)} minutes.", {"Retry-After": str(wait)})
    person = auth.identify(_given_password(), shop)
    if person is None:
        auth.guard.failed(address, shop)
        log.warning("board: wrong staff PIN or password for shop %s from %s", shop, address)
        return _login_refused(401, "Wrong PIN or password.")
    auth.guard.succeeded(address, shop)
    auth.sign_in(person.name, person.role, person.staff_id, shop=shop)
    log.info("board: %s (%s) signed in to shop %s from %s", person.name, person.role, shop, address)
    if request.is_json:
        return jsonify({"signedIn": True, "csrfToken": auth.csrf_token()})
    return redirect(url_for("board.board", shop=shop), 303)


@bp.post("/board/logout")
def logout():
    shop = _auth().shop()
    _auth().sign_out()
    if request.is_json:
        return jsonify({"signedIn": False})
    return redirect(url_for("board.login", shop=shop), 303)


@bp.post("/board/logout-all")
def logout_all():
    shop = _auth().shop()
    ended = _auth().sessions.end_all(shop)  # this shop's tablets and tills; other shops' stay signed in
    session.clear()
    log.info("board: every staff session of shop %s ended from %s (%d open)", shop, request.remote_addr, ended)
    if request.is_json:
        return jsonify({"signedIn": False, "sessionsEnded": ended})
    return redirect(url_for("board.login", shop=shop), 303)


@bp.get("/api/session")
def session_info():
    auth = _auth()
    return jsonify({"signedIn": auth.signed_in(), "csrfToken": auth.csrf_token()})


# -- the board and its orders --------------------------------------------------------------------------

@bp.get("/board", defaults={"shop": MAIN_SHOP})
@bp.get("/board/<shop>")
def board(shop: str):
    services = _services()
    return render_template("board.html", csrf_token=_auth().csrf_token(), shop=shop_title(services),
                           staff=current_staff(), columns=BOARD_COLUMNS,
                           clock=clock_text(services.hours.local(services.clock.now())),
                           choices=_panel_choices(services.menu), busy_choices=BUSY_CHOICES, version=__version__)


@bp.get("/api/orders")
def api_orders():
    services = _services()
    now = services.clock.now()
    day = services.hours.trading_day(now)[0].isoformat()
    orders = orders_today(services.db, services.hours, now, services.shop.id)
    ids = [o.id for o in orders]
    events, texts = events_of_orders(services.db, ids), texts_fields(services.db, ids)
    return jsonify(board_json(day, services.hours.local(now), orders, events, services.hours, services.menu, texts))


STATUS_BODY = 'send JSON: {"status": "ready"} or {"undo": true} (a cancel may add "textCustomer": true)'


@bp.post("/api/orders/<number>/status")
def api_order_status(number: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, STATUS_BODY)
    undo, target, expected = body.get("undo") is True, body.get("status"), body.get("from")
    text_customer = body.get("textCustomer", False)
    if not all(v is None or isinstance(v, str) for v in (target, expected)) or (not undo and not target) \
            or not isinstance(text_customer, bool):
        return _error(400, STATUS_BODY)
    services = _services()
    try:
        change = change_status(services, number, target, undo=undo, expected=expected, actor=current_staff().name,
                               text_customer=text_customer)
    except OrderNotFound:
        return _error(404, f"no order {number}")
    except MoveRefused as exc:
        return _error(409, exc.message)
    log.info("board: order %s %s -> %s by %s", number, change.from_status, change.to_status, change.actor)
    events = events_of_orders(services.db, [change.order.id])[change.order.id]
    texts = texts_fields(services.db, [change.order.id])[change.order.id]
    now = services.hours.local(services.clock.now())
    return jsonify({"order": order_json(change.order, services.hours, events, now=now, menu=services.menu,
                                        texts=texts),
                    "from": change.from_status, "to": change.to_status, "actor": change.actor, "at": change.at,
                    "readyTextQueued": change.texted, "customerTexted": change.customer_texted})


# -- sold out, paused, busy -----------------------------------------------------------------------------

def _valid_names(menu) -> dict[str, set[str]]:
    return {"item": set(menu.items), "protein": set(menu.proteins), "brand": set(menu.can_brands),
            "salad": set(menu.salads), "sauce": set(menu.sauces), "extra": set(menu.extras),
            "category": {i.category for i in menu.items.values()}}


def _panel_choices(menu) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The board's sold-out toggles: (heading, kind, [(name, label)])."""
    return [("Meat", "protein", [(p, p) for p in menu.proteins]),
            ("Can brands", "brand", [(b, b) for b in menu.can_brands]),
            ("Menu items", "item", [(i.id, i.name) for i in menu.items.values()])]


def availability_json(services) -> dict:
    state = services.availability.state()
    return {"day": state.day, "soldOut": sorted(state.sold_out), "paused": state.paused,
            "busyMinutes": state.busy_minutes,
            "choices": {kind: [{"name": n, "label": label} for n, label in names]
                        for _, kind, names in _panel_choices(services.menu)}}


def _availability_changes(body, menu) -> list[tuple[str, tuple]]:
    """The requested changes, all checked before any is made; raises ValueError with what is wrong."""
    if not isinstance(body, dict):
        raise ValueError('send JSON: {"kind", "name", "soldOut"}, {"paused"} or {"busyMinutes"}')
    changes = []
    if "kind" in body or "name" in body or "soldOut" in body:
        kind, name, out = body.get("kind"), body.get("name"), body.get("soldOut")
        if kind not in KINDS or not isinstance(out, bool) or name not in _valid_names(menu).get(kind, ()):
            raise ValueError(f"sold out needs a kind ({', '.join(KINDS)}), a name on the menu and soldOut "
                             "true or false")
        changes.append(("set_sold_out", (kind, name, out)))
    if "paused" in body:
        if not isinstance(body["paused"], bool):
            raise ValueError("paused must be true or false")
        changes.append(("set_paused", (body["paused"],)))
    if "busyMinutes" in body:
        minutes = body["busyMinutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_BUSY_MINUTES:
            raise ValueError(f"busyMinutes must be a whole number from 0 to {MAX_BUSY_MINUTES}")
        changes.append(("set_busy", (minutes,)))
    if not changes:
        raise ValueError('nothing to change: send {"kind", "name", "soldOut"}, {"paused"} or {"busyMinutes"}')
    return changes


@bp.route("/api/availability", methods=["GET", "POST"])
def api_availability():
    services = _services()
    if request.method == "POST":
        try:
            changes = _availability_changes(request.get_json(silent=True), services.menu)
        except ValueError as exc:
            return _error(400, str(exc))
        for method, args in changes:
            getattr(services.availability, method)(*args)
            log.info("board: availability %s%s by %s", method, args, current_staff().name)
    return jsonify(availability_json(services))
