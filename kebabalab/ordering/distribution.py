"""Who gets what when one item word covers several: "three kebabs, one with onion and two without",
"a large lamb and a small chicken kebab", "two large kebabs, one lamb and one chicken", "make both meals".

An order is (item tag, what was said before it, what was said after it). `distributed` splits an order whose
words give counts of their own into one order per count, each with only its own words plus the shared ones;
`applied_to_all` gives what follows "both" / "all" to every order said so far. Counts that do not add up are
asked about, never guessed.
"""
from __future__ import annotations

from kebabalab.errors import ToolError
from kebabalab.ordering.phrases import WEAK, Tag

Order = tuple[Tag, list[Tag], list[Tag]]
DESCRIBES = ("size", "protein", "veg", "flavour")
ASK_EACH = ("I heard more than one {item} there; could you tell me each one on its own, "
            "like 'a large lamb kebab and a small chicken kebab'?")


def applied_to_all(orders: list[Order]) -> list[Order]:
    """'..., make both meals', '..., both large': what follows 'both'/'all' goes to each order before it."""
    out: list[Order] = []
    for head, prefix, rest in orders:
        cut = next((n for n, t in enumerate(rest) if t.kind == "all"), None)
        if cut is None:
            out.append((head, prefix, rest))
            continue
        stop = next((n for n in range(cut + 1, len(rest)) if rest[n].kind == "qty"), len(rest))
        shared = [Tag("all", None, ",")] + [t for t in rest[cut + 1:stop] if t.kind != "all"]
        out = [(h, p, r + shared) for h, p, r in out]
        out.append((head, prefix, rest[:cut] + rest[stop:] + shared))  # "both chicken, one with the lot, ..."
    return out


def distributed(head: Tag, lead: list[Tag], prefix: list[Tag], rest: list[Tag]) -> list[Order]:
    """The order as one or more orders; `lead` is what came before the first item of the phrase."""
    orders = _from_lead(head, lead, prefix, rest)
    if orders is not None:
        return orders
    said = [t for t in lead if t.kind != "sep"]
    kinds = [t.kind for t in said]
    deal = ("meal", "deal") if said and said[0].value == 1 else ()  # "1x Kebab and can deal: small lamb kebab"
    if kinds.count("qty") == 1 and kinds[0] == "qty" and set(kinds) <= {"qty", *deal, *DESCRIBES} and not (
            set(kinds) & {t.kind for t in prefix}):  # "a lamb, large HSP": one start, said in two goes
        prefix, lead = said + prefix, []
    rest = lead + rest
    cut = next((n for n, t in enumerate(rest) if t.kind == "all"), len(rest))
    rest, everyone = rest[:cut], rest[cut:]  # what "both" / "all" gave every one of them
    counts = [n for n, t in enumerate(rest) if _is_count(t)]
    if not counts:
        return [(head, prefix, rest + everyone)]
    times = [t.value for t in rest if t.kind == "times"]  # "Gozleme x2 - 1 Lamb, 1 Vegetarian"
    total = times[-1] if times else _count(prefix)
    rest = [t for t in rest if t.kind != "times"]
    counts = [n for n, t in enumerate(rest) if _is_count(t)]
    shared, groups = rest[:counts[0]], []
    for a, b in zip(counts, counts[1:] + [len(rest)]):
        groups.append((rest[a].value, rest[a + 1:b]))
    said = sum(n for n, _ in groups)
    if any(not isinstance(n, int) or n < 1 for n, _ in groups):
        raise ToolError(f"How many {head.text}s? I can take 1 to 99 on one line.")
    if total is None and not head.plural:
        raise ToolError(ASK_EACH.format(item=head.text))
    total = said if total is None else total
    if said > total:
        raise ToolError(f"I heard {total} {head.text}s but {said} described; how many would you like of each?")
    if total > said:
        groups.append((total - said, []))
    base = [t for t in prefix if t.kind not in ("qty", "vague")]
    return [(_single(head), [Tag("qty", n, str(n))] + base, shared + group + everyone) for n, group in groups]


def _from_lead(head: Tag, lead: list[Tag], prefix: list[Tag], rest: list[Tag]) -> list[Order] | None:
    """'a large lamb and a small chicken kebab': counts before the item, each with its own size or meat."""
    counts = [n for n, t in enumerate(lead) if _is_count(t, weak=True)]
    if not counts or not any(t.kind == "qty" for t in prefix):
        return None
    if any(t.kind not in ("sep", "qty") + DESCRIBES for t in lead) or any(
            t.kind not in ("sep",) for t in rest):
        raise ToolError(ASK_EACH.format(item=head.text))
    groups = [lead[a:b] for a, b in zip(counts, counts[1:] + [len(lead)])]
    orders = [(_single(head), [t for t in g if t.kind != "sep"], []) for g in groups]
    return orders + [(head, prefix, rest)]


def _is_count(tag: Tag, weak: bool = False) -> bool:
    return tag.kind == "qty" and (weak or tag.text not in WEAK)


def _count(prefix: list[Tag]) -> int | None:
    strong = [t.value for t in prefix if t.kind == "qty" and t.text not in WEAK]
    return strong[-1] if strong else None


def _single(head: Tag) -> Tag:
    return Tag(head.kind, head.value, head.text, False, head.heard)
