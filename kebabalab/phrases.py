"""Hearing an order: a transcript into tags ("large" -> size, "coke" -> brand, "no" -> negation).

`Lexicon.from_menu` builds a phrase table from the menu (items and their aliases, options, extras, speech
aliases) plus the words every order uses (numbers, sizes, "no", "the lot", "meal"). `Lexicon.read` applies
the speech aliases, undoes plurals and fixes speech-to-text slips with a careful fuzzy match, then takes the
longest phrase at each position. Words it does not know ("um", "please", "mate") are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .menu import Menu

_NUMBERS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen twenty").split()
WEAK = ("a", "an", "another")  # a count that a real number overrides: "a two large kebabs"
STATIC: dict[str, dict[str, object]] = {
    "qty": {"a": 1, "an": 1, "another": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "a pair of": 2,
            "a dozen": 12, "dozen": 12, "half a dozen": 6, **{w: n for n, w in enumerate(_NUMBERS, 1)}},
    "size": {"small": "small", "large": "large", "big": "large", "regular": None, "medium": None},
    "neg": dict.fromkeys(("no", "without", "hold", "hold the", "minus", "except", "except for", "leave off")),
    "lot": dict.fromkeys(("the lot", "everything", "the works")),
    "sep": dict.fromkeys((",", "and", "plus", "also", "with", "then", "or", "nor")),
    "meal": dict.fromkeys(("meal", "meal deal")),
    "deal": dict.fromkeys(("deal", "combo")),
    "salads": dict.fromkeys(("salad", "all the salad", "all salad")),
    "sauceword": dict.fromkeys(("sauce",)),
    "salt": {"salt": None, "chicken salt": "chicken", "normal salt": "normal", "plain salt": "normal",
             "regular salt": "normal", "sea salt": "normal"},
    "veg": {"vegetarian": "vegetarian", "veggie": "vegetarian", "vego": "vegetarian", "spinach": "vegetarian",
            "spinach and cheese": "vegetarian", "cheese and spinach": "vegetarian", "vegan": "vegan"},
    "protein": {"mixed meat": "mixed", "half and half": "mixed"},
    "pack": dict.fromkeys(("pack", "pack of", "4 pack", "pack of 4")),
    "skip": dict.fromkeys(("can i", "can we", "can you", "can u", "can of", "tin of", "bottle of")),
}
# Phrases for menu things that the menu's own aliases leave out.
SYNONYMS = {"soft drink": ("drink", "cold drink"), "iced tea": ("ice tea",), "sauce tub": ("tub",),
            "hsp": ("h s p",), "half kilo": ("half a kilo",)}
# Where the menu's speech aliases say too little: ketchup is the sauce, not the salad.
OWN_ALIASES = {"ketchup": "tomato sauce", "tomato ketchup": "tomato sauce"}
GENERIC = {"gozleme": "@gozleme", "meat container": "@meat_container", "container of meat": "@meat_container",
           "container": "@meat_container"}
STOPWORDS = frozenset(
    "please thanks thank cheers mate yeah yes also like could would have want just that this with without some "
    "more them then they make order pickup later left right okay alright sure sorry what whats give need maybe "
    "well were where when will your about actually each every else gonna wanna thats lets done fresh lots work "
    "cold".split())
# Kinds whose words a misheard word may be corrected to (not "and", "no", numbers).
FUZZY_KINDS = ("item", "brand", "protein", "veg", "salad", "salads", "sauce", "sauceword", "extra", "cheese",
               "flavour", "size", "salt", "meal", "deal", "pack", "lot")


@dataclass(frozen=True)
class Tag:
    kind: str
    value: object = None
    text: str = ""
    plural: bool = False


def normalize(text: str) -> list[str]:
    """Lower-case words and commas: "2x 250g H.S.P's, thanks!" -> ['2', '250', 'gram', 'hsps', ',', 'thanks', ',']."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group().replace(".", ""), text)
    text = re.sub(r"(\d+)\s*(?:g|gm|gms|grams?|grammes?)\b", r"\1 gram", text)
    text = re.sub(r"\b(\d+)\s*x\b", r"\1", text)
    text = re.sub(r"[.!?;:]", ",", text).replace("&", " and ").replace("+", " plus ")
    return re.sub(r"[^\w,]+", " ", text).replace(",", " , ").split()


