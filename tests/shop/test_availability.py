"""Sold-out items and options are refused by the phone tools until they are back."""
import pytest


@pytest.fixture
def kitchen(services):
    return services.availability


def test_sold_out_protein_is_refused_with_alternatives_until_back(vapi, kitchen):
    kitchen.set_sold_out("protein", "lamb", True)
    assert vapi.error("quickAddItem", description="a large lamb kebab") == \
        "Sorry, we're out of lamb today; we have chicken, mixed or falafel."
    assert vapi.error("addMultipleItemsToCart", items=[{"category": "kebab", "size": "large",
                                                        "protein": "lamb"}]).endswith(
        "Sorry, we're out of lamb today; we have chicken, mixed or falafel.")
    assert vapi.ok("getCartState")["isEmpty"] is True
    kitchen.set_sold_out("protein", "lamb", False)
    assert vapi.ok("quickAddItem", description="a large lamb kebab")["total"] == 15.0


def test_sold_out_item_and_brand(vapi, kitchen):
    kitchen.set_sold_out("item", "CHIPS", True)
    kitchen.set_sold_out("brand", "coke", True)
    assert vapi.error("quickAddItem", description="small chips") == "Sorry, we're out of chips today."
    assert vapi.error("quickAddItem", description="a coke").startswith(
        "Sorry, we're out of coke today; we have coke zero, diet coke, vanilla coke")
    vapi.ok("quickAddItem", description="a small chicken kebab")
    assert vapi.error("convertItemsToMeals", drinkBrand="sprite") == "Sorry, we're out of chips today."
    assert vapi.ok("convertItemsToMeals", chipsSize="none", drinkBrand="sprite")["total"] == 12.0


def test_edit_into_a_sold_out_option_is_refused(vapi, kitchen):
    vapi.ok("quickAddItem", description="a large chicken kebab")
    kitchen.set_sold_out("protein", "lamb", True)
    assert vapi.error("editCartItem", itemIndex=0, modifications={"protein": "lamb"}).startswith(
        "Sorry, we're out of lamb today")
    assert vapi.ok("getCartState")["items"][0]["protein"] == "chicken"


def test_sold_out_lasts_until_the_end_of_the_shops_day(vapi, kitchen, clock):
    from conftest import melbourne
    kitchen.set_sold_out("protein", "lamb", True)
    clock.set(melbourne(2026, 11, 28, 1, 30))  # after midnight: still Friday's trading day
    assert kitchen.is_sold_out("protein", "lamb") is True
    clock.set(melbourne(2026, 11, 28, 11, 0))
    assert kitchen.is_sold_out("protein", "lamb") is False


def test_sold_out_cheese_is_refused_though_cheese_is_a_yes_or_no(vapi, kitchen):
    kitchen.set_sold_out("extra", "cheese", True)
    assert vapi.error("quickAddItem", description="a large chicken kebab with cheese") == \
        "Sorry, we're out of cheese today."
    assert vapi.ok("quickAddItem", description="a large chicken kebab")["total"] == 15.0


def test_marks_from_an_earlier_trading_day_are_not_in_force(vapi, kitchen, clock):
    from conftest import melbourne
    kitchen.set_sold_out("protein", "lamb", True)
    kitchen.set_busy(20)
    assert (kitchen.in_force().sold_out, kitchen.in_force().busy_minutes) == (["protein:lamb"], 20)
    clock.set(melbourne(2026, 11, 28, 12, 0))  # Saturday's trading day
    assert (kitchen.in_force().sold_out, kitchen.in_force().busy_minutes, kitchen.in_force().paused) == ([], 0, False)
    assert vapi.ok("quickAddItem", description="a large lamb kebab")["total"] == 15.0


def test_a_tool_call_reads_the_kitchens_marks_once(vapi, kitchen, monkeypatch):
    """With REDIS_URL each read is a round trip: createOrder checks both 'paused' and 'sold out' from one read."""
    vapi.ok("quickAddItem", description="a large lamb kebab")
    vapi.ok("setPickupTime", requestedTime="asap")
    reads = []
    load = kitchen._store.load
    monkeypatch.setattr(kitchen._store, "load", lambda prefetched=None: reads.append(1) or load(prefetched))
    vapi.ok("createOrder", customerName="Sam")
    assert len(reads) == 1


@pytest.mark.parametrize("description, kind, name, refusal", [
    ("a lamb gozleme", "item", "GOZ_LAMB",
     "Sorry, we're out of lamb gozleme today; we have chicken gozleme, vegetarian gozleme or vegan gozleme."),
    ("a can of sprite", "brand", "sprite",
     "Sorry, we're out of sprite today; we have coke, coke zero, diet coke or vanilla coke."),
    ("a large lamb kebab", "protein", "lamb", "Sorry, we're out of lamb today; we have chicken, mixed or falafel."),
], ids=["an item", "a can's brand", "a meat"])
def test_sold_out_after_it_went_in_the_cart_createorder_names_the_alternatives_as_the_add_does(
        vapi, kitchen, description, kind, name, refusal):
    """One sentence, written once (ordering/sold_out.py sold_out_refusal), said by quickAddItem and by createOrder."""
    vapi.ok("quickAddItem", description=description)
    vapi.ok("setPickupTime", requestedTime="in 30 minutes")
    kitchen.set_sold_out(kind, name, True)
    assert vapi.error("createOrder", customerName="Sam") == refusal
    vapi.ok("clearCart")
    assert vapi.error("quickAddItem", description=description) == refusal
