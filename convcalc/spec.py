"""Reading a network spec (YAML, JSON or the inline form) into a checked :class:`NetworkSpec`.

Every problem found here becomes a :class:`~convcalc.errors.SpecError` naming the layer; unknown
keys are rejected at load time. PyYAML is imported only when a YAML text is read.
"""

import os
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from .errors import ArgError, SpecError, did_you_mean
from .layers import LayerKind, all_names, family_args, lookup, positive, size_words
from .limits import DEFAULT_LIMITS, Limits, check_digits_in_text, check_size, int_digits, limit_error
from .shapes import LAYOUTS

# What a spec mapping may be: dict first, as the YAML loader makes dicts and isinstance stops
# there, before the slower ABC check that other mappings (from Python callers) need.
MAPPINGS = (dict, Mapping)

TOP_LEVEL_KEYS = ("name", "description", "input", "layout", "layers", "blocks", "expect")
LAYER_KEYS = ("type", "name", "from", "expect")
# A student's answers (`convcalc check`); `summary` ignores them.
EXPECT_LAYER_KEYS = ("shape", "params", "weights", "biases", "trainable_params", "non_trainable_params")
EXPECT_TOP_KEYS = ("output_shape", "total_params", "trainable_params", "non_trainable_params")
INLINE_EXAMPLE = '"input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10"'


class LayerSpec(NamedTuple):
    """One node of the network graph as the user wrote it, arguments checked and defaults filled."""

    index: int  # 1-based position in the spec
    name: str
    type: str  # canonical type, or the rank-free family name ('conv') resolved by the engine
    args: Mapping[str, Any]
    inputs: tuple[str, ...]  # the nodes it reads ('input' is the network input)
    family: Mapping[int, str] | None = None  # rank -> canonical type, for a rank-free name
    path: tuple[str, ...] = ()  # the enclosing blocks, outermost first
    expect: Mapping[str, Any] | None = None  # the student's answers for this layer (check)


class NetworkSpec(NamedTuple):
    """A whole network: its input (in the layout's order) and its nodes in order."""

    input_dims: tuple[Any, ...]
    layers: tuple[LayerSpec, ...]
    layout: str = "hwc"
    name: str | None = None
    source: str = "<spec>"
    blocks: tuple[Any, ...] = ()  # blocks.BlockSpec for every residual/branches/repeat/template used
    expect: Mapping[str, Any] | None = None  # the student's answers for the whole network (check)


# --------------------------------------------------------------------------- sources


def looks_inline(text: str) -> bool:
    """An inline spec starts with 'input' followed by a size, e.g. 'input 32x32x3; …'."""
    return "\n" not in text.strip() and bool(re.match(r"\s*input\s+[\[\(]?\s*\w", text))  # a file: no regex


