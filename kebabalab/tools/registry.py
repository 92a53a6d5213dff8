"""The tool registry: each tool once, with its Vapi name, argument schema and docstring."""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable


def string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def integer(description: str, **extra) -> dict:
    return {"type": "integer", "description": description, **extra}


def boolean(description: str) -> dict:
    return {"type": "boolean", "description": description}


def array(items: dict, description: str) -> dict:
    return {"type": "array", "items": items, "description": description}


OFFER_ANSWER = "offerAnswer"


def offer_answer() -> dict:
    """The optional argument that records the caller's answer to the call's one offer (a tool result's `offer`)."""
    return {"type": "string", "enum": ["yes", "no"],
            "description": "Only right after the caller answered the offer a tool result made: yes or no"}


def obj(properties: dict, description: str, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "properties": properties, "description": description}
    if required:
        schema["required"] = list(required)
    return schema


@dataclass(frozen=True)
class Tool:
    name: str
    func: Callable
    description: str
    params: dict[str, dict] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    old_names: tuple[str, ...] = ()

    def schema(self) -> dict:
        schema = {"type": "object", "properties": self.params}
        if self.required:
            schema["required"] = list(self.required)
        return schema

    def vapi_definition(self, server_url: str | None) -> dict:
        """The tool as Vapi's API and dashboard take it."""
        definition: dict[str, Any] = {
            "type": "function",
            "async": False,
            "function": {"name": self.name, "description": self.description, "parameters": self.schema()},
        }
        if server_url:
            definition["server"] = {"url": server_url, "timeoutSeconds": 20}
        return definition


class Registry:
    """Tools by name. Each tool module fills its own (`TOOLS`); tools/__init__.py combines them into REGISTRY."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}
        self._old: dict[str, str] = {}

    @classmethod
    def combined(cls, *registries: "Registry") -> "Registry":
        """One registry holding every tool of `registries`, in their order; a name registered twice is an error."""
        registry = cls()
        for part in registries:
            for tool in part:
                registry.add(tool)
        return registry

    def add(self, tool: Tool) -> None:
        for name in (tool.name, *tool.old_names):
            if name in self._tools or name in self._old:
                raise ValueError(f"tool {name} registered twice")
        self._tools[tool.name] = tool
        for old in tool.old_names:
            self._old[old] = tool.name

    def tool(self, name: str, *, params: dict | None = None, required: tuple[str, ...] = (),
             old_names: tuple[str, ...] = ()) -> Callable:
        """Register the decorated function as the tool `name`; its docstring is the description."""
        def register(func: Callable) -> Callable:
            doc = " ".join(inspect.cleandoc(func.__doc__ or "").split())
            if not doc:
                raise ValueError(f"tool {name} needs a docstring")
            self.add(Tool(name, func, doc, dict(params or {}), tuple(required), tuple(old_names)))
            return func
        return register

    def lookup(self, name: str) -> tuple[Tool | None, bool]:
        """The tool for `name` and whether `name` is a deprecated alias of it."""
        if name in self._tools:
            return self._tools[name], False
        if name in self._old:
            return self._tools[self._old[name]], True
        return None, False

    def names(self) -> list[str]:
        return list(self._tools)

    def old_names(self) -> dict[str, str]:
        return dict(self._old)

    def __iter__(self):
        return iter(self._tools.values())

    def vapi_tools(self, server_url: str | None = None) -> list[dict]:
        return [t.vapi_definition(server_url) for t in self._tools.values()]
