"""What a caller takes back or refers back to, resolved in the tags before the order is read.

"a small, no sorry, a large" and "chicken, no wait, lamb" replace what they correct (never add to it);
"and a water, scratch the water" takes the water away; "for large kebabs" is four of them; "a small chicken
one" is another of the item just said; "another of those" repeats the order just said.
"""
from __future__ import annotations

from dataclasses import replace

from kebabalab.errors import ToolError
from kebabalab.ordering.phrases import TAKEN, Tag

HEADS = ("item", "brand")
PREFIX = ("qty", "size", "protein", "veg", "flavour", "pack", "vague", "homophone", "neg")
DANGLING = ("qty", "size", "protein", "veg", "vague")  # a start of an order whose item is still to come
REPLACES = ("qty", "times", "size", "protein", "veg", "sauce", "salad", "extra", "brand", "flavour", "salt",
            "cheese")


def resolved(tags: list[Tag], kind_of=lambda tag: tag.value) -> list[Tag]:
    """The tags with corrections, cancels, number homophones, 'one' and 'another of those' worked out;
    `kind_of` tells which items are of a kind (a correction within a kind replaces, across kinds asks)."""
    out: list[Tag] = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        after = tags[i + 1] if i + 1 < len(tags) else Tag("")
        if tag.kind == "word" and tag.text == "instead" and any(t.kind in ("fix", "cancel") for t in tags[:i]):
            i += 1  # "actually forget that, a small lamb HSP instead": the correction says it already
            continue
        if tag.kind == "fix" or (tag.kind == "neg" and tag.text == "no" and after.text == "," and out):
            i = _correct(out, tags, i + (2 if tag.kind == "neg" else 1), kind_of)  # "a small, no, a large"
            continue
        if tag.kind == "cancel":
            i = _cancel(out, tags, i + 1)
            continue
        if tag.kind == "homophone":
            tag = _homophone(out, tags, i)
        elif tag.kind == "qty" and tag.text == "one" and _pronoun(out, tags, i):
            out.extend(_pronoun(out, tags, i))
            i += 1
            continue
        elif tag.kind == "again":
            out.extend(_again(out))
            i += 1
            continue
        if tag is not None:
            out.append(tag)
        i += 1
    return out


def _strip_seps(out: list[Tag]) -> None:
    while out and out[-1].kind == "sep":
        out.pop()


def _last_order(out: list[Tag]) -> tuple[int, int] | None:
    """(start, head index) of the last order said in `out`, or None."""
    heads = [n for n, t in enumerate(out) if t.kind in HEADS]
    if not heads:
        return None
    head = heads[-1]
    start = head
    while start > 0 and out[start - 1].kind in PREFIX:
        start -= 1
    return start, head


def _lead(tags: list[Tag], i: int) -> int:
    """The end of what a correction says: up to and with its item, or up to the next separator."""
    j = i
    while j < len(tags) and tags[j].kind not in ("fix", "cancel"):
        if tags[j].kind in HEADS:
            return j + 1
        if tags[j].kind == "sep" and j > i:
            break
        j += 1
    return j


def _correct(out: list[Tag], tags: list[Tag], i: int, kind_of) -> int:
    """Replace what the correction tags[i:] corrects; the index after the correction's lead."""
    end = _lead(tags, i)
    lead = [t for t in tags[i:end] if t.kind != "sep"]
    if i < len(tags) and tags[i].kind == "sep" and tags[i].text in ("also", "and", "plus", "with"):
        return i  # "sorry, and a coke": more, not a correction
    if lead and lead[0].kind == "neg":
        return _swap(out, tags, lead, end) or i  # "with haloumi, actually no haloumi": the "no" said last wins
    _strip_seps(out)
    if not lead or not out:
        return i
    last = _last_order(out)
    new = next((t for t in lead if t.kind in HEADS), None)
    if new is not None:
        _replace_order(out, lead, new, last, kind_of)
        return i
    for tag in lead:
        kind = "qty" if tag.kind == "times" else tag.kind
        kinds = (kind, "times" if kind == "qty" else kind)
        at = next((n for n in range(len(out) - 1, -1, -1) if out[n].kind in kinds), None)
        if at is not None and tag.kind in REPLACES:
            out[at] = tag if tag.kind != "times" else Tag("qty", tag.value, str(tag.value))
        elif tag.kind in ("protein", "veg") and last and kind_of(out[last[1]]) == "gozleme":
            out[last[1]] = Tag("item", "@gozleme", "gozleme")  # "a chicken gozleme, actually the vegetarian one"
            out.insert(last[1], tag)
        elif tag.kind in ("qty", "times") and last:
            out.insert(last[0], Tag("qty", tag.value, str(tag.value)))
        else:
            out.append(tag)
    return end


