"""The exception tree. A `ToolError` carries a sentence the assistant can say or act on."""
import json
from pathlib import Path


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


def read_json_file(path, what: str):
    """The decoded JSON of a shop file, or a ConfigError naming the file (`what`: 'menu', 'hours', ...)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what} file {path}: cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", "?")
        raise ConfigError(f"{what} file {path}: not valid JSON (line {line})") from None
