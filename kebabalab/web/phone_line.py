"""GET /api/phone-line: the signed-in shop's phone line health for its board's banner (any of its staff): when Vapi
last reached the server, whether the shop's texts go out, its outbox backlog, and the problems its owner is alerted
to."""
from __future__ import annotations

from flask import jsonify

from kebabalab.service.phone_line import phone_line_health
from kebabalab.shop.hours import spoken_time
from kebabalab.web.staff_pages import services as _services, staff_blueprint

bp = staff_blueprint("phone_line", __name__)


def health_json(health, hours) -> dict:
    """Times in the shop's zone, and as said ("6:05 pm") for the board's line."""
    def local(at):
        return hours.local(at).isoformat(timespec="seconds") if at else None
    return {"vapiLastSeen": local(health.vapi_last_seen),
            "vapiLastSeenSpoken": spoken_time(hours.local(health.vapi_last_seen)) if health.vapi_last_seen else None,
            "lastTextSent": local(health.last_text_sent), "textsGoingOut": health.texts_going_out,
            "backlog": health.backlog, "problems": [problem.sentence for problem in health.problems]}


@bp.get("/api/phone-line")
def api_phone_line():
    services = _services()
    return jsonify(health_json(phone_line_health(services, services.clock.now()), services.hours))


def init_app(app) -> None:
    app.register_blueprint(bp)
