"""Production WSGI servers: gunicorn (Linux, macOS) for one worker or several, waitress where gunicorn can't run.

Why gunicorn even for one worker: its threaded worker hands each request from one poller to a thread pool,
while waitress's single I/O thread walks every open connection on each wake-up. With 50 keep-alive calls on
2 cores (bench/load.py) gunicorn answered 442-484 tool calls/s against waitress's 302-351 in the same runs.
"""
from __future__ import annotations

import errno
import importlib.util
import logging
import os
import signal
import socket
import sys

from kebabalab.config import Settings
from kebabalab.errors import ConfigError

log = logging.getLogger(__name__)
SERVERS = ("auto", "gunicorn", "waitress")
THREADS_ONE_WORKER = 16  # a whole shop in one process: room for many calls waiting on the order database
THREADS_PER_WORKER = 8


def gunicorn_available() -> bool:
    """gunicorn imports on POSIX only (it needs fcntl); Windows runs waitress."""
    return sys.platform != "win32" and importlib.util.find_spec("gunicorn") is not None


def choose_server(requested: str, workers: int) -> str:
    """'auto' -> gunicorn where it runs, else waitress. Raises ValueError for what cannot work."""
    if requested not in SERVERS:
        raise ValueError(f"--server must be one of {', '.join(SERVERS)}")
    if requested == "auto":
        requested = "gunicorn" if gunicorn_available() else "waitress"
    if requested == "gunicorn" and not gunicorn_available():
        raise ValueError("gunicorn does not run on this system; use --server waitress (one worker)")
    if requested == "waitress" and workers > 1:
        raise ValueError("waitress runs one process; several workers need gunicorn (Linux or macOS)")
    return requested


def inherited_sockets() -> int:
    """How many listening sockets systemd handed this process (socket activation: LISTEN_FDS for LISTEN_PID,
    from fd 3). Why: the socket outlives the service, so across a restart a new connection waits in its
    queue instead of being refused, and is answered by the next server once it has restored the calls."""
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        return 0
    try:
        return max(0, int(os.environ.get("LISTEN_FDS", "0")))
    except ValueError:
        return 0


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind: 'host:port', with an IPv6 address in brackets ('[::1]:5000')."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def check_port_free(host: str, port: int) -> None:
    """ConfigError, in one line, when something already listens on host:port; checked as gunicorn will bind
    it (IPv6 for an IPv6 address, IPv4 for anything else, "localhost" included).

    Why: several workers each bind with SO_REUSEPORT, which on its own would let this server join another
    program's port (one that set SO_REUSEPORT too) and take part of its calls. It does not stop a program of
    the same user that sets SO_REUSEPORT from joining this server's port later."""
    from gunicorn.util import is_ipv6  # gunicorn's own choice of family; serve_gunicorn's caller only
    name = host.strip("[]")
    family = socket.AF_INET6 if is_ipv6(name) else socket.AF_INET
    try:
        address = socket.getaddrinfo(name or None, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0][4]
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"HOST {host!r} is not an address to listen on ({exc})") from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as exc:
            raise cannot_listen(host, port, exc) from None


def cannot_listen(host: str, port: int, exc: OSError) -> ConfigError:
    """The one line for a bind that failed; 'another server?' only when the port is taken."""
    hint = " (is another server using this port?)" if exc.errno == errno.EADDRINUSE else ""
    return ConfigError(f"cannot listen on {bind_address(host, port)}: {exc.strerror or exc}{hint}")


def serve_waitress(settings: Settings, threads: int = THREADS_ONE_WORKER) -> int:
    from kebabalab.cli.waitress_server import create_deadline_server
    from kebabalab.web.app import MAX_BODY_BYTES, create_app
    app = create_app(settings)
    services = app.extensions["kebabalab"]
    services.restore_sessions()
    sockets = [socket.socket(fileno=3)] if inherited_sockets() else []
    try:
        # Each simultaneous phone call may hold a keep-alive connection: allow far more than waitress's default
        # 100, or call 101 waits in the listen backlog until another call's connection closes.
        # A body over the limit is refused by waitress before it is read whole (the app says why for the rest).
        server = create_deadline_server(app, settings.host, settings.port, sockets, threads=threads,
                                        connection_limit=1000, ident="kebabalab",
                                        max_request_body_size=MAX_BODY_BYTES + 1)
    except OSError as exc:  # the port is taken, or the address is not this machine's: one line, not a traceback
        services.stop_background()
        raise cannot_listen(settings.host, settings.port, exc) from None
    where = "the socket systemd passed" if sockets else f"http://{settings.host}:{settings.port}"
    log.info("serving on %s (waitress, %d threads)", where, threads)
    if hasattr(signal, "SIGTERM"):  # a graceful stop: the requests begun are answered, then the calls saved
        signal.signal(signal.SIGTERM, lambda *_: server.stop_gracefully())
    try:
        server.run()  # returns after a graceful stop (SIGTERM) or on Ctrl-C
    finally:
        services.save_sessions()
        services.stop_background()
    return 0


