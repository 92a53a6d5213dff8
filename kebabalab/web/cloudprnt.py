"""/cloudprnt: where a Star CloudPRNT kitchen printer polls for tickets (over HTTPS, through the shop's proxy).

    POST   /cloudprnt                          the poll: {"printerMAC", "statusCode", ...} -> {"jobReady", ...}
    GET    /cloudprnt?token=&type=&mac=        the offered ticket, in the media type the printer chose
    DELETE /cloudprnt?token=&code=&mac=        the printer's result (GET with &delete does the same)

The printer signs in with HTTP Basic (any user name, CLOUDPRNT_PASSWORD), compared in constant time. Turned on by
"printing": {"cloudprnt": true} in the business file; off, every request gets 404.
"""
from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, jsonify, request

from kebabalab.service import tickets

log = logging.getLogger(__name__)
bp = Blueprint("cloudprnt", __name__)


def _services():
    return current_app.extensions["kebabalab"]


@bp.before_request
def _printer_only():
    services = _services()
    password = services.settings.cloudprnt_password
    if not services.business.printing.cloudprnt or not password:
        return _error(404, "CloudPRNT is not turned on for this shop")
    given = request.authorization.password if request.authorization else None
    if not given or not hmac.compare_digest(given.encode(), password.encode()):
        log.warning("CloudPRNT: refused a request without the printer's password from %s", request.remote_addr)
        response = _error(401, "the printer needs the CloudPRNT password (HTTP Basic)")
        response.headers["WWW-Authenticate"] = 'Basic realm="kebabalab-cloudprnt"'
        return response
    return None


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.post("/cloudprnt")
def poll():
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        return _error(400, "a CloudPRNT poll is a JSON object")
    return jsonify(tickets.cloudprnt_poll(_services(), body))


@bp.get("/cloudprnt")
def job():
    if "delete" in request.args:
        return confirm()
    media_type = request.args.get("type", "")
    try:
        data = tickets.cloudprnt_job(_services(), request.args.get("token", ""), media_type)
    except ValueError as exc:
        return _error(415, str(exc))
    if data is None:
        return _error(404, "no ticket is waiting for that token")
    return Response(data, mimetype=media_type)


@bp.delete("/cloudprnt")
def confirm():
    if not tickets.cloudprnt_confirm(_services(), request.args.get("token", ""), request.args.get("code", "")):
        return _error(404, "no ticket is waiting for that token")
    return Response(status=200)
