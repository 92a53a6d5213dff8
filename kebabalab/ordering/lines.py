"""What a cart holds: a checked `CartLine` (and its `Meal`), and the `LineSpec` asked for before it is checked.

Plain frozen values, imported by the cart (which makes and changes lines) and by pricing (which prices them).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Meal:
    type: str
    chips_size: str | None = None
    chips_salt: str | None = None
    drink_brand: str | None = None


@dataclass(frozen=True)
class CartLine:
    item_id: str
    category: str
    size: str | None = None
    protein: str | None = None
    salads: tuple[str, ...] = ()
    sauces: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    cheese: bool = False
    salt: str | None = None
    brand: str | None = None
    quantity: int = 1
    meal: Meal | None = None
    # The unit price the caller was told, with the line it was told for (`what()`): a menu changed on the board
    # during the call does not change it; a line changed since is priced again.
    quote: tuple[int, str] | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def what(self) -> str:
        """The line's content but its quantity and quote: what a quoted price belongs to."""
        return repr((self.item_id, self.size, self.protein, self.salads, self.sauces, self.extras, self.cheese,
                     self.salt, self.brand, self.meal))

    @property
    def quoted_price(self) -> int | None:
        """The unit price told for this very line, or None (never quoted, or changed since)."""
        return self.quote[0] if self.quote is not None and self.quote[1] == self.what() else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CartLine":
        meal, quote = data.get("meal"), data.get("quote")
        return cls(**{**data, "salads": tuple(data.get("salads", ())), "sauces": tuple(data.get("sauces", ())),
                      "extras": tuple(data.get("extras", ())), "meal": Meal(**meal) if meal else None,
                      "quote": (int(quote[0]), str(quote[1])) if quote else None})


@dataclass
class LineSpec:
    """What a caller or the assistant asked for, before it is checked against the menu."""
    item_id: str
    size: str | None = None
    protein: str | None = None
    salads: list[str] = field(default_factory=list)
    sauces: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    cheese: bool | None = None
    salt: str | None = None
    brand: str | None = None
    quantity: int = 1
    meal: Meal | None = None
