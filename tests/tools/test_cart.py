"""Cart tools through the webhook: each does all of its work or none of it."""
import pytest

KEBAB = {"category": "kebabs", "size": "large", "protein": "lamb", "salads": ["lettuce", "onion"],
         "sauces": ["garlic"]}


def test_add_multiple_validates_all_before_adding_any(vapi):
    error = vapi.error("addMultipleItemsToCart", items=[KEBAB, {"category": "chips"}])
    assert error == "Nothing was added. Item 2: Which size for the chips: small ($5) or large ($9)?"
    assert vapi.ok("getCartState")["isEmpty"] is True


@pytest.mark.parametrize("item,unit", [
    ({"category": "kebabs", "size": "small", "protein": "chicken"}, 10.0),
    ({"category": "hsp", "size": "large", "protein": "mixed"}, 20.0),
    ({"category": "chips", "size": "large", "salt_type": "normal"}, 9.0),
    ({"category": "drinks", "brand": "Coke Zero"}, 3.5),
    ({"category": "gozleme", "protein": "lamb"}, 15.0),
    ({"name": "vegan gozleme"}, 15.0),
    ({"category": "sweets", "name": "baklava"}, 3.0),
    ({"name": "water"}, 3.0),
    ({"name": "sprite"}, 3.5),
    ({"category": "kebab", "size": "large", "protein": "lamb", "extras": "haloumi, olives"}, 18.5),
    ({"category": "kebab", "size": "large", "protein": "lamb", "cheese": "true"}, 16.0),
    ({"category": "kebab", "size": "small", "protein": "lamp", "sauces": ["chili"]}, 10.0),
])
def test_add_structured_item_prices(vapi, item, unit):
    result = vapi.ok("addMultipleItemsToCart", items=[item])
    assert result["added"][0]["unitPrice"] == unit
    assert result["total"] == unit


@pytest.mark.parametrize("item,error", [
    ({"category": "gozleme"}, "Which gozleme: lamb gozleme, chicken gozleme, vegetarian gozleme or vegan gozleme?"),
    ({"category": "pizza"}, "I can't find pizza on the menu; what would you like instead?"),
    ({"category": "kebabs", "size": "medium", "protein": "lamb"}, "The kebab comes small ($10) or large ($15); which size?"),
    ({"category": "kebabs", "size": "large"}, "Which meat for the kebab: lamb, chicken, mixed or falafel?"),
    ({"category": "kebabs", "size": "large", "protein": "lamb", "quantity": 0}, "The quantity must be between 1 and 99."),
    ({"category": "kebabs", "size": "large", "protein": "lamb", "quantity": "lots"}, "The quantity must be a whole number."),
    ({"category": "chips", "size": "small", "extras": ["haloumi"]}, "Haloumi can't be added to chips."),
    ({"category": "drinks", "brand": "tab"}, "We don't have tab in cans"),
    ({"category": "drinks"}, "Which drink:"),
])
def test_add_structured_item_errors(vapi, item, error):
    assert error in vapi.error("addMultipleItemsToCart", items=[item])
    assert vapi.ok("getCartState")["isEmpty"] is True


def test_items_may_arrive_as_a_json_string(vapi):
    result = vapi.ok("addMultipleItemsToCart", items='[{"category": "kebabs", "size": "small", "protein": "lamb"}]')
    assert result["total"] == 10.0


def test_remove_and_indexes(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"name": "coke"}, {"category": "chips", "size": "small"}])
    removed = vapi.ok("removeCartItem", itemIndex="1")
    assert removed["removedItem"]["description"] == "coke can"
    assert (removed["cartSize"], removed["total"]) == (2, 20.0)
    assert [i["index"] for i in vapi.ok("getCartState")["items"]] == [0, 1]
    assert vapi.error("removeCartItem", itemIndex=5) == "There's no item 5 in the cart; items are numbered 0 to 1."
    assert vapi.error("removeCartItem", itemIndex=-2) == "The itemIndex counts from 0, or is -1 for the last item."
    assert vapi.ok("getCartState")["total"] == 20.0


def test_minus_one_is_the_last_line(vapi):
    """Callers say "take the last one off"; the original's assistants send -1 for it."""
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"name": "coke"}, {"category": "chips", "size": "small"}])
    removed = vapi.ok("removeCartItem", itemIndex=-1)
    assert (removed["removedItem"]["description"], removed["removedItem"]["index"]) == ("small chips, chicken salt", 2)
    edited = vapi.ok("editCartItem", itemIndex="-1", modifications={"brand": "sprite"})
    assert (edited["updatedItem"]["index"], edited["updatedItem"]["brand"]) == (1, "sprite")
    assert [i["description"] for i in vapi.ok("getCartState")["items"]] == [
        "large lamb kebab, lettuce and onion, garlic sauce", "sprite can"]


@pytest.mark.parametrize("tool,args", [("removeCartItem", {}), ("editCartItem", {"modifications": {"size": "small"}})])
def test_minus_one_on_an_empty_cart_is_a_clear_error(vapi, tool, args):
    assert vapi.error(tool, itemIndex=-1, **args) == "The cart is empty, so there is no last item."


def test_edit_changes_several_properties_in_one_call(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB])
    edited = vapi.ok("editCartItem", itemIndex=0, modifications={
        "size": "small", "protein": "chicken", "sauces": ["chilli", "bbq"], "extras": ["cheese"], "quantity": 2})
    item = edited["updatedItem"]
    assert (item["size"], item["protein"], item["sauces"], item["cheese"], item["quantity"]) == (
        "small", "chicken", ["chilli", "bbq"], True, 2)
    assert edited["total"] == 22.0
    assert item["description"] == "small chicken kebab, lettuce and onion, chilli and bbq sauce, with cheese"


