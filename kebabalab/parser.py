"""The customer's own words into cart lines: "a large lamb kebab no onion and two cokes".

The transcript is read into tags (`phrases.Lexicon`). Each item word (kebab, chips, coke...) heads an order
and takes the count, size and meat said just before it; what is said after it, up to the next item, describes
it (salads, sauces, extras, "no onion", "the lot", "as a meal"). The chips and can said after a meal are the
meal's. Nothing is guessed: a missing size, meat or drink is asked for, and then no line is returned at all.
"""
from __future__ import annotations

import itertools
import re

from dataclasses import dataclass, field

from .distribution import ASK_EACH, applied_to_all, distributed
from .cart import MAX_QUANTITY, CartLine, LineSpec, Meal, make_line, say_or
from .corrections import resolved
from .errors import ToolError
from .menu import MAIN_CATEGORIES, Item, Menu
from .phrases import FILLER, WEAK, Lexicon, Tag
from .pricing import spoken_money
from .transcript import spoken
from .unsold import refuse_unsold

MAX_CHARS = 500
NO_ITEM = "I couldn't find a menu item in that; what would you like?"
MEAL_ONLY = "Only a kebab, HSP or gozleme comes as a meal; which would you like as a meal?"
HEADS = ("item", "brand")
JOINS = (",", "and")  # join two meats ("lamb and chicken kebab") or tub sauces before their item
ADDING = ("extra ", "double ", "more ")  # extras said as additions end a "no ...": "no cheese extra meat"
FAMILY = {"salad": "salad", "salads": "salad", "sauce": "sauce", "sauceword": "sauce", "extra": "extra",
          "cheese": "cheese", "salt": "salt"}  # what "no ..." can take away; "," and "and" join one family


@dataclass
class _Order:
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
    flags: set[str] = field(default_factory=set)  # lot, salads, pack, meal, deal, no_chips
    cheese: bool | None = None
    salt: str | None = None
    flavour: str | None = None
    chips: tuple | None = None  # the meal's chips: (size, salt)
    drink: tuple | None = None  # the meal's can: (brand,)


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


def _said_once(menu: Menu, orders: list[_Order]) -> list[_Order]:
    """An item named and then described: 'four cans, two cokes and two fantas' are four cans, not eight;
    'Kebab and Can - Small Lamb Kebab - Solo' is one kebab and can."""
    can = menu.can_item().id
    out: list[_Order] = []
    skip: set[int] = set()
    for n, order in enumerate(orders):
        later = orders[n + 1:]
        if n in skip:
            continue
        if order.item_id == can and order.head.kind == "item" and order.explicit:
            brands = list(itertools.takewhile(lambda o: o.head.kind == "brand" and o.explicit, later))
            if brands and sum(o.qty for o in brands) == order.qty:
                continue
        bare = order.qty is None and not (order.size or order.proteins or order.veg or any(order.add.values()))
        between = list(itertools.takewhile(lambda o: o.item_id == can and o.head.kind == "item" and o.qty is None,
                                           later))
        again = later[len(between)] if len(between) < len(later) else None
        if bare and _is_main(menu, order) and again is not None and again.item_id == order.item_id:
            again.flags |= order.flags  # the menu's "Kebab and Can", then the kebab itself
            skip |= set(range(n + 1, n + 1 + len(between)))
            continue
        out.append(order)
    return out


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
    _lift_meals(menu, orders)
    orders = _said_once(menu, orders)
    kept: list[_Order] = []
    main = None
    for order in orders:
        if _is_main(menu, order):
            main = order
        elif _fold(menu, main, order):
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


def _orders(menu: Menu, tags: list[Tag]) -> list[_Order]:
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


def _order(menu: Menu, head: Tag, prefix: list[Tag], rest: list[Tag]) -> _Order:
    if any(t.kind == "vague" for t in prefix):  # "a few cokes", "a couple of kebabs"
        raise ToolError(f"How many {_plural(head.text)} would you like?")
    counts = [t for t in prefix if t.kind == "qty"]
    strong = [t.value for t in counts if t.text not in WEAK]
    times = [t.value for t in prefix + rest if t.kind == "times"]  # "Coke x3"
    if times and (len(set(times)) > 1 or (strong and strong[-1] not in (1, times[-1]))):
        raise ToolError(f"How many {_plural(head.text)}: {say_or(str(n) for n in dict.fromkeys(strong[-1:] + times))}?")
    strong = times[-1:] or strong
    order = _Order(head, strong[-1] if strong else (1 if counts else None), bool(strong),
                   bool(prefix) and prefix[0].kind == "neg")
    qty = 1 if order.qty is None else order.qty
    if not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
        whole = "" if isinstance(qty, int) else "whole "
        raise ToolError(f"How many {_plural(head.text)}? I can take 1 to {MAX_QUANTITY} {whole}on one line, "
                        "so I haven't added anything.")
    _describe(order, prefix + rest)
    order.item_id = _resolve(menu, order)
    return order


def _plural(word: str) -> str:
    return word if word.endswith("s") else word + "s"


def _describe(order: _Order, tags: list[Tag]) -> None:
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
            joined = i >= 3 and tags[i - 2].kind == "sep" and tags[i - 2].text in JOINS and tags[i - 3].kind == "protein"
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


def _negate(order: _Order, tags: list[Tag], i: int) -> int:
    """Take away what follows 'no': 'no onion or tomato', 'hold the salad', 'no sauce'; the index after it."""
    family = None
    while i < len(tags):
        tag = tags[i]
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


