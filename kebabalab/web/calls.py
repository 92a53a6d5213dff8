"""The board's Calls page: today's calls and what became of each, and the share that became orders.

    GET /board/calls     the page (signed in), reading /api/calls every 15 seconds
    GET /api/calls       today's calls (the shop's trading day), newest first, with the day's counts
"""
from __future__ import annotations

from flask import jsonify, render_template

from kebabalab.ordering import pricing
from kebabalab.ordering.phones import mask_phone
from kebabalab.ordering.validation import clean_text
from kebabalab.service.call_log import LoggedCall, calls_on_day
from kebabalab.shop.call_outcome import LABELS, OUTCOMES
from kebabalab.shop.hours import spoken_time
from kebabalab.version import __version__
from kebabalab.web.staff_pages import services as _services, staff_blueprint

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
    return render_template("calls.html", shop=services.business.name, version=__version__,
                           outcomes=[(name, LABELS[name]) for name in OUTCOMES])


@bp.get("/api/calls")
def api_calls():
    services = _services()
    day = calls_on_day(services, services.clock.now())
    return jsonify({"day": day.day.isoformat(), "total": len(day.calls), "counts": day.counts,
                    "orderedPercent": day.ordered_percent, "calls": [call_json(c) for c in day.calls]})
