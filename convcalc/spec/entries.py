"""One layer entry as written, in any of its four forms, to its type, arguments, name and inputs."""

from typing import Any

from ..errors import SpecError, did_you_mean
from ..layers import KINDS, lookup, normalise
from .records import MAPPINGS, LAYER_KEYS
from .inline import PRIMARY_MARK, inline_layer


def unprintable(text: str) -> str:
    """"an invisible or control character (U+000A)": the first one a name holds, for the message."""
    char = next(c for c in text if not c.isprintable())
    return f"an invisible or control character (U+{ord(char):04X})"


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "empty" if value is None else type(value).__name__
    )


def split_entry(entry: Any, index: int) -> tuple[str, dict[str, Any], str | None, Any]:
    """The four entry forms to (type, arguments, name, from)."""
    fail = lambda problem, hint=None: SpecError(problem, hint=hint, layer_index=index)  # noqa: E731
    if isinstance(entry, str):
        if not entry.strip():
            raise fail("a layer entry is empty", "write a layer type such as 'relu'")
        if len(entry.split()) > 1:
            return split_entry(inline_layer(entry, index), index)
        return entry.strip(), {}, None, None
    if not isinstance(entry, MAPPINGS):
        raise fail(
            f"a layer must be a type name or a mapping, not {type_name(entry)} ({entry!r})",
            "write e.g. '- relu' or '- conv2d: {filters: 10, kernel: 5}'",
        )
    entry = {str(k): v for k, v in entry.items()}
    if "type" in entry:
        raw = {k: v for k, v in entry.items() if k != "type"}
        type_written = entry["type"]
    else:
        type_keys = [k for k in entry if k not in LAYER_KEYS]
        if len(type_keys) != 1:
            raise fail(
                "a layer mapping needs exactly one layer type as its key" + (f", found {', '.join(type_keys)}" if type_keys else ""),
                "write e.g. '- conv2d: {filters: 10, kernel: 5}' or '- {type: conv2d, filters: 10, kernel: 5}'",
            )
        type_written = type_keys[0]
        value = entry[type_written]
        if isinstance(value, MAPPINGS):
            raw = {str(k): v for k, v in value.items()}
        elif value is None:
            raw = {}
        else:
            raw = {PRIMARY_MARK: value}
        for key in ("name", "from", "expect"):
            if key in entry:
                if key in raw:
                    raise fail(f"'{key}' is given twice", "give it once")
                raw[key] = entry[key]
    if not isinstance(type_written, str) or not type_written.strip():
        raise fail(f"a layer type must be a name, got {type_written!r}", "e.g. 'conv2d'")
    name = raw.pop("name", None)
    if name is not None and (not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip()):
        raise fail(f"a layer name must be text, got {name!r}", "e.g. name: conv1")
    sources = raw.pop("from", None)
    return type_written.strip(), raw, None if name is None else str(name), sources


def check_expect(value: Any, allowed: tuple[str, ...], error) -> dict[str, Any] | None:
    """An `expect:` mapping with known keys only. The answers themselves are read and marked one by
    one by `convcalc check` (convcalc.homework), so that one unreadable answer spoils no other."""
    if value is None:
        return None
    if not isinstance(value, MAPPINGS) or not value:
        raise error(f"expect must be a mapping such as {{{allowed[0]}: …}}, got {value!r}", f"its keys are: {', '.join(allowed)}")
    checked: dict[str, Any] = {}
    for key, answer in value.items():
        key = str(key)
        if key not in allowed:
            raise error(f"unknown expect key '{key}'", did_you_mean(key, allowed) or f"the keys are: {', '.join(allowed)}")
        checked[key] = answer
    return checked


ACTIVATION_TAKERS = ("conv", "dense")  # the kinds (by category) that take activation=, as Keras' Conv and Dense do


def activation_after(raw: dict[str, Any], kind: Any, fail) -> Any:
    """The activation kind that a conv or dense layer's `activation:` asks for after it (taken out of raw), or None.

    Other kinds keep the key, and their argument check refuses it with a hint.
    """
    if kind.category not in ACTIVATION_TAKERS:
        return None
    written = raw.pop("activation")
    if written is None or (isinstance(written, str) and normalise(written) in ("linear", "none")):
        return None
    found = lookup(written)[0] if isinstance(written, str) and written.strip() else None
    if found is None or not found.is_activation:
        names = sorted({k.name for k in KINDS.values() if k.is_activation})
        raise fail(f"activation {written!r} is not an activation",
                   did_you_mean(str(written), names) or f"write one of: {', '.join(names)} (or linear for none)")
    return found