def _scan(words: list[str], table: dict):
    """(start, length, value) for the longest phrase of `table` at each position; length 0 where none."""
    longest = max(map(len, table), default=1)
    i = 0
    while i < len(words):
        n = next((n for n in range(min(longest, len(words) - i), 0, -1) if tuple(words[i:i + n]) in table), 0)
        yield i, n, table[tuple(words[i:i + n])] if n else None
        i += n or 1


def _alias(words: list[str], aliases: dict) -> list[str]:
    out: list[str] = []
    for i, n, rep in _scan(words, aliases):
        out.extend(rep if n else words[i:i + 1])
    return out


def _sound(word: str) -> str:
    """Soundex: 'kebap' and 'kebab' sound alike (K110), 'later' and 'water' do not."""
    groups = ("bfpv", "cgjkqsxz", "dt", "l", "mn", "r")
    codes = [next((str(d) for d, g in enumerate(groups, 1) if c in g), "") for c in word]
    out = [c for i, c in enumerate(codes) if c and (i == 0 or c != codes[i - 1])][1 if codes[0] else 0:]
    return (word[0] + "".join(out) + "000")[:4]


@dataclass(frozen=True)
class Lexicon:
    phrases: dict[tuple[str, ...], tuple[str, object]]
    aliases: dict[tuple[str, ...], list[str]]
    canon: dict[str, str]  # every known word -> itself, a one-word speech alias -> its meaning
    targets: dict[str, list[str]]  # first letter -> words a misheard word may be corrected to
    dual: frozenset[str]  # both a salad and a sauce: "tomato"
    can: str  # the item a brand is
    boxes: frozenset[str]  # the meat containers

    @classmethod
    def from_menu(cls, menu: Menu) -> "Lexicon":
        aliases = {tuple(normalize(k)): normalize(v) for k, v in (menu.speech_aliases | OWN_ALIASES).items()
                   if normalize(k)}
        table: dict[tuple[str, ...], tuple[str, object]] = {}
        for kind, phrase, value in _entries(menu):
            table[tuple(_alias(normalize(phrase), aliases))] = (kind, value)
        for phrase, synonyms in SYNONYMS.items():
            for synonym in synonyms:
                table.setdefault(tuple(normalize(synonym)), table.get(tuple(normalize(phrase))))
        table = {k: v for k, v in table.items() if v}
        canon = {w: w for phrase in table for w in phrase} | dict.fromkeys(STOPWORDS, "")
        canon = {w: c or w for w, c in canon.items()} | {k[0]: " ".join(v) for k, v in aliases.items() if len(k) == 1}
        words = {w for p, (kind, _) in table.items() if kind in FUZZY_KINDS for w in p} | {
            k[0] for k in aliases if len(k) == 1}
        targets: dict[str, list[str]] = {}
        for w in sorted(w for w in words if len(w) >= 4 and w.isalpha()):
            targets.setdefault(w[0], []).append(w)
        return cls(table, aliases, canon, targets, frozenset(set(menu.salads) & set(menu.sauces)),
                   menu.can_item().id, frozenset(i.id for i in menu.items_in("meat_container")))

    def read(self, text: str) -> list[Tag]:
        """The transcript as tags, in order; unknown words dropped."""
        words: list[str] = []
        plural: list[bool] = []
        for raw in _alias(normalize(text), self.aliases):
            word, many = self._fix(raw)
            words.extend(word.split())
            plural.extend([False] * (len(word.split()) - 1) + [many])
        tags = []
        for i, n, hit in _scan(words, self.phrases):
            if n:
                tags.append(Tag(hit[0], hit[1], " ".join(words[i:i + n]), plural[i + n - 1]))
            elif words[i].isdecimal():
                tags.append(Tag("qty", int(words[i]), words[i]))
        return self._merge(self._tidy(tags))

    def _fix(self, word: str) -> tuple[str, bool]:
        """A known form of `word` and whether it was a plural: 'kebabs' -> kebab, 'garlik' -> garlic."""
        if word in self.canon or len(word) < 4 or not word.isalpha():
            return self.canon.get(word, word), False
        for stem in (word[:-1], word[:-2]) if word.endswith("s") else ():
            if stem in self.canon:
                return self.canon[stem], True
        for form in (word + "s", word[:-2] + "a" if word.endswith("er") else ""):  # olive; fanter (fanta)
            if form in self.canon:
                return self.canon[form], False
        return self._fuzzy(word), False

    def _fuzzy(self, word: str) -> str:
        """The closest known word if it is close (ratio 85, or 80 and sounds alike) and clearly ahead of the rest."""
        hits = process.extract(word, self.targets.get(word[0], []), scorer=fuzz.ratio, limit=6)
        if not hits:
            return word
        best, score, _ = hits[0]
        rival = next((s for w, s, _ in hits[1:] if self.canon[w] != self.canon[best]), 0)
        close = score >= 85 or (score >= 80 and _sound(word) == _sound(best))
        return self.canon[best] if close and score - rival >= 8 else word

    def _tidy(self, tags: list[Tag]) -> list[Tag]:
        """'tomato sauce' is the sauce; 'extra lamb kebab' is another lamb kebab, not extra meat."""
        out = []
        for i, tag in enumerate(tags):
            after = tags[i + 1] if i + 1 < len(tags) else Tag("")
            if tag.kind == "salad" and tag.value in self.dual and after.kind == "sauceword":
                tag = Tag("sauce", tag.value, tag.text)
            last = tag.text.split()[-1] if tag.text else ""
            if (tag.kind == "extra" and tag.text.startswith("extra ") and after.kind == "item"
                    and self.phrases.get((last,), ("",))[0] == "protein"):
                tag = Tag("protein", last, last)
            if tag.kind != "skip":
                out.append(tag)
        return out

    def _merge(self, tags: list[Tag]) -> list[Tag]:
        """One item said twice is one: 'coke can', 'a can, coke', 'doner kebab', '250 gram lamb meat container'."""
        out: list[Tag] = []
        for tag in tags:
            prev = out[-1] if out else Tag("")
            if tag.kind == "item" and (tag.value == prev.value or (tag.value == self.can and prev.kind == "brand")):
                continue
            if tag.kind == "brand" and prev.text == "," and len(out) > 1 and out[-2].value == self.can:
                del out[-2:]
            elif tag.kind == "brand" and prev.value == self.can:
                out.pop()
            back = next((t for t in reversed(out) if t.kind not in ("protein", "size")), Tag(""))
            if tag.value == "@meat_container" and back.value in self.boxes:
                continue
            out.append(tag)
        return out


