"""Cart tools: each a thin adapter over the domain, all-or-nothing (the session store keeps
the session only when the tool returns)."""
from __future__ import annotations

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import check_index, describe, make_line, say_and
from kebabalab.errors import ToolError
from kebabalab.ordering.items import apply_edit, spec_from_fields
from kebabalab.ordering.meals import MealRequest, convert_to_meals
from kebabalab.ordering.parser import read_order
from kebabalab.ordering.sold_out import check_available
from kebabalab.ordering.validation import (coerce_chips_size, coerce_description, coerce_option, validate_index,
                                           validate_line_index, validate_quantity)
from kebabalab.service.cart import add_said, add_to_cart, replace_line
from kebabalab.vapi.protocol import decode_arguments, json_value
from kebabalab.tools.registry import OFFER_ANSWER, Registry, array, integer, obj, offer_answer, string

TOOLS = Registry()

ITEM_SCHEMA = obj({
    "description": string("The item in the caller's words, read as quickAddItem reads them, instead of the "
                          "fields below, e.g. 'large lamb wrap with garlic'"),
    "category": string("kebabs, hsp, chips, drinks, gozleme, sweets (or singular); or give name"),
    "name": string("A menu item by name, e.g. 'lamb gozleme', 'baklava', 'water'"),
    "size": string("small or large", enum=["small", "large"]),
    "protein": string("lamb, chicken, mixed or falafel"),
    "salads": array(string("salad"), "lettuce, tomato, onion, pickles"),
    "sauces": array(string("sauce"), "garlic, chilli, bbq, tomato, sweet chilli, mayo, hummus"),
    "extras": array(string("extra"), "cheese, haloumi, extra meat, olives, jalapenos"),
    "quantity": integer("1 to 99", minimum=1, maximum=99),
    "brand": string("Can brand, e.g. coke, sprite"),
    "salt_type": string("Chips salt: chicken, normal or none"),
    "cheese": {"type": "boolean", "description": "Cheese (included on an HSP)"},
}, "One item")


def add_lines(ctx, lines, note: str = "") -> dict:
    return ctx.added(lines, add_to_cart(ctx.services, ctx.session, ctx.kitchen, lines), note)


@TOOLS.tool("quickAddItem", params={"description": string(
    "The customer's own words for one or more items, e.g. 'a large lamb kebab no onion with chilli and two cokes'"),
    OFFER_ANSWER: offer_answer()}, required=("description",))
def quick_add_item(ctx, args):
    """Add menu items from the customer's own words. Sizes, meats and drink brands must be said; if one is
    missing, nothing is added and the error says what to ask."""
    reading, start = add_said(ctx.services, ctx.session, ctx.kitchen, ctx.in_force,
                              coerce_description(args.get("description")))
    note = f" I took {say_and(reading.heard)}; please check that with the caller." if reading.heard else ""
    result = ctx.added(reading.lines, start, note)
    return ctx.with_offer({**result, "item": result["added"][-1]})  # the original's name: the line just added


@TOOLS.tool("addMultipleItemsToCart", params={"items": array(ITEM_SCHEMA, "The items to add"),
                                             OFFER_ANSWER: offer_answer()}, required=("items",))
def add_multiple_items(ctx, args):
    """Add structured items to the cart. Every item is checked first; if one is wrong, nothing is added."""
    try:
        items = json_value(args.get("items"))
    except ValueError:
        raise ToolError("The items must be a list of objects.") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise ToolError("Which items should I add?")
    if len(items) > 30:
        raise ToolError("That's too many items for one go; add them in smaller groups.")
    lines, heard = [], []
    for n, fields in enumerate(items):
        try:
            if _described(fields):  # an original assistant's {"description": "large lamb wrap"}, or plain words
                reading = read_order(ctx.menu, coerce_description(_words(fields)), ctx.lexicon)
                lines += reading.lines
                heard += reading.heard
            else:
                lines.append(make_line(ctx.menu, spec_from_fields(ctx.menu, fields)))
        except ToolError as err:
            raise ToolError(f"Nothing was added. Item {n + 1}: {err.message}") from None
    note = f" I took {say_and(heard)}; please check that with the caller." if heard else ""
    return ctx.with_offer(add_lines(ctx, lines, note))


def _described(fields) -> bool:
    """An item given in words: a string, or an object with a description and no category or name."""
    if isinstance(fields, str):
        return True
    return isinstance(fields, dict) and bool(fields.get("description")) and not (
        fields.get("category") or fields.get("name"))


def _words(fields) -> str:
    """The item's words; a separate quantity ("quantity": 2 beside "large lamb wrap") goes in front of them."""
    if isinstance(fields, str):
        return fields
    quantity = fields.get("quantity")
    return f"{validate_quantity(quantity)} x {fields['description']}" if quantity not in (None, "", 1, "1") \
        else str(fields["description"])


@TOOLS.tool("getCartState", old_names=("getDetailedCart",))
def get_cart_state(ctx, args):
    """The cart: every line with its 0-based index, description and price, and the total."""
    items = ctx.lines()
    spoken = [ctx.spoken(line) for line in ctx.session.cart]
    message = "The cart is empty." if not items else f"{'; '.join(spoken)}. Total {pricing.spoken_money(ctx.total())}."
    return ctx.reply(message, items=items, formattedItems=spoken, itemCount=ctx.item_count(),
                     isEmpty=not items, total=pricing.dollars(ctx.total()), cart=items)


LINE_INDEX = integer("0-based position in getCartState's items; -1 for the last line")


