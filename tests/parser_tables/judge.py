"""Judging one table row: its words sent as quickAddItem through the webhook on a fresh call, the reply
compared with what the row expects.

The tables (caller_phrases.json, assistant_descriptions.json) were written by a helper who did not read the
parser; their README (/work/corpus/README.md when written) says how rows compare:
- `lines` is a multiset; equal lines may come as one line with the quantities summed;
- only the keys a line gives are checked; salads, sauces and extras compare as sets, cheese counts as an extra;
- `no: [x]`: x is not among the line's salads, sauces or extras (cheese on an HSP: no cheese; salt: no salt);
- `meal`: {chips_size: small|large|none, drink}; none is the kebab or HSP and can;
- `ask` / `refuse`: nothing added and an error; a refusal names each word it lists.
A silent wrong order is `ok: true` with lines or a total the row does not expect, or where it expects a question.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
TABLES = ("caller_phrases", "assistant_descriptions")
CHEESE_INCLUDED = ("HSP",)


def rows(table: str) -> list[dict]:
    return json.loads((HERE / f"{table}.json").read_text())


def adjudicated(table: str) -> dict[str, str]:
    """Rows whose expectation we believe is wrong per the menu: id -> the reason (for the reviewer)."""
    return json.loads((HERE / "disputed.json").read_text())[table]


@dataclass(frozen=True)
class Verdict:
    right: bool  # the reply is what the row expects
    silent_wrong: bool  # ok: true with something the row does not expect
    detail: str


def tool_call(client, call_id: str, name: str, args: dict) -> dict:
    """One Vapi tool call on the webhook (shaped as in tests/conftest.py's VapiCall): {'result'} or {'error'}."""
    body = {"message": {"type": "tool-calls", "call": {"id": call_id, "type": "inboundPhoneCall",
                                                        "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": f"tc-{call_id}", "type": "function",
                                          "function": {"name": name, "arguments": args}}]}}
    response = client.post("/webhook", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    entry = response.get_json()["results"][0]
    return {"error": entry["error"]} if "error" in entry else {"result": json.loads(entry["result"])}


def judge(client, menu, row: dict) -> Verdict:
    """Run the row on a fresh call and compare; the call then ends, as a real one does (the server refuses new
    calls past MAX_SESSIONS rather than drop a live cart)."""
    call = f"table-{row['id']}-{uuid.uuid4().hex[:8]}"  # a fresh cart: ids repeat across the tables
    try:
        return _judge(client, menu, row, call)
    finally:
        tool_call(client, call, "endCall", {})


def _judge(client, menu, row: dict, call: str) -> Verdict:
    outcome = tool_call(client, call, "quickAddItem", {"description": row["says"]})
    cart = tool_call(client, call, "getCartState", {})["result"]
    expect = row["expect"]
    if "lines" not in expect:
        if "result" in outcome:
            return Verdict(False, True, f"added {_said(outcome)} where the row expects {expect}")
        if cart["itemCount"]:
            return Verdict(False, True, f"error but the cart holds {cart['items']}")
        missing = [w for w in expect.get("refuse", []) if w.lower() not in outcome["error"].lower()]
        if missing:
            return Verdict(False, False, f"refused without naming {missing}: {outcome['error']}")
        return Verdict(True, False, outcome["error"])
    if "error" in outcome:
        return Verdict(False, False, f"asked: {outcome['error']}")
    names = {item.name: item.id for item in menu.items.values()}  # getCartState names the item; tables use ids
    got = [_line(names, item) for item in cart["items"]]
    total = round(cart["total"] * 100)
    problem = _compare(expect["lines"], got)
    if problem or total != expect["total_cents"]:
        return Verdict(False, True, f"{problem or ''} total {total} vs {expect['total_cents']}; got {_said(outcome)}")
    return Verdict(True, False, _said(outcome))


def _said(outcome: dict) -> str:
    return outcome.get("result", {}).get("message", "") if "result" in outcome else outcome.get("error", "")


def _line(names: dict, item: dict) -> dict:
    """A cart line from getCartState in the tables' terms."""
    item_id = names.get(item["name"], item["name"])
    extras = list(item["extras"]) + (["cheese"] if item["cheese"] and item_id not in CHEESE_INCLUDED else [])
    meal = item["meal"]
    return {"item": item_id, "quantity": item["quantity"], "size": item["size"], "protein": item["protein"],
            "salads": set(item["salads"]), "sauces": set(item["sauces"]), "extras": set(extras),
            "brand": item["brand"], "salt": item["salt"], "cheese": item["cheese"],
            "meal": None if meal is None else {"chips_size": meal["chipsSize"] or "none", "drink": meal["drinkBrand"],
                                               "salt": meal["chipsSalt"]}}


def _matches(want: dict, got: dict) -> bool:
    for key, value in want.items():
        if key == "quantity":
            continue
        if key in ("salads", "sauces", "extras"):
            if set(value) != got[key]:
                return False
        elif key == "no":
            for word in value:
                if word in got["salads"] | got["sauces"] | got["extras"]:
                    return False
                if (word == "cheese" and got["cheese"]) or (word == "salt" and got["salt"] not in (None, "none")):
                    return False
        elif key == "meal":
            if got["meal"] is None or any(got["meal"].get(k) != v for k, v in value.items()):
                return False
        elif got.get(key) != value:
            return False
    return True


def _compare(want: list[dict], got: list[dict]) -> str:
    """'' when every unit ordered matches a wanted line and every wanted unit is there (lines may be split or
    merged: 'two kebabs' may be one line of 2 or two lines of 1); else what differs."""
    if sum(w["quantity"] for w in want) == sum(g["quantity"] for g in got) and _units_fit(want, got):
        return ""
    return f"lines differ: want {want}, got {got}"


def _units_fit(want: list[dict], got: list[dict]) -> bool:
    """A flow from the cart's lines to the wanted lines, along matching pairs, that carries every unit."""
    need = [w["quantity"] for w in want]
    have = [g["quantity"] for g in got]
    edges = [[_matches(w, g) for w in want] for g in got]
    flow = [[0] * len(want) for _ in got]

    def push(g: int, seen: set) -> bool:  # one more unit from cart line g, re-routing others if need be
        for w in range(len(want)):
            if not edges[g][w] or w in seen:
                continue
            seen.add(w)
            if sum(flow[x][w] for x in range(len(got))) < need[w]:
                flow[g][w] += 1
                return True
            for other in range(len(got)):
                if flow[other][w] and other != g and push(other, seen):
                    flow[other][w] -= 1
                    flow[g][w] += 1
                    return True
        return False

    for g in range(len(got)):
        for _ in range(have[g]):
            if not push(g, set()):
                return False
    return True
