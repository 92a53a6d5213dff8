"""A receipt printer on 127.0.0.1 that speaks ESC/POS as an Epson-compatible one does: it answers the real-time
status queries (DLE EOT 1 printer, DLE EOT 4 paper sensor) and decodes every job it is sent into printed lines,
each with the emphasis it was printed in, so tests assert what the cook would read.

Decoded: ESC @, ESC ! n (print mode: bold 0x08, double height 0x10, double width 0x20), ESC E n (bold),
GS B n (white on black), GS ! n (size), ESC a/t/-/M/{/d n, GS b n, GS V m (cut), LF. Any other command is an
error (the test fails rather than guess).
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

ONE_BYTE_ARGS = {b"\x1b" + bytes([c]) for c in b"!E-Mat{d3G"} | {b"\x1d" + bytes([c]) for c in b"B!b"}
CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}


@dataclass(frozen=True)
class PrintedLine:
    text: str
    styles: frozenset  # of "bold", "double_height", "double_width", "inverted"


class EscposDecodeError(AssertionError):
    pass


def decode(data: bytes) -> tuple[list[PrintedLine], bool]:
    """ESC/POS bytes -> (printed lines, whether the paper was cut at the end)."""
    lines: list[PrintedLine] = []
    text, styles = [], set()
    mode = {"bold": False, "double_height": False, "double_width": False, "inverted": False}
    codepage, cut, i = "cp437", False, 0
    while i < len(data):
        byte = data[i:i + 1]
        two = data[i:i + 2]
        if byte == b"\n":
            lines.append(PrintedLine("".join(text), frozenset(styles)))
            text, styles = [], set()
            i += 1
        elif two == b"\x1b@":
            mode = dict.fromkeys(mode, False)
            i += 2
        elif two in ONE_BYTE_ARGS:
            n = data[i + 2]
            if two == b"\x1b!":
                mode.update(bold=bool(n & 0x08), double_height=bool(n & 0x10), double_width=bool(n & 0x20))
            elif two == b"\x1bE":
                mode["bold"] = bool(n & 1)
            elif two == b"\x1dB":
                mode["inverted"] = bool(n & 1)
            elif two == b"\x1d!":
                mode.update(double_width=bool(n & 0xF0), double_height=bool(n & 0x0F))
            elif two == b"\x1bt":
                codepage = CODEPAGES.get(n, "latin-1")
            i += 3
        elif two == b"\x1dV":
            m = data[i + 2]
            cut = True
            i += 4 if m in (65, 66) else 3
        elif byte in (b"\x1b", b"\x1d", b"\x10"):
            raise EscposDecodeError(f"unknown command {data[i:i + 3]!r} at byte {i}")
        else:
            char = byte.decode(codepage)
            text.append(char)
            if not char.isspace():
                styles.update(name for name, on in mode.items() if on)
            cut = False
            i += 1
    if text:
        lines.append(PrintedLine("".join(text), frozenset(styles)))
    return lines, cut


class FakeEscposPrinter:
    """`with FakeEscposPrinter() as printer:` listens on 127.0.0.1:printer.port; `jobs` holds each connection's
    decoded (lines, cut); `paper = False` makes it report an empty paper roll (and print nothing)."""

    def __init__(self):
        self.jobs: list[tuple[list[PrintedLine], bool]] = []
        self.paper = True
        self.connections = 0
        self._stopping = False
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def start(self) -> "FakeEscposPrinter":
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._thread = threading.Thread(target=self._serve, name="fake-escpos-printer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._sock is not None:
            self._stopping = True  # a socket closed while another thread waits in accept() keeps listening
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()  # wakes accept()
            except OSError:
                pass
            self._sock.close()
            self._thread.join(5)
            self._sock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> list[tuple[list[PrintedLine], bool]]:
        with self._done:
            if not self._done.wait_for(lambda: len(self.jobs) >= count, timeout):
                raise AssertionError(f"the printer got {len(self.jobs)} jobs, not {count}, in {timeout}s")
            return list(self.jobs)

    def _serve(self) -> None:
        sock = self._sock
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            if self._stopping:
                conn.close()
                sock.close()
                return
            self.connections += 1
            with conn:
                received = self._receive(conn)
            if received:
                with self._done:
                    self.jobs.append(decode(received))
                    self._done.notify_all()

    def _receive(self, conn: socket.socket) -> bytes:
        """Everything the client sent but the status queries, answering each query as it arrives."""
        conn.settimeout(5)
        data = b""
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            while b"\x10\x04" in data:
                at = data.index(b"\x10\x04")
                if len(data) < at + 3:
                    break
                query = data[at + 2]
                data = data[:at] + data[at + 3:]
                conn.sendall(bytes([self._status(query)]))
        return data

    def _status(self, query: int) -> int:
        """DLE EOT n answers: 1 the printer (0x12: online), 4 the paper roll sensor (0x12 paper; 0x72 none)."""
        if query == 4:
            return 0x12 if self.paper else 0x72
        return 0x12
