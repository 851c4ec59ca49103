"""The top-level `blocks:` section: named templates with parameters, and a count of what they make."""

import keyword
import re
from collections.abc import Mapping
from typing import Any

from ..errors import SpecError, did_you_mean
from ..layers import lookup
from .records import MAPPINGS, BLOCK_KINDS, ENTRY_KEYS, TEMPLATE_KEYS, Template

# --------------------------------------------------------------------------- templates


def read_templates(section: Any) -> dict[str, Template]:
    """The top-level `blocks:` mapping to Templates; its problems are reported as 'blocks.NAME'."""
    if section is None:
        return {}
    if not isinstance(section, MAPPINGS):
        raise SpecError("blocks must be a mapping of block names to {params, layers}", where="blocks",
                        hint="write e.g. 'blocks: {bottleneck: {params: [filters], layers: [...]}}'")
    templates: dict[str, Template] = {}
    for name, body in section.items():
        where = f"blocks.{name}"
        name = str(name)
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise SpecError(f"'{name}' cannot name a block", hint="use letters, digits and _", where=where)
        if name in BLOCK_KINDS or name in ENTRY_KEYS or lookup(name) != (None, None):
            raise SpecError(f"'{name}' is already a layer type or keyword", hint="give the block another name", where=where)
        if isinstance(body, list):
            body = {"layers": body}
        if not isinstance(body, MAPPINGS):
            raise SpecError("a block needs layers:", hint="write e.g. '{params: [filters], layers: [...]}'", where=where)
        for key in body:
            if key not in TEMPLATE_KEYS:
                raise SpecError(f"unknown key '{key}'", hint=did_you_mean(str(key), TEMPLATE_KEYS) or "a block takes params:, layers: and description:", where=where)
        layers = body.get("layers")
        if not isinstance(layers, list) or not layers:
            raise SpecError("a block needs a non-empty layers: list", hint="list its layers as in the top-level layers:", where=where)
        required, defaults = _read_params(body.get("params"), where)
        templates[name] = Template(name, required, defaults, tuple(layers))
    return templates


def _read_params(params: Any, where: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """params: [filters, stride: 1] — a bare name is required, `name: value` has a default."""
    required: list[str] = []
    defaults: dict[str, Any] = {}
    if params is None:
        return (), {}
    items: list[tuple[str, Any, bool]] = []
    if isinstance(params, MAPPINGS):
        items = [(str(k), v, True) for k, v in params.items()]
    elif isinstance(params, list):
        for item in params:
            if isinstance(item, str):
                items.append((item, None, False))
            elif isinstance(item, MAPPINGS) and len(item) == 1:
                (k, v), = item.items()
                items.append((str(k), v, True))
            else:
                raise SpecError(f"cannot read the parameter {item!r}", hint="write params: [filters, stride: 1]", where=where)
    else:
        raise SpecError(f"params must be a list, got {params!r}", hint="write params: [filters, stride: 1]", where=where)
    for key, value, has_default in items:
        if not re.fullmatch(r"[A-Za-z_]\w*", key) or key in ("name", "from", "if", "type"):
            raise SpecError(f"'{key}' cannot name a parameter", hint="use letters, digits and _ (not name, from, if, type)", where=where)
        if keyword.iskeyword(key) or key in ("true", "false"):
            raise SpecError(f"'{key}' cannot name a parameter: it is a word of the expression language", hint=f"call it e.g. {key}_", where=where)
        if key in required or key in defaults:
            raise SpecError(f"parameter '{key}' is listed twice", where=where)
        if has_default:
            defaults[key] = value
        else:
            required.append(key)
    return tuple(required), defaults


def least_layers(entries: Any, templates: Mapping[str, Template], *, visits: bool = False, max_nesting: int = 50) -> int:
    """How many layers these entries make at the least, counted without expanding them.

    An entry under if:, and a repeat whose times is not a plain number, count nothing; a block
    counts what it holds (a template what its body holds, once per use) plus its merge layer.
    So this is a lower bound, and a spec over the layers limit by it is one for certain.
    With ``visits``: the entries the expansion must at least look at instead, an entry under
    if: included (a repeat of a billion copies of a left-out layer makes no layer but takes hours).
    Templates nested past ``max_nesting`` count nothing (expansion stops there with its own message).
    """
    memo: dict[str, int] = {}

    def template(name: str, seen: tuple[str, ...]) -> int:
        if name in seen or len(seen) >= max_nesting:  # uses itself, or nested past the limit: expansion reports it
            return 0
        if name not in memo:
            memo[name] = count(list(templates[name].layers), seen + (name,))
        return memo[name]

    def count(items: Any, seen: tuple[str, ...]) -> int:
        if items is None:
            return 0
        total = 0
        for entry in items if isinstance(items, list) else [items]:
            own = 1 if visits else 0  # a block's own entry is a visit, not a layer
            if isinstance(entry, str):
                words = entry.split()
                total += own + template(words[0], seen) if words and words[0] in templates else 1
                continue
            if not isinstance(entry, MAPPINGS) or "if" in entry:
                total += own
                continue
            kinds = [str(entry["type"])] if "type" in entry else [str(k) for k in entry if k not in ENTRY_KEYS]
            if len(kinds) != 1:
                continue
            kind, value = kinds[0], entry.get(kinds[0])
            options = value if isinstance(value, MAPPINGS) else {}
            merge = 0 if visits else 1
            if kind in templates:
                total += own + template(kind, seen)
            elif kind == "repeat":
                times = options.get("times")
                total += own + (times * count(options.get("layers"), seen) if type(times) is int and times > 0 else 0)
            elif kind == "residual":
                total += own + count(options.get("main"), seen) + count(options.get("shortcut"), seen) + merge + count(options.get("after"), seen)
            elif kind == "branches":
                paths = value if isinstance(value, list) else options.get("paths")
                paths = list(paths.values()) if isinstance(paths, MAPPINGS) else paths if isinstance(paths, list) else []
                total += own + sum(count(path, seen) for path in paths) + merge + count(options.get("after"), seen)
            else:
                total += 1
        return total

    return count(entries, ())
