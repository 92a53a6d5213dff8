"""Kitchen tickets, the use cases the board and the printers share: reprint an order, the printers' state, and a
Star printer's side of CloudPRNT (poll, fetch the job, confirm it printed).

CloudPRNT (Star's published protocol): the printer POSTs a poll with its MAC address and status code; when a
ticket is due we lease it to that poll and answer `jobReady` with a `jobToken` and the media types we can make;
the printer GETs the job in one of them (with the token), prints it, and DELETEs it with a result code (2xx:
printed; anything else: not printed, offered again at a later poll).
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime
from urllib.parse import unquote

from kebabalab.errors import ToolError
from kebabalab.shop.order_status import OrderNotFound
from kebabalab.messaging.starprnt import MEDIA_TYPES, document
from kebabalab.messaging.ticket import kitchen_ticket
from kebabalab.store.print_jobs import PRINTABLE_STATUSES

log = logging.getLogger(__name__)
CLOUDPRNT = "cloudprnt"
LEASE_SECONDS = 60  # a printer that was offered a ticket and never fetched or confirmed it: offered again after this


def reprint(services, order_number: str, by: str) -> list[str]:
    """Queue the order's ticket again on every printer; the printers it goes to. OrderNotFound, or ToolError
    when it cannot be printed."""
    printers = services.business.printing.printers
    if not printers:
        raise ToolError("No kitchen printer is set up: add one under 'printing' in the shop's business file.")
    status = services.print_queue.reprint(order_number, printers, by, services.clock.now())
    if status is None:
        raise OrderNotFound(order_number)
    if status not in PRINTABLE_STATUSES:
        raise ToolError(f"Order {order_number} is {status}: its ticket is not printed.")
    if services.ticket_printer is not None:
        services.ticket_printer.wake()
    log.info("ticket for order %s queued again by %s", order_number, by)
    return list(printers)


def printer_states(services) -> list[dict]:
    """Every printer set up for the shop with its last known state (never heard from: 'unknown')."""
    known = {state.printer: state for state in services.print_queue.states()}
    out = []
    for printer in services.business.printing.printers:
        state = known.get(printer)
        out.append({"printer": printer, "state": state.state if state else "unknown",
                    "detail": state.detail if state else None,
                    "seenAt": _local(services, state.seen_at) if state else None,
                    "lastPrintedAt": _local(services, state.last_printed_at) if state else None,
                    "lastPrintedOrder": state.last_printed_order if state else None,
                    "waiting": state.waiting if state else 0})
    return out


def _local(services, stamp: str | None) -> str | None:
    return services.hours.local(datetime.fromisoformat(stamp)).isoformat(timespec="seconds") if stamp else None


def printer_state_of(code: str) -> tuple[str, str]:
    """A CloudPRNT status code ("200 OK", "410 Paper Empty") -> (our state, the printer's words)."""
    text = unquote(code or "").strip()
    lower = text.lower()
    if text.startswith("2"):
        return "online", text
    if "paper" in lower and any(word in lower for word in ("empty", "out", "end")):
        return "out_of_paper", text
    return "error", text or "no status given"


def cloudprnt_poll(services, body: dict) -> dict:
    """A printer's poll: its state recorded; a due ticket leased to it and announced, when it can print one."""
    now = services.clock.now()
    state, detail = printer_state_of(str(body.get("statusCode") or ""))
    mac = str(body.get("printerMAC") or "?")[:32]
    services.print_queue.set_state(CLOUDPRNT, state, f"{detail} (printer {mac})", now)
    if state != "online" or body.get("printingInProgress") is True:
        return {"jobReady": False}
    token = secrets.token_hex(16)
    job = services.print_queue.claim(CLOUDPRNT, now, LEASE_SECONDS, token)
    if job is None:
        return {"jobReady": False}
    log.info("CloudPRNT: ticket for order %s offered to printer %s", job.order.order_number, mac)
    return {"jobReady": True, "mediaTypes": list(MEDIA_TYPES), "jobToken": token, "deleteMethod": "DELETE"}


def cloudprnt_job(services, token: str, media_type: str) -> bytes | None:
    """The leased ticket in the media type the printer chose; None when the token holds no job (any more)."""
    job = services.print_queue.held(CLOUDPRNT, token) if token else None
    if job is None:
        return None
    ticket = kitchen_ticket(job.order, services.business.name, services.hours,
                            reprint_by=(job.requested_by or "staff") if job.reason == "reprint" else None)
    return document(ticket, media_type)


def cloudprnt_confirm(services, token: str, code: str) -> bool:
    """The printer's word on a job: 2xx printed (marked once); otherwise it waits for a later poll. False when
    the token holds no job."""
    job = services.print_queue.held(CLOUDPRNT, token) if token else None
    if job is None:
        return False
    now = services.clock.now()
    state, detail = printer_state_of(code)
    if state == "online":
        services.print_queue.printed(job.id, token, CLOUDPRNT, now)
        log.info("CloudPRNT: ticket for order %s printed", job.order.order_number)
        return True
    services.print_queue.retry(job.id, token, f"printer said {detail}", now)
    if state != "error" or not detail.startswith("5"):  # a 5xx is about the job (a download), not the printer
        services.print_queue.set_state(CLOUDPRNT, state, detail, now)
    log.warning("CloudPRNT: ticket for order %s not printed (%s); offered again", job.order.order_number, detail)
    return True