def read_source(source: str, *, stdin_text: str | None = None, limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    """The text of SPEC and a label for messages: '-' is standard input, else a path or inline."""
    if source == "-":
        return stdin_text or "", "<stdin>"
    if os.path.isdir(source):
        raise SpecError(f"'{source}' is a directory, not a spec file", hint="give the path of a .yaml or .json file")
    if os.path.exists(source):
        try:
            with open(source, "rb") as handle:
                check_size(os.fstat(handle.fileno()).st_size, source, limits)
                data = handle.read(limits.bytes + 1)  # bounded: a device or pipe may never end
        except OSError as exc:
            raise SpecError(f"cannot read '{source}': {exc.strerror}") from None
        check_size(len(data), source, limits, known=False)
        return decode(data, source), source
    if looks_inline(source):
        return source, "<inline>"
    raise SpecError(
        f"no such file: '{source}'",
        hint=f"give the path of a spec file, '-' for standard input, or an inline spec such as {INLINE_EXAMPLE}",
    )


def decode(data: bytes, label: str) -> str:
    """UTF-8 text, a leading byte-order mark dropped; a bad byte is named by its offset in the file."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = bom + exc.start
        raise SpecError(
            f"{label} is not UTF-8 text (byte {position} is 0x{data[position]:02x})",
            hint="save the spec as UTF-8 YAML or JSON",
        ) from None


def parse_document(text: str, label: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """YAML or JSON text to plain Python data, within the limits (safe loading only; the C parser when present)."""
    check_size(len(text), label, limits)
    check_digits_in_text(text, label, limits)
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise SpecError(f"{label} is empty", hint=f"write a spec with input: and layers:, or an inline spec such as {INLINE_EXAMPLE}")
    if looks_inline(text):
        if label.startswith("<"):  # typed on the command line or piped in
            return text.strip()
        from .yamlload import load_yaml

        try:  # a one-line file such as 'input: [32, 32, 3]' is YAML when it reads as a mapping
            document = load_yaml(text, label, limits)
        except SpecError:
            return text.strip()
        return document if isinstance(document, MAPPINGS) else text.strip()
    if label.endswith(".json"):
        from .yamlload import load_json

        return load_json(text, label, limits)
    from .yamlload import load_yaml

    return load_yaml(text, label, limits)


def load_spec(source: str, *, layout: str | None = None, stdin_text: str | None = None, limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    """SPEC as the command line gives it (path, '-' or inline text) to a checked NetworkSpec."""
    text, label = read_source(source, stdin_text=stdin_text, limits=limits)
    return spec_from_text(text, label, layout=layout, limits=limits)


def spec_from_text(text: str, label: str = "<spec>", *, layout: str | None = None, limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    with int_digits(limits):
        document = parse_document(text, label, limits)
        if isinstance(document, str) and looks_inline(document):
            document = parse_inline(document)
        return build_spec(document, layout=layout, source=label, limits=limits)


# --------------------------------------------------------------------------- inline form


def _inline_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        pass
    text = text.strip("[]()")
    words = size_words(text, negative=True)
    if words is not None:
        return [_inline_value(word) for word in words]
    return text


def parse_inline(text: str) -> dict[str, Any]:
    """'input 227x227x3; conv2d 96 kernel=11 stride=4; …' to the same mapping a YAML file gives."""
    items = [item.strip() for item in re.split(r"[;\n]", text) if item.strip()]
    written = re.match(r"(?i)\s*input(?:[\s:=]+|$)(.*)", items[0])  # 'input 32x32x3', 'input: 32x32x3'
    head = ["input", *written.group(1).split()] if written else items[0].split()
    document: dict[str, Any] = {}
    if head[0].lower() != "input" or len(head) < 2:
        raise SpecError("an inline spec starts with 'input HxWxC'", hint=f"e.g. {INLINE_EXAMPLE}", where="inline spec")
    size = _inline_value(head[1].strip(":="))
    document["input"] = size if isinstance(size, list) else [size]
    for token in head[2:]:
        key, _, value = token.partition("=")
        if key not in ("layout", "name") or not value:
            raise SpecError(f"unexpected '{token}' after the input size", hint="only layout=hwc|chw and name=… may follow it", where="inline spec")
        document[key] = value
    document["layers"] = [_inline_layer(item, index) for index, item in enumerate(items[1:], start=1)]
    return document


def _inline_layer(item: str, index: int) -> dict[str, Any]:
    tokens = item.replace(", ", ",").split()
    entry: dict[str, Any] = {"type": tokens[0]}
    positional = []
    for token in tokens[1:]:
        if "=" in token:
            key, _, value = token.partition("=")
            if not key or not value:
                raise SpecError(f"'{token}' is not key=value", hint="write e.g. stride=2", layer_index=index, layer_type=tokens[0])
            entry[key] = value.split(",") if key == "from" else _inline_value(value)
        else:
            positional.append(_inline_value(token))
    if len(positional) > 1:
        raise SpecError(
            f"more than one value without a key: {' '.join(str(p) for p in positional)}",
            hint="give the first value alone and the others as key=value, e.g. 'conv2d 10 kernel=5'",
            layer_index=index,
            layer_type=tokens[0],
        )
    if positional:
        entry[_PRIMARY_MARK] = positional[0]
    return entry


_PRIMARY_MARK = "\0primary"  # an inline positional value, placed in the kind's primary argument


# --------------------------------------------------------------------------- building the graph


def _where_error(problem: str, where: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, where=where)


def build_spec(document: Any, *, layout: str | None = None, source: str = "<spec>", limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    """Check a parsed document and build the network's nodes; every failure is a SpecError."""
    if not isinstance(document, MAPPINGS):
        raise _where_error(
            f"a spec must be a mapping with input: and layers:, not {_type_name(document)}",
            source,
            "start the file with 'input: [H, W, C]' and a 'layers:' list",
        )
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise _where_error(
                f"unknown top-level key '{key}'",
                source,
                did_you_mean(str(key), TOP_LEVEL_KEYS) or f"the keys are: {', '.join(TOP_LEVEL_KEYS)}",
            )
    chosen = layout or document.get("layout") or "hwc"
    if not isinstance(chosen, str) or chosen.lower() not in LAYOUTS:
        raise _where_error(f"layout must be 'hwc' or 'chw', got {chosen!r}", "layout", "hwc = [H, W, C] (Keras), chw = [C, H, W] (PyTorch)")
    chosen = chosen.lower()
    if "input" not in document:
        raise _where_error("the spec has no input", source, "add e.g. 'input: [32, 32, 3]'")
    input_dims = _input_dims(document["input"])
    layers_doc = document.get("layers")
    if not isinstance(layers_doc, list) or not layers_doc:
        raise _where_error(
            "the spec has no layers" if layers_doc in (None, []) else f"layers must be a list, not {_type_name(layers_doc)}",
            "layers",
            "add a 'layers:' list, e.g. '- conv2d: {filters: 10, kernel: 5}'",
        )
    if len(layers_doc) > limits.layers:
        raise limit_error("layers", f"the spec has {len(layers_doc):,} layers", limits, where="layers")
    name = document.get("name")
    if name is not None and not str(name).isprintable():
        raise _where_error(f"the network's name {str(name)!r} holds {unprintable(str(name))}", "name",
                           "write the name as one line of visible text")
    from .blocks import expand, read_templates  # blocks become plain nodes with dotted names and paths

    expanded = expand(layers_doc, read_templates(document.get("blocks")), limits)
    if not expanded.nodes:
        raise _where_error("every layer is left out (if: false, or repeat 0 times)", "layers", "keep at least one layer")
    layers = build_layers(expanded.nodes)
    expect = check_expect(document.get("expect"), EXPECT_TOP_KEYS, lambda p, h: _where_error(p, "expect", h))
    return NetworkSpec(input_dims, layers, chosen, None if name is None else str(name), source, expanded.blocks, expect)


def unprintable(text: str) -> str:
    """"an invisible or control character (U+000A)": the first one a name holds, for the message."""
    char = next(c for c in text if not c.isprintable())
    return f"an invisible or control character (U+{ord(char):04X})"


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(value), "empty" if value is None else type(value).__name__
    )


