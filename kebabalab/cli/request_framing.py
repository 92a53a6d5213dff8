"""Where an HTTP/1.1 request ends in the bytes received so far, without I/O.

The buffering front (buffered_worker.py) reads a connection without holding a thread and hands it to one only
once `request_end` finds a whole request. It frames exactly what gunicorn's parser will accept; anything it
cannot frame with certainty (both Content-Length and Transfer-Encoding, two lengths, a coding other than
chunked, a line that is not a header) is handed over as soon as its head is complete, for gunicorn to refuse
with 400.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_HEAD_BYTES = 64 * 1024  # request line and headers; gunicorn's own limits are smaller (8190 a line, 100 lines)
MAX_CHUNK_LINE = 1024


class TooLarge(Exception):
    """The request cannot be served; answered with `status` and `message`, then the connection closes."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Head:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    end: int  # index just past the blank line
    framing: str  # "length", "chunked" or "unsure" (hand over now, let the server judge)
    length: int = 0


def read_head(data: bytes | bytearray) -> Head | None:
    """The request's head once it is complete; None while it is not. TooLarge past MAX_HEAD_BYTES."""
    end = data.find(b"\r\n\r\n", 0, MAX_HEAD_BYTES + 4)
    if end < 0:
        if len(data) > MAX_HEAD_BYTES:
            raise TooLarge(431, "request headers too large")
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    method, _, rest = lines[0].partition(" ")
    path = rest.partition(" ")[0].partition("?")[0]
    headers: dict[str, str] = {}
    lengths, codings, unsure = set(), [], False
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            unsure = True
            continue
        name, value = name.lower(), value.strip()
        headers[name] = value
        if name == "content-length":
            lengths.add(value)
        elif name == "transfer-encoding":
            codings.append(value.lower())
    return Head(method, path, headers, end + 4, *_framing(lengths, codings, unsure))


def _framing(lengths: set[str], codings: list[str], unsure: bool) -> tuple[str, int]:
    if unsure or (lengths and codings) or len(lengths) > 1:
        return "unsure", 0
    if codings:
        return ("chunked", 0) if codings == ["chunked"] else ("unsure", 0)
    if not lengths:
        return "length", 0
    value = lengths.pop()
    return ("length", int(value)) if value.isascii() and value.isdigit() else ("unsure", 0)


def request_end(data: bytes | bytearray, head: Head, max_body: int) -> int | None:
    """The index just past the request's last byte, or None while more is to come. TooLarge for a body over
    `max_body` bytes (seen from Content-Length before it is sent, or while chunks arrive)."""
    if head.framing == "unsure":
        return head.end
    if head.framing == "length":
        if head.length > max_body:
            raise TooLarge(413, f"body too large ({max_body // (1024 * 1024)} MB at most)")
        end = head.end + head.length
        return end if len(data) >= end else None
    return _chunked_end(data, head.end, max_body)


def _chunked_end(data: bytes | bytearray, pos: int, max_body: int) -> int | None:
    total = 0
    while True:
        line_end = data.find(b"\r\n", pos, pos + MAX_CHUNK_LINE)
        if line_end < 0:
            return pos if len(data) - pos > MAX_CHUNK_LINE else None  # a runaway line: the server refuses it
        size_text = data[pos:line_end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return pos  # not a chunk size: the server answers 400
        total += size
        if total > max_body:
            raise TooLarge(413, f"body too large ({max_body // (1024 * 1024)} MB at most)")
        if size == 0:  # then trailers, if any, and an empty line
            blank = data.find(b"\r\n\r\n", line_end)
            return blank + 4 if blank >= 0 else None
        pos = line_end + 2 + size + 2
        if len(data) < pos:
            return None

