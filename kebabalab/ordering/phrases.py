"""Hearing an order: a transcript into tags ("large" -> size, "coke" -> brand, "no" -> negation).

`Lexicon.from_menu` builds a phrase table from the menu (items and their aliases, options, extras, speech
aliases) plus the words every order uses (numbers, sizes, "no", "the lot", "meal"). `Lexicon.read` applies
the speech aliases, undoes plurals and fixes speech-to-text slips with a careful fuzzy match, then takes the
longest phrase at each position. Words it does not know ("um", "please", "mate") are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import jellyfish
from rapidfuzz import fuzz, process

from kebabalab.ordering.menu import Menu
from kebabalab.ordering.quantities import VAGUE, counts
from kebabalab.ordering.transcript import TIMES

WEAK = ("a", "an", "another")  # a count that a real number overrides: "a two large kebabs"
STATIC: dict[str, dict[str, object]] = {
    "qty": {"a": 1, "an": 1, "another": 1, "one": 1},
    "vague": {VAGUE: None},
    "times": {TIMES: None},
    # a count only before a plural item: "for kebabs"
    "homophone": {"for": 4, "fore": 4, "to": 2, "too": 2, "tree": 3, "free": 3, "won": 1, "ate": 8},
    "size": {"small": "small", "large": "large", "big": "large", "regular": None, "medium": None,
             "extra large": "extra large", "extra small": "extra small", "xl": "extra large", "jumbo": "jumbo",
             "family size": "family size", "huge": "huge", "mini": "mini", "kids size": "kids", "kid size": "kids"},
    "neg": dict.fromkeys(("no", "without", "hold", "hold the", "minus", "except", "except for", "leave off",
                          "apart from", "other than", "not", "but no", "but not", "take out", "leave out", "skip",
                          "no need for", "dont want", "dont put", "none of the", "excluding", "exclude", "remove the",
                          "instead of", "instead of the")),
    "but": dict.fromkeys(("but",)),
    "lot": dict.fromkeys(("the lot", "everything", "the works")),
    "sep": dict.fromkeys((",", "and", "plus", "also", "with", "then", "or", "nor", "add", "extra", "and add",
                          "add some", "just", "only", "but just", "but only", "put", "throw in", "but add",
                          "but with")),
    "meal": dict.fromkeys(("meal", "meal deal", "a meal")),
    "deal": dict.fromkeys(("deal", "combo")),
    "salads": dict.fromkeys(("salad", "all the salad", "all salad")),
    "sauceword": dict.fromkeys(("sauce",)),
    "salt": {"salt": None, "chicken salt": "chicken", "normal salt": "normal", "plain salt": "normal",
             "regular salt": "normal", "sea salt": "normal", "salted": None, "unsalted": "none",
             "plain": "normal"},  # plain chips: plain salt, not chicken salt
    "veg": {"vegetarian": "vegetarian", "veggie": "vegetarian", "vego": "vegetarian", "spinach": "vegetarian",
            "spinach and cheese": "vegetarian", "cheese and spinach": "vegetarian", "vegan": "vegan"},
    "protein": {"mixed meat": "mixed", "half and half": "mixed", "half lamb half chicken": "mixed",
                "half chicken half lamb": "mixed", "half lamb and half chicken": "mixed",
                "half chicken and half lamb": "mixed"},
    "pack": dict.fromkeys(("pack", "pack of", "4 pack", "pack of 4")),
    "skip": dict.fromkeys(("sweet as", "no worries", "yeah nah", "nah yeah", "no problem", "no dramas", "can i",
                           "can we", "can you", "can u", "can of", "tin of")),
    "fix": dict.fromkeys(("no sorry", "sorry", "no wait", "wait", "actually", "i mean", "make that", "make it",
                          "or rather", "rather", "oops", "correction", "change that to", "change it to",
                          "no actually", "sorry i meant", "i meant", "no make that", "no make it",
                          "scratch that make it",
                          "on second thought", "on second thoughts", "hang on")),
    "cancel": dict.fromkeys(("not the", "no not the", "scratch", "scratch that", "cancel", "cancel that", "forget",
                             "forget that",
                             "forget the", "scratch the", "cancel the", "take off", "take off the", "get rid of",
                             "drop the", "remove", "no more", "dont worry about", "never mind")),
    "all": dict.fromkeys(("both", "all", "both of them", "all of them", "all of those", "each", "each of them",
                          "for both", "for all", "on both", "on all", "on each", "every one", "for each")),
    "again": dict.fromkeys(("another of those", "another of them", "another one of those", "one more of those",
                            "same again", "the same again", "another the same", "the same", "same thing",
                            "another one the same", "one more the same", "ditto")),
}
# Phrases for menu things that the menu's own aliases leave out.
SYNONYMS = {"soft drink": ("drink", "cold drink"), "iced tea": ("ice tea",), "sauce tub": ("tub", "on the side"),
            "hsp": ("h s p",), "half kilo": ("half a kilo",)}
# Where the menu's speech aliases say too little: ketchup is the sauce, not the salad.
OWN_ALIASES = {"ketchup": "tomato sauce", "tomato ketchup": "tomato sauce"}
GENERIC = {"gozleme": "@gozleme", "meat container": "@meat_container", "container of meat": "@meat_container",
           "container": "@meat_container"}
# Words that say nothing about the food; any other word the menu does not know is refused, not dropped.
FILLER = frozenset("""
um umm uh uhh er err erm ah ahh oh hmm mm yeah yep yes yup ya yea ok okay alright right sure cool great good
lovely perfect awesome nice thanks thank thankyou ta cheers mate bro buddy boss pal mate please pls plz
hi hello hey gday morning evening afternoon there
i im id ill ive me my mine we were weve wed well us our you youre your yall they them theyre their it its
the a an of on in at to for from by as into onto up down out over off about just only also too so very really
can could would will shall should may might must do does did dont doesnt didnt have has had having get got
getting grab grabbing want wanted wanna gonna gotta need like love take taking order ordering ordered put
give gimme lemme let lets be is are was am been being go going see think guess reckon maybe probably
please that this these those thats whats what which who how when where there theres here heres
some any one ones thing things stuff bit little lil bit lot lots
and or but with plus then also either
pickup pick pickup collect collection takeaway take away later now today tonight asap soon minutes mins
same usual standard normal regular plain just only
yum hungry starving quick quickly fast wondering wonder if
start started first second next last final finally lastly after before
item items order orders total altogether everything's thatll thatd be all for
make made making with side on the righto nah how hows going look worries love darling sharing share
him her hers his son daughter wife husband partner mum dad mom friend mates missus kid kiddo single piece pieces
after included incl inc each x
please thanks thank cheers mate yeah yes also like could would have want just that this with without some
more them then they make order pickup later left right okay alright sure sorry what whats give need maybe well
were where when will your about actually each every else gonna wanna thats lets done fresh lots work cold
""".split())
STOPWORDS = FILLER  # the name older code and tests use
# Kinds whose words a sound alone never decides: what the caller did not say is not guessed.
UNSOUNDED = ("size", "protein", "veg", "qty")
# Kinds that "no" and "but" take away.
TAKEN = ("salad", "salads", "sauce", "sauceword", "extra", "cheese", "salt")
# Kinds whose words a misheard word may be corrected to (not "and", "no", numbers).
FUZZY_KINDS = ("item", "brand", "protein", "veg", "salad", "salads", "sauce", "sauceword", "extra", "cheese",
               "flavour", "size", "salt", "meal", "deal", "pack", "lot")


@dataclass(frozen=True)
class Tag:
    kind: str
    value: object = None
    text: str = ""
    plural: bool = False
    heard: str = ""  # the words as said, when only their sound matched this


def normalize(text: str) -> list[str]:
    """Lower-case words and commas: "2x 250g H.S.P's, thanks!" -> ['2', '250', 'gram', 'hsps', ',', 'thanks', ',']."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)  # 1,000
    text = re.sub(r"(\d+)\.(\d+)", r"\1_\2", text)  # 1.5: a count that is refused, not 1 and 5
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