def _swap(out: list[Tag], tags: list[Tag], lead: list[Tag], end: int) -> int:
    """'with garlic, hang on, not garlic, chilli': the chilli replaces the garlic; the index after the chilli,
    or 0 when the correction is not that."""
    if len(lead) != 2 or end + 1 >= len(tags) or tags[end].text != ",":
        return 0
    old, new = lead[1], tags[end + 1]
    if new.kind != old.kind or new.kind not in REPLACES or (end + 2 < len(tags) and tags[end + 2].kind != "sep"):
        return 0
    at = next((n for n in range(len(out) - 1, -1, -1) if out[n].kind == old.kind and out[n].value == old.value), None)
    if at is None:
        return 0
    out[at] = new
    return end + 2


def _replace_order(out: list[Tag], lead: list[Tag], new: Tag, last, kind_of) -> None:
    """A correction that names an item: it replaces the start said just before it, or the last order."""
    tail = out[last[1] + 1:] if last else out
    old = out[last[1]] if last else None
    dangling = any(t.kind in DANGLING for t in tail)
    if old is not None and not dangling and kind_of(old) != kind_of(new):
        raise ToolError(f"Did you want the {new.text} instead of the {old.text}, or both?")
    if dangling:
        cut = (last[1] + 1) if last else 0
        said = {t.kind for t in lead}
        if not said & {"qty", "size"}:  # "a large chicken, no wait, lamb kebab": only the meat goes, large stays
            out[cut:] = [t for t in out[cut:] if t.kind not in said]
            _strip_seps(out)
            return
        del out[cut:]  # "a small, no sorry, a large kebab": the start is said again
    elif last:
        del out[last[0]:]
    _strip_seps(out)
    if out:
        out.append(Tag("sep", None, ","))


def _cancel(out: list[Tag], tags: list[Tag], i: int) -> int:
    """'scratch the water': take the last water away; 'scratch that': the last order; 'not the onion': no onion.
    The index after what was cancelled."""
    end = _lead(tags, i)
    heads = [t for t in tags[i:end] if t.kind in HEADS]
    named = not tags[i - 1].text.endswith(("that", "it"))
    if not heads and any(t.kind in TAKEN for t in tags[i:end]):
        out.append(Tag("neg", None, tags[i - 1].text))
        return i
    _strip_seps(out)
    if heads and named:
        at = next((n for n in range(len(out) - 1, -1, -1) if out[n].kind in HEADS and out[n].value == heads[0].value),
                  None)
        if at is None:
            raise ToolError(f"There's no {heads[0].text} in what you just said; to take something already in the "
                            "cart off, remove it from the cart.")
        start = at
        while start > 0 and out[start - 1].kind in PREFIX:
            start -= 1
        stop = next((n for n in range(at + 1, len(out)) if out[n].kind in HEADS or out[n].kind in DANGLING), len(out))
        while stop > at + 1 and out[stop - 1].kind == "sep" and stop < len(out):
            stop -= 1
        del out[start:stop]
        _strip_seps(out)
        return end
    last = _last_order(out)
    if last:
        del out[last[0]:]
    _strip_seps(out)
    return i


def _homophone(out: list[Tag], tags: list[Tag], i: int) -> Tag | None:
    """'for large kebabs' is four: a count only right before a plural item, with no count of its own."""
    j = i + 1
    while j < len(tags) and tags[j].kind in ("size", "protein", "veg", "flavour"):
        j += 1
    counted = out and out[-1].kind in ("qty", "vague")
    many = j < len(tags) and (tags[j].plural or tags[j].text.endswith(("chips", "fries")))
    if many and tags[j].kind in HEADS and not counted:
        return Tag("qty", tags[i].value, str(tags[i].value), heard=tags[i].text)
    return None


def _pronoun(out: list[Tag], tags: list[Tag], i: int) -> list[Tag]:
    """'a small chicken one': 'one' after a size or meat, ending its phrase, is the item said before; 'a small
    lamb kebab and a large one': the meat said with it goes too, unless another is said. [] if not so."""
    after = tags[i + 1] if i + 1 < len(tags) else Tag("sep")
    last = _last_order(out)
    said = len(out)
    while said > 0 and out[said - 1].kind in ("size", "protein", "veg", "flavour", "sauce", "salt"):
        said -= 1
    if not last or said == len(out) or said == 0 or out[said - 1].kind != "qty":
        return []
    if after.kind not in ("sep", "fix", "cancel", "all", "times", "neg", "lot", "meal", "deal", "homophone"):
        return []
    kinds = {t.kind for t in out[said:]}
    end = next((n for n in range(last[1] + 1, said) if out[n].kind == "qty"), said)
    same = [t for t in out[last[0]:end] if t.kind in ("protein", "veg") and not kinds & {"protein", "veg"}]
    return same + [replace(out[last[1]], plural=False, heard="")]


def _again(out: list[Tag]) -> list[Tag]:
    """'another of those': the last order again, once (or as many as the count said just before)."""
    count = None
    if out and out[-1].kind == "qty":
        count = out.pop()
    _strip_seps(out)
    last = _last_order(out)
    if last is None:
        return [count] if count else []
    stop = len(out)
    copy = [t for t in out[last[0]:stop] if t.kind not in ("qty", "times")]
    return [Tag("sep", None, ","), count or Tag("qty", 1, "a")] + copy
