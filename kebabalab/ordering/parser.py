"""The customer's own words into cart lines: "a large lamb kebab no onion and two cokes".

The transcript is read into tags (`phrases.Lexicon`). Each item word (kebab, chips, coke...) heads an order
and takes the count, size and meat said just before it; what is said after it, up to the next item, describes
it (salads, sauces, extras, "no onion", "the lot", "as a meal"). The chips and can said after a meal are the
meal's. Nothing is guessed: a missing size, meat or drink is asked for, and then no line is returned at all.
"""
from __future__ import annotations

import re

from dataclasses import dataclass

from kebabalab.ordering.cart import MAX_QUANTITY, SALAD_CATEGORIES, SAUCE_CATEGORIES, CartLine, LineSpec, make_line, say_or
from kebabalab.ordering.corrections import resolved
from kebabalab.ordering.distribution import ASK_EACH, applied_to_all, distributed
from kebabalab.errors import ToolError
from kebabalab.ordering.menu import Item, Menu
from kebabalab.ordering.phrases import FILLER, WEAK, Lexicon, Tag
from kebabalab.ordering.pricing import spoken_money
from kebabalab.ordering.spoken_meals import fold, lift_meals, meal_of, said_once
from kebabalab.ordering.spoken_order import JOINS, SpokenOrder, describe, is_main
from kebabalab.ordering.transcript import spoken
from kebabalab.ordering.unsold import refuse_unsold

MAX_CHARS = 500
NO_ITEM = "I couldn't find a menu item in that; what would you like?"
HEADS = ("item", "brand")


@dataclass(frozen=True)
class Reading:
    """The lines the words make, and what was only matched by sound ("'gozlamay' as gozleme") to say back."""
    lines: list[CartLine]
    heard: list[str]


def read_order(menu: Menu, text, lexicon: Lexicon | None = None) -> Reading:
    """Cart lines for the words, all checked before any is returned; or a ToolError that asks or refuses."""
    lexicon = lexicon or Lexicon.from_menu(menu)
    tags = _tags(menu, text, lexicon)
    lines = [make_line(menu, spec) for spec in _parse(menu, tags)]
    return Reading(lines, list(dict.fromkeys(f"'{t.heard}' as {t.text}" for t in tags if t.heard)))


def parse_to_lines(menu: Menu, text, lexicon: Lexicon | None = None) -> list[CartLine]:
    """Cart lines for the words, all checked before any is returned; or a ToolError that asks."""
    return read_order(menu, text, lexicon).lines


def parse_order(menu: Menu, text, lexicon: Lexicon | None = None) -> list[LineSpec]:
    """Line specs for the words (not yet checked against the menu); ToolError if there is no item in them."""
    lexicon = lexicon or Lexicon.from_menu(menu)
    return _parse(menu, _tags(menu, text, lexicon))


def _tags(menu: Menu, text, lexicon: Lexicon) -> list[Tag]:
    """The words as tags with corrections resolved; refused here if any word is not on the menu."""
    said = spoken(menu, _checked(text))
    if _NEGATIVE.search(said):
        raise ToolError("How many would you like? I can take 1 to 99 of an item.")
    tags = resolved(lexicon.read(said), lambda tag: _kind_of(menu, tag))
    refuse_unsold(menu, tags, set(lexicon.canon) - FILLER)
    return tags


def _kind_of(menu: Menu, tag: Tag) -> str:
    """What a correction may replace with what: a coke with a sprite, a chicken gozleme with a lamb one."""
    item = _item_of(menu, tag)
    return item.category if item else str(tag.value)


def _either(tags: list[Tag]) -> None:
    """'small or large', 'lamb or chicken', 'coke or sprite': asked, never one picked."""
    for n in range(1, len(tags) - 1):
        a, sep = tags[n - 1], tags[n]
        b = next((t for t in tags[n + 1:] if t.kind != "qty"), Tag(""))  # "a coke or a sprite"
        if sep.kind == "sep" and sep.text == "or" and a.kind == b.kind and a.kind in EITHER and a.value != b.value:
            if not any(t.kind == "neg" for t in tags[max(0, n - 4):n]):  # "no onion or tomato": neither
                raise ToolError(f"Which would you like: {a.text} or {b.text}?")


EITHER = ("size", "protein", "veg", "item", "brand", "flavour", "sauce")


def _parse(menu: Menu, tags: list[Tag]) -> list[LineSpec]:
    _either(tags)
    orders = _orders(menu, tags)
    lift_meals(menu, orders)
    orders = said_once(menu, orders)
    kept: list[SpokenOrder] = []
    main = None
    for order in orders:
        if is_main(menu, order):
            main = order
        elif fold(menu, main, order):
            if "all" in order.flags:  # "make both meals with ... a coke each": every meal said before gets one
                for other in kept:
                    if "all" in other.flags and {"meal", "deal"} & other.flags:
                        other.drink = other.drink or main.drink
                        other.chips = other.chips or main.chips
            continue
        if order.head.plural and not order.explicit:
            raise ToolError(f"How many {order.head.text}s?")
        kept.append(order)
    if not kept:  # "no chips"
        raise ToolError(NO_ITEM)
    return [spec for order in kept for spec in _specs(menu, order)]


