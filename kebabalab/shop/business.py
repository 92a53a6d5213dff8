"""The shop's details (business.json): a typed, checked value read once at start-up, never a dict passed around."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kebabalab.errors import ConfigError, read_json_file
from kebabalab.ordering.phones import try_normalise


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Business:
    name: str
    timezone: str
    address: str = ""
    phone: str = ""
    branch: str = ""
    website: str = ""
    menu_url: str = ""
    default_lead_minutes: int = 15  # the kitchen's lead time for a small order, before the queue
    max_items_per_order: int = 30  # the most one phone order may hold
    owner_phone: str = ""  # E.164: the owner's mobile, for the end-of-day summary and alerts ("owner" in the file)
    owner_email: str = ""  # the owner's address, for alerts by email through the shop's SMTP server

    @classmethod
    def load(cls, path: str) -> "Business":
        return cls.from_dict(read_json_file(path, "business"), f"business file {path}")

    @classmethod
    def from_dict(cls, data: Any, source: str = "business file") -> "Business":
        """The details from business.json's shape, or a ConfigError naming what is wrong."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: must be a JSON object")
        for key in ("name", "timezone"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise ConfigError(f"{source}: '{key}' is missing")
        ordering = data.get("ordering", {})
        if not isinstance(ordering, dict):
            raise ConfigError(f"{source}: 'ordering' must be a JSON object")
        checked = {}
        for key, default, least in (("default_lead_minutes", 15, 0), ("max_items_per_order", 30, 1)):
            value = ordering.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(f"{source}: 'ordering.{key}' must be a whole number from {least}")
            checked[key] = value
        return cls(data["name"], data["timezone"], _text(data, "address"), _text(data, "phone"),
                   _text(data, "branch"), _text(data, "website"), _text(data, "menu_url"), **checked,
                   **_owner(data.get("owner", {}), source))


def _owner(owner: Any, source: str) -> dict[str, str]:
    """"owner": {"phone": "0412 345 678", "email": "owner@example.com"}, both optional: the phone in E.164."""
    if not isinstance(owner, dict):
        raise ConfigError(f"{source}: 'owner' must be a JSON object")
    phone, email = _text(owner, "phone").strip(), _text(owner, "email").strip()
    e164 = try_normalise(phone) if phone else ""
    if e164 is None:
        raise ConfigError(f"{source}: 'owner.phone' is not a phone number")
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise ConfigError(f"{source}: 'owner.email' is not an email address")
    return {"owner_phone": e164, "owner_email": email}
