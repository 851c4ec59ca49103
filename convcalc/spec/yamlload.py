"""A safe YAML reader built on the parser's event stream, with the limits checked as it reads.

Why not ``yaml.load``: PyYAML's C composer recurses once per nesting level and crashes the
process (a segfault) on lists nested ~50,000 deep; its merge-key (``<<``) handling copies lists
of pairs and goes exponential on a small file; and its constructor is several times slower than
the parser. Here the (C, when present) parser's events are turned into plain Python data by a
loop with an explicit stack, which stops at the first limit hit: nesting depth, list length,
and the nodes that aliases add by repetition (billion laughs). Only the YAML 1.1 core types
are built (null, bool, int, float, str, list, dict); any other tag, ``!!python/...`` included,
is an error, and nothing is ever executed.
"""
from __future__ import annotations

import math
from typing import Any

from ..errors import SpecError
from ..limits import Limits, limit_error, paused_gc


_CORE = "tag:yaml.org,2002:"


def _octal_with_zero(text: str) -> bool:
    """'017', '-0_17': YAML 1.1's octal with a leading zero (not 0, 0x…, 0b…)."""
    digits = text.lstrip("+-").replace("_", "")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()
_MERGE = object()  # the '<<' key
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _to_int(text: str) -> int | str:
    """YAML 1.1 integers as PyYAML reads them: 1_000, 0x1f, 0b101. Two forms stay text, as YAML 1.2 and JSON
    read them: 017 (octal 15 in YAML 1.1, 17 in YAML 1.2: a size refuses it and says why) and 1:30 (base
    60: 90 in YAML 1.1; a size or a time, and a base-60 number of many parts took minutes to compute)."""
    if ":" in text or _octal_with_zero(text):
        return text
    value = text.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        return sign * _base60(value, int)
    return sign * int(value)


class WrittenFloat(float):
    """A float that remembers how it was written: `convcalc check` reads a student's '375.000' as
    375,000 (the seed question's thousands), which the float 375.0 alone could not tell."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str) -> "WrittenFloat":
        number = float.__new__(cls, value)
        number.text = text
        return number


def _to_float(text: str) -> float | str:
    if ":" in text:  # base 60, as for integers
        return text
    number = _float_value(text)
    return WrittenFloat(number, text) if math.isfinite(number) else number


def _float_value(text: str) -> float:
    value = text.replace("_", "").lower()
    sign = -1.0 if value[0] == "-" else 1.0
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:
        return sign * _base60(value, float)
    return sign * float(value)


def _base60(value: str, number):
    """YAML 1.1 sexagesimal '1:30' (= 90), for integers and floats alike."""
    total = number(0)
    for part in value.split(":"):
        total = total * 60 + number(part)
    return total


def _construct(tag: str, text: str) -> Any:
    if tag == "str":
        return text
    if tag == "int":
        return _to_int(text)
    if tag == "float":
        return _to_float(text)
    if tag == "bool":
        return _BOOLS[text.lower()]
    if tag == "null":
        return None
    if tag == "merge":
        return _MERGE
    return text  # timestamp, value ('='): kept as text; no layer argument takes them


class _Resolver:
    """Plain scalars to Python values with PyYAML's own implicit rules (cached per distinct text)."""

    def __init__(self) -> None:
        from yaml.resolver import Resolver

        self.rules = Resolver.yaml_implicit_resolvers
        self.cache: dict[str, Any] = {}

    def plain(self, text: str) -> Any:
        for tag, pattern in self.rules.get(text[:1], ()):
            if pattern.match(text):
                return _construct(tag[len(_CORE):], text)
        return text


def _parser(text: str):
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML without libyaml: the pure-Python parser has the same events
        from yaml import SafeLoader

        return SafeLoader(text)
    return CParser(text)


def _tag_error(tag: str, where: str) -> SpecError:
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    if "python/" in tag:
        return SpecError(
            f"{where}: the tag {shown} is not allowed: convcalc never builds Python objects or runs code from a spec",
            hint="remove the tag and write plain numbers, names, lists and mappings",
        )
    return SpecError(f"{where}: unknown tag {shown}", hint="remove it: a spec needs only plain numbers, names, lists and mappings")