@TOOLS.tool("removeCartItem", params={"itemIndex": LINE_INDEX}, required=("itemIndex",))
def remove_cart_item(ctx, args):
    """Remove one line from the cart."""
    index = validate_line_index(args.get("itemIndex"), len(ctx.session.cart))
    line = check_index(ctx.session.cart, index)
    removed = ctx.line(line, index)
    ctx.session.cart = ctx.session.cart[:index] + ctx.session.cart[index + 1:]
    return ctx.reply(f"Removed {ctx.spoken(line)}. The total is now {pricing.spoken_money(ctx.total())}.",
                     removedItem=removed, **ctx.cart_fields())


@TOOLS.tool("editCartItem", params={
    "itemIndex": LINE_INDEX,
    "modifications": obj({
        "size": string("small or large"), "protein": string("lamb, chicken, mixed or falafel"),
        "salads": array(string("salad"), "The full new list of salads"),
        "sauces": array(string("sauce"), "The full new list of sauces"),
        "extras": array(string("extra"), "The full new list of extras"),
        "cheese": {"type": "boolean", "description": "Cheese on or off"},
        "quantity": integer("1 to 99"), "salt_type": string("chicken, normal or none (chips or a meal's chips)"),
        "chips_size": string("A meal's chips: small, large (or none for a kebab and can)"),
        "drink_brand": string("A meal's drink"), "brand": string("A can's brand"),
    }, "Only the properties to change")}, required=("itemIndex", "modifications"), old_names=("modifyCartItem",))
def edit_cart_item(ctx, args):
    """Change any allowed property of one cart line in one call and re-price it, meals included
    (a meal's chips from small to large is one call)."""
    index = validate_line_index(args.get("itemIndex"), len(ctx.session.cart))
    line = check_index(ctx.session.cart, index)
    changes = args.get("modifications")
    if isinstance(changes, str):
        changes, problem = decode_arguments(changes)
        if problem:
            raise ToolError("The modifications must be an object of properties to change.")
    if changes is None:  # some assistants send the properties flat, beside itemIndex
        changes = {k: v for k, v in args.items() if k != "itemIndex"}
    updated = apply_edit(ctx.menu, line, changes)
    replace_line(ctx.services, ctx.session, ctx.kitchen, index, updated)
    return ctx.reply(f"Changed to {ctx.spoken(updated)}. The total is now {pricing.spoken_money(ctx.total())}.",
                     updatedItem=ctx.line(updated, index), **ctx.cart_fields())


@TOOLS.tool("clearCart")
def clear_cart(ctx, args):
    """Empty the cart."""
    ctx.session.cart = []
    return ctx.reply("The cart is empty now.", cartSize=0)


@TOOLS.tool("priceCart")
def price_cart(ctx, args):
    """Price the cart: subtotal, the GST it contains, and the total."""
    total = ctx.total()
    gst = pricing.gst_of(total)
    return ctx.reply(f"That comes to {pricing.spoken_money(total)}, including GST.",
                     subtotal=pricing.dollars(total), gst=pricing.dollars(gst), total=pricing.dollars(total),
                     itemCount=ctx.item_count())


@TOOLS.tool("convertItemsToMeals", params={
    "itemIndices": array(integer("index"), "Lines to convert (default: every kebab, HSP and gozleme not yet a meal)"),
    "drinkBrand": string("The meal's can (default coke)"),
    "chipsSize": string("small, large, or none for a kebab and can", enum=["small", "large", "none"]),
    "chipsSalt": string("chicken, normal or none"),
    OFFER_ANSWER: offer_answer(),
})
def convert_items_to_meals(ctx, args):
    """Turn mains into meals at the menu's meal prices; a separate chips or can line already in the cart
    for that meal is folded in, not charged twice."""
    indices = args.get("itemIndices")
    if indices in (None, "", []):
        indices = None
    else:
        if not isinstance(indices, list):
            indices = [indices]
        indices = [validate_index(i, "itemIndices") for i in indices][:30]
    chips = coerce_chips_size(args.get("chipsSize"))
    if chips not in (None, "small", "large", "none"):
        raise ToolError("Chips size must be small, large, or none for a kebab and can.")
    alias = ctx.menu.speech_aliases
    brand = coerce_option(args.get("drinkBrand"), "drink")
    salt = coerce_option(args.get("chipsSalt"), "chips salt")
    request = MealRequest(alias.get(brand, brand) if brand else None, chips, salt)
    cart, positions = convert_to_meals(ctx.menu, ctx.session.cart, indices, request)
    check_available(ctx.menu, ctx.kitchen.sold_out, [cart[i] for i in positions])
    ctx.session.cart = cart
    converted = [ctx.line(cart[i], i) for i in positions]
    said = "; ".join(describe(ctx.menu, cart[i]) for i in positions)
    return ctx.reply(f"Made into meals: {said}. The total is now {pricing.spoken_money(ctx.total())}.",
                     converted=converted, convertedCount=len(converted), **ctx.cart_fields())


@TOOLS.tool("getOrderSummary", params={OFFER_ANSWER: offer_answer()})
def get_order_summary(ctx, args):
    """A single-line spoken read-back of the whole order with the total."""
    if not ctx.session.cart:
        raise ToolError("The cart is empty; what would you like to order?")
    summary = f"{'; '.join(ctx.spoken(l) for l in ctx.session.cart)}. Total {pricing.spoken_money(ctx.total())}."
    return ctx.with_offer(ctx.reply(summary, summary=summary, items=ctx.lines(), total=pricing.dollars(ctx.total()),
                                    itemCount=ctx.item_count()))
