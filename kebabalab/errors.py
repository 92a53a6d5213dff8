"""The exception tree. A `ToolError` carries a sentence the assistant can say or act on."""


class KebabalabError(Exception):
    """Base of every error this package raises on purpose."""


class ToolError(KebabalabError):
    """A tool could not do what was asked; `str(err)` is a single sentence for the caller's ears."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return self.args[0]


class ConfigError(KebabalabError):
    """A settings, menu or hours file is unusable; the message names the entry."""


class ProtocolError(KebabalabError):
    """A webhook body is not a Vapi server message we can read (answered with HTTP 400)."""


class StoreError(KebabalabError):
    """A session or database store failed in a way a retry may fix."""
