"""Names in a spec with blocks: every block is a name scope, and a node's full name is the block
names and its own joined by dots (``layer2.0.conv1``). The checks a written name passes, and a
``from`` name as written, kept with the scope it was written in until every node is known.

``from:`` inside a block is looked up in the block first, then in each enclosing block, then at the
top level (the resolve step in blocks.py); ``input`` inside a block is that block's input.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import did_you_mean
from .entries import unprintable
from .records import ENTRY_KEYS, MAPPINGS, VALUE


class Ref:
    """A `from` name as written, resolved once every node is known."""

    __slots__ = ("text", "scope", "position")

    def __init__(self, text: str, scope: tuple[str, ...], position: int) -> None:
        self.text = text
        self.scope = scope  # the block names it was written in
        self.position = position  # index of the node that reads it: only nodes before it are visible


def join(scope: tuple[str, ...], local: str) -> str:
    return ".".join((*scope, local))


MAX_NAME = 1000  # characters of a full name (its blocks' names and its own, joined by dots)


def check_length(full: str, fail) -> str:
    """A name printed in every row and JSON entry that reads from it: a 200 KB name repeated 1,000
    times was 400 MB of JSON and a table that did not finish in 5 minutes, from a 200 KB spec."""
    if len(full) > MAX_NAME:
        raise fail(f"the name '{full[:60]}…' is {len(full):,} characters long",
                   f"a name, with the names of the blocks around it joined by dots, has at most {MAX_NAME:,} characters")
    return full


def name_text(name: Any) -> str | None:
    return None if name is None else str(name)


def has_name(entry: Any) -> bool:
    if not isinstance(entry, MAPPINGS):
        return isinstance(entry, str) and "name=" in entry
    if "name" in entry:
        return True
    inner = [v for k, v in entry.items() if k not in ENTRY_KEYS]
    return len(inner) == 1 and isinstance(inner[0], MAPPINGS) and "name" in inner[0]


def check_name(name: Any, fail) -> str:
    if isinstance(name, bool) or not isinstance(name, (str, int)) or not str(name).strip():
        raise fail(f"a name must be text, got {name!r}", "e.g. name: conv1")
    text = str(name).strip()
    if not text.isprintable():
        raise fail(f"the name {text!r} holds {unprintable(text)}", "write a name as one line of visible text, e.g. conv1")
    if "." in text:
        raise fail(f"the name '{text}' contains '.'", "dots join block names (layer1.conv1); write layer1_conv1 or use a block")
    if text == "input":
        raise fail("'input' names the network's (or block's) input", "choose another name")
    return text


def check_keys(options: Mapping[str, Any], allowed: tuple[str, ...], kind: str, fail) -> None:
    for key in options:
        if key == VALUE:
            raise fail(f"{kind} takes a mapping of options, got {options[key]!r}", f"its options are: {', '.join(allowed)}")
        if key not in allowed:
            raise fail(f"unknown {kind} option '{key}'", did_you_mean(str(key), allowed) or f"its options are: {', '.join(allowed)}")


def layer_list(value: Any, what: str, fail) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(f"{what} must be a list of layers, got {value!r}", f"write {what}: [relu]")
    return value


