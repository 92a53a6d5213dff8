"""The `--shop ID` of every command about one shop, and the shop it names."""
from __future__ import annotations

from kebabalab.config import MAIN_SHOP, Settings
from kebabalab.shop.directory import ShopDirectory, ShopEntry

HELP = "the shop (default main; `kebabalab shops` lists them)"


def add_shop_option(parser, help: str = HELP) -> None:
    parser.add_argument("--shop", default=MAIN_SHOP, help=help)


class NoSuchShop(LookupError):
    """A `--shop` the directory does not hold; its text says so and where the shops are listed."""

    def __init__(self, shop_id: str):
        super().__init__(f"there is no shop {shop_id!r}; `kebabalab shops` lists them")

    @property
    def sentence(self) -> str:
        """The text as a sentence on its own line."""
        text = str(self)
        return f"{text[0].upper()}{text[1:]}."


def find_shop(settings: Settings, shop_id: str) -> ShopEntry:
    """The directory's entry of `shop_id`; NoSuchShop when there is none."""
    shop = ShopDirectory.load(settings).get(shop_id)
    if shop is None:
        raise NoSuchShop(shop_id)
    return shop