def _input_dims(value: Any) -> tuple[Any, ...]:
    example = "write e.g. 'input: [227, 227, 3]' (one sample, no batch axis)"
    if isinstance(value, str):
        value = _inline_value(value)
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _where_error(f"input must be a list of sizes, got {value!r}", "input", example)
    if len(value) > 4:
        raise _where_error(f"input has {len(value)} axes; at most 4 (3 spatial + channels)", "input", "leave out the batch axis")
    try:
        return tuple(positive(v, "every input size") for v in value)
    except ArgError as exc:
        raise _where_error(exc.problem, "input", exc.hint or example) from None


def build_layers(nodes: tuple[Any, ...]) -> tuple[LayerSpec, ...]:
    """Check every node's name and arguments and who it reads from; ``nodes``: blocks.Node, already split and looked up."""
    specs: list[LayerSpec] = []
    seen: dict[str, int] = {"input": 0}
    for index, node in enumerate(nodes, start=1):
        name, kind, family, raw = node.name, node.kind, node.family, node.raw
        canonical = kind.name if kind else re.sub(r"[\s\-]", "_", node.type.lower())
        checker = kind or family_args(family)
        if name in seen:
            where = "the network input" if name == "input" else f"layer {seen[name]}"
            raise SpecError(f"the name '{name}' is already used by {where}", hint="give each layer its own name", layer_index=index, layer_name=name, layer_type=canonical)
        expect = check_expect(
            raw.pop("expect", None),
            EXPECT_LAYER_KEYS,
            lambda p, h: SpecError(p, hint=h, layer_index=index, layer_name=name, layer_type=canonical),
        )
        args = _parse_args(checker, raw, index, name, canonical)
        inputs = _resolve_sources(node.sources, specs, seen, nodes, index, name, canonical)
        _check_arity(checker, inputs, index, name, canonical)
        seen[name] = index
        specs.append(LayerSpec(index, name, canonical, args, inputs, family, node.path, expect))
    return tuple(specs)