_NEGATIVE = re.compile(r"(?<![\w-])[-\u2212]\s*\d")


def _checked(text) -> str:
    if not isinstance(text, str):
        raise ToolError("Tell me the order in words, like: a large lamb kebab with garlic sauce.")
    if not text.strip():
        raise ToolError("I didn't catch an order; what would you like?")
    if len(text) > MAX_CHARS:
        raise ToolError("That's a lot at once; please give me the order a few items at a time.")
    return text


def _orders(menu: Menu, tags: list[Tag]) -> list[SpokenOrder]:
    """Split the tags at each item: its prefix (count, size, meat) and what follows it."""
    heads = [i for i, t in enumerate(tags) if t.kind in HEADS]
    if not heads:
        raise ToolError(NO_ITEM)
    starts, floor = [], 0
    for h in heads:
        s = h
        while s > floor and _before(menu, tags, s - 1, tags[h]):
            s -= 1
            if tags[s].kind == "neg":
                break
        starts.append(s)
        floor = h + 1
    ends = starts[1:] + [len(tags)]
    said = applied_to_all([(tags[h], tags[s:h], tags[h + 1:e]) for h, s, e in zip(heads, starts, ends)])
    orders = []
    for n, (head, prefix, rest) in enumerate(said):
        for one_head, one_prefix, one_rest in distributed(head, tags[:starts[0]] if n == 0 else [], prefix, rest):
            if _says_another(one_rest):
                raise ToolError(ASK_EACH.format(item=head.text))
            orders.append(_order(menu, one_head, one_prefix, one_rest))
    return orders


def _says_another(tags: list[Tag]) -> bool:
    """A count followed by a size or meat with no item word of its own: 'a kebab and a large lamb and a small
    chicken kebab'. Merging those into one line would be a guess."""
    return any(t.kind == "qty" and any(u.kind in ("size", "protein") for u in tags[i + 1:])
               for i, t in enumerate(tags))


def _before(menu: Menu, tags: list[Tag], i: int, head: Tag) -> bool:
    """Whether tags[i] belongs to the item that follows it."""
    kind, item = tags[i].kind, _item_of(menu, head)
    if kind in ("qty", "size", "flavour", "pack", "neg", "vague"):
        return True
    if kind in ("protein", "veg"):
        return str(head.value).startswith("@") or (item is not None and (
            "protein" in item.needs or item.category == "gozleme"))
    if kind in ("salt", "cheese"):
        return item is not None and item.category == "chips"  # "chicken salt chips", "cheesy chips"
    if kind == "sauce":
        return item is not None and "sauce" in item.needs  # "two garlic sauce tubs"
    if kind == "sep" and tags[i].text in JOINS and 0 < i < len(tags) - 1:
        return tags[i - 1].kind == tags[i + 1].kind in ("protein", "sauce") and _before(menu, tags, i - 1, head)
    return False


def _item_of(menu: Menu, head: Tag) -> Item | None:
    return menu.can_item() if head.kind == "brand" else menu.items.get(str(head.value))


def _order(menu: Menu, head: Tag, prefix: list[Tag], rest: list[Tag]) -> SpokenOrder:
    if any(t.kind == "vague" for t in prefix):  # "a few cokes", "a couple of kebabs"
        raise ToolError(f"How many {_plural(head.text)} would you like?")
    counts = [t for t in prefix if t.kind == "qty"]
    strong = [t.value for t in counts if t.text not in WEAK]
    times = [t.value for t in prefix + rest if t.kind == "times"]  # "Coke x3"
    if times and (len(set(times)) > 1 or (strong and strong[-1] not in (1, times[-1]))):
        raise ToolError(f"How many {_plural(head.text)}: {say_or(str(n) for n in dict.fromkeys(strong[-1:] + times))}?")
    strong = times[-1:] or strong
    order = SpokenOrder(head, strong[-1] if strong else (1 if counts else None), bool(strong),
                   bool(prefix) and prefix[0].kind == "neg")
    qty = 1 if order.qty is None else order.qty
    if not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
        whole = "" if isinstance(qty, int) else "whole "
        raise ToolError(f"How many {_plural(head.text)}? I can take 1 to {MAX_QUANTITY} {whole}on one line, "
                        "so I haven't added anything.")
    describe(order, prefix + rest)
    order.item_id = _resolve(menu, order)
    return order


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _resolve(menu: Menu, order: SpokenOrder) -> str:
    """The menu item: a brand is a can; 'lamb gozleme', '500 gram meat container', 'pack of baklava'."""
    value = str(order.head.value)
    if order.head.kind == "brand":
        return menu.can_item().id
    if value == "@gozleme":
        kinds = {i.spoken.split()[0]: i.id for i in menu.items_in("gozleme")}
        wanted = order.veg or (order.proteins[0] if len(set(order.proteins)) == 1 else None)
        if wanted not in kinds:
            raise ToolError(f"Which gozleme: {say_or(kinds)}?")
        return kinds[wanted]
    if value == "@meat_container":
        boxes = sorted(menu.items_in("meat_container"), key=lambda i: i.price or 0)
        if order.size is None:
            names = [f"{b.spoken.replace(' meat container', '')} ({spoken_money(b.price or 0)})" for b in boxes]
            raise ToolError(f"Which meat container: {say_or(names)}?")
        return boxes[0 if order.size == "small" else -1].id
    item = menu.item(value)
    if item.category == "gozleme" and {order.veg, *order.proteins} - {None, item.spoken.split()[0]}:
        kinds = [i.spoken.split()[0] for i in menu.items_in("gozleme")]  # "a lamb gozleme vegetarian"
        raise ToolError(f"Which gozleme: {say_or(kinds)}?")
    pack = next((i for i in menu.items.values() if f"pack of {item.spoken}" in i.aliases), None)
    return pack.id if "pack" in order.flags and pack else item.id


