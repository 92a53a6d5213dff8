"""Logging set-up: text or JSON lines, phone numbers masked and control characters escaped on every line.

`configure_logging` puts one handler on the root logger, so every line of the process (ours, waitress's,
gunicorn's) goes through the masking formatter; `logging.basicConfig()` (which waitress calls) then adds no
second, unmasked handler. Records keep propagating, so pytest's `caplog` still sees them.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import unicodedata

from kebabalab.ordering.phones import mask_phone

# E.164 (+61412345678), E.164 without its plus (61412345678) and Australian local forms (0412 345 678,
# 03-9534-5588, (03) 9534 5588); not dates, times, order numbers or durations.
_PHONE = re.compile(r"(?<![\w+•])(\+\d{8,15}|\+\d{1,3}(?:[ -]?\d){7,12}|61[2-478]\d{8}|0[2-478](?:[ -]?\d){8}"
                    r"|\(0[2-478]\) ?\d{4}[ -]?\d{4})(?!\d)")
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
# Structured fields a record may carry (`log.info(..., extra={"fields": {...}})`), shown as JSON keys.
FIELDS = "fields"


def mask_numbers(text: str) -> str:
    """Mask anything that looks like a phone number: keep the first 4 and last 4 digits."""
    def hide(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) < 8:
            return match.group(1)
        return mask_phone(("+" if match.group(1).startswith("+") else "") + digits)
    return _PHONE.sub(hide, text)


def escape_controls(text: str) -> str:
    """Control, format and direction-override characters as `\\uXXXX`, so one record stays one honest line
    (a call id or tool name with a newline or U+202E cannot forge or reorder a log line)."""
    def safe(ch: str) -> str:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return f"\\u{ord(ch):04x}"
        return ch
    return "".join(safe(ch) for ch in text) if not text.isprintable() else text


def clean(value) -> object:
    """A value fit for a log line: strings masked and escaped, numbers and None as they are."""
    if isinstance(value, str):
        return mask_numbers(escape_controls(value))
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clean(str(value))


class MaskingFormatter(logging.Formatter):
    """`text`: `time LEVEL logger: message`; `json`: one JSON object per record, on one line."""

    def __init__(self, as_json: bool):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = clean(record.getMessage())
        exception = mask_numbers(self.formatException(record.exc_info)) if record.exc_info else None
        if not self.as_json:
            line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
            return f"{line}\n{exception}" if exception else line
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": message}
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update({str(k): clean(v) for k, v in fields.items() if k not in entry})
        if exception:
            entry["exception"] = exception
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text", file: str = "", file_mb: int = 10,
                      file_count: int = 5) -> None:
    """Install the one masking handler (idempotent: apps made in tests replace it) and the package's level;
    with `file`, the same lines also go to that file, rotated at `file_mb` MB keeping `file_count` old ones
    (Windows has no journald: LOG_FILE is where a shop's log lives there)."""
    logging.getLogger("kebabalab").setLevel(getattr(logging, level.upper(), logging.INFO))
    root = logging.getLogger()
    for logger in (root, logging.getLogger("kebabalab")):  # the package logger held it before
        for handler in list(logger.handlers):
            if getattr(handler, "_kebabalab", False):
                logger.removeHandler(handler)
                handler.close()  # a log file is let go (Windows cannot rotate a file another handle holds)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file:
        folder = os.path.dirname(file)
        if folder:
            os.makedirs(folder, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(file, maxBytes=file_mb * 1024 * 1024,
                                                             backupCount=file_count, encoding="utf-8"))
    for handler in handlers:
        handler._kebabalab = True  # type: ignore[attr-defined]
        handler.setFormatter(MaskingFormatter(fmt == "json"))
        root.addHandler(handler)


def configure_logging_for(settings) -> None:
    """configure_logging with LOG_LEVEL, LOG_FORMAT and LOG_FILE (and its rotation) from the settings."""
    configure_logging(settings.log_level, settings.log_format, settings.log_file, settings.log_file_max_mb,
                      settings.log_file_count)