def _split_entry(entry: Any, index: int) -> tuple[str, dict[str, Any], str | None, Any]:
    """The four entry forms to (type, arguments, name, from)."""
    fail = lambda problem, hint=None: SpecError(problem, hint=hint, layer_index=index)  # noqa: E731
    if isinstance(entry, str):
        if not entry.strip():
            raise fail("a layer entry is empty", "write a layer type such as 'relu'")
        if len(entry.split()) > 1:
            return _split_entry(_inline_layer(entry, index), index)
        return entry.strip(), {}, None, None
    if not isinstance(entry, MAPPINGS):
        raise fail(
            f"a layer must be a type name or a mapping, not {_type_name(entry)} ({entry!r})",
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
            raw = {_PRIMARY_MARK: value}
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


def _parse_args(kind: LayerKind, raw: dict[str, Any], index: int, name: str | None, canonical: str) -> dict[str, Any]:
    raw = dict(raw)
    if _PRIMARY_MARK in raw:
        value = raw.pop(_PRIMARY_MARK)
        if kind.primary is None:
            raise SpecError(
                f"{canonical} takes no value (got {value!r})",
                hint=f"write just '{canonical}'" + (f" or use keys: {', '.join(a.name for a in kind.args)}" if kind.args else ""),
                layer_index=index,
                layer_name=name,
                layer_type=canonical,
            )
        if kind.primary in raw:
            raise SpecError(f"{kind.primary} is given twice", layer_index=index, layer_name=name, layer_type=canonical)
        raw[kind.primary] = value
    try:
        return kind.parse_args(raw)
    except ArgError as exc:
        raise SpecError(exc.problem, hint=exc.hint, layer_index=index, layer_name=name, layer_type=canonical) from None


def _resolve_sources(sources, nodes, seen, entries, index, name, canonical) -> tuple[str, ...]:
    if sources is None:
        return (nodes[-1].name if nodes else "input",)
    listed = sources if isinstance(sources, list) else [sources]
    if not listed or not all(isinstance(s, (str, int)) and not isinstance(s, bool) for s in listed):
        raise SpecError(f"from must name a layer or list layers, got {sources!r}", hint="e.g. from: conv1 or from: [a, b]",
                        layer_index=index, layer_name=name, layer_type=canonical)
    resolved = []
    for source in map(str, listed):
        if source == name:
            raise SpecError(f"from '{source}' names the layer itself", hint="a layer reads from layers above it",
                            layer_index=index, layer_name=name, layer_type=canonical)
        if source not in seen:
            later = _later_index(entries, index, source)
            problem = (
                f"from '{source}' names layer {later}, which comes later" if later else f"from '{source}' names no layer"
            )
            known = [n for n in seen]
            hint = "a layer reads only from layers above it" if later else (did_you_mean(source, known) or f"known names: {', '.join(known[-8:])}")
            raise SpecError(problem, hint=hint, layer_index=index, layer_name=name, layer_type=canonical)
        resolved.append(source)
    return tuple(resolved)


def _later_index(nodes: tuple[Any, ...], index: int, source: str) -> int | None:
    return next((node.index for node in nodes[index:] if node.name == source), None)


def _check_arity(kind: LayerKind, inputs: tuple[str, ...], index: int, name: str, canonical: str) -> None:
    if len(inputs) < kind.min_inputs:
        raise SpecError(
            f"{canonical} needs at least {kind.min_inputs} inputs, got {len(inputs)}",
            hint="list them with from: [a, b]",
            layer_index=index,
            layer_name=name,
            layer_type=canonical,
        )
    if kind.max_inputs is not None and len(inputs) > kind.max_inputs:
        raise SpecError(
            f"{canonical} takes one input, got {len(inputs)} ({', '.join(inputs)})",
            hint="merge them first with add or concat",
            layer_index=index,
            layer_name=name,
            layer_type=canonical,
        )


def check_expect(value: Any, allowed: tuple[str, ...], error) -> dict[str, Any] | None:
    """An `expect:` mapping with known keys only: a shape is a list, a count a number or formula."""
    if value is None:
        return None
    if not isinstance(value, MAPPINGS) or not value:
        raise error(f"expect must be a mapping such as {{{allowed[0]}: …}}, got {value!r}", f"its keys are: {', '.join(allowed)}")
    checked: dict[str, Any] = {}
    for key, answer in value.items():
        key = str(key)
        if key not in allowed:
            raise error(f"unknown expect key '{key}'", did_you_mean(key, allowed) or f"the keys are: {', '.join(allowed)}")
        if key.endswith("shape"):
            if isinstance(answer, str):
                answer = _inline_value(answer)
            if not isinstance(answer, list) or not answer or not all(_answer_value(v) for v in answer):
                raise error(f"expect {key} must be a list of sizes such as [55, 55, 96], got {answer!r}", None)
        elif not _answer_value(answer):
            raise error(f"expect {key} must be a whole number (or a formula in quotes), got {answer!r}", None)
        checked[key] = answer
    return checked


def _answer_value(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and bool(value.strip()))
