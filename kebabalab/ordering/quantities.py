"""How many, in words: 'ninety nine', 'a hundred', '2 dozen', 'half a dozen', 'a pair of' into digits.

`counts` rewrites a list of words. Halves and decimals become '1_5' (read as 1.5, which is refused as a
count), zero stays 0 (refused too), and vague amounts ('a few', 'some', 'a couple of') become the word
VAGUE, which the parser asks about when it comes before an item.
"""
from __future__ import annotations

VAGUE = "vaguely"
_UNITS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {"nought": 0, "nil": 0}
_TENS = {w: n * 10 for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_VAGUE = (("a", "couple", "of"), ("a", "couple"), ("couple", "of"), ("a", "few"), ("few",), ("several",),
          ("some",), ("a", "bunch", "of"), ("bunch", "of"), ("lots", "of"), ("heaps", "of"), ("a", "lot", "of"),
          ("a", "load", "of"), ("loads", "of"), ("many",), ("multiple",), ("a", "handful", "of"))
_PAIR = (("a", "pair", "of"), ("pair", "of"))


def counts(words: list[str], pairs: set[tuple[str, ...]] = frozenset()) -> list[str]:
    """The words with every spoken amount as digits; 'one' alone stays (it may mean 'a large one'), and so does
    a word that ends one of the two-word names in `pairs` ('coke zero')."""
    out: list[str] = []
    i = 0
    while i < len(words):
        n, value = (0, "") if i and (words[i - 1], words[i]) in pairs else _amount(words, i)
        if n:
            out.append(value)
            i += n
        else:
            out.append(words[i])
            i += 1
    return out


def _amount(words: list[str], i: int) -> tuple[int, str]:
    """(words used, the amount as a word) at position i; (0, '') when no amount starts there."""
    for phrase in _PAIR:
        if tuple(words[i:i + len(phrase)]) == phrase:
            return len(phrase), "2"
    if words[i:i + 3] == ["half", "a", "dozen"] or words[i:i + 2] == ["half", "dozen"]:
        return (3 if words[i + 1] == "a" else 2), "6"
    if words[i:i + 2] in (["half", "a"], ["half", "an"]) and words[i + 2:i + 3] not in (["kilo"], ["dozen"]):
        return 1, "0_5"
    for phrase in _VAGUE:
        if tuple(words[i:i + len(phrase)]) == phrase:
            return len(phrase), VAGUE
    start = i
    if words[i] in ("a", "an") and i + 1 < len(words) and words[i + 1] in _SCALES | {"dozen": 12}:
        i += 1
        value = 1
        if words[i] != "dozen":  # "a hundred": the scale word multiplies 1
            value, i = 0, i
    else:
        value = None
    total, used = _number(words, i, value)
    if used == 0:
        return 0, ""
    i += used
    if i < len(words) and words[i] == "dozen":
        total, i = total * 12, i + 1
    if words[i:i + 3] == ["and", "a", "half"]:
        return i + 3 - start, f"{total}_5"
    if i - start == 1 and words[start] == "one":
        return 0, ""
    return i - start, str(total)


def _number(words: list[str], i: int, preset: int | None) -> tuple[int, int]:
    """(value, words used) for 'ninety nine', 'one hundred and five', '2', 'a dozen' (preset 1)."""
    total, current, used = 0, preset, 0
    while i + used < len(words):
        word = words[i + used]
        if word.isdecimal() and current is None and used == 0:
            current = int(word)
        elif word in _UNITS and (current is None or (current % 10 == 0 and current >= 20 and _UNITS[word] < 10)):
            current = (current or 0) + _UNITS[word]
        elif word in _TENS and (current is None or current % 100 == 0 and current >= 100):
            current = (current or 0) + _TENS[word]
        elif word in _SCALES and (used > 0 or preset is not None):
            current = max(current or 1, 1) * _SCALES[word] if word != "hundred" or (current or 1) < 100 else None
            if current is None:
                break
            if word != "hundred":
                total, current = total + current, 0
        elif word == "dozen" and preset is not None and used == 0:
            return 12, 1
        elif word == "and" and used > 0 and i + used + 1 < len(words) and (current or total) >= 100 and (
                words[i + used + 1] in _UNITS or words[i + used + 1] in _TENS):
            pass
        else:
            break
        used += 1
    if used == 0:
        return 0, 0
    return total + (current or 0), used
