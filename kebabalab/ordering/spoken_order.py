"""One order as said: the item word and what was said about it, applied in order ("no ..." last).

A `SpokenOrder` is what the parser builds for each item word before it is checked against the menu:
its count, size, meats, the salads, sauces and extras said or taken away, and flags (the lot, meal, deal).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kebabalab.ordering.menu import MAIN_CATEGORIES, Menu
from kebabalab.ordering.phrases import Tag

JOINS = (",", "and")  # join two meats ("lamb and chicken kebab") or tub sauces before their item
ADDING = ("extra ", "double ", "more ")  # extras said as additions end a "no ...": "no cheese extra meat"
FAMILY = {"salad": "salad", "salads": "salad", "sauce": "sauce", "sauceword": "sauce", "extra": "extra",
          "cheese": "cheese", "salt": "salt"}  # what "no ..." can take away; "," and "and" join one family


@dataclass
class SpokenOrder:
    """What was said about one item word, before it is checked against the menu."""
    head: Tag
    qty: int | None = None
    explicit: bool = False  # a number was said, not just "a"
    negated: bool = False  # "no chips"
    item_id: str = ""
    size: str | None = None
    proteins: list[str] = field(default_factory=list)
    veg: str | None = None
    add: dict[str, list] = field(default_factory=lambda: {"salad": [], "sauce": [], "extra": []})
    drop: dict[str, list] = field(default_factory=lambda: {"salad": [], "sauce": [], "extra": []})
    drop_all: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)  # lot, salads, pack, meal, deal, no_chips, all, meats_apart
    cheese: bool | None = None
    salt: str | None = None
    flavour: str | None = None
    chips: tuple | None = None  # the meal's chips: (size, salt)
    drink: tuple | None = None  # the meal's can: (brand,)


def describe(order: SpokenOrder, tags: list[Tag]) -> None:
    """Apply what was said about the item, in order; 'no ...' is applied last (it wins)."""
    i = 0
    while i < len(tags):
        tag = tags[i]
        i += 1
        if tag.kind == "neg":
            i = _negate(order, tags, i)
        elif tag.kind == "size" and order.size is None:
            order.size = tag.value
        elif tag.kind == "protein":
            joined = (i >= 3 and tags[i - 2].kind == "sep" and tags[i - 2].text in JOINS
                      and tags[i - 3].kind == "protein")
            if order.proteins and not joined and (i < 2 or tags[i - 2].kind != "protein"):
                order.flags.add("meats_apart")  # "Lamb (garlic), Chicken (chilli)" is not one mixed
            order.proteins.append(tag.value)
        elif tag.kind in order.add:
            order.add[tag.kind].append(tag.value)
        elif tag.kind == "cheese":
            order.cheese = False if order.cheese is False else True
        elif tag.kind in ("veg", "salt", "flavour"):
            setattr(order, tag.kind, tag.value or getattr(order, tag.kind))
        elif tag.kind in ("lot", "salads", "pack", "meal", "deal", "all"):
            order.flags.add(tag.kind)


def _negate(order: SpokenOrder, tags: list[Tag], i: int) -> int:
    """Take away what follows 'no': 'no onion or tomato', 'hold the salad', 'no sauce'; the index after it."""
    family = None
    single = tags[i - 1].text.startswith("instead of")  # "instead of bbq sweet chilli": the sweet chilli is wanted
    while i < len(tags):
        tag = tags[i]
        if single and family and tag.kind != "sep" and tags[i - 1].kind != "sep":
            break
        if tag.kind == "sep" and family and tag.text in (",", "or", "nor", "and") and i + 1 < len(tags):
            nxt = FAMILY.get(tags[i + 1].kind)
            if nxt is None or (tag.text in JOINS and nxt != family):
                break
        elif tag.kind not in FAMILY or (tag.kind == "extra" and tag.text.startswith(ADDING)):
            break  # "no cheese extra meat": the extra meat is wanted
        elif tag.kind in order.drop:
            order.drop[tag.kind].append(tag.value)
        elif tag.kind == "cheese":
            order.cheese = False
        elif tag.kind == "salt":  # one salt: "no chicken salt, normal salt", "normal salt, not chicken salt"
            order.salt = "none" if tag.value is None or order.salt in (None, tag.value) else order.salt
            return i + 1
        elif not (tag.kind == "sauceword" and family == "sauce"):  # "no salad", "no sauce": what follows stays
            order.drop_all.add(FAMILY[tag.kind])
            order.add.get(FAMILY[tag.kind], []).clear()
        family = FAMILY.get(tag.kind, family)
        i += 1
        if tag.kind == "sauceword":  # "no garlic sauce, chilli sauce": the chilli is wanted
            break
    return i


def category(menu: Menu, order: SpokenOrder) -> str:
    return menu.item(order.item_id).category


def is_main(menu: Menu, order: SpokenOrder) -> bool:
    return category(menu, order) in MAIN_CATEGORIES and not order.negated
