"""gunicorn's threaded worker with a buffering front: no thread waits for a slow client.

gunicorn's gthread worker hands a connection to a thread as soon as its first byte arrives, and the thread
then reads the request from the socket: 16 clients trickling their headers or body (a line a second) held
all 16 threads and /health stopped answering. Here the worker's own event loop (the selector gunicorn
already runs for accepting and keep-alive) reads every request into memory, and a thread is given the
connection only once the whole request is there; the thread's parser then reads from that buffer, never
waiting on the network. A request not complete READ_SECONDS after its connection was accepted (or, on a
kept-alive connection, after its first byte) is answered 408 and closed. Where the webhook credential is in
the headers (X-Vapi-Secret, Bearer), a request without a valid one is refused before its body is read.

Plain HTTP/1.1 only: the server never turns on TLS or HTTP/2 in gunicorn (a proxy in front terminates TLS).
"""
from __future__ import annotations

import errno
import json
import selectors
import socket
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

from kebabalab.cli.request_framing import TooLarge, read_head, request_end
from kebabalab.web.webhook_gate import refusal_before_body

READ_SECONDS = 5.0  # a whole request, head and body; Vapi sends a tool call's few kilobytes at once
LINGER_SECONDS = 2.0  # after a refusal, the client's unread bytes are discarded this long before closing
RECV_BYTES = 64 * 1024
SWEEP_SECONDS = 0.5


class BoundedSocket(socket.socket):
    """A client socket whose 'blocking' mode, once `bounded`, waits READ_SECONDS at most per read or write:
    set when the front hands a thread a request it could not frame for sure (gunicorn may then read on from
    the network), so that thread is freed by a timeout, never held. Other requests are read from memory and
    keep plain blocking sockets (a timeout costs a poll before every send)."""
    bounded = False

    def setblocking(self, flag: bool) -> None:
        self.settimeout((READ_SECONDS if self.bounded else None) if flag else 0.0)


class BufferedThreadWorker(ThreadWorker):
    """gthread with requests read by the event loop; see the module's docstring."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading: dict[TConn, float] = {}  # connection -> deadline (monotonic)
        self.next_sweep = 0.0

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        bounded = BoundedSocket(client.family, client.type, client.proto, fileno=client.detach())
        self.nr_conns += 1
        self._start_reading(TConn(self.cfg, bounded, address, listener.getsockname()))

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request has begun: read it here, not in a thread."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)

    def _start_reading(self, conn, inbox: bytes = b"") -> None:
        """Read what is there already (a kept-alive connection's request usually is, whole); watch the socket
        for the rest."""
        conn.sock.setblocking(False)
        conn.inbox = bytearray(inbox)
        conn.head = None
        conn.answered = False
        self.reading[conn] = time.monotonic() + READ_SECONDS
        if (inbox and self._check_complete(conn)) or self.on_request_bytes(conn, conn.sock):
            return
        if conn in self.reading and not conn.answered:  # still reading: neither handed over, closed nor refused
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_request_bytes, conn))

    def on_request_bytes(self, conn, sock) -> bool:
        """True once the connection has left the front (handed to a thread, or closed)."""
        try:
            data = sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # the client went away before finishing its request
            self._forget(conn)
            return True
        conn.inbox += data
        return self._check_complete(conn)

    def _check_complete(self, conn) -> bool:
        """Hands a whole request to a thread; True when the connection has left the reading front."""
        try:
            first = conn.head is None
            if first:
                conn.head = read_head(conn.inbox)
                if conn.head is None:
                    return False
            end = request_end(conn.inbox, conn.head, self.max_body)  # too large: 413 before the credential
            if first:
                refusal = refusal_before_body(self.wsgi.extensions["kebabalab"], conn.head, conn.client)
                if refusal is not None:
                    self._answer_and_close(conn, *refusal)
                    return False
                if end is None:
                    self._continue(conn)
        except TooLarge as exc:
            self._answer_and_close(conn, exc.status, exc.message)
            return False
        if end is None:
            return False
        self._stop_reading(conn)
        conn.sock.bounded = conn.head.framing != "length"  # chunked or unsure: gunicorn may read on
        conn.data_ready = True
        self.enqueue_req(conn)
        return True

    @staticmethod
    def _continue(conn) -> None:
        """A client that asked (Expect: 100-continue, as curl does for bodies over 1 KB) is told to send its
        body now rather than after its own wait; gunicorn says it again later, which clients allow."""
        if conn.head.headers.get("expect", "").lower() == "100-continue":
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass

    @property
    def max_body(self) -> int:
        return self.wsgi.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024

    def handle(self, conn):
        """In a thread: the parser reads the request from the buffer the front filled."""
        conn.sock.setblocking(True)
        conn.init()
        conn.parser.unreader.unread(bytes(conn.inbox))
        conn.inbox = bytearray()
        return super().handle(conn)

    def finish_request(self, conn, fs):
        """A request ahead of its turn (pipelined, or read with the body before) goes back through the front
        like any other, instead of to a thread that would wait for its end."""
        result = fs.result() if not fs.cancelled() else False
        if result and conn.parser is not None and conn.parser.unreader.buf.getvalue():
            self._start_reading(conn, conn.parser.unreader.take_buffered())
            return
        super().finish_request(conn, fs)

    def murder_pending(self):
        """Also the requests past their deadline; looked for twice a second, not after every event."""
        super().murder_pending()
        now = time.monotonic()
        if now < self.next_sweep:
            return
        self.next_sweep = now + SWEEP_SECONDS
        for conn in [c for c, deadline in self.reading.items() if deadline <= now]:
            if conn.answered:
                self._forget(conn)
            else:
                self._answer_and_close(conn, 408, f"request not received within {READ_SECONDS:g} seconds")

    def _answer_and_close(self, conn, status: int, message: str) -> None:
        """Answer without a thread (a few hundred bytes fit the socket's buffer), stop sending, and discard what
        the client still sends for LINGER_SECONDS, so the answer is read rather than lost to a reset."""
        body = json.dumps({"error": message}).encode()
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        try:
            conn.sock.send(head + body)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._forget(conn)
            return
        conn.answered = True
        conn.inbox = bytearray()
        self.reading[conn] = time.monotonic() + LINGER_SECONDS
        callback = partial(self._discard, conn)
        try:
            self.poller.modify(conn.sock, selectors.EVENT_READ, callback)
        except KeyError:  # refused while first read, before the socket was watched
            self.poller.register(conn.sock, selectors.EVENT_READ, callback)

    def _discard(self, conn, sock) -> None:
        try:
            if sock.recv(RECV_BYTES):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._forget(conn)

    def _stop_reading(self, conn) -> None:
        self.reading.pop(conn, None)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _forget(self, conn) -> None:
        self._stop_reading(conn)
        self.nr_conns -= 1
        conn.close()


REASONS = {401: "Unauthorized", 408: "Request Timeout", 413: "Content Too Large", 429: "Too Many Requests",
           431: "Request Header Fields Too Large"}