def test_edit_refuses_unknown_fields_and_changes_nothing(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB])
    assert vapi.error("editCartItem", itemIndex=0, modifications={"price": 1}).startswith("I can't change price")
    assert vapi.error("editCartItem", itemIndex=0, modifications={"size": "huge"}) == \
        "The kebab comes small ($10) or large ($15); which size?"
    assert vapi.ok("getCartState")["items"][0]["unitPrice"] == 15.0


def test_clear_and_price(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"name": "coke", "quantity": 2}])
    priced = vapi.ok("priceCart")
    assert (priced["subtotal"], priced["gst"], priced["total"], priced["itemCount"]) == (22.0, 2.0, 22.0, 3)
    assert vapi.ok("clearCart")["cartSize"] == 0
    assert vapi.ok("priceCart")["total"] == 0.0


def test_meal_folds_in_chips_and_can_already_in_cart(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"category": "chips", "size": "large", "salt_type": "normal"},
                                             {"name": "sprite"}])
    assert vapi.ok("priceCart")["total"] == 27.5
    result = vapi.ok("convertItemsToMeals")
    assert result["cartSize"] == 1
    assert result["converted"][0]["meal"] == {"type": "kebab_meal", "chipsSize": "large", "chipsSalt": "normal",
                                              "drinkBrand": "sprite"}
    assert result["total"] == 25.0


def test_meal_fold_in_takes_only_what_the_meal_needs(vapi):
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"name": "coke", "quantity": 3}])
    result = vapi.ok("convertItemsToMeals", chipsSize="none")
    state = vapi.ok("getCartState")
    assert [(i["description"], i["quantity"]) for i in state["items"]] == [
        ("large lamb kebab and can, lettuce and onion, garlic sauce, with a coke", 1), ("coke can", 2)]
    assert result["total"] == 17.0 + 7.0


@pytest.mark.parametrize("items,args,total", [
    ([{"category": "hsp", "size": "small", "protein": "lamb"}], {}, 17.0),
    ([{"category": "hsp", "size": "large", "protein": "lamb"}], {"chipsSize": "large"}, 22.0),
    ([{"category": "gozleme", "protein": "chicken"}], {"drinkBrand": "fanta"}, 23.0),
    ([{"category": "kebab", "size": "small", "protein": "lamb"}], {"chipsSize": "none"}, 12.0),
    ([{"category": "kebab", "size": "small", "protein": "lamb"}, {"category": "hsp", "size": "large", "protein": "mixed"}],
     {"chipsSize": "large"}, 20.0 + 22.0),
])
def test_meal_types(vapi, items, args, total):
    vapi.ok("addMultipleItemsToCart", items=items)
    assert vapi.ok("convertItemsToMeals", **args)["total"] == total


@pytest.mark.parametrize("items,args,error", [
    ([{"name": "coke"}], {}, "There's no kebab, HSP or gozleme in the cart to make into a meal."),
    ([{"name": "coke"}], {"itemIndices": [0]}, "Item 0 (drink) can't be a meal; only kebabs, HSPs and gozleme can."),
    ([{"category": "gozleme", "protein": "lamb"}], {"chipsSize": "large"}, "The gozleme meal comes with small chips."),
    ([{"category": "kebab", "size": "small", "protein": "lamb"}], {"chipsSize": "huge"},
     "Chips size must be small, large, or none for a kebab and can."),
    ([{"category": "kebab", "size": "small", "protein": "lamb"}], {"drinkBrand": "tab"}, "We don't have tab in cans"),
])
def test_meal_errors_change_nothing(vapi, items, args, error):
    vapi.ok("addMultipleItemsToCart", items=items)
    before = vapi.ok("getCartState")
    assert error in vapi.error("convertItemsToMeals", **args)
    assert vapi.ok("getCartState") == before


def test_order_summary_reads_back_everything(vapi):
    assert vapi.error("getOrderSummary") == "The cart is empty; what would you like to order?"
    vapi.ok("addMultipleItemsToCart", items=[KEBAB, {"name": "coke", "quantity": 2}])
    summary = vapi.ok("getOrderSummary")
    assert summary["summary"] == "large lamb kebab, lettuce and onion, garlic sauce; 2 x coke can. Total $22."
    assert summary["total"] == 22.0


def test_max_items_per_order(vapi):
    vapi.ok("addMultipleItemsToCart", items=[{"name": "coke", "quantity": 30}])
    assert vapi.error("addMultipleItemsToCart", items=[{"name": "water"}]) == \
        "That's more than 30 items, which is the most we take in one phone order."


def test_an_edit_cannot_grow_the_order_past_the_limit(vapi):
    vapi.ok("addMultipleItemsToCart", items=[{"name": "coke", "quantity": 29}, {"name": "water"}])
    before = vapi.ok("getCartState")
    assert vapi.error("editCartItem", itemIndex=1, modifications={"quantity": 50}) == \
        "That's more than 30 items, which is the most we take in one phone order."
    assert vapi.ok("getCartState") == before


def test_meal_leaves_an_iced_tea_alone(vapi):
    vapi.ok("quickAddItem", description="a large lamb kebab and a peach iced tea")
    result = vapi.ok("convertItemsToMeals")
    assert result["converted"][0]["meal"]["drinkBrand"] == "coke"
    assert [i["description"] for i in vapi.ok("getCartState")["items"]] == [
        "large lamb kebab meal, with small chips (chicken salt) and a coke", "peach iced tea"]
    assert result["total"] == 22.0 + 4.5
