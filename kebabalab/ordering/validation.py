"""Validators at every entry: each returns the clean value or raises ToolError with what to ask.

Arguments arrive from a language model: numbers as strings ("1"), booleans as "true",
lists as a single string. Anything that doesn't make sense is an error, not a guess.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from kebabalab.ordering.cart import MAX_QUANTITY
from kebabalab.errors import ToolError
from kebabalab.ordering.phones import normalise_phone

MAX_TEXT = 500
NAME_MAX = 60
NOTES_MAX = 200
_LINK = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|au|io|ly|me)\b)", re.I)
# Shown as nothing, yet letters by category: Hangul fillers, the braille blank, the combining grapheme joiner and
# the variation selectors. Bidi controls, zero-width spaces and joiners are format characters (Cf).
_INVISIBLE = frozenset(chr(c) for c in (0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, *range(0xFE00, 0xFE10),
                                       *range(0xE0100, 0xE01F0)))
_DROPPED_CATEGORIES = ("Cc", "Cf", "Co", "Cs", "Cn")  # control, format, private use, surrogates, unassigned
# A terminal escape sequence goes whole ("\x1b[2J", "\x1b]0;title\x07"), not just its ESC.
_TERMINAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")


def clean_text(value: Any) -> str:
    """A caller's words as kept and shown: control, format (bidi, zero-width) and invisible characters removed,
    every run of whitespace one space, NFC; every letter of every script kept (José, Nguyễn, 李)."""
    text = _TERMINAL_ESCAPE.sub("", unicodedata.normalize("NFC", "" if value is None else str(value)))
    kept = "".join(" " if ch.isspace() else "" if ch in _INVISIBLE or unicodedata.category(ch) in
                   _DROPPED_CATEGORIES else ch for ch in text)
    return " ".join(kept.split())


def coerce_int(value: Any, what: str) -> int:
    """An integer from 3, 3.0, "3" or " 3 "; a ToolError for anything else."""
    if isinstance(value, bool):
        raise ToolError(f"{what} must be a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", value):  # ASCII digits only
        return int(value)
    raise ToolError(f"{what} must be a whole number.")


def coerce_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ToolError(f"{what} must be yes or no.")


def coerce_text(value: Any, what: str, *, max_length: int = MAX_TEXT, required: bool = True) -> str | None:
    """Plain single-line text, cleaned on arrival (clean_text); refused only when nothing is left or it is
    longer than `max_length` characters."""
    if value is not None and (not isinstance(value, (str, int, float)) or isinstance(value, bool)):
        raise ToolError(f"The {what} must be text.")
    text = clean_text(value) if value is not None else ""
    if not text:
        if required:
            raise ToolError(f"I need the {what}.")
        return None
    if len(text) > max_length:
        raise ToolError(f"The {what} is too long; please keep it under {max_length} characters.")
    return text


def coerce_description(value: Any, what: str = "order description") -> str:
    """Like `coerce_text`, but keeps the line breaks: an assistant's list has one item a line."""
    if isinstance(value, str) and "\n" in value:
        lines = [coerce_text(line, what, required=False) for line in value.replace("\r", "").split("\n")]
        text = "\n".join(line for line in lines if line)
        if len(text) > MAX_TEXT:
            raise ToolError(f"The {what} is too long; please keep it under {MAX_TEXT} characters.")
        if text:
            return text
    return coerce_text(value, what)


def coerce_option(value: Any, what: str) -> str | None:
    """A menu option word, lower-cased, from text; None when absent."""
    text = coerce_text(value, what, max_length=40, required=False)
    return text.lower() if text else None


NO_CHIPS = ("none", "no", "no chips", "without", "without chips")


def coerce_chips_size(value: Any) -> str | None:
    """A meal's chips as said: 'small', 'large', 'none' for any way of saying no chips, or None when absent."""
    size = coerce_option(value, "chips size")
    return "none" if size in NO_CHIPS else size


def coerce_options(value: Any, what: str) -> list[str]:
    """A list of option words from a list, or from one string ("lettuce, onion" / "lettuce and onion")."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        if value.strip().lower() in ("none", "no", "nothing"):
            return []
        value = [p for p in re.split(r",|\band\b|&", value) if p.strip()]
    if not isinstance(value, list) or len(value) > 20:
        raise ToolError(f"The {what} must be a list of names.")
    return [coerce_option(v, what) for v in value if coerce_option(v, what)]


def validate_quantity(value: Any) -> int:
    quantity = coerce_int(value, "The quantity")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ToolError(f"The quantity must be between 1 and {MAX_QUANTITY}.")
    return quantity


def validate_index(value: Any, what: str = "itemIndex") -> int:
    if value is None or value == "":
        raise ToolError(f"Which item? I need the {what} from the cart.")
    index = coerce_int(value, f"The {what}")
    if index < 0:
        raise ToolError(f"The {what} counts from 0.")
    return index


def validate_line_index(value: Any, cart_size: int) -> int:
    """A cart line's 0-based index; -1 means the last line ("take the last one off")."""
    if value is None or value == "":
        raise ToolError("Which item? I need the itemIndex from the cart.")
    index = coerce_int(value, "The itemIndex")
    if index == -1:
        if cart_size == 0:
            raise ToolError("The cart is empty, so there is no last item.")
        return cart_size - 1
    if index < 0:
        raise ToolError("The itemIndex counts from 0, or is -1 for the last item.")
    return index


def validate_customer_name(value: Any) -> str:
    """1-60 characters of any script's letters, with spaces, hyphens, apostrophes and dots."""
    name = coerce_text(value, "customer's name", max_length=NAME_MAX)
    if _LINK.search(name):
        raise ToolError("That doesn't sound like a name; what name should I put the order under?")
    for ch in name:
        if not (ch.isalpha() or unicodedata.category(ch) in ("Mn", "Mc") or ch in " '-.’"):
            raise ToolError("That doesn't sound like a name; what name should I put the order under?")
    if not any(ch.isalpha() for ch in name):
        raise ToolError("What name should I put the order under?")
    return name


def validate_phone_number(value: Any) -> str:
    """An Australian or international number in E.164 (spoken and local forms accepted)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ToolError("What's the best phone number for the order?")
    if isinstance(value, int) and value <= 0:
        raise ToolError("That phone number doesn't look right; could you say it again, digit by digit?")
    return normalise_phone(clean_text(value))


def validate_notes(value: Any) -> str:
    notes = coerce_text(value, "notes", max_length=NOTES_MAX, required=False) or ""
    if _LINK.search(notes):
        raise ToolError("I can't put links in the order notes; what should the kitchen know?")
    return notes


def validate_price(value: Any) -> int:
    """A price in whole cents: positive, below $1,000 (menu files; never from the assistant)."""
    cents = coerce_int(value, "A price")
    if not 0 < cents < 100_000:
        raise ToolError("A price must be between 1 cent and $1,000.")
    return cents


def validate_menu_item(menu, item_id: Any) -> str:
    if not isinstance(item_id, str) or item_id not in menu.items:
        raise ToolError("That isn't on our menu.")
    return item_id


def validate_customization(menu, kind: str, value: Any) -> str:
    """One salad, sauce, protein, extra or brand that the menu has."""
    allowed = {"salad": menu.salads, "sauce": menu.sauces, "protein": menu.proteins,
               "extra": tuple(menu.extras), "brand": menu.can_brands, "salt": menu.chips_salt}[kind]
    option = coerce_option(value, kind)
    option = menu.speech_aliases.get(option, option) if option else option
    if option not in allowed:
        raise ToolError(f"We don't have {option or 'that'} as a {kind}; we have {', '.join(allowed)}.")
    return option