def _entries(menu: Menu):
    """(kind, phrase, value) for every phrase the parser knows; later ones win ('tomato' is the salad)."""
    for kind, entries in STATIC.items():
        for phrase, value in entries.items():
            yield kind, phrase, value
    for kind, values in (("protein", menu.proteins), ("sauce", menu.sauces), ("salad", menu.salads),
                         ("brand", menu.can_brands)):
        yield from ((kind, v, v) for v in values)
    for brand in menu.can_brands:  # "lemonade" is the schweppes lemonade
        last = brand.split()[-1]
        if " " in brand and len(last) >= 5 and sum(b.split()[-1] == last for b in menu.can_brands) == 1:
            yield "brand", last, brand
    for name, extra in menu.extras.items():
        yield from (("cheese" if name == "cheese" else "extra", p, name) for p in (name, *extra.aliases))
    for phrase, value in GENERIC.items():
        yield "item", phrase, value
    for item in menu.items.values():
        for phrase in {item.spoken.lower(), *item.aliases} | ({item.name.lower()} if "(" not in item.name else set()):
            yield "item", phrase, item.id
            grams = re.match(r"(.+?) (?:meat container|of meat)$", " ".join(normalize(phrase)))
            if item.category == "meat_container" and grams and grams.group(1) not in STATIC["size"]:
                yield "item", grams.group(1), item.id  # "250 gram", "half kilo"
        yield from (("flavour", f, f) for f in item.flavours)
