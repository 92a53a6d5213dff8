"""POST /twilio/status: Twilio's delivery receipt for one of our texts (the StatusCallback each text carries).

Only a request with Twilio's valid signature is read (web/twilio_gate.py); anything else is refused with 403
and changes nothing. sent, delivered, undelivered and failed (with Twilio's ErrorCode) are kept per text
(store/receipts.py); Twilio's other statuses are acknowledged and left out.
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, jsonify, request

from kebabalab.messaging.sms import DELIVERY_RECEIPTS_PATH
from kebabalab.ordering.phones import mask_phone
from kebabalab.store.receipts import FINAL, RECORDED, record_receipt
from kebabalab.web.staff_pages import services as _services
from kebabalab.web.twilio_gate import twilio_request_ok

log = logging.getLogger(__name__)
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
ERROR_CODE = re.compile(r"\d{1,6}")

bp = Blueprint("twilio_receipts", __name__)


def _refuse(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.post(DELIVERY_RECEIPTS_PATH)
def delivery_receipt():
    services = _services()
    if not twilio_request_ok(services.settings):
        log.warning("twilio: refused a delivery receipt without a valid X-Twilio-Signature from %s",
                    request.remote_addr)
        return _refuse(403, "missing or wrong X-Twilio-Signature")
    sid, status = request.form.get("MessageSid", ""), request.form.get("MessageStatus", "")
    code = request.form.get("ErrorCode") or None
    if not MESSAGE_SID.fullmatch(sid) or (code is not None and not ERROR_CODE.fullmatch(code)):
        return _refuse(400, "a delivery receipt needs Twilio's MessageSid and a numeric ErrorCode")
    if status in RECORDED:
        record_receipt(services.db, sid, status, code, services.clock.now())
        if status in FINAL and status != "delivered":
            log.warning("twilio: text %s to %s %s (error %s)", sid, mask_phone(request.form.get("To")), status,
                        code)
    return "", 204


def init_app(app) -> None:
    app.register_blueprint(bp)
