"""Slow clients for the tests and the benchmark: connections that trickle their headers or their body."""
from __future__ import annotations

import selectors
import socket


class SlowClients:
    """`n` connections sending one header line every so often, and `n` that send whole headers (with the
    right secret) then their body a byte at a time; closed ones are noted, the others trickle on."""

    def __init__(self, port: int, n: int, secret: str):
        self.port = port
        self.secret = secret.encode()
        self.open: dict[socket.socket, bytes] = {}
        self.closed = 0
        self.answers: list[bytes] = []
        for _ in range(n):
            self.connect_pair()

    def connect_pair(self) -> None:
        """One connection of each kind: headers a line at a time (no credential yet), and whole headers with
        the right secret, then the body a byte at a time."""
        self._connect(b"POST /webhook HTTP/1.1\r\nHost: shop\r\n", b"X-Slow: 1\r\n")
        self._connect(b"POST /webhook HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
                      b"X-Vapi-Secret: " + self.secret + b"\r\nContent-Length: 4000\r\n\r\n", b"{")

    def _connect(self, first: bytes, then: bytes) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(first)
        sock.setblocking(False)
        self.open[sock] = then

    def trickle(self) -> None:
        """One more piece to every open connection; the server's answer or its close ends one."""
        with selectors.DefaultSelector() as ready:
            for sock in self.open:
                ready.register(sock, selectors.EVENT_READ)
            for key, _ in ready.select(0):
                self._read_to_end(key.fileobj)
        for sock, piece in list(self.open.items()):
            try:
                sock.send(piece)
            except OSError:  # reset or broken pipe: the server closed it
                self._close(sock)

    def _read_to_end(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.answers.append(data.split(b"\r\n", 1)[0])
        self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        self.open.pop(sock)
        sock.close()
        self.closed += 1

    def close_all(self) -> None:
        for sock in self.open:
            sock.close()
