"""Call scripts for `python -m kebabalab call`: parse and replay them, talk interactively, print replies.

A script has one command a line (as typed in the simulator), `#` comments, and expectation lines about the
reply to the command before them:

    add large lamb kebab
    > expect ok
    > expect total 15.00
    > expect contains lamb kebab              (in the message or the error, any case)
    > expect field added.0.size "large"       (a dotted path into the result; the value is JSON or plain text)
    remove 7
    > expect error
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kebabalab.cli.simulator import HELP, CommandError, Conversation, Reply, SimulatorError, _json_or_text, parse_command

EXPECT = re.compile(r">\s*expect\s+(?P<kind>\S+)\s*(?P<arg>.*)$")
_MISSING = object()


class ScriptError(ValueError):
    """A script that cannot be run as written (nothing is sent)."""


@dataclass(frozen=True)
class Step:
    line: int
    text: str
    command: tuple[str, dict] | None = None
    expect: tuple[str, str] | None = None


def load(path: str) -> list[Step]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"cannot read {path}: {exc.strerror}") from None
    return parse(text, path)


def parse(text: str, name: str = "script") -> list[Step]:
    """Every line checked before anything is sent: a typo fails fast with its line number."""
    steps: list[Step] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith(">"):
                if not any(s.command for s in steps):
                    raise ScriptError("an expectation needs a command before it")
                steps.append(Step(number, line, expect=_expectation(line)))
            else:
                steps.append(Step(number, line, command=parse_command(line)))
        except (CommandError, ScriptError) as exc:
            raise ScriptError(f"{name} line {number}: {exc}") from None
    return steps


def _expectation(line: str) -> tuple[str, str]:
    match = EXPECT.match(line)
    if not match:
        raise ScriptError("expectations read '> expect ok|error|total N|contains TEXT|field PATH VALUE'")
    kind, arg = match["kind"], match["arg"].strip()
    if kind in ("ok", "error") and not arg:
        return kind, arg
    if kind == "total" and _decimal(arg) is not None:
        return kind, arg
    if kind == "contains" and arg:
        return kind, arg
    if kind == "field" and len(arg.split(None, 1)) == 2:
        return kind, arg
    raise ScriptError(f"cannot read the expectation {line!r}")


def _decimal(text) -> Decimal | None:
    try:
        return Decimal(str(text)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def check(kind: str, arg: str, reply) -> str | None:
    """None when the reply meets the expectation, else what it was instead."""
    if kind == "error":
        return None if not reply.ok else f"ok: {_message(reply)}"
    if not reply.ok and kind != "contains":
        return f"error: {reply.error}"
    result = reply.result if isinstance(reply.result, dict) else {}
    if kind == "ok":
        return None
    if kind == "contains":
        text = reply.error if not reply.ok else _message(reply)
        return None if arg.lower() in text.lower() else repr(text)
    if kind == "total":
        got = result.get("total")
        return None if isinstance(got, (int, float)) and _decimal(got) == _decimal(arg) else f"total {got}"
    path, value = arg.split(None, 1)
    expected, got = _json_or_text(value), _dig(result, path)
    if got is _MISSING:
        return f"no field {path}"
    same = got == expected and isinstance(got, bool) == isinstance(expected, bool)
    return None if same else json.dumps(got)


def _message(reply) -> str:
    return str(reply.result.get("message", "")) if isinstance(reply.result, dict) else str(reply.result)


def _dig(value, path: str):
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def render(reply: Reply, as_json: bool = False) -> str:
    """The reply as a person reads it: the message, then cart lines with prices and the total."""
    if as_json:  # a played transfer has no webhook entry: it is Vapi's own tool
        entry = reply.entry or {"name": reply.tool, **({} if reply.ok else {"error": reply.error})}
        return json.dumps({**entry, "result": reply.result} if reply.ok else entry) + "\n"
    if not reply.ok:
        return f"ERROR: {reply.error}\n"
    result = reply.result if isinstance(reply.result, dict) else {"message": str(reply.result)}
    lines = [result.get("message") or "OK"]
    items = result.get("items") or result.get("added") or result.get("converted") or \
        ([result["updatedItem"]] if isinstance(result.get("updatedItem"), dict) else [])
    for item in items:
        lines.append(f"  [{item.get('index')}] {item.get('quantity', 1)} x {item.get('description')}"
                     f"  {_money(item.get('lineTotal'))}")
    if isinstance(result.get("total"), (int, float)):
        gst = f" (GST {_money(result['gst'])})" if isinstance(result.get("gst"), (int, float)) else ""
        lines.append(f"  total {_money(result['total'])}{gst}")
    return "\n".join(lines) + "\n"


def _money(value) -> str:
    return f"${value:.2f}" if isinstance(value, (int, float)) else "-"


def run(steps: list[Step], conversation: Conversation, out, as_json: bool = False) -> int:
    """Replay the steps; 0 when every expectation holds, 1 at the first one that does not."""
    reply, commands, checks = None, 0, 0
    for step in steps:
        if step.command:
            out.write(f"> {step.text}\n")
            try:
                reply = conversation.send(*step.command)
            except SimulatorError as exc:
                out.write(f"FAIL line {step.line}: {step.text}: {exc}\n")
                return 1
            out.write(render(reply, as_json))
            commands += 1
            continue
        kind, arg = step.expect
        checks += 1
        problem = check(kind, arg, reply)
        if problem is not None:
            out.write(f"FAIL line {step.line}: expected {kind} {arg}".rstrip() + f", got {problem}\n")
            return 1
    out.write(f"PASS: {commands} commands, {checks} expectations\n")
    return 0


def _lines(stdin):
    interactive = stdin is sys.stdin and stdin.isatty()
    while True:
        if interactive:
            try:
                yield input("you> ")
            except EOFError:
                return
        else:
            line = stdin.readline()
            if not line:
                return
            yield line


def interact(conversation: Conversation, stdin, out, as_json: bool = False, shop: str = "") -> int:
    """Read commands until quit or end of input; print each reply readably. `shop` names who is called."""
    out.write(f"Call {conversation.call_id} from {conversation.number or 'a web call'}{shop}. "
              "Type help for commands, quit to hang up.\n")
    for raw in _lines(stdin):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("quit", "exit"):
            break
        if line in ("help", "?"):
            out.write(HELP)
            continue
        try:
            out.write(render(conversation.send(*parse_command(line)), as_json))
        except (CommandError, SimulatorError) as exc:
            out.write(f"ERROR: {exc}\n")
        out.flush()
    return 0
