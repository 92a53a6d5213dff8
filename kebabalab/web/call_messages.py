"""The board's list of messages the assistant took for the shop (a caller wanted a person, nobody answered): who to
call back and why, newest first, and "called back" once someone has.

GET /api/call-messages answers today's trading day's and any not yet called back; POST /api/call-messages/<id>/handled marks one called back
(who, from the signed-in staff member). The board shows them above the orders (board.js, a small hook).
"""
from __future__ import annotations

from datetime import datetime

from flask import jsonify

from kebabalab.ordering.phones import mask_phone
from kebabalab.ordering.validation import clean_text
from kebabalab.store.call_messages import call_messages_since, mark_handled
from kebabalab.web.staff_pages import current_staff, error, services as _services, staff_blueprint

bp = staff_blueprint("call_messages", __name__)


def message_json(message, hours) -> dict:
    """One message as the board reads it: the number in full (the shop calls it back), times in the shop's zone."""
    local = hours.local(datetime.fromisoformat(message.created_at)).isoformat(timespec="seconds")
    return {"id": message.id, "callerName": clean_text(message.caller_name), "phone": message.phone,
            "phoneMasked": mask_phone(message.phone), "reason": message.reason, "message": clean_text(message.message),
            "allergy": message.allergy, "takenAt": local, "handled": message.handled_at is not None,
            "handledBy": message.handled_by}


@bp.get("/api/call-messages")
def api_call_messages():
    services = _services()
    start = services.hours.trading_day(services.clock.now())[1]
    messages = call_messages_since(services.db, start, services.shop.id)
    return jsonify({"messages": [message_json(m, services.hours) for m in messages],
                    "waiting": sum(1 for m in messages if m.handled_at is None)})


@bp.post("/api/call-messages/<int:message_id>/handled")
def api_call_message_handled(message_id: int):
    services = _services()
    message = mark_handled(services.db, message_id, current_staff().name, services.clock.now(), services.shop.id)
    if message is None:
        return error(404, f"there is no message {message_id}")
    return jsonify(message_json(message, services.hours))
