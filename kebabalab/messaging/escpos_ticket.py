"""A ticket in ESC/POS (python-escpos), and the receipt printer on the shop's network (TCP, port 9100 mostly).

`send()` asks the printer whether it is online and has paper (DLE EOT), and only then sends the ticket, so a
ticket is not lost in a printer with no paper; it raises `PrinterUnavailable` saying which ('offline',
'out_of_paper') for the caller to retry and to show on the board.
"""
from __future__ import annotations

import functools
import logging

from kebabalab.messaging.ticket import Ticket


@functools.cache
def _escpos():
    """python-escpos (Error, Dummy, Network), imported at the first ticket: a shop without a network printer
    never loads it (nor Pillow behind it). It calls logging.basicConfig() when imported (escpos/capabilities.py):
    the stderr handler that adds to the root logger would print every log line a second time, so it is taken off."""
    root = logging.getLogger()
    before = list(root.handlers)
    from escpos.exceptions import Error
    from escpos.printer import Dummy, Network
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    return Error, Dummy, Network

STYLE_SETTINGS = {
    "plain": {},
    "bold": {"bold": True},
    "big": {"bold": True, "double_height": True, "double_width": True},
    "alert": {"bold": True, "double_height": True, "double_width": True, "invert": True},
}


class PrinterUnavailable(Exception):
    """The printer could not take the ticket; `state` is offline or out_of_paper."""

    def __init__(self, state: str, detail: str):
        super().__init__(detail)
        self.state, self.detail = state, detail


def ticket_bytes(ticket: Ticket) -> bytes:
    """The ticket as ESC/POS commands: each line in its style, then feed and cut."""
    printer = _escpos()[1]()
    printer.hw("INIT")
    for line in ticket.lines:
        printer.set_with_default(align="left", **STYLE_SETTINGS[line.style])
        printer.textln(line.text)
    printer.set_with_default()
    printer.cut()
    return printer.output


def send(host: str, port: int, data: bytes, timeout: float = 5.0) -> None:
    """Check the printer is online with paper, then send `data`; PrinterUnavailable when it cannot print."""
    error, _, network = _escpos()
    printer = network(host, port, timeout=timeout)
    try:
        printer.open()
    except error as exc:
        raise PrinterUnavailable("offline", f"no answer from the printer at {host}:{port}") from exc
    try:
        if not printer.is_online():
            raise PrinterUnavailable("offline", "the printer says it is offline (cover open or an error)")
        if printer.paper_status() == 0:
            raise PrinterUnavailable("out_of_paper", "the printer is out of paper")
        printer._raw(data)
    except OSError as exc:  # socket.timeout too
        raise PrinterUnavailable("offline", f"the printer at {host}:{port} stopped answering ({exc})") from exc
    finally:
        printer.close()

