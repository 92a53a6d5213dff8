"""POST /twilio/sms: a text a customer sent to a shop's Twilio number (the number's "A message comes in"
webhook; Twilio's parameters From, To, Body, MessageSid, AccountSid). One Twilio account serves every shop, so
every number has this webhook; `To`, the number texted, decides the shop (service/incoming_texts.py).

Only a request with Twilio's valid signature is read (web/twilio_gate.py); anything else is refused with 403 and
changes nothing. YES confirms the sender's newest order awaiting it, STOP opts the number out of that shop's
texts, START back in. The answer is TwiML: empty, or one message back to the sender.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from kebabalab.service.incoming_texts import answer_text
from kebabalab.web.twilio_gate import twilio_request_ok

log = logging.getLogger(__name__)
INCOMING_TEXTS_PATH = "/twilio/sms"

bp = Blueprint("incoming_texts", __name__)


@bp.post(INCOMING_TEXTS_PATH)
def incoming_text():
    services = current_app.extensions["kebabalab"]  # the app's: the shop is the number texted, not a sign-in
    if not twilio_request_ok(services.settings):
        log.warning("twilio: refused an incoming text without a valid X-Twilio-Signature from %s",
                    request.remote_addr)
        return Response("missing or wrong X-Twilio-Signature", status=403, mimetype="text/plain")
    reply = answer_text(services, request.form.get("From"), request.form.get("Body"), request.form.get("To"))
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return Response(str(twiml), mimetype="application/xml")


def init_app(app) -> None:
    app.register_blueprint(bp)
