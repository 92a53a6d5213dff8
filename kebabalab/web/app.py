"""The Flask app: /webhook and /health (and /metrics). Authenticate, parse, dispatch, reply; nothing else."""
from __future__ import annotations

import json
import logging
from typing import Mapping

from flask import Flask, Response, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from kebabalab.version import __version__
from kebabalab.web.board import init_app as init_board
from kebabalab.web import counter, staff_admin
from kebabalab.web.twilio_receipts import init_app as init_twilio_receipts
from kebabalab.web.takings import init_app as init_takings
from kebabalab.web.phone_line import init_app as init_phone_line
from kebabalab.service.phone_line import phone_line_health
from kebabalab.web.calls import bp as calls_page
from kebabalab.web.call_messages import bp as call_messages_page
from kebabalab.web import cloudprnt, menu_page, printing
from kebabalab.web.incoming_texts import init_app as init_incoming_texts
from kebabalab.config import Settings
from kebabalab.errors import ProtocolError, StoreError
from kebabalab.web.logs import configure_logging_for
from kebabalab.store.replay import RUNNING, replay_key
from kebabalab.web.security import _same, webhook_authorised
from kebabalab.service.shops import Refusal
from kebabalab.service.wiring import Services
from kebabalab.vapi.protocol import function_call_reply, parse_server_message, tool_calls_reply, tool_result
from kebabalab.vapi.router import Router
from kebabalab.web import messages

log = logging.getLogger(__name__)
# Every Vapi message type the webhook handles, combined here (one router per module of handlers).
ROUTER = Router(messages.router)
MAX_BODY_BYTES = 1024 * 1024
STILL_RUNNING = "I'm still working on that one; give me a moment."


def create_app(config: Settings | Mapping[str, str] | None = None, *, clock=None, sms_transport=None,
               start_sender: bool | None = None) -> Flask:
    """The app. `config`: Settings, or environment-style names (None: the process environment)."""
    settings = config if isinstance(config, Settings) else Settings.from_env(config)
    configure_logging_for(settings)
    services = Services.build(settings, clock=clock, transport=sms_transport)
    if settings.vapi_hmac_secret and not settings.vapi_hmac_plan.signs_timestamp:
        log.warning("VAPI_HMAC_PAYLOAD_FORMAT signs no {timestamp}: a recorded request can be replayed at any time")
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret and settings.allow_unauthenticated:
        log.warning("the webhook accepts unauthenticated requests (KEBABALAB_ALLOW_UNAUTHENTICATED=1, no "
                    "VAPI_WEBHOOK_SECRET or VAPI_HMAC_SECRET): never run a shop's phone line like this")
    if services.business.prank_guard.enabled and not (settings.public_url and settings.twilio_auth_token):
        log.warning("prank_guard is on but PUBLIC_URL or TWILIO_AUTH_TOKEN is not set: no customer's YES can be "
                    "checked, so every order awaiting one will be cancelled after 15 minutes")
    app = Flask(__name__)
    if settings.proxy_hops:  # behind Caddy or nginx: the client's address and scheme come from the proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    # One byte over the limit, so a body without Content-Length (chunked) that is too big is seen, not cut.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    app.extensions["kebabalab"] = services
    CORS(app, resources={r"/webhook": {"origins": list(settings.allowed_origins)},
                         r"/health": {"origins": "*"}})
    _routes(app, services)
    init_board(app, services)
    app.register_blueprint(staff_admin.bp)
    app.register_blueprint(counter.bp)
    init_twilio_receipts(app)
    init_takings(app)
    init_phone_line(app)
    app.register_blueprint(calls_page)
    app.register_blueprint(call_messages_page)
    app.register_blueprint(printing.bp)
    app.register_blueprint(cloudprnt.bp)
    app.register_blueprint(menu_page.bp)
    init_incoming_texts(app)
    if settings.send_sms_in_background if start_sender is None else start_sender:
        services.start_background()
    return app


