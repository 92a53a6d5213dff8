"""The Flask app: /webhook and /health (and /metrics). Authenticate, parse, dispatch, reply; nothing else."""
from __future__ import annotations

import json
import logging
from typing import Mapping

from flask import Flask, Response, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from . import __version__
from .board import init_app as init_board
from .calls import finish_call
from .config import Settings
from .errors import ProtocolError
from .logs import configure_logging_for
from .security import _same, webhook_authorised
from .services import Services
from .tools import run_tool_call
from .vapi import function_call_reply, parse_server_message, tool_calls_reply

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


def create_app(config: Settings | Mapping[str, str] | None = None, *, clock=None, sms_transport=None,
               start_sender: bool | None = None) -> Flask:
    """The app. `config`: Settings, or environment-style names (None: the process environment)."""
    settings = config if isinstance(config, Settings) else Settings.from_env(config)
    configure_logging_for(settings)
    services = Services.build(settings, clock=clock, transport=sms_transport)
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret and settings.allow_unauthenticated:
        log.warning("the webhook accepts unauthenticated requests (KEBABALAB_ALLOW_UNAUTHENTICATED=1, no "
                    "VAPI_WEBHOOK_SECRET or VAPI_HMAC_SECRET): never run a shop's phone line like this")
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
    try:
        message = parse_server_message(json.loads(body))
    except (ValueError, RecursionError):
        return _error(400, "body is not valid JSON")
    except ProtocolError as exc:
        return _error(400, str(exc))
    if message.tool_calls:
        wait = services.call_limiter.hit(message.call_id, cost=len(message.tool_calls))
        if wait:
            return _error(429, "too many tool calls for this call", Retry_After=str(wait))
        entries = [run_tool_call(services, call, message.call_id, message.caller_number)
                   for call in message.tool_calls]
        if message.type == "function-call":
            return jsonify(function_call_reply(entries[0]))
        return jsonify(tool_calls_reply(entries))
    if message.ends_call and message.call_id:
        finish_call(services, message.call_id, message.caller_number)
    return jsonify({})
