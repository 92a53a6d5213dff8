"""Phone numbers: any spoken or local Australian form to E.164, and masked for logs."""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from kebabalab.errors import ToolError

_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
          "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_MULTIPLIERS = {"double": 2, "triple": 3}


def _spoken_digits(text: str) -> str:
    """'oh four one two, double three...' -> '041233...'; digits and '+' pass through."""
    out: list[str] = []
    repeat = 1
    for token in re.findall(r"\+|\d+|[a-z]+", text.lower()):
        if token in _MULTIPLIERS:
            repeat = _MULTIPLIERS[token]
            continue
        digits = _WORDS.get(token, token if token == "+" or token.isdigit() else "")
        if digits:
            out.append(digits[0] * repeat + digits[1:])
        repeat = 1
    return "".join(out)


def normalise_phone(text: str, region: str = "AU") -> str:
    """The E.164 form of a phone number (`+61412345678`), or a ToolError asking for it again."""
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        raise ToolError("What's the best phone number for the order?")
    candidate = _spoken_digits(text)
    try:
        parsed = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise ToolError("That phone number doesn't look right; could you say it again, digit by digit?") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ToolError("That phone number doesn't look right; could you say it again, digit by digit?")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def try_normalise(text: str | None, region: str = "AU") -> str | None:
    """E.164 or None, for numbers we did not ask for (Vapi's caller id may be withheld or odd); cached, as
    every tool call of a call reads the same caller id."""
    if not text:
        return None
    try:
        return normalise_phone(text, region)
    except ToolError:
        return None


def mask_phone(number: str | None) -> str:
    """'+61412345678' -> '+614••••5678': enough to tell calls apart, not enough to dial."""
    if not number:
        return "unknown"
    digits = str(number)
    if len(digits) <= 8:
        return "••••" + digits[-2:]
    return digits[:4] + "••••" + digits[-4:]


def can_receive_texts(e164: str) -> bool:
    """Mobiles only: no landlines (the text would fail) and no premium-rate or toll numbers (they cost the shop)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
