"""A router from Vapi message type to handler, as gidgethub's Router routes GitHub events (python/bedevere):
handlers registered by type with a decorator, routers combined in one place, one dispatch."""
from __future__ import annotations

from typing import Any, Callable

from kebabalab.vapi.protocol import ServerMessage

Handler = Callable[..., "dict | None"]


class Router:
    """Message type -> handler. `Router(a, b)` holds every route of `a` and `b` (a type routed twice is an error)."""

    def __init__(self, *others: "Router") -> None:
        self._routes: dict[str, Handler] = {}
        for other in others:
            for kind, handler in other._routes.items():
                self.add(handler, kind)

    def add(self, handler: Handler, *kinds: str) -> None:
        for kind in kinds:
            if kind in self._routes:
                raise ValueError(f"Vapi message type {kind!r} routed twice")
            self._routes[kind] = handler

    def register(self, *kinds: str) -> Callable[[Handler], Handler]:
        """Decorate a function `handler(message, *args) -> reply dict or None` as the handler of `kinds`."""
        def decorator(handler: Handler) -> Handler:
            self.add(handler, *kinds)
            return handler
        return decorator

    def types(self) -> list[str]:
        return sorted(self._routes)

    def dispatch(self, message: ServerMessage, *args: Any) -> dict:
        """The reply body for `message`: its handler's, or `{}` for a type nobody handles (Vapi wants a 200)."""
        handler = self._routes.get(message.type)
        reply = handler(message, *args) if handler else None
        return reply if reply is not None else {}
