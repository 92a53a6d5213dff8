"""Production WSGI servers: waitress for one process (Linux and Windows), gunicorn for several workers."""
from __future__ import annotations

import logging

from .config import Settings

log = logging.getLogger(__name__)


def serve_waitress(settings: Settings, threads: int = 16) -> int:
    from waitress import serve

    from .server import create_app
    app = create_app(settings)
    log.info("serving on http://%s:%d (waitress, %d threads)", settings.host, settings.port, threads)
    # Each simultaneous phone call may hold a keep-alive connection: allow far more than waitress's default 100,
    # or call 101 waits in the listen backlog until another call's connection closes.
    serve(app, host=settings.host, port=settings.port, threads=threads, connection_limit=1000, ident="kebabalab")
    return 0


def serve_gunicorn(settings: Settings, workers: int) -> int:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", 30)

        def load(self):
            from .server import create_app
            return create_app(settings)

    log.info("serving on http://%s:%d (gunicorn, %d workers)", settings.host, settings.port, workers)
    Application().run()
    return 0
