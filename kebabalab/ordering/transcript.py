"""What reaches quickAddItem, written the way the assistant writes it, into the words a caller would say.

Assistants summarise: "2x Large Lamb Kebab (garlic, chilli)", "Coke x3", "- HSP (Halal Snack Pack): large,
lamb", "Kebab: large; protein: lamb; sauces: garlic, chilli", numbered lists, one item a line. `spoken` turns
that layout into one line of plain words: the menu's own names (with their notes in brackets) into the names
said aloud, list markers and labels away, quantities after an item into an "x N" word the parser reads as that
item's count, and "swap X for Y" / "Y instead of X" into "no X with Y".
"""
from __future__ import annotations

import re

from kebabalab.ordering.menu import Menu

TIMES = "times"  # the word a count said after its item becomes: "coke x3" -> "coke times 3"
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25e6\u2043\u2013\u2014>]+(?=\s)|\d+[.)](?=\s))\s*", re.M)  # not "-5"
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s", re.M)
_LABEL = re.compile(r"(?<![\w:=])([a-z][a-z _&+]{0,24}?)\s*[:=]\s*")
_AFTER_COUNT = re.compile(r"(?:\(\s*)?(?<![\w])[x\u00d7]\s*(\d+)\b(?:\s*\))?"  # "x3", "(x2)", "× 2"
                          r"|\(\s*(\d+)\s*\)|\b(?:qty|quantity)\s*[:=-]?\s*(\d+)\b")  # "(2)", "qty 2"
_BEFORE_COUNT = re.compile(r"\b(\d+)\s*[x\u00d7](?![a-z])")
_VOLUME = re.compile(r"\(?\b(?:250|375|500)\s*ml\b\)?")
_SWAP = re.compile(r"\b(?:swap|replace|substitute|sub|change)\s+(?:out\s+)?(?:the\s+)?(.+?)\s+(?:for|with|to)\s+")
# The menu's "and can" deal, written as assistants write it: "Small Chicken HSP and Can (Fanta)".
# "and can I get" is a question, not the deal; "Kebab and can deal" is the deal once.
_AND_CAN = re.compile(r"\b(hsp|kebab|snack pack|wrap|doner|roll|gozleme)\s*,?\s+(?:and|&|\+)\s+can\b"
                      r"(?!\s+(?:of|i|you|we|u|ya|he|she|they|someone)\b)(?:\s+(?:deal|combo)\b)?")
# A note of what the order was before it was corrected: "(changed from small)", "(customer first said chicken)".
_HISTORY = re.compile(r"\((?:[^()]*\b(?:changed from|corrected from|customer|originally|first said|updated from|"
                      r"was going to)\b[^()]*)\)")
_INSTEAD = re.compile(r"\binstead of\s+(?:the\s+)?")
# "instead of bbq do sweet chilli": what follows the verb is wanted, as "swap bbq for sweet chilli".
_INSTEAD_DO = re.compile(r"\binstead of\s+(?:the\s+)?([a-z ]+?)\s+(?:(?:can|could) you\s+)?"
                         r"(?:do|have|put|use|get|give me|go with|make it)\s+(?=[a-z])")
# Who the order is for, never food: "for the footy club", "for the office". Only these words, so a food word the
# menu does not sell is never taken for a purpose and dropped.
_PURPOSE = re.compile(r"\bfor (?:the |our |my |a )?(?:footy |football |soccer |cricket |netball |rugby |work |"
                      r"school |birthday |whole )?(?:club|team|office|party|crew|staff|meeting|lads|boys|girls)\b")
# Labels whose values read as words need a word added: "sauces: tomato" is tomato sauce, not the salad.
_NONE = ("none", "no", "nothing", "n/a", "false", "-")
_YES = ("yes", "y", "true")


def spoken(menu: Menu, text: str) -> str:
    """The description as one line of plain words, lower case."""
    text = text.replace("\u2019", "'").replace("\r", "")
    text = _HISTORY.sub(" ", _menu_names(menu, text).lower())
    text = _PURPOSE.sub(" ", _list_markers(text))
    text = re.sub(r"(?<![\w/])w/(?=\s|[a-z])", " with ", text)  # "small w/ garlic + chilli"
    text = re.sub(r"(?:(?<=\s)|^)[-*\u2022\u2013\u2014]+\s+(?=\S)", ", ", text, flags=re.M)  # "- 2 x HSP - 1 x Chips"
    text = re.sub(r"(\([^()\n]*\))\s*([x\u00d7]\s*\d+)\b", r"\2 \1", text)  # "Meal (Large Chips, Coke) x2"
    text = _BEFORE_COUNT.sub(r"\1 ", text)
    text = _VOLUME.sub(" ", text)
    text = _AFTER_COUNT.sub(lambda m: f" {TIMES} {m.group(1) or m.group(2) or m.group(3)} ", text)
    text = ", ".join(_labelled(part, menu) for part in re.split(r"[;\n]", text) if part.strip())
    text = text.replace("(", ", ").replace(")", ", ").replace("[", ", ").replace("]", ", ")
    text = _AND_CAN.sub(r"\1 deal ", text)  # the details after it are the main's: "Kebab and can (large, ...)"
    text = _SWAP.sub(lambda m: f" no {m.group(1)} with ", text)
    text = _INSTEAD_DO.sub(lambda m: f" no {m.group(1)} with ", text)
    return _INSTEAD.sub(" instead of ", text)


