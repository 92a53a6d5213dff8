"""The owner's staff page: who may sign in to the board, with which PIN and role.

    GET  /board/staff                    the page (owner only)
    GET  /api/staff                      {"members": [{"id", "name", "role", "since"}], "sharedPassword"}
    POST /api/staff                      {"name", "role", "pin"}: add a member (201)
    POST /api/staff/<id>/remove          remove a member and end their sessions

Until the first member is added the shared STAFF_PASSWORD signs in as the owner; once one exists only PINs do,
so the page tells the owner to add themselves first. Members are the signed-in shop's: the page lists, adds and
removes that shop's only (another shop's member id is "no such staff member").
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import jsonify, render_template, request

from kebabalab.service.staff import add_staff, remove_staff
from kebabalab.shop.staff import PIN_DIGITS, ROLES, StaffRefused
from kebabalab.store.staff_members import members
from kebabalab.version import __version__
from kebabalab.web.staff_pages import auth, current_staff, error, owner_required, services as _services, \
    shop_title, staff_blueprint

log = logging.getLogger(__name__)

bp = staff_blueprint("staff_admin", __name__)


def _members_json(services) -> dict:
    people = members(services.db, services.shop.id)
    return {"members": [{"id": m.id, "name": m.name, "role": m.role,
                         "since": services.hours.local(datetime.fromisoformat(m.created_at)).date().isoformat()}
                        for m in people],
            "sharedPassword": not people}


@bp.get("/board/staff")
@owner_required
def page():
    services = _services()
    return render_template("staff.html", shop=shop_title(services), roles=ROLES, pin_digits=PIN_DIGITS,
                           csrf_token=auth().csrf_token(), version=__version__)


@bp.route("/api/staff", methods=["GET", "POST"])
@owner_required
def api_staff():
    services = _services()
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, 'send JSON: {"name", "role", "pin"}')
        try:
            member = add_staff(services.db, services.clock, body.get("name"), body.get("role"), body.get("pin"),
                               services.shop.id)
        except StaffRefused as exc:
            return error(400, str(exc))
        log.info("staff: %s added %s (%s) at shop %s", current_staff().name, member.name, member.role,
                 services.shop.id)
        response = jsonify(_members_json(services))
        response.status_code = 201
        return response
    return jsonify(_members_json(services))


@bp.post("/api/staff/<int:member_id>/remove")
@owner_required
def api_remove(member_id: int):
    services = _services()
    try:
        member = remove_staff(services.db, member_id, services.shop.id)
    except StaffRefused as exc:
        return error(409, str(exc))
    log.info("staff: %s removed %s (%s) at shop %s", current_staff().name, member.name, member.role,
             services.shop.id)
    return jsonify(_members_json(services))
