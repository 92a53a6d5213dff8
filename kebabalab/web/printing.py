"""The board's kitchen printers: their state, and reprinting a ticket (staff signed in; POSTs need the CSRF token).

    GET  /api/printers                    [{"printer", "state", "detail", "seenAt", "lastPrintedAt", ...}]
    POST /api/orders/<number>/reprint     queue the ticket again on every printer (who asked is printed on it)

The board loads static/printing.js, which shows the state beside the header and a Reprint button on each card.
"""
from __future__ import annotations

import logging

from flask import jsonify

from kebabalab.errors import ToolError
from kebabalab.service import tickets
from kebabalab.shop.order_status import OrderNotFound
from kebabalab.web.staff_pages import current_staff, error, services, staff_blueprint

log = logging.getLogger(__name__)
bp = staff_blueprint("printing", __name__)


@bp.get("/api/printers")
def api_printers():
    return jsonify({"printers": tickets.printer_states(services())})


@bp.post("/api/orders/<number>/reprint")
def api_reprint(number: str):
    staff = current_staff()
    try:
        printers = tickets.reprint(services(), number, staff.name if staff else "staff")
    except OrderNotFound:
        return error(404, f"no order {number}")
    except ToolError as exc:
        return error(409, str(exc))
    return jsonify({"orderNumber": number, "queuedOn": printers})