def _menu_names(menu: Menu, text: str) -> str:
    """'HSP (Halal Snack Pack)' -> 'HSP', 'Baklava (pack of 4)' -> 'pack of 4 baklava': each written name as said."""
    names = sorted(((i.name, i.spoken) for i in menu.items.values() if "(" in i.name), key=lambda n: -len(n[0]))
    for name, said in names:
        text = re.sub(re.escape(name), f" {said} ", _chosen(name, text), flags=re.I)
        base = name.split("(")[0].strip()
        if base.lower() != said.lower() and len(base.split()) > 1:  # "Soft Drink Can", "Red Bull or V"
            text = re.sub(rf"\b{re.escape(base)}\b", f" {said} ", text, flags=re.I)
    return text


def _chosen(name: str, text: str) -> str:
    """'Red Bull or V (250ml) x2 - Red Bull' -> 'Red Bull x2': a name that lists choices, then the one chosen, is
    one item (the name and the choice are not two)."""
    base = name.split("(")[0]
    if " or " not in base:
        return text
    choices = "|".join(re.escape(c.strip()) for c in re.split(r",|\bor\b", base) if c.strip())
    return re.sub(rf"{re.escape(name)}\s*([x\u00d7]\s*\d+)?\s*[-:,]?\s*({choices})\b", r" \2 \1 ", text, flags=re.I)


def _list_markers(text: str) -> str:
    """Bullets and dashes at line starts go; '1.' '2.' go only when they count the lines 1, 2, 3..."""
    numbers = [int(n) for n in _NUMBERED.findall(text)]
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        return re.sub(r"^\s*(?:[-*\u2022\u2023\u25e6\u2043\u2013\u2014>]+)(?=\s)\s*", "", text, flags=re.M)
    return _BULLET.sub("", text)


def _labelled(part: str, menu: Menu) -> str:
    """'protein: lamb' -> 'protein lamb', 'sauces: garlic, tomato' -> 'garlic sauce, tomato sauce'."""
    matches = list(_LABEL.finditer(part))
    if not matches:
        return part
    out = [part[:matches[0].start()]]
    for n, m in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(part)
        words = m.group(1).replace("_", " ").split()
        key = " ".join(words[-2:]) if " ".join(words[-2:]) in _TWO_WORD else words[-1]
        keep = words[:len(words) - len(key.split())]
        value = part[m.end():end]
        if key in ("meal", "deal", "combo") or "can" in words[1:]:  # "Kebab Meal: Large Mixed Kebab + ..."
            key = "meal" if key == "meal" else "deal"
            keep = [] if set(keep) & set(re.findall(r"[a-z]+", value)) else keep
        if key in ("drink", "drinks"):  # "Energy drink: Red Bull"
            keep = []
        out.append(" ".join(keep + [_field(key, value.strip(" ,"), menu)]))
    return out[0] + " " + ", ".join(p for p in out[1:] if p.strip())  # "2x Large HSP: lamb": the 2 stays with it


_TWO_WORD = ("chips size", "chip size", "add ons", "special instructions", "customer wants", "customer ordered",
             "customer order")


def _field(key: str, value: str, menu: Menu) -> str:
    """One labelled value as words; the label itself is kept where it is a word of the order ('kebab: large')."""
    values = [v.strip() for v in re.split(r",|\band\b|&|/", value) if v.strip()]
    empty = value.strip().lower() in _NONE or not value.strip()
    if key in ("sauce", "sauces"):
        return "no sauce" if empty else ", ".join(v if "sauce" in v else f"{v} sauce" for v in values)
    if key in ("salad", "salads"):
        every = value.lower() in ("all", "everything", "all of them")
        return "no salad" if empty else (", ".join(menu.salads) if every else value)
    if key in ("no", "without", "remove", "removed", "exclude", "excluding", "hold", "minus", "omit"):
        return "" if empty else ", ".join(f"no {v}" for v in values)
    if key == "salt":
        return "no salt" if empty else f"{value} salt".replace("salt salt", "salt")
    if key == "cheese":
        return "no cheese" if empty else ("cheese" if value.lower() in _YES else f"cheese {value}")
    if key in ("meal", "deal"):
        return "" if empty else (key if value.lower() in _YES else f"{key} {value}")
    if key in ("chips", "chips size", "chip size", "fries"):
        return "no chips" if empty else f"{value} chips"
    if key in ("first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th", "other", "another"):
        return f"one {value}"  # "2x Small Kebab - first: garlic only; second: no sauce"
    if key in _DROPPED:
        return "" if empty else value
    return f"{key} {value}"


# Labels that are not words of the order: their values are.
_DROPPED = ("extra", "extras", "add ons", "addons", "toppings", "topping", "notes", "note", "instructions",
            "special instructions", "comments", "comment", "request", "requests", "item", "name", "size",
            "protein", "meat", "filling", "brand", "flavour", "flavor", "type", "category", "option", "options",
            "modifications", "mods", "details", "order", "customisations", "customizations", "with", "drink",
            "drinks", "sweet", "sweets", "dessert", "desserts", "main", "mains", "side", "sides", "food", "items",
            "customer wants", "customer ordered", "customer order")