def serve_gunicorn(settings: Settings, workers: int) -> int:
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger

    from kebabalab.web.logs import configure_logging_for
    from kebabalab.service.wiring import check_before_serving

    class Logs(Logger):
        """gunicorn's own lines (master and workers) through the app's one masking handler, text or JSON."""

        def setup(self, cfg):
            super().setup(cfg)
            configure_logging_for(settings)
            for logger in (self.error_log, self.access_log):
                for handler in list(logger.handlers):
                    logger.removeHandler(handler)
                logger.propagate = True

    threads = THREADS_ONE_WORKER if workers == 1 else THREADS_PER_WORKER

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind_address(settings.host, settings.port))
            self.cfg.set("workers", workers)
            # gthread, with requests read by the worker's event loop, not its threads (a slow client holds none)
            self.cfg.set("worker_class", "kebabalab.cli.buffered_worker.BufferedThreadWorker")
            self.cfg.set("threads", threads)
            self.cfg.set("worker_connections", 1000)
            # Several workers on Linux: each listens on its own socket (SO_REUSEPORT) and the kernel hands
            # each new connection to one of them by its addresses. On one shared socket, a burst of keep-alive
            # connections was all accepted by whichever worker woke first (bench/load.py: one of 4 workers at
            # 96-100% CPU, the other three idle, for the whole run). macOS and the BSDs accept SO_REUSEPORT but
            # give one socket every connection, so there the shared socket stays. The cost: connections still
            # waiting in a worker's own queue when it dies are reset, and the master's "Listening at" line
            # names no address (the "serving on" line does).
            # Under socket activation every worker shares systemd's one socket (gunicorn ignores it otherwise).
            self.cfg.set("reuse_port", workers > 1 and sys.platform.startswith("linux") and not inherited_sockets())
            self.cfg.set("keepalive", 30)  # Vapi reuses its connection between a call's tool calls
            self.cfg.set("timeout", 30)
            # Never recycle workers: with one worker and memory sessions, a recycle would drop every cart.
            self.cfg.set("max_requests", 0)
            self.cfg.set("logger_class", Logs)
            self.cfg.set("loglevel", settings.log_level.lower())  # LOG_LEVEL=WARNING quiets gunicorn's lines too
            # No control socket: its default path is one per user, so two servers on a machine (two shops, a
            # benchmark beside a server) would share it and gunicornc could stop the wrong one.
            self.cfg.set("control_socket_disable", True)
            self.cfg.set("worker_exit", _stop_background_work)

        def load(self):
            from kebabalab.web.app import create_app
            app = create_app(settings)
            app.extensions["kebabalab"].restore_sessions()  # in the worker, before it accepts a connection
            return app

    configure_logging_for(settings)
    if not inherited_sockets():  # systemd's socket is bound already: gunicorn takes it over (LISTEN_FDS)
        check_port_free(settings.host, settings.port)  # before the database is made: a refusal leaves nothing
    check_before_serving(settings)  # a bad file or an unreachable database: one line and exit, before forking
    where = "the socket systemd passed" if inherited_sockets() else f"http://{settings.host}:{settings.port}"
    log.info("serving on %s (gunicorn, %d worker(s) x %d threads)", where, workers, threads)
    Application().run()
    return 0


def _stop_background_work(server, worker) -> None:
    """gunicorn's worker_exit hook, after the worker's last request: the calls in progress are saved for the
    next server (memory sessions), and the SMS sender finishes the texts it is sending and saves what became
    of them, so a restart does not send them a second time once their lease runs out."""
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("kebabalab") if app is not None else None
    if services is not None:
        try:
            services.save_sessions()
        finally:
            services.stop_background()