def _resolve(menu: Menu, order: _Order) -> str:
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
    pack = next((i for i in menu.items.values() if f"pack of {item.spoken}" in i.aliases), None)
    return pack.id if "pack" in order.flags and pack else item.id


def _category(menu: Menu, order: _Order) -> str:
    return menu.item(order.item_id).category


def _is_main(menu: Menu, order: _Order) -> bool:
    return _category(menu, order) in MAIN_CATEGORIES and not order.negated


def _lift_meals(menu: Menu, orders: list[_Order]) -> None:
    """'Meal' or 'deal' said after a chips or can is about the main before it: 'lamb kebab and can deal'."""
    main = None
    for order in orders:
        wants = {"meal", "deal"} & order.flags
        if _is_main(menu, order):
            main = order
        elif wants and main is None:
            raise ToolError(MEAL_ONLY)
        elif wants:
            order.flags -= wants
            main.flags.add("deal" if "deal" in wants and order.item_id == menu.can_item().id else "meal")


def _fold(menu: Menu, main: _Order | None, order: _Order) -> bool:
    """Make a chips or can said after a meal the meal's ('as a meal with large chips and a coke'); True if so."""
    is_can = order.item_id == menu.can_item().id
    if order.negated:  # "a kebab meal, no chips" is a kebab and can
        if main is not None and _category(menu, order) == "chips":
            main.flags.add("no_chips")
        return True
    if main is None or not {"meal", "deal"} & main.flags or (order.explicit and order.qty != (main.qty or 1)):
        return False
    if is_can and (main.drink is None or (main.drink == (None,) and order.head.kind == "brand")):
        main.drink = (order.head.value if order.head.kind == "brand" else None,)
        _hand_over(order, main)
        return True
    plain = not (order.add["sauce"] or order.add["extra"] or order.cheese)
    with_chips = "deal" not in main.flags and any(m.has_chips for m in menu.meal_types_for(_category(menu, main)))
    if _category(menu, order) == "chips" and main.chips is None and plain and with_chips:
        main.chips = (order.size, order.salt)
        return True
    return False


def _hand_over(can: _Order, main: _Order) -> None:
    """What was said after a meal's can is about the main: 'a kebab meal with a coke, add haloumi'."""
    for kind in ("salad", "sauce", "extra"):
        main.add[kind] += can.add[kind]
        main.drop[kind] += can.drop[kind]
    main.drop_all |= can.drop_all
    main.cheese = can.cheese if can.cheese is not None else main.cheese
    main.flags |= can.flags & {"lot", "salads"}


def _specs(menu: Menu, order: _Order) -> list[LineSpec]:
    """The order as line specs: one, or one per sauce for sauce tubs."""
    item = menu.item(order.item_id)
    if order.size and not item.sized and item.category != "meat_container":
        what = order.head.text if order.head.kind == "brand" else item.spoken
        raise ToolError(f"There's only one size of {what}, not {order.size}; would you like that?")
    salads, sauces = _choices(menu, item, order, "salad"), _choices(menu, item, order, "sauce")
    spec = LineSpec(item.id, order.size if item.sized else None, _protein(menu, item, order), salads, sauces,
                    [e for e in dict.fromkeys(order.add["extra"]) if e not in order.drop["extra"]],
                    order.cheese, order.salt if item.category == "chips" else None,
                    order.head.value if order.head.kind == "brand" else (
                        order.flavour if item.flavours else None),
                    1 if order.qty is None else order.qty, _meal(menu, item, order))
    if "sauce" in item.needs and len(sauces) > 1:
        return [LineSpec(item.id, sauces=[s], quantity=spec.quantity) for s in sauces]
    return [spec]


def _choices(menu: Menu, item: Item, order: _Order, kind: str) -> list[str]:
    """Salads or sauces: said, plus the lot (or 'with salad'), less what was taken away."""
    said = list(order.add[kind])
    if "lot" in order.flags:
        said += item.the_lot.get(kind + "s", ())
    if kind == "salad" and "salads" in order.flags:
        said += item.the_lot.get("salads") or menu.salads
    if kind in order.drop_all:  # "no sauce add hummus": only what was said after the "no"
        said = list(order.add[kind])
    return [v for v in dict.fromkeys(said) if v not in order.drop[kind]]


def _protein(menu: Menu, item: Item, order: _Order) -> str | None:
    """One meat: 'lamb and chicken' is mixed, 'vegetarian' is falafel; two others are asked about."""
    if "protein" not in item.needs:
        return None
    said = set(order.proteins) | ({"falafel"} if order.veg and "falafel" in menu.proteins else set())
    if said >= {"lamb", "chicken"} and said <= {"lamb", "chicken", "mixed"} and "meats_apart" not in order.flags:
        return "mixed"
    if len(said) > 1:
        raise ToolError(f"Which meat for the {item.spoken}: {say_or(item.proteins or menu.proteins)}?")
    return next(iter(said), None)


def _meal(menu: Menu, item: Item, order: _Order) -> Meal | None:
    """The meal the main was made: kebab meal (small chips unless said), kebab/HSP and can, gozleme meal."""
    if not {"meal", "deal"} & order.flags:
        return None
    types = menu.meal_types_for(item.category)
    if not types:
        raise ToolError(MEAL_ONLY)
    bare = bool({"deal", "no_chips"} & order.flags)
    meal = next((m for m in types if m.has_chips != bare), types[0])
    chips_size, chips_salt = order.chips or (None, None)
    if not meal.has_chips:
        return Meal(meal.key, drink_brand=(order.drink or (None,))[0])
    return Meal(meal.key, chips_size or meal.chips_sizes[0], chips_salt or order.salt,
                (order.drink or (None,))[0])
