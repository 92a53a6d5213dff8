"""The shop's details (business.json): a typed, checked value read once at start-up, never a dict passed around."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from kebabalab.errors import ConfigError, read_json_file
from kebabalab.ordering.phones import try_normalise
from kebabalab.shop.order_guard import PrankGuard


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Printing:
    """The shop's kitchen printers (business.json "printing"): a receipt printer on the shop's network spoken to
    in ESC/POS ({"escpos": {"host", "port"}}), and/or a Star printer that polls us by CloudPRNT ({"cloudprnt": true})."""
    escpos_host: str = ""
    escpos_port: int = 9100
    cloudprnt: bool = False

    @property
    def printers(self) -> tuple[str, ...]:
        return (("escpos",) if self.escpos_host else ()) + (("cloudprnt",) if self.cloudprnt else ())

    @classmethod
    def from_dict(cls, data: Any, source: str) -> "Printing":
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: 'printing' must be a JSON object")
        escpos = data.get("escpos") or {}
        if not isinstance(escpos, dict) or not isinstance(escpos.get("host", ""), str):
            raise ConfigError(f"{source}: 'printing.escpos' must be {{\"host\": \"192.168.1.50\", \"port\": 9100}}")
        port = escpos.get("port", 9100)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConfigError(f"{source}: 'printing.escpos.port' must be a port number (9100 for most printers)")
        if not isinstance(data.get("cloudprnt", False), bool):
            raise ConfigError(f"{source}: 'printing.cloudprnt' must be true or false")
        return cls(escpos.get("host", "").strip(), port, data.get("cloudprnt", False))


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
    prank_guard: PrankGuard = PrankGuard()  # "prank_guard": big first orders wait for a YES by text (off)
    printing: Printing = Printing()

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
                   **_owner(data.get("owner", {}), source),
                   prank_guard=PrankGuard.from_dict(data.get("prank_guard"), source),
                   printing=Printing.from_dict(data.get("printing", {}), source))


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
