"""The prank and no-show guard (business.json "prank_guard"): which orders wait for the customer's YES by text.

Off by default. When on, an order from a first-time caller (no earlier order that was not cancelled or left
unconfirmed) above the amount or the number of items is placed "awaiting" confirmation: the customer is texted,
replies YES within CONFIRM_MINUTES, or it is cancelled. Pure policy: placing an order applies it (service/orders.py);
service/order_guard.py cancels the unconfirmed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kebabalab.errors import ConfigError

CONFIRM_MINUTES = 15
YES_WORDS = ("YES", "Y", "YEP", "YEAH", "CONFIRM")
# Twilio's standard opt-out and opt-in keywords (a number that sent one of these is not texted again until it
# opts back in).
STOP_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE")
START_WORDS = ("START", "UNSTOP", "OPTIN")


@dataclass(frozen=True)
class PrankGuard:
    enabled: bool = False
    above_total_cents: int = 6000
    above_items: int = 10

    def needs_confirmation(self, total_cents: int, items: int, first_time: bool) -> bool:
        """True when an order of `total_cents` and `items` must wait for the customer's YES."""
        return self.enabled and first_time and (total_cents > self.above_total_cents or items > self.above_items)

    @classmethod
    def from_dict(cls, data: Any, source: str) -> "PrankGuard":
        """business.json's "prank_guard" object, or a ConfigError naming what is wrong."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: 'prank_guard' must be a JSON object")
        enabled = data.get("enabled", False)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{source}: 'prank_guard.enabled' must be true or false")
        checked = {}
        for key in ("above_total_cents", "above_items"):
            value = data.get(key, getattr(cls, key))
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{source}: 'prank_guard.{key}' must be a whole number from 0")
            checked[key] = value
        return cls(enabled, **checked)


def keyword(body: str | None) -> str:
    """The first word of a text, upper case, without punctuation: 'Yes!' -> 'YES'."""
    words = "".join(c if c.isalnum() else " " for c in (body or "")).split()
    return words[0].upper() if words else ""
