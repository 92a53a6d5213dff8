"""A meal's chips from small to large is one editCartItem call: $22 becomes $25."""
from conftest import VapiCall


def test_large_kebab_meal_chips_small_to_large_in_one_call(vapi):
    vapi.ok("addMultipleItemsToCart", items=[{"category": "kebabs", "size": "large", "protein": "lamb",
                                              "sauces": ["garlic"]}])
    converted = vapi.ok("convertItemsToMeals", chipsSize="small", drinkBrand="coke")
    assert converted["total"] == 22.0
    edited = vapi.ok("editCartItem", itemIndex=0, modifications={"chips_size": "large"})
    assert edited["updatedItem"]["meal"] == {"type": "kebab_meal", "chipsSize": "large", "chipsSalt": "chicken",
                                             "drinkBrand": "coke"}
    assert edited["updatedItem"]["unitPrice"] == 25.0
    assert edited["total"] == 25.0
    assert vapi.ok("priceCart")["total"] == 25.0


def test_small_kebab_meal_chips_upgrade_costs_three_dollars(vapi):
    vapi.ok("quickAddItem", description="small chicken kebab with garlic sauce")
    assert vapi.ok("convertItemsToMeals")["total"] == 17.0
    assert vapi.ok("editCartItem", itemIndex="0", modifications='{"chipsSize": "large"}')["total"] == 20.0


def test_chip_upgrade_keeps_extras_charged(vapi):
    vapi.ok("addMultipleItemsToCart", items=[{"category": "kebab", "size": "large", "protein": "mixed",
                                              "extras": ["haloumi"]}])
    vapi.ok("convertItemsToMeals", chipsSize="small")
    assert vapi.ok("editCartItem", itemIndex=0, modifications={"chips_size": "large"})["total"] == 27.5


def test_no_chips_said_any_way_makes_a_kebab_and_can_in_edit_as_in_convert(vapi):
    vapi.ok("quickAddItem", description="small chicken kebab with garlic sauce")
    kebab_and_can = vapi.ok("convertItemsToMeals", chipsSize="no chips", drinkBrand="sprite")["total"]
    for said in ("no chips", "without", "none"):
        call = VapiCall(vapi.client, call_id=f"call-{said}")
        call.ok("quickAddItem", description="small chicken kebab with garlic sauce")
        call.ok("convertItemsToMeals", chipsSize="small", drinkBrand="sprite")
        edited = call.ok("editCartItem", itemIndex=0, modifications={"chips_size": said})
        assert (edited["updatedItem"]["meal"]["chipsSize"], edited["total"]) == (None, kebab_and_can), said
