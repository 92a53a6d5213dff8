"""The allergen tool: what is in an item, from the shop's own allergen facts only; never "safe"."""
from __future__ import annotations

from kebabalab.errors import ToolError
from kebabalab.ordering.allergens import facts_in, lists
from kebabalab.ordering.allergy_notes import is_severe
from kebabalab.ordering.cart import say_and
from kebabalab.ordering.validation import coerce_bool, coerce_text
from kebabalab.tools.registry import Registry, boolean, string

TOOLS = Registry()
NO_PROMISE = "I can't promise anything is free of an allergen."
OFFER_PERSON = "I'd like to put you through to someone at the shop for that; shall I?"


@TOOLS.tool("checkAllergens", params={
    "question": string("What the caller asked about, in their words, naming the item or option, e.g. "
                       "'what's in the falafel HSP', 'does the garlic sauce have egg'"),
    "allergy": string("What the caller is allergic to, if they said, e.g. 'sesame', 'nuts'"),
    "severe": boolean("True when the caller says the allergy is severe (anaphylaxis, an EpiPen, 'really bad')"),
}, required=("question",))
def check_allergens(ctx, args):
    """What is in an item or option, from the allergens the shop has confirmed: read the message as it is.
    Never tell the caller something is safe or free of an allergen. When "offerPerson" is true (the shop has
    not confirmed the allergens, or the allergy is severe), offer to put them through to the shop."""
    question = coerce_text(args.get("question"), "question", max_length=200)
    allergy = coerce_text(args.get("allergy"), "allergy", max_length=60, required=False) or ""
    severe = coerce_bool(args.get("severe") or False, "severe") or is_severe(f"{question} {allergy}")
    facts = facts_in(ctx.menu, question)
    if not facts:
        raise ToolError("Which item, sauce or extra would you like me to check?")
    asked = [fact for fact in facts if not fact.included]
    said = [_said(fact, allergy) for fact in asked]
    with_it = [fact for fact in facts if fact.included]
    if with_it:
        said.append(f"With the lot it has {say_and(f.name for f in with_it)}.")
        said += [_said(fact, allergy) for fact in with_it]
    unconfirmed = [fact.name for fact in facts if not fact.confirmed]
    reason = "severe allergy" if severe else "allergens unconfirmed" if unconfirmed else None
    message = " ".join(said) + f" {NO_PROMISE}" + (f" {OFFER_PERSON}" if reason else "")
    return ctx.reply(message, allergens=[fact.as_json() for fact in facts], unconfirmed=unconfirmed,
                     offerPerson=reason is not None, personReason=reason)


def _said(fact, allergy: str) -> str:
    if not fact.confirmed:
        return f"The shop hasn't confirmed the allergens in the {fact.name}."
    if allergy and lists(fact, allergy):
        return f"The {fact.name} has {allergy}: the shop lists {say_and(fact.allergens)}."
    if not fact.allergens:
        return f"The shop lists no allergens for the {fact.name}."
    listed = f"The shop lists {say_and(fact.allergens)} for the {fact.name}."
    return listed + (f" It doesn't list {allergy}." if allergy else "")
