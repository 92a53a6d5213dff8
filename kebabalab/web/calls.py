"""The board's Calls page: today's calls and what became of each, and the share that became orders.

    GET /board/calls     the page (signed in), reading /api/calls every 15 seconds
    GET /api/calls       today's calls (the shop's trading day), newest first, with the day's counts
    GET /api/callbacks   today's callback list: calls that left a cart or found no person, what they were worth
    POST /api/calls/<call id>/callback  {"outcome": "ordered"}: called back, by whom (the signed-in person) and when
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import jsonify, render_template, request

from kebabalab.ordering import pricing
from kebabalab.ordering.phones import mask_phone
from kebabalab.ordering.validation import clean_text
from kebabalab.service.call_log import LoggedCall, calls_on_day
from kebabalab.service.callbacks import Callback, CallbackRefused, called_back, callbacks_on_day
from kebabalab.shop.call_outcome import CALLBACK_RESULTS, LABELS, OUTCOMES
from kebabalab.shop.hours import spoken_time
from kebabalab.version import __version__
from kebabalab.web.staff_pages import auth as _auth, current_staff, error as _error, services as _services
from kebabalab.web.staff_pages import shop_title, staff_blueprint

log = logging.getLogger(__name__)
bp = staff_blueprint("calls", __name__)


def _link(url: str | None) -> str | None:
    """A recording link the page may show: web links only (never javascript: or data:)."""
    return url if url and url.startswith(("https://", "http://")) else None


def call_json(logged: LoggedCall) -> dict:
    """One call as the Calls page reads it; money in dollars, the time in the shop's time zone."""
    call = logged.call
    return {"callId": clean_text(call.call_id), "startedAt": logged.started.isoformat(timespec="seconds"),
            "startedSpoken": spoken_time(logged.started), "caller": mask_phone(call.caller) if call.caller else None,
            "outcome": logged.outcome, "outcomeLabel": LABELS[logged.outcome],
            "durationSeconds": call.duration_seconds, "endedReason": clean_text(call.ended_reason),
            "orderNumber": call.order_number, "orderTotal": pricing.dollars(call.order_total),
            "cart": clean_text(call.cart_summary), "cartTotal": pricing.dollars(call.cart_total),
            "summary": clean_text(call.summary), "successEvaluation": clean_text(call.success_evaluation),
            "recordingUrl": _link(call.recording_url), "transcript": call.transcript or "",
            "reported": call.report_at is not None}


@bp.get("/board/calls")
def page():
    services = _services()
    return render_template("calls.html", shop=shop_title(services), version=__version__,
                           outcomes=[(name, LABELS[name]) for name in OUTCOMES], csrf_token=_auth().csrf_token())


@bp.get("/api/calls")
def api_calls():
    services = _services()
    day = calls_on_day(services, services.clock.now())
    return jsonify({"day": day.day.isoformat(), "total": len(day.calls), "counts": day.counts,
                    "orderedPercent": day.ordered_percent, "calls": [call_json(c) for c in day.calls]})


def callback_json(callback: Callback, hours) -> dict:
    """One call on the callback list: the caller's whole number (staff must ring it), the cart and its value, and
    who called back when, with what outcome."""
    call = callback.logged.call
    done = hours.local(datetime.fromisoformat(call.called_back_at)) if call.called_back_at else None
    return {"callId": clean_text(call.call_id), "startedSpoken": spoken_time(callback.logged.started),
            "phone": call.caller, "reason": callback.logged.outcome, "reasonLabel": LABELS[callback.logged.outcome],
            "cart": clean_text(call.cart_summary), "cartTotal": pricing.dollars(call.cart_total),
            "orderedLater": callback.ordered_later, "calledBackAt": spoken_time(done) if done else None,
            "calledBackBy": call.called_back_by, "outcome": call.callback_outcome,
            "outcomeLabel": CALLBACK_RESULTS.get(call.callback_outcome or "")}


def _callbacks_json(services) -> dict:
    callbacks = callbacks_on_day(services, services.clock.now())
    return {"day": callbacks.day.isoformat(), "lostValue": pricing.dollars(callbacks.lost_cents),
            "waiting": len(callbacks.waiting),
            "results": [{"name": name, "label": label} for name, label in CALLBACK_RESULTS.items()],
            "callbacks": [callback_json(c, services.hours) for c in callbacks.callbacks]}


@bp.get("/api/callbacks")
def api_callbacks():
    return jsonify(_callbacks_json(_services()))


@bp.post("/api/calls/<call_id>/callback")
def api_called_back(call_id: str):
    body = request.get_json(silent=True)
    outcome = body.get("outcome") if isinstance(body, dict) else None
    if not isinstance(outcome, str):
        return _error(400, f'send JSON: {{"outcome": one of {", ".join(CALLBACK_RESULTS)}}}')
    services, staff = _services(), current_staff()
    try:
        called_back(services, call_id, outcome, staff.name)
    except CallbackRefused as exc:
        return _error(400, str(exc))
    log.info("board: call %s called back by %s: %s", clean_text(call_id)[:100], staff.name, outcome)
    return jsonify(_callbacks_json(services))
