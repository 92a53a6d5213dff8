"""Words of an order the menu does not sell: the whole phrase is refused, naming them and offering what is sold.

A word is here because `phrases.Lexicon.read` knew it neither as menu, count or order word nor as filler
("um", "mate", "please"). "with pineapple" and "a thickshake" are refused; "a diet lemonade" (a menu word, "diet",
in a combination the menu does not sell) is asked about, naming the combination.
"""
from __future__ import annotations

from kebabalab.ordering.cart import say_and
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import Menu
from kebabalab.ordering.phrases import Tag

HEADS = ("item", "brand")
LEANS = ("salad", "sauce", "protein", "extra", "cheese", "veg")  # "onion rings", "chicken nuggets"
MODIFIER_KINDS = ("salad", "salads", "sauce", "sauceword", "extra", "cheese", "salt", "lot", "neg")


def refuse_unsold(menu: Menu, tags: list[Tag], known: set[str]) -> None:
    """Raise a ToolError naming every word not on the menu; `known` holds the words that are menu words."""
    spans = _spans(tags)
    if not spans:
        return
    names = [" ".join(t.text for t in tags[a:b])[:40] for a, b in spans][:3]  # a sentence, not a list
    start, end = spans[0]
    before = tags[start - 1] if start else Tag("")
    describing = before.kind in MODIFIER_KINDS or (before.kind == "sep" and before.text not in ("and", ",", "plus"))
    drink = tags[end - 1].kind == "brand" or tags[end - 1].value == menu.can_item().id
    if describing and any(t.kind in HEADS for t in tags[:start]):
        offer = modifiers_offer(menu)
    elif drink:
        offer = f"Our cans are {say_and(menu.can_brands)}."
    else:
        offer = items_offer(menu)
    raise ToolError(f"Sorry, we don't have {say_and(names)}, so I haven't added anything. {offer}")


def _spans(tags: list[Tag]) -> list[tuple[int, int]]:
    """(start, end) of each run of unknown words, with the menu word it leans on: 'onion rings', 'garlic bread',
    'diet lemonade', 'sausage roll'."""
    spans: list[tuple[int, int]] = []
    for n, tag in enumerate(tags):
        if tag.kind != "word":
            continue
        if spans and spans[-1][1] == n:
            spans[-1] = (spans[-1][0], n + 1)
        else:
            spans.append((n, n + 1))
    out = []
    for a, b in spans:
        if a and tags[a - 1].kind in LEANS and (not out or out[-1][1] < a - 1):
            a -= 1
        if b < len(tags) and tags[b].kind in HEADS + ("sauceword",):  # "diet lemonade", "hot sauce"
            b += 1
        out.append((a, b))
    return out


def items_offer(menu: Menu) -> str:
    kinds: dict[str, list[str]] = {}
    for item in menu.items.values():
        kinds.setdefault(item.category, []).append(item.spoken)
    names = []
    for spoken in kinds.values():
        words = [s.split() for s in spoken]
        n = 0  # words all the names end with: "gozleme", "meat container"
        while n < 2 and all(len(w) > n + 1 for w in words) and len({tuple(w[-n - 1:]) for w in words}) == 1:
            n += 1
        if len(spoken) > 1 and n:  # "gozleme", "meat containers": their kinds are asked when ordered
            names.append(_plural(" ".join(words[0][-n:])))
        else:
            names += [_plural(s) for s in spoken if not any(o != s and o in s for o in spoken)]  # not "pack of 4"
    return f"We have {say_and(names)}."


def modifiers_offer(menu: Menu) -> str:
    return (f"We have {say_and(menu.salads)} for salad; {say_and(menu.sauces)} sauce; "
            f"and {say_and(menu.extras)} as extras.")


def _plural(word: str) -> str:
    if word.endswith(("s", "y", "delight", "pudding", "ayran", "salgam", "baklava", "water", "tea", "gozleme")):
        return word
    return word + "s"