def load_yaml(text: str, label: str, limits: Limits) -> Any:
    """One YAML document to plain data, or a SpecError (syntax, tags, or a limit)."""
    import yaml
    from yaml import events

    scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
    seq_start, map_start = events.SequenceStartEvent, events.MappingStartEvent
    seq_end, map_end = events.SequenceEndEvent, events.MappingEndEvent
    doc_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent

    resolver = _Resolver()
    plain_cache, plain = resolver.cache, resolver.plain
    anchors: dict[str, tuple[Any, int]] = {}
    max_depth, max_items, max_added = limits.depth, limits.layers, limits.aliases
    added = 0  # nodes that aliases repeat
    documents = 0
    # One frame per open collection: [container, is_mapping, anchor, size, pending key, merges, event]
    stack: list[list[Any]] = []
    result: Any = None
    event = None

    def where(at=None) -> str:
        mark = getattr(at or event, "start_mark", None)
        return f"{label}:{mark.line + 1}:{mark.column + 1}" if mark is not None else label

    def attach(value: Any, size: int) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        frame = stack[-1]
        frame[3] += size
        if not frame[1]:
            items = frame[0]
            items.append(value)
            if len(items) > max_items:
                raise limit_error("layers", f"{where(frame[6])}: a list has too many entries", limits)
            return
        if frame[4] is _NO_KEY:
            if isinstance(value, (list, dict)):
                raise SpecError(f"{where()}: a list or mapping cannot be a mapping key", hint="write keys as plain names")
            frame[4], frame[7] = value, event  # the key, and where it is written
            return
        key, frame[4] = frame[4], _NO_KEY
        if key is _MERGE:
            if isinstance(value, dict):
                frame[5].append((value,))
            elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                frame[5].append(tuple(reversed(value)))
            else:
                raise SpecError(f"{where()}: a merge key (<<) takes a mapping or a list of mappings", hint="e.g. <<: *defaults")
        else:
            if key in frame[0]:  # PyYAML would keep the last one silently: filters: 4, filters: 8 means 8
                raise SpecError(f"{where(frame[7])}: the key {key!r} is given twice in one mapping", hint="keep one of them")
            frame[0][key] = value

    def events_to_data() -> Any:
        nonlocal event, added, documents
        get_event = parser.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                tag = event.tag
                if tag is None and event.implicit[0]:
                    value = event.value
                    try:
                        resolved = plain_cache[value]
                    except KeyError:
                        resolved = plain_cache[value] = plain(value)
                elif tag is None or tag == "!" or tag == _CORE + "str":
                    resolved = event.value
                elif tag.startswith(_CORE) and tag[len(_CORE):] in ("int", "float", "bool", "null"):
                    try:
                        resolved = _construct(tag[len(_CORE):], event.value)
                    except (ValueError, KeyError, IndexError):
                        raise SpecError(f"{where()}: {event.value!r} is not a valid !!{tag[len(_CORE):]}") from None
                else:
                    raise _tag_error(tag, where())
                if event.anchor is not None:
                    anchors[event.anchor] = (resolved, 1)
                attach(resolved, 1)
            elif kind is map_start or kind is seq_start:
                tag = event.tag
                if tag is not None and tag != "!" and tag != _CORE + ("map" if kind is map_start else "seq"):
                    raise _tag_error(tag, where())
                if len(stack) >= max_depth:
                    raise limit_error("depth", f"{where()}: lists and mappings are nested too deep", limits)
                is_map = kind is map_start
                stack.append([{} if is_map else [], is_map, event.anchor, 1, _NO_KEY, [], event, None])
            elif kind is seq_end or kind is map_end:
                container, is_map, anchor, size, _, merges, _, _ = stack.pop()
                if merges:
                    merged: dict[Any, Any] = {}
                    for group in merges:
                        for mapping in group:
                            merged.update(mapping)
                    merged.update(container)
                    container = merged
                if anchor is not None:
                    anchors[anchor] = (container, size)
                attach(container, size)
            elif kind is alias_event:
                try:
                    value, size = anchors[event.anchor]
                except KeyError:
                    raise SpecError(
                        f"{where()}: the alias *{event.anchor} names no anchor above it",
                        hint=f"define it first with &{event.anchor} (an alias cannot refer to a node that contains it)",
                    ) from None
                added += size
                if added > max_added:
                    raise limit_error("aliases", f"{where()}: aliases (*name) repeat too many nodes (a YAML alias bomb?)", limits)
                attach(value, size)
            elif kind is doc_start:
                documents += 1
                if documents > 1:
                    raise SpecError(f"{where()}: the file holds more than one YAML document (---)", hint="keep one spec per file")
            elif kind is stream_end:
                return result

    parser = _parser(text)
    try:
        with paused_gc():
            return events_to_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        if "nesting depth" in (exc.problem or ""):  # libyaml 0.2.6 (PyYAML 6.0.4) has a nesting limit of its own
            raise _parser_depth_error(at, "flow" in (exc.context or ""), limits) from None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise SpecError(f"{at}: YAML syntax error: {what}", hint="check the indentation and the brackets there") from None
    except yaml.reader.ReaderError as exc:  # e.g. a NUL byte: control characters are not allowed
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise SpecError(f"{label}:{line}: YAML error: {exc.reason} (character U+{code:04X})",
                        hint="remove the character; a spec is plain text") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{label}: YAML error: {' '.join(str(exc).split())}") from None
    except ValueError as exc:  # a number that Python will not convert (the digits check comes first)
        raise SpecError(f"{where()}: {exc}") from None