def _plural_aliases(aliases: dict) -> dict:
    """'coca colas' -> 'cokes': a phrase alias said as a plural, so the plural reaches the item as a count
    (one-word aliases are undone from their plural by `Lexicon._fix`)."""
    return {k[:-1] + (k[-1] + "s",): v[:-1] + [v[-1] if v[-1].endswith("s") else v[-1] + "s"]
            for k, v in aliases.items() if len(k) > 1 and not k[-1].endswith("s")}


@dataclass(frozen=True)
class Lexicon:
    phrases: dict[tuple[str, ...], tuple[str, object]]
    aliases: dict[tuple[str, ...], list[str]]
    canon: dict[str, str]  # every known word -> itself, a one-word speech alias -> its meaning
    targets: dict[str, list[str]]  # first letter -> words a misheard word may be corrected to
    sounds: dict[str, str]  # metaphone key -> the one menu word that sounds so (never a size or meat)
    unsounded: frozenset[str]  # sizes and meats: matched by spelling only, never by sound
    dual: frozenset[str]  # both a salad and a sauce: "tomato"
    can: str  # the item a brand is
    boxes: frozenset[str]  # the meat containers

    @classmethod
    def from_menu(cls, menu: Menu) -> "Lexicon":
        aliases = {tuple(normalize(k)): normalize(v) for k, v in (menu.speech_aliases | OWN_ALIASES).items()
                   if normalize(k)}
        aliases = _plural_aliases(aliases) | aliases
        table: dict[tuple[str, ...], tuple[str, object]] = {}
        for kind, phrase, value in _entries(menu):
            table[tuple(_alias(normalize(phrase), aliases))] = (kind, value)
        for phrase, synonyms in SYNONYMS.items():
            for synonym in synonyms:
                table.setdefault(tuple(normalize(synonym)), table.get(tuple(normalize(phrase))))
        table = {k: v for k, v in table.items() if v}
        canon = {w: w for phrase in table for w in phrase} | dict.fromkeys(FILLER, "")
        canon = {w: c or w for w, c in canon.items()} | {k[0]: " ".join(v) for k, v in aliases.items() if len(k) == 1}
        words = {w for p, (kind, _) in table.items() if kind in FUZZY_KINDS for w in p} | {
            k[0] for k in aliases if len(k) == 1}
        targets: dict[str, list[str]] = {}
        for w in sorted(w for w in words if len(w) >= 4 and w.isalpha()):
            targets.setdefault(w[0], []).append(w)
        unsounded = frozenset(w for p, (kind, _) in table.items() if kind in UNSOUNDED for w in p) - {
            p[0] for p, (kind, _) in table.items() if len(p) == 1 and kind not in UNSOUNDED}  # "cheese" stays
        return cls(table, aliases, canon, targets, _sounds(table, canon, unsounded), unsounded,
                   frozenset(set(menu.salads) & set(menu.sauces)),
                   menu.can_item().id, frozenset(i.id for i in menu.items_in("meat_container")))

    def read(self, text: str) -> list[Tag]:
        """The transcript as tags, in order; filler dropped, a word the menu does not know kept as kind 'word'."""
        words: list[str] = []
        plural: list[bool] = []
        heard: list[str] = []
        raw = counts(_alias(normalize(text), self.aliases), {p for p in self.phrases if len(p) == 2})
        i = 0
        while i < len(raw):
            word, many, sound = self._fix(raw[i])
            used = 1
            if ((self._loose(word) or self._loose(raw[i])) and i + 1 < len(raw)  # "gos lemme", "let us", "hala peenos"
                    and self._loose(raw[i + 1])):
                joined, many2, sound2 = self._fix(raw[i] + raw[i + 1])
                if joined in self.canon and joined not in FILLER:
                    word, many, sound, used = joined, many2, f"{raw[i]} {raw[i + 1]}", 2
            if word not in self.canon and words:  # "pepsi macks", "mountain due": the second word of a name
                word, sound = self._second(words[-1], word, raw[i]) or (word, sound)
            words.extend(word.split())
            plural.extend([False] * (len(word.split()) - 1) + [many])
            heard.extend([""] * (len(word.split()) - 1) + [sound])
            i += used
        tags = []
        for i, n, hit in _scan(words, self.phrases):
            said = " ".join(h for h in heard[i:i + n] if h)
            if n:
                tags.append(Tag(hit[0], hit[1], " ".join(words[i:i + n]), any(plural[i:i + n]), said))
            elif words[i].isdecimal():
                tags.append(Tag("qty", int(words[i]), words[i]))
            elif re.fullmatch(r"\d+_\d+", words[i]):
                tags.append(Tag("qty", float(words[i].replace("_", ".")), words[i].replace("_", ".")))
            elif words[i] not in FILLER:
                tags.append(Tag("word", None, words[i]))
        return self._merge(self._tidy(tags))

    def _loose(self, word: str) -> bool:
        """A word that may be half of a word split in two: not a menu word, a count or a phrase of its own."""
        return word.isalpha() and (word not in self.canon or word in FILLER) and (word,) not in self.phrases

    def _fix(self, word: str) -> tuple[str, bool, str]:
        """A known form of `word`, whether it was a plural, and the word as said when only its sound matched:
        'kebabs' -> kebab, 'garlik' -> garlic, 'gozlamay' -> gozleme (heard as 'gozlamay')."""
        if word in self.canon or len(word) < 4 or not word.isalpha():
            return self.canon.get(word, word), False, ""
        for stem in (word[:-1], word[:-2]) if word.endswith("s") else ():
            if stem in self.canon and (stem not in FILLER or (stem,) in self.phrases):
                return self.canon[stem], True, ""
            if stem in self.aliases or (stem,) in self.aliases:  # "doners", "chilis"
                return " ".join(self.aliases[(stem,)]), True, ""
        for form in (word + "s", word[:-2] + "a" if word.endswith("er") else ""):  # olive; fanter (fanta)
            if form in self.canon:
                return self.canon[form], False, ""
        near = self._fuzzy(word)
        if near != word:
            return near, False, ""
        for stem in (word, word[:-1]) if word.endswith("s") else (word,):
            sound = self.sounds.get(jellyfish.metaphone(stem))
            if sound and len(sound) >= 5 and len(stem) >= 5 and fuzz.ratio(stem, sound) >= 60:  # never cake: coke
                return sound, stem != word, word
        return word, False, ""

    def _second(self, first: str, word: str, said: str) -> tuple[str, str] | None:
        """The second word of a two-word name that starts with `first` and sounds like `word`."""
        key = jellyfish.metaphone(word)
        names = {p[1] for p, (kind, _) in self.phrases.items() if len(p) == 2 and p[0] == first
                 and kind in ("brand", "item", "sauce", "extra") and jellyfish.metaphone(p[1]) == key}
        return (names.pop(), said) if len(names) == 1 else None

    def _fuzzy(self, word: str) -> str:
        """The closest known word if it is close (ratio 85, or 80 and sounds alike) and clearly ahead of the rest."""
        hits = process.extract(word, self.targets.get(word[0], []), scorer=fuzz.ratio, limit=6)
        if not hits or hits[0][1] < 80:  # "halapenos": a first letter misheard, the rest very close
            every = [w for ws in self.targets.values() for w in ws]
            hits = [h for h in process.extract(word, every, scorer=fuzz.ratio, limit=6) if h[1] >= 88] or hits
            if len(word) >= 7 and (not hits or hits[0][1] < 80):  # "halapeenos": all but the first sound alike
                key = jellyfish.metaphone(word)[1:]
                tails = [(w, fuzz.ratio(word[1:], w[1:]), 0) for w in every if jellyfish.metaphone(w)[1:] == key]
                hits = sorted([h for h in tails if h[1] >= 88], key=lambda h: -h[1]) or hits
        if not hits:
            return word
        best, score, _ = hits[0]
        rival = next((s for w, s, _ in hits[1:] if self.canon[w] != self.canon[best]), 0)
        alike = (jellyfish.soundex(word) == jellyfish.soundex(best)
                 or jellyfish.metaphone(word) == jellyfish.metaphone(best))
        close = score >= 85 or (score >= 80 and alike and best not in self.unsounded)  # sound never picks a size
        return self.canon[best] if close and score - rival >= 8 else word

    def _tidy(self, tags: list[Tag]) -> list[Tag]:
        """'tomato sauce' is the sauce; 'extra lamb kebab' is another lamb kebab, not extra meat."""
        out: list[Tag] = []
        counted = False  # the count after "x" is taken
        for i, tag in enumerate(tags):
            after = tags[i + 1] if i + 1 < len(tags) else Tag("")
            if counted:
                counted = False
                continue
            if tag.kind == "salad" and tag.value in self.dual and after.kind == "sauceword":
                tag = replace(tag, kind="sauce")
            if tag.kind == "but":  # "everything but onion" takes away; "no garlic, but chilli" does not
                taking = after.kind in TAKEN and not any(t.kind == "neg" for t in out[-4:])
                tag = Tag("neg" if taking else "sep", None, tag.text)
            if tag.kind == "times":  # "coke x3": the count of the item before it
                if after.kind != "qty" or after.text in ("a", "an", "another"):
                    continue
                tag, counted = Tag("times", after.value, f"x{after.text}"), True
            last = tag.text.split()[-1] if tag.text else ""
            if (tag.kind == "extra" and tag.text.startswith("extra ") and after.kind == "item"
                    and self.phrases.get((last,), ("",))[0] == "protein"):
                tag = Tag("protein", last, last)
            if tag.kind in ("cheese", "extra", "salad", "protein") and after.kind == "sauceword":
                tag, counted = Tag("word", None, f"{tag.text} sauce"), True  # "cheese sauce" is not sold
            if tag.kind == "skip" and tag.plural and after.kind in ("item", "brand"):
                tags[i + 1] = replace(after, plural=True)  # "for cans of coke"
            elif tag.kind != "skip":
                out.append(tag)
        return out

    def _merge(self, tags: list[Tag]) -> list[Tag]:
        """One item said twice is one: 'coke can', 'a can, coke', 'Coke Zero (can)', 'doner kebab',
        '250 gram lamb meat container', 'Meat Container; size: 500g'."""
        out: list[Tag] = []
        for tag in tags:
            prev = out[-1] if out else Tag("")
            near = _near_head(out)
            if tag.kind == "item" and (tag.value == prev.value or (tag.value == self.can and near.kind == "brand")):
                continue
            if tag.kind == "brand" and prev.kind == "all" and _near_head(out[:-1]).value == self.can and (
                    _near_head(out[:-1]).plural):  # "two cans, both coke": the cans are the coke
                near = _near_head(out[:-1])
            if tag.kind == "brand" and near.value == self.can:  # "6x Soft Drink Can (375ml) - Fanta": its count stays
                at = len(out) - 1 - out[::-1].index(near)
                kept = [t for t in out[at + 1:] if t.kind == "times"]
                del out[at:]
                out.extend([tag] + kept)  # "Can (375ml) x3 (Coke)": coke x3, the count stays with the can
                continue
            back = next((t for t in reversed(out) if t.kind not in ("protein", "size")), Tag(""))
            if tag.value == "@meat_container" and back.value in self.boxes:
                continue
            if tag.value in self.boxes and near.value == "@meat_container":  # "Meat Container 250g"
                out.remove(near)
            out.append(tag)
        return out


def _near_head(out: list[Tag]) -> Tag:
    """The item said just before, with nothing but commas and an 'x2' since: 'Soft Drink Can (375ml) x2 - Coke'."""
    for tag in reversed(out):
        if tag.kind in ("item", "brand"):
            return tag
        if not (tag.kind == "times" or tag.text == ","):
            break
    return Tag("")


def _sounds(table: dict, canon: dict, unsounded: frozenset[str]) -> dict[str, str]:
    """Metaphone key -> menu word, for words a mis-hearing may be matched to by sound alone; a key two words
    share is left out, and so are sizes, meats and counts (a sound never decides those)."""
    keys: dict[str, set[str]] = {}
    for phrase, (kind, _) in table.items():
        if kind in FUZZY_KINDS and kind not in UNSOUNDED:
            for w in phrase:
                if len(w) >= 4 and w.isalpha() and w not in FILLER and w not in unsounded:
                    keys.setdefault(jellyfish.metaphone(w), set()).add(canon.get(w, w))
    return {k: next(iter(v)) for k, v in keys.items() if len(v) == 1}


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
