"""waitress with a deadline for each request, and the webhook's credential checked before the body.

waitress already reads requests on its one I/O thread and gives a thread only a whole request, so a slow
client holds no thread; but a client that sends a byte now and then is kept for ever (its channel_timeout,
120 s, counts from the last byte). Here a request not complete READ_SECONDS after its first byte is closed,
and a webhook request whose headers show it cannot be authorised is refused before its body arrives.
"""
from __future__ import annotations

import json
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from kebabalab.cli.buffered_worker import READ_SECONDS, REASONS
from kebabalab.cli.request_framing import Head
from kebabalab.web.webhook_gate import refusal_before_body

STOP_SECONDS = 30  # a graceful stop waits this long at most for requests in progress (gunicorn's too)


class DeadlineChannel(HTTPChannel):
    """A connection whose request in progress has READ_SECONDS to arrive whole."""
    request_started = 0.0
    head_checked = False

    def received(self, data):
        if self.request is None and data:
            self.request_started = time.monotonic()
            self.head_checked = False
        handled = super().received(data)
        request = self.request  # a request still arriving (None once complete)
        if request is not None and request.headers_finished and not self.head_checked:
            self.head_checked = True
            self._refuse_early(request)
        return handled

    def _refuse_early(self, request) -> None:
        headers = {name.lower().replace("_", "-"): value for name, value in request.headers.items()}
        head = Head(request.command, request.path, headers, 0, "length")
        refusal = refusal_before_body(self.server.services, head, self.addr)
        if refusal is None:
            return
        status, message = refusal
        body = json.dumps({"error": message}).encode()
        self.write_soon((f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)
        self.request = None
        self.close_when_flushed = True


class DeadlineServer(TcpWSGIServer):
    channel_class = DeadlineChannel
    services = None  # the app's Services, for the credential check
    stopping_since = None  # time.monotonic() of a graceful stop

    def stop_gracefully(self) -> None:
        """From a signal handler: accept nothing more (new connections wait in the socket's queue for the
        next server), answer every request already begun, then leave the loop (run() returns)."""
        self.stopping_since = time.monotonic()

    def readable(self):
        if self.stopping_since is None:
            return super().readable()
        now = time.monotonic()
        if now - self.stopping_since > STOP_SECONDS or not any(map(_busy, self.active_channels.values())):
            raise SystemExit(0)  # waitress's run() ends its loop and its threads on this
        return False

    def maintenance(self, now):
        super().maintenance(now)
        cutoff = time.monotonic() - READ_SECONDS
        for channel in self.active_channels.values():
            if channel.request is not None and channel.request_started < cutoff:
                channel.will_close = True  # closed by the I/O thread on its next pass


def _busy(channel) -> bool:
    """A request arriving, waiting, being answered, or a connection so new that its request may be on the way."""
    fresh = channel.last_activity == channel.creation_time and time.time() - channel.creation_time < 1
    return bool(channel.requests or channel.request is not None or channel.total_outbufs_len or fresh)


def create_deadline_server(app, host: str, port: int, sockets=(), **settings) -> DeadlineServer:
    """One listening address (or one inherited socket) like waitress.create_server, with the deadline; the
    I/O loop wakes at least every second to enforce it (cleanup_interval)."""
    place = {"sockets": list(sockets)} if sockets else {"host": host, "port": port}
    adj = Adjustments(cleanup_interval=1, **place, **settings)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    if adj.sockets:
        sock = adj.sockets[0]
        server = DeadlineServer(app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False,
                                sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
    else:
        server = DeadlineServer(app, {}, True, None, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
    server.services = app.extensions["kebabalab"]
    return server
