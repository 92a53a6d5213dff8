"""Allergens from the shop's facts only: what the menu file records for each item, extra and option, or
"unconfirmed" where it records nothing. Nothing here guesses, and nothing here calls food safe.

In the menu file an item or an extra carries `"allergens": ["gluten", "sesame"]` (an empty list: the shop lists
none) or `"allergens": "unconfirmed"`; absent means unconfirmed. Options (proteins, salads, sauces, can brands, chips
salt) take theirs from `"option_allergens": {"sauces": {"garlic": ["egg"]}}`, where a name left out is unconfirmed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kebabalab.errors import ConfigError

UNCONFIRMED = "unconfirmed"
# The menu's option lists, and what one of each is called when spoken ("garlic sauce", "chicken salt").
OPTION_KINDS = {"proteins": "{}", "salads": "{}", "sauces": "{} sauce", "can_brands": "{}",
                "chips_salt": "{} salt"}


def read_allergens(raw, where: str) -> tuple[str, ...] | None:
    """A menu entry's `allergens`: the list as the shop wrote it (lower case, once each), or None: unconfirmed."""
    if raw is None or raw == UNCONFIRMED:
        return None
    if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
        raise ConfigError(f'menu: {where}.allergens must be a list of allergens, or "{UNCONFIRMED}"')
    return tuple(dict.fromkeys(" ".join(a.lower().split()) for a in raw))


def read_option_allergens(raw, options: dict[str, tuple[str, ...]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """`option_allergens` checked against the menu's options: {kind: {option: allergens}}, confirmed ones only."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("menu: option_allergens must map an option list (e.g. sauces) to its options' allergens")
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, names in raw.items():
        if kind not in OPTION_KINDS or not isinstance(names, dict):
            raise ConfigError(f"menu: option_allergens.{kind} is not one of {', '.join(OPTION_KINDS)}")
        for name, allergens in names.items():
            if name not in options[kind]:
                raise ConfigError(f"menu: option_allergens.{kind} names {name!r}, which is not in options.{kind}")
            listed = read_allergens(allergens, f"option_allergens.{kind}.{name}")
            if listed is not None:
                found.setdefault(kind, {})[name] = listed
    return found


@dataclass(frozen=True)
class Fact:
    """What the shop says about one thing on the menu: its allergens, or None when it has not confirmed them."""
    kind: str        # item | extra | proteins | salads | sauces | can_brands | chips_salt
    name: str        # as said aloud: "HSP", "garlic sauce", "haloumi"
    allergens: tuple[str, ...] | None
    included: bool = False  # comes with an item asked about (its salads, sauces, cheese), not asked about itself

    @property
    def confirmed(self) -> bool:
        return self.allergens is not None

    def as_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "included": self.included,
                "allergens": list(self.allergens) if self.confirmed else UNCONFIRMED}


def every_fact(menu) -> list[Fact]:
    """One fact per item, extra and option of the menu, in the file's order."""
    facts = [Fact("item", item.spoken, item.allergens) for item in menu.items.values()]
    facts += [Fact("extra", extra.name, extra.allergens) for extra in menu.extras.values()]
    for kind, said in OPTION_KINDS.items():
        confirmed = menu.option_allergens.get(kind, {})
        facts += [Fact(kind, said.format(name), confirmed.get(name)) for name in getattr(menu, kind)]
    return facts


def unconfirmed(menu) -> list[Fact]:
    """What check-menu and doctor warn about: every entry whose allergens the shop has not confirmed."""
    return [fact for fact in every_fact(menu) if not fact.confirmed]


def facts_in(menu, text: str) -> list[Fact]:
    """The menu's items, extras and options named in `text` (the caller's words), each once, with what an item
    comes with by default (its salads, sauces and cheese) marked `included`. Longer names win: "lamb gozleme" is
    the gozleme, not the lamb; a name two entries share ("tomato") gives both."""
    words = " " + " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower()).split()) + " "
    taken: list[tuple[int, int]] = []
    found: list[Fact] = []
    for phrase, fact in sorted(_phrases(menu), key=lambda pair: -len(pair[0])):
        for match in re.finditer(rf" {re.escape(phrase)}(?:e?s)? ", words):
            span = (match.start(), match.end())
            if any(span != t and span[0] < t[1] - 1 and t[0] < span[1] - 1 for t in taken):
                continue
            taken.append(span)
            if fact not in found:
                found.append(fact)
    return found + [f for item in found if item.kind == "item" for f in _included(menu, item) if f not in found]


def _phrases(menu) -> list[tuple[str, Fact]]:
    pairs = []
    for item in menu.items.values():
        fact = Fact("item", item.spoken, item.allergens)
        pairs += [(name, fact) for name in {item.name.lower(), item.spoken.lower(), *item.aliases}]
    for extra in menu.extras.values():
        fact = Fact("extra", extra.name, extra.allergens)
        pairs += [(name, fact) for name in {extra.name, *extra.aliases}]
    for kind, said in OPTION_KINDS.items():
        confirmed = menu.option_allergens.get(kind, {})
        for name in getattr(menu, kind):
            fact = Fact(kind, said.format(name), confirmed.get(name))
            pairs += [(phrase, fact) for phrase in {said.format(name), name} if phrase not in ("none", "normal")]
    return pairs


def _included(menu, fact: Fact) -> list[Fact]:
    item = next(i for i in menu.items.values() if i.spoken == fact.name)
    confirmed = menu.option_allergens
    parts = [Fact("salads", s, confirmed.get("salads", {}).get(s), True) for s in item.the_lot.get("salads", ())]
    parts += [Fact("sauces", f"{s} sauce", confirmed.get("sauces", {}).get(s), True)
              for s in item.the_lot.get("sauces", ())]
    if item.includes_cheese and "cheese" in menu.extras:
        parts.append(Fact("extra", "cheese", menu.extras["cheese"].allergens, True))
    return parts


def lists(fact: Fact, allergy: str) -> bool:
    """Whether the shop lists `allergy` ("nuts", "sesame") for `fact`: a word of one inside the other, either way
    ("nut" finds "tree nuts", "peanuts" finds "peanut")."""
    wanted = _stem(allergy)
    return bool(wanted) and any(wanted in _stem(a) or _stem(a) in wanted for a in fact.allergens or ())


def _stem(word: str) -> str:
    word = " ".join(word.lower().split())
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def allergens_warning(menu, shown: int = 8) -> str:
    """check-menu's and doctor's sentence about unconfirmed allergens ("" when every entry is confirmed)."""
    missing = unconfirmed(menu)
    if not missing:
        return ""
    names = ", ".join(fact.name for fact in missing[:shown]) + (", ..." if len(missing) > shown else "")
    return (f"allergens unconfirmed for {len(missing)} of {len(every_fact(menu))} menu entries ({names}); until "
            "the shop confirms them (\"allergens\" in the menu file) the assistant offers a person when asked")
