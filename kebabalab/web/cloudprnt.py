"""/cloudprnt: where a Star CloudPRNT kitchen printer polls for tickets (over HTTPS, through the shop's proxy).

    POST   /cloudprnt                          the poll: {"printerMAC", "statusCode", ...} -> {"jobReady", ...}
    GET    /cloudprnt?token=&type=&mac=        the offered ticket, in the media type the printer chose
    DELETE /cloudprnt?token=&code=&mac=        the printer's result (GET with &delete does the same)

Each shop's printer has its own path and password: /cloudprnt is the shop 'main's (a one-shop deployment's),
/cloudprnt/<shop> another shop's. The printer signs in with HTTP Basic (any user name, the shop's password:
CLOUDPRNT_PASSWORD for 'main', `cloudprntPassword` in another shop's shop.json; never main's for another shop, so
one shop's printer cannot fetch another's tickets), compared in constant time. Turned on by
"printing": {"cloudprnt": true} in the shop's business file; off (or no such shop), every request gets 404.
"""
from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, current_app, jsonify, request

from kebabalab.config import MAIN_SHOP
from kebabalab.service import tickets

log = logging.getLogger(__name__)
bp = Blueprint("cloudprnt", __name__)


def _services():
    """The services of the shop whose printer this is (the path's shop; 'main' for /cloudprnt), or None."""
    return current_app.extensions["kebabalab"].for_shop((request.view_args or {}).get("shop", MAIN_SHOP))


@bp.before_request
def _printer_only():
    services = _services()
    password = services.settings.cloudprnt_password if services is not None else ""
    if not password or not services.business.printing.cloudprnt:
        return _error(404, "CloudPRNT is not turned on for this shop")
    given = request.authorization.password if request.authorization else None
    if not given or not hmac.compare_digest(given.encode(), password.encode()):
        log.warning("CloudPRNT: refused a request to shop %s without its printer's password from %s",
                    services.shop.id, request.remote_addr)
        response = _error(401, "the printer needs the CloudPRNT password (HTTP Basic)")
        response.headers["WWW-Authenticate"] = 'Basic realm="kebabalab-cloudprnt"'
        return response
    return None


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.post("/cloudprnt")
@bp.post("/cloudprnt/<shop>")
def poll(shop: str = MAIN_SHOP):
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        return _error(400, "a CloudPRNT poll is a JSON object")
    return jsonify(tickets.cloudprnt_poll(_services(), body))


@bp.get("/cloudprnt")
@bp.get("/cloudprnt/<shop>")
def job(shop: str = MAIN_SHOP):
    if "delete" in request.args:
        return confirm(shop)
    media_type = request.args.get("type", "")
    try:
        data = tickets.cloudprnt_job(_services(), request.args.get("token", ""), media_type)
    except ValueError as exc:
        return _error(415, str(exc))
    if data is None:
        return _error(404, "no ticket is waiting for that token")
    return Response(data, mimetype=media_type)


@bp.delete("/cloudprnt")
@bp.delete("/cloudprnt/<shop>")
def confirm(shop: str = MAIN_SHOP):
    if not tickets.cloudprnt_confirm(_services(), request.args.get("token", ""), request.args.get("code", "")):
        return _error(404, "no ticket is waiting for that token")
    return Response(status=200)