_NO_KEY = object()


def _parser_depth_error(at: str, flow: bool, limits: Limits) -> SpecError:
    """The parser's own nesting limit, told in convcalc's words: ours when it is the lower one."""
    allowed = _parser_nesting_limit(flow)
    if allowed is None or limits.depth < allowed:
        return limit_error("depth", f"{at}: lists and mappings are nested too deep", limits)
    return SpecError(
        f"{at}: the spec nests lists or blocks too deep to work through: "
        f"the YAML parser reads at most {allowed:,} levels of {'[ ] and { }' if flow else 'indented blocks'}",
        hint=f"nest them less deeply (--limit depth is {limits.depth:,}; the default 50 is safe)",
    )


def _parser_nesting_limit(flow: bool) -> int | None:
    """The deepest nesting the installed YAML parser reads, found by trying (only on this error's path)."""
    import yaml

    def reads(levels: int) -> bool:
        text = "[" * levels + "]" * levels if flow else "- " * levels + "x"
        try:
            for _ in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
                pass
        except yaml.YAMLError:
            return False
        return True

    low, high = 1, 1 << 16
    if reads(high):
        return None
    while high - low > 1:  # reads(low) and not reads(high)
        middle = (low + high) // 2
        low, high = (middle, high) if reads(middle) else (low, middle)
    return low


_JSON_STRING = None


def load_json(text: str, label: str, limits: Limits) -> Any:
    """A .json spec, with its nesting checked before Python's recursive JSON reader sees it."""
    import json
    import re

    global _JSON_STRING
    if text.count("[") + text.count("{") > limits.depth:
        if _JSON_STRING is None:
            _JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
        depth, stripped = 0, _JSON_STRING.sub('""', text)  # a JSON string holds no raw newline: lines stay put
        for bracket in re.finditer(r"[\[\]{}]", stripped):
            if bracket.group() in "[{":
                depth += 1
                if depth > limits.depth:
                    line = stripped.count("\n", 0, bracket.start()) + 1
                    raise limit_error("depth", f"{label}:{line}: lists and objects are nested too deep", limits)
            else:
                depth = max(0, depth - 1)
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:  # json keeps the last one silently
                raise SpecError(f"{label}: the key {key!r} is given twice in one object", hint="keep one of them")
            found[key] = value
        return found

    try:
        return json.loads(text, object_pairs_hook=unique, parse_float=lambda written: WrittenFloat(float(written), written))
    except json.JSONDecodeError as exc:
        raise SpecError(f"{label}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise SpecError(f"{label}: invalid JSON: {exc}") from None