def _error(status: int, message: str, **headers) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def _routes(app: Flask, services: Services) -> None:
    @app.before_request
    def menu_in_force():  # a change saved on any worker is in force for this request: one statement, every shop
        services.refresh_menus()

    @app.get("/health")
    def health():
        return jsonify({"status": "healthy", "server": "kebabalab", "version": __version__})

    @app.post("/webhook")
    def webhook():
        return _webhook(services)

    @app.get("/metrics")
    def metrics():
        token = services.settings.metrics_token
        given = (request.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if not token or not _same(given, token):
            return _error(401, "metrics need the METRICS_TOKEN bearer token")
        now = services.clock.now()
        for view in services.shops.views():  # each shop's line, labelled by shop
            services.metrics.phone_line(phone_line_health(view, now), view.shop.id)
        return Response(services.metrics.render(services.sessions.count()), mimetype="text/plain; version=0.0.4")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            return _error(413, "body too large (1 MB at most)")
        return _error(exc.code or 500, exc.name)

    @app.errorhandler(Exception)
    def crash(exc: Exception):  # never a stack trace or HTML to the caller
        log.exception("unhandled error on %s", request.path)
        return _error(500, "internal error")


def _webhook(services: Services) -> Response:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _error(413, "body too large (1 MB at most)")
    body = request.get_data(cache=False)  # at most MAX_BODY_BYTES + 1 bytes (MAX_CONTENT_LENGTH)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "body too large (1 MB at most)")
    now = services.clock.now().timestamp()
    if not webhook_authorised(services.settings, request.headers, body, now):
        wait = services.auth_limiter.hit(request.remote_addr or "?")
        if wait:
            return _error(429, "too many failed authentications", Retry_After=str(wait))
        log.warning("webhook: refused unauthenticated request from %s", request.remote_addr)
        return _error(401, "missing or wrong webhook credential")
    services.vapi_seen.seen(services.clock.now())  # the board's "Vapi last reached the server"
    key = replay_key(request.headers, body, services.settings.vapi_hmac_plan)
    if key is None:
        return _answer(services, body)
    return _answer_once(services, key, body)


def _answer_once(services: Services, key: str, body: bytes) -> Response:
    """A signed request runs once; a copy of it (a replay, or Vapi's retry) gets the first reply again."""
    try:
        first = services.replays.first(key)
    except StoreError as exc:
        return _every_call_fails(body, str(exc))
    if first is RUNNING:
        return _every_call_fails(body, STILL_RUNNING)
    if first is not None:
        log.warning("webhook: a signed request seen before was answered again without running it")
        return Response(first.body, status=first.status, mimetype="application/json")
    try:
        response = _answer(services, body)
    except Exception:
        services.replays.forget(key)
        raise
    if response.status_code == 429:  # refused by a limit, not run: a retry after Retry-After may run it
        services.replays.forget(key)
    else:
        services.replays.remember(key, response.status_code, response.get_data(as_text=True))
    return response


def _every_call_fails(body: bytes, sentence: str) -> Response:
    """HTTP 200 with the sentence as every tool call's error, so the assistant can say it."""
    try:
        message = parse_server_message(json.loads(body))
    except (ValueError, RecursionError, ProtocolError):
        return _error(400, "body is not valid JSON")
    entries = [tool_result(call, error=sentence) for call in message.tool_calls]
    if message.type == "function-call" and entries:
        return jsonify(function_call_reply(entries[0]))
    return jsonify(tool_calls_reply(entries) if entries else {})


def _answer(services: Services, body: bytes) -> Response:
    """Parse an authenticated message, run its tool calls, reply."""
    try:
        message = parse_server_message(json.loads(body))
    except (ValueError, RecursionError):
        return _error(400, "body is not valid JSON")
    except ProtocolError as exc:
        return _error(400, str(exc))
    if message.tool_calls:
        call_id = message.call_id or ""
        wait = services.call_limiter.hit(call_id, cost=len(message.tool_calls))
        if wait:
            return _error(429, "too many tool calls for this call", Retry_After=str(wait))
    shop = services.shops.for_message(message)
    if isinstance(shop, Refusal):
        return jsonify(messages.refused(message, shop.sentence))
    return jsonify(ROUTER.dispatch(message, shop))
