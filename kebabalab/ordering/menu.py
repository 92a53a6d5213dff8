"""The menu: items, options, extras and meals, loaded and checked once at start-up.

Prices are integer cents. `Menu.from_dict` refuses a file where any sellable combination
has no price or a meal names something the menu does not sell, naming the entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kebabalab.errors import ConfigError, read_json_file
from kebabalab.ordering.allergens import read_allergens, read_option_allergens

CATEGORIES = ("kebab", "hsp", "chips", "gozleme", "drink", "sweet", "meat_container", "side")
MAIN_CATEGORIES = ("kebab", "hsp", "gozleme")
SIZES = ("small", "large")
NEEDS = ("size", "protein", "brand", "sauce")

# What the prototype's tool file (and shops' assistants) call the categories.
CATEGORY_ALIASES = {
    "kebab": "kebab", "kebabs": "kebab", "doner": "kebab", "wrap": "kebab",
    "hsp": "hsp", "hsps": "hsp", "snack pack": "hsp", "halal snack pack": "hsp",
    "chips": "chips", "chip": "chips", "fries": "chips",
    "gozleme": "gozleme", "gozlemes": "gozleme",
    "drink": "drink", "drinks": "drink", "can": "drink", "cans": "drink",
    "sweet": "sweet", "sweets": "sweet", "dessert": "sweet", "desserts": "sweet",
    "meat_container": "meat_container", "meat container": "meat_container", "meat": "meat_container",
    "side": "side", "sides": "side",
}


@dataclass(frozen=True)
class Item:
    id: str
    category: str
    name: str
    spoken: str
    sizes: dict[str, int] | None = None
    price: int | None = None
    needs: tuple[str, ...] = ()
    includes_cheese: bool = False
    the_lot: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default_salt: str | None = None
    proteins: tuple[str, ...] | None = None
    flavours: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    allergens: tuple[str, ...] | None = None  # None: the shop has not confirmed them (ordering/allergens.py)
    hidden: bool = False  # off the menu (the board's "hide"): not offered or sold, still known to carts holding it

    @property
    def sized(self) -> bool:
        return self.sizes is not None

    def base_price(self, size: str | None) -> int:
        if self.sizes is None:
            return self.price  # type: ignore[return-value]
        return self.sizes[size]  # type: ignore[index]


@dataclass(frozen=True)
class Extra:
    name: str
    price: int
    applies_to: tuple[str, ...]
    included_in: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    allergens: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MealType:
    key: str
    name: str
    main: str
    chips_sizes: tuple[str, ...]
    drink: bool
    prices: dict[tuple[str | None, str | None], int]

    @property
    def has_chips(self) -> bool:
        return bool(self.chips_sizes)

    def price(self, main_size: str | None, chips_size: str | None) -> int | None:
        return self.prices.get((main_size, chips_size))


@dataclass(frozen=True)
class Menu:
    version: str
    items: dict[str, Item]
    extras: dict[str, Extra]
    meals: dict[str, MealType]
    proteins: tuple[str, ...]
    salads: tuple[str, ...]
    sauces: tuple[str, ...]
    chips_salt: tuple[str, ...]
    can_brands: tuple[str, ...]
    speech_aliases: dict[str, str]
    option_allergens: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # confirmed only
    hidden_items: dict[str, Item] = field(default_factory=dict)  # hidden on the board: described, never sold

    # -- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> "Menu":
        return cls.from_dict(read_json_file(path, "menu"))

    @classmethod
    def from_dict(cls, data: dict) -> "Menu":
        try:
            return _build(data)
        except ConfigError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"menu: malformed ({type(exc).__name__}: {exc})") from None

    # -- lookups -----------------------------------------------------------------------
    def item(self, item_id: str) -> Item:
        """An item on sale, or one hidden since a caller put it in the cart (so the cart can still say it)."""
        found = self.items.get(item_id) or self.hidden_items.get(item_id)
        if found is None:
            raise KeyError(item_id)
        return found

    def items_in(self, category: str) -> list[Item]:
        return [i for i in self.items.values() if i.category == category]

    def meal_types_for(self, category: str) -> list[MealType]:
        return [m for m in self.meals.values() if m.main == category]

    def meal_for(self, category: str, chips_size: str | None) -> MealType | None:
        """The meal type a main of `category` becomes with `chips_size` (None: no chips)."""
        for meal in self.meal_types_for(category):
            if chips_size is None and not meal.has_chips:
                return meal
            if chips_size is not None and chips_size in meal.chips_sizes:
                return meal
        return None

    def extra_applies(self, extra: str, category: str) -> bool:
        e = self.extras.get(extra)
        return e is not None and category in e.applies_to

    def can_item(self) -> Item:
        return next(i for i in self.items.values() if "brand" in i.needs)

    def chips_item(self) -> Item:
        return self.items_in("chips")[0]


def _tuple(values, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"menu: {where} must be a list of names")
    return tuple(values)


def _cents(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"menu: {where} must be a positive whole number of cents, not {value!r}")
    return value


def _build(data: dict) -> Menu:
    opts = data["options"]
    proteins = _tuple(opts["proteins"], "options.proteins")
    salads = _tuple(opts["salads"], "options.salads")
    sauces = _tuple(opts["sauces"], "options.sauces")
    chips_salt = _tuple(opts["chips_salt"], "options.chips_salt")
    can_brands = _tuple(opts["can_brands"], "options.can_brands")

    items: dict[str, Item] = {}
    hidden: dict[str, Item] = {}
    for raw in data["items"]:
        item = _build_item(raw, proteins, salads, sauces, chips_salt)
        if item.id in items or item.id in hidden:
            raise ConfigError(f"menu: item {item.id} appears twice")
        (hidden if item.hidden else items)[item.id] = item

    categories = {i.category for i in items.values()}
    extras = {}
    for name, raw in data["extras"].items():
        where = f"extra {name!r}"
        applies = _tuple(raw["applies_to"], f"{where}.applies_to")
        for cat in applies:
            if cat not in categories:
                raise ConfigError(f"menu: {where} applies to unknown category {cat!r}; the menu's categories are "
                                  f"{', '.join(sorted(categories))}")
        extras[name] = Extra(name, _cents(raw["price_cents"], f"{where}.price_cents"), applies,
                             _tuple(raw.get("included_in", []), where) if raw.get("included_in") else (),
                             _tuple(raw.get("aliases", []), where) if raw.get("aliases") else (),
                             read_allergens(raw.get("allergens"), where))

    meals = {key: _build_meal(key, raw, items) for key, raw in data["meals"].items()}
    if "brand" in {n for i in items.values() for n in i.needs} and not can_brands:
        raise ConfigError("menu: a can needs a brand but options.can_brands is empty")
    if meals and not any("brand" in i.needs for i in items.values()):
        raise ConfigError("menu: meals include a can but no item needs a brand (the can)")
    aliases = {str(k).lower(): str(v).lower() for k, v in data.get("speech_aliases", {}).items()}
    options = {"proteins": proteins, "salads": salads, "sauces": sauces, "chips_salt": chips_salt,
               "can_brands": can_brands}
    return Menu(str(data.get("version", "")), items, extras, meals, proteins, salads, sauces,
                chips_salt, can_brands, aliases, read_option_allergens(data.get("option_allergens"), options),
                hidden)


def _build_item(raw: dict, proteins, salads, sauces, chips_salt) -> Item:
    item_id = raw["id"]
    where = f"item {item_id}"
    category = raw["category"]
    if category not in CATEGORIES:
        raise ConfigError(f"menu: {where} has unknown category {category!r}; the categories are "
                          f"{', '.join(CATEGORIES)}")
    needs = _tuple(raw.get("needs", []), f"{where}.needs") if raw.get("needs") else ()
    for need in needs:
        if need not in NEEDS:
            raise ConfigError(f"menu: {where} needs unknown option {need!r}")
    sizes = price = None
    if "sizes_cents" in raw:
        sizes = {s: _cents(p, f"{where}.sizes_cents.{s}") for s, p in raw["sizes_cents"].items()}
        if set(sizes) != set(SIZES):
            raise ConfigError(f"menu: {where} must price exactly the sizes {', '.join(SIZES)}")
        if "size" not in needs:
            raise ConfigError(f"menu: {where} has sizes but does not need a size")
    else:
        if "price_cents" not in raw:
            raise ConfigError(f"menu: {where} has no price")
        price = _cents(raw["price_cents"], f"{where}.price_cents")
        if "size" in needs:
            raise ConfigError(f"menu: {where} needs a size but has no sizes_cents")
    item_proteins = _tuple(raw["proteins"], f"{where}.proteins") if "proteins" in raw else None
    for p in item_proteins or ():
        if p not in proteins:
            raise ConfigError(f"menu: {where} offers unknown protein {p!r}")
    the_lot = {k: _tuple(v, f"{where}.the_lot.{k}") for k, v in raw.get("the_lot", {}).items()}
    for s in the_lot.get("salads", ()):
        if s not in salads:
            raise ConfigError(f"menu: {where}.the_lot names unknown salad {s!r}")
    for s in the_lot.get("sauces", ()):
        if s not in sauces:
            raise ConfigError(f"menu: {where}.the_lot names unknown sauce {s!r}")
    salt = raw.get("default_salt")
    if salt is not None and salt not in chips_salt:
        raise ConfigError(f"menu: {where} default_salt {salt!r} is not in options.chips_salt")
    return Item(
        id=item_id, category=category, name=raw["name"], spoken=raw.get("spoken", raw["name"]).strip(),
        sizes=sizes, price=price, needs=needs,
        includes_cheese=bool(raw.get("includes", {}).get("cheese")), the_lot=the_lot,
        default_salt=salt, proteins=item_proteins,
        flavours=_tuple(raw["flavours"], where) if raw.get("flavours") else (),
        aliases=tuple(a.lower() for a in raw.get("aliases", ())),
        allergens=read_allergens(raw.get("allergens"), where), hidden=raw.get("hidden") is True,
    )


def _build_meal(key: str, raw: dict, items: dict[str, Item]) -> MealType:
    where = f"meal {key}"
    main = raw["main"]
    mains = [i for i in items.values() if i.category == main]
    if not mains:
        raise ConfigError(f"menu: {where} names main {main!r}, which the menu does not sell")
    chips_sizes = _tuple(raw.get("chips", []), f"{where}.chips") if raw.get("chips") else ()
    chips = [i for i in items.values() if i.category == "chips"]
    for size in chips_sizes:
        if not chips or not chips[0].sizes or size not in chips[0].sizes:
            raise ConfigError(f"menu: {where} includes {size} chips, which the menu does not sell")
    prices: dict[tuple[str | None, str | None], int] = {}
    for row in raw["prices"]:
        k = (row.get("main_size"), row.get("chips_size"))
        prices[k] = _cents(row["price_cents"], f"{where}.prices")
    main_sizes = sorted({s for i in mains if i.sizes for s in i.sizes}) or [None]
    for ms in main_sizes:
        for cs in chips_sizes or (None,):
            if (ms, cs) not in prices:
                raise ConfigError(f"menu: {where} has no price for main size {ms} with chips {cs}")
    return MealType(key, raw.get("name", "meal"), main, chips_sizes, bool(raw.get("drink", True)), prices)


def normalise_category(value: str) -> str | None:
    return CATEGORY_ALIASES.get(" ".join(str(value).lower().replace("_", " ").split())) or (
        value if value in CATEGORIES else None)
