"""Words of an order the menu does not sell: the whole phrase is refused, naming them and offering what is sold.

A word is here because `phrases.Lexicon.read` knew it neither as menu, count or order word nor as filler
("um", "mate", "please"). "with pineapple" and "a thickshake" are refused; "a diet lemonade" (a menu word, "diet",
in a combination the menu does not sell) is asked about, naming the combination.
"""
from __future__ import annotations

from .cart import say_and
from .errors import ToolError
from .menu import Menu
from .phrases import Tag

HEADS = ("item", "brand")
MODIFIER_KINDS = ("salad", "salads", "sauce", "sauceword", "extra", "cheese", "salt", "lot", "neg")


def refuse_unsold(menu: Menu, tags: list[Tag], known: set[str]) -> None:
    """Raise a ToolError naming every word not on the menu; `known` holds the words that are menu words."""
    groups: list[tuple[list[str], int]] = []
    for n, tag in enumerate(tags):
        if tag.kind != "word":
            continue
        if groups and groups[-1][1] == n - 1:
            groups[-1][0].append(tag.text)
            groups[-1] = (groups[-1][0], n)
        else:
            groups.append(([tag.text], n))
    if not groups:
        return
    names = []
    for words, last in groups:
        after = tags[last + 1] if last + 1 < len(tags) else None
        if after is not None and any(w in known for w in words) and after.kind in HEADS + ("flavour", "sauce"):
            words = words + [after.text]  # "diet lemonade"
        names.append(" ".join(words))
    first = next(n for n, t in enumerate(tags) if t.kind == "word")
    head = next((t for t in tags[:first][::-1] if t.kind in HEADS), None)
    nxt = next((t for t in tags[first:] if t.kind in HEADS), None)
    before = tags[first - 1] if first else Tag("")
    describing = before.kind in MODIFIER_KINDS or (before.kind == "sep" and before.text not in ("and", ",", "plus"))
    if head is not None and describing:
        offer = modifiers_offer(menu)
    elif nxt is not None and (nxt.kind == "brand" or nxt.value == menu.can_item().id):
        offer = f"Our cans are {say_and(menu.can_brands)}."
    else:
        offer = items_offer(menu)
    raise ToolError(f"Sorry, we don't have {say_and(names)}, so I haven't added anything. {offer}")


def items_offer(menu: Menu) -> str:
    names = [_plural(i.spoken) for i in menu.items.values() if i.category not in ("meat_container",)]
    kinds = list(dict.fromkeys(names)) + ["meat containers"]
    return f"We have {say_and(kinds)}."


def modifiers_offer(menu: Menu) -> str:
    return (f"We have {say_and(menu.salads)} for salad; {say_and(menu.sauces)} sauce; "
            f"and {say_and(menu.extras)} as extras.")


def _plural(word: str) -> str:
    if word.endswith(("s", "y", "delight", "pudding", "ayran", "salgam", "baklava", "water", "tea", "gozleme")):
        return word
    return word + "s"