def _specs(menu: Menu, order: SpokenOrder) -> list[LineSpec]:
    """The order as line specs: one, or one per sauce for sauce tubs."""
    item = menu.item(order.item_id)
    if order.size and not item.sized and item.category != "meat_container":
        what = order.head.text if order.head.kind == "brand" else item.spoken
        raise ToolError(f"There's only one size of {what}, not {order.size}; would you like that?")
    _nothing_to_leave_off(menu, item, order)
    if item.flavours and not order.flavour:  # "Iced Tea x2": the shop cannot pick the flavour
        raise ToolError(f"The {item.spoken} comes in {say_or(item.flavours)}; which would you like?")
    salads, sauces = _choices(menu, item, order, "salad"), _choices(menu, item, order, "sauce")
    spec = LineSpec(item.id, order.size if item.sized else None, _protein(menu, item, order), salads, sauces,
                    [e for e in dict.fromkeys(order.add["extra"]) if e not in order.drop["extra"]],
                    order.cheese, order.salt if item.category == "chips" else None,
                    order.head.value if order.head.kind == "brand" else (
                        order.flavour if item.flavours else None),
                    1 if order.qty is None else order.qty, meal_of(menu, item, order))
    if "sauce" in item.needs and len(sauces) > 1:
        return [LineSpec(item.id, sauces=[s], quantity=spec.quantity) for s in sauces]
    return [spec]


def _nothing_to_leave_off(menu: Menu, item: Item, order: SpokenOrder) -> None:
    """'a lamb gozleme, no onion': the menu gives a gozleme no salads, so no line can carry the 'no onion';
    it is said back and nothing is added, never dropped in silence."""
    kinds = {"salad": item.category in SALAD_CATEGORIES, "sauce": item.category in SAUCE_CATEGORIES}
    words = [w for kind, applies in kinds.items() if not applies for w in order.drop[kind]]
    words += [e for e in order.drop["extra"] if not menu.extra_applies(e, item.category)]
    if words:
        raise ToolError(f"I can't take {say_or(dict.fromkeys(words))} off the {item.spoken}: the menu lists none "
                        "on it. I haven't added anything; shall I add it as it comes?")


def _choices(menu: Menu, item: Item, order: SpokenOrder, kind: str) -> list[str]:
    """Salads or sauces: said, plus the lot (or 'with salad'), less what was taken away."""
    said = list(order.add[kind])
    if "lot" in order.flags:
        said += item.the_lot.get(kind + "s", ())
    if kind == "salad" and "salads" in order.flags:
        said += item.the_lot.get("salads") or menu.salads
    if kind in order.drop_all:  # "no sauce add hummus": only what was said after the "no"
        said = list(order.add[kind])
    return [v for v in dict.fromkeys(said) if v not in order.drop[kind]]


def _protein(menu: Menu, item: Item, order: SpokenOrder) -> str | None:
    """One meat: 'lamb and chicken' is mixed, 'vegetarian' is falafel; two others are asked about."""
    if "protein" not in item.needs:
        return None
    said = set(order.proteins) | ({"falafel"} if order.veg and "falafel" in menu.proteins else set())
    if said >= {"lamb", "chicken"} and said <= {"lamb", "chicken", "mixed"} and "meats_apart" not in order.flags:
        return "mixed"
    if len(said) > 1:
        raise ToolError(f"Which meat for the {item.spoken}: {say_or(item.proteins or menu.proteins)}?")
    return next(iter(said), None)


