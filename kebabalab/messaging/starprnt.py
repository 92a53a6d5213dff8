"""A ticket for a Star printer over CloudPRNT: StarPRNT commands (application/vnd.star.starprnt), or plain text.

StarPRNT (Star mode) commands used: ESC @ initialise, ESC E / ESC F emphasis on and off, ESC i n1 n2 expanded
height and width, ESC 4 / ESC 5 white-on-black on and off, ESC d 3 feed and partial cut. Text is sent in the
printer's default code page (ASCII only: anything else becomes '?', never a wrong letter).
"""
from __future__ import annotations

from kebabalab.messaging.ticket import Ticket

STARPRNT = "application/vnd.star.starprnt"
PLAIN = "text/plain"
MEDIA_TYPES = (STARPRNT, PLAIN)  # offered to the printer in this order; it takes the first it can print

ESC = b"\x1b"
INIT = ESC + b"@"
BOLD_ON, BOLD_OFF = ESC + b"E", ESC + b"F"
BIG_ON, BIG_OFF = ESC + b"i\x01\x01", ESC + b"i\x00\x00"
INVERT_ON, INVERT_OFF = ESC + b"4", ESC + b"5"
FEED_AND_CUT = ESC + b"d\x03"
STYLE_CODES = {
    "plain": (b"", b""),
    "bold": (BOLD_ON, BOLD_OFF),
    "big": (BOLD_ON + BIG_ON, BIG_OFF + BOLD_OFF),
    "alert": (BOLD_ON + BIG_ON + INVERT_ON, INVERT_OFF + BIG_OFF + BOLD_OFF),
}


def document(ticket: Ticket, media_type: str) -> bytes:
    """The ticket in the media type the printer asked for (ValueError for one we did not offer)."""
    if media_type == STARPRNT:
        return starprnt_bytes(ticket)
    if media_type == PLAIN:
        return (ticket.text + "\n\n\n").encode("ascii", "replace")
    raise ValueError(f"media type {media_type!r} was not offered; ask for one of {', '.join(MEDIA_TYPES)}")


def starprnt_bytes(ticket: Ticket) -> bytes:
    out = [INIT]
    for line in ticket.lines:
        on, off = STYLE_CODES[line.style]
        out += [on, line.text.encode("ascii", "replace"), off, b"\n"]
    out.append(FEED_AND_CUT)
    return b"".join(out)
