"""Logging set-up: text or JSON lines, and a last-line filter that masks any phone number."""
from __future__ import annotations

import json
import logging
import re

# E.164 (+61412345678) and Australian local forms (0412 345 678, 03-9534-5588); not dates or times.
_PHONE = re.compile(r"(?<![\w+•])(\+\d{8,15}|\+\d{1,3}(?:[ -]?\d){7,12}|0[2-478](?:[ -]?\d){8})(?!\d)")


def mask_numbers(text: str) -> str:
    """Mask anything that looks like a phone number: keep the first 4 and last 4 digits."""
    def hide(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) < 8:
            return match.group(1)
        prefix = "+" if match.group(1).startswith("+") else ""
        return f"{prefix}{digits[:3 if prefix else 4]}••••{digits[-4:]}"
    return _PHONE.sub(hide, text)


class MaskingFormatter(logging.Formatter):
    def __init__(self, as_json: bool):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        if not self.as_json:
            return mask_numbers(super().format(record))
        entry = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_numbers(json.dumps(entry, ensure_ascii=False))


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Install one masking handler on the package logger (idempotent: apps made in tests share it)."""
    logger = logging.getLogger("kebabalab")
    logger.setLevel(getattr(logging, level.upper(), logging.INFO))
    for handler in list(logger.handlers):
        if getattr(handler, "_kebabalab", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._kebabalab = True  # type: ignore[attr-defined]
    handler.setFormatter(MaskingFormatter(fmt == "json"))
    logger.addHandler(handler)
