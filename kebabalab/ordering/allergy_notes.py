"""Whether a note mentions an allergy, and whether it sounds severe: the one rule the board, the shop's text and the
kitchen ticket flag an order by, and the allergen tool and the hand-over to a person use."""
from __future__ import annotations

import re
from typing import Iterable, Mapping

# How callers say it: "nut allergy", "she's allergic to sesame", "coeliac", "lactose intolerant", "gluten free",
# "no peanuts", "has an epipen", "anaphylactic to shellfish".
_ALLERGY = re.compile(
    r"\b(allerg\w*|anaphyla\w*|epi ?pens?|coeliac|celiac|intoleran\w*|(gluten|dairy|nut|egg|sesame|soy|wheat)"
    r"[ -]?free|(pea|tree ?)?nuts?|lactose|shellfish)\b", re.IGNORECASE)
_SEVERE = re.compile(
    r"\b(anaphyla\w*|epi ?pens?|severe(ly)?|serious(ly)?|deadly|life[ -]threatening|hospital|die|really allergic|"
    r"very allergic|deathly)\b", re.IGNORECASE)


def mentions_allergy(text: str | None) -> bool:
    return bool(text) and _ALLERGY.search(text) is not None


def is_severe(text: str | None) -> bool:
    """An allergy said to be severe ("anaphylactic", "carries an epipen", "a serious nut allergy")."""
    return mentions_allergy(text) and _SEVERE.search(text) is not None


def allergy_note(notes: str | None, items: Iterable[Mapping] = ()) -> str:
    """The order's notes and line notes (an item's "note", when it has one) that mention an allergy, joined with
    "; " ("" when none): what the board, the shop's text and the ticket show as the order's allergy flag."""
    said = [notes] + [item.get("note") for item in items if isinstance(item, Mapping)]
    return "; ".join(" ".join(str(text).split()) for text in said if mentions_allergy(text))
