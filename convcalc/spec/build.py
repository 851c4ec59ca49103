"""A parsed document to a checked NetworkSpec: the top-level keys, the input, every node and its inputs."""

import re
from typing import Any

from ..errors import ArgError, SpecError, did_you_mean
from ..layers import LayerKind, family_args, positive
from ..layers.args import declaring, valid_declaration
from ..limits import DEFAULT_LIMITS, Limits, limit_error
from ..shapes import LAYOUTS, Shape
from .records import MAPPINGS, OUTPUT_KEYS, TOP_LEVEL_KEYS, EXPECT_LAYER_KEYS, EXPECT_TOP_KEYS, LayerSpec, NetworkSpec, OutputSpec
from .blocks import expand  # blocks become plain nodes with dotted names and paths
from .templates import read_templates
from .entries import check_expect, type_name, unprintable
from .inline import PRIMARY_MARK, inline_value

# --------------------------------------------------------------------------- building the graph


def where_error(problem: str, where: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, where=where)


def build_spec(document: Any, *, layout: str | None = None, source: str = "<spec>", limits: Limits = DEFAULT_LIMITS) -> NetworkSpec:
    """Check a parsed document and build the network's nodes; every failure is a SpecError."""
    if not isinstance(document, MAPPINGS):
        raise where_error(
            f"a spec must be a mapping with input: and layers:, not {type_name(document)}",
            source,
            "start the file with 'input: [H, W, C]' and a 'layers:' list",
        )
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise where_error(
                f"unknown top-level key '{key}'",
                source,
                did_you_mean(str(key), TOP_LEVEL_KEYS) or f"the keys are: {', '.join(TOP_LEVEL_KEYS)}",
            )
    chosen = layout or document.get("layout", "hwc")
    if not isinstance(chosen, str) or chosen.lower() not in LAYOUTS:
        raise where_error(f"layout must be 'hwc' or 'chw', got {chosen!r}", "layout", "hwc = [H, W, C] (Keras), chw = [C, H, W] (PyTorch)")
    chosen = chosen.lower()
    if "input" not in document:
        raise where_error("the spec has no input", source, "add e.g. 'input: [32, 32, 3]'")
    with declaring(_declared_symbols(document.get("symbols", None), "symbols" in document)):
        return _build(document, chosen, source, limits)


def _build(document: Any, chosen: str, source: str, limits: Limits) -> NetworkSpec:
    input_dims = _input_dims(document["input"])
    layers_doc = document.get("layers")
    if not isinstance(layers_doc, list) or not layers_doc:
        raise where_error(
            "the spec has no layers" if layers_doc in (None, []) else f"layers must be a list, not {type_name(layers_doc)}",
            "layers",
            "add a 'layers:' list, e.g. '- conv2d: {filters: 10, kernel: 5}'",
        )
    if len(layers_doc) > limits.layers:
        raise limit_error("layers", f"the spec has {len(layers_doc):,} layers", limits, where="layers")
    description = document.get("description")
    if description is not None and not isinstance(description, (str, int, float)) or isinstance(description, bool):
        raise where_error(f"description must be text, got {type_name(description)}", "description", "write it as one string (in quotes if it holds : or #)")
    name = document.get("name")
    if name is not None and (isinstance(name, bool) or not isinstance(name, (str, int)) or not str(name).strip()):
        raise where_error(f"the network's name must be text, got {name!r}", "name", "write e.g. name: LeNet-5 (in quotes if it holds : or #)")
    if name is not None and not str(name).isprintable():
        raise where_error(f"the network's name {str(name)!r} holds {unprintable(str(name))}", "name",
                           "write the name as one line of visible text")
    expanded = expand(layers_doc, read_templates(document.get("blocks")), limits, Shape.from_layout(input_dims, chosen), chosen)
    if not expanded.nodes:
        raise where_error("every layer is left out (if: false, or repeat 0 times)", "layers", "keep at least one layer")
    layers = build_layers(expanded.nodes)
    expect = check_expect(document.get("expect"), EXPECT_TOP_KEYS, lambda p, h: where_error(p, "expect", h))
    outputs = _outputs(document.get("outputs"), layers, expanded.blocks)
    return NetworkSpec(input_dims, layers, chosen, None if name is None else str(name), source, expanded.blocks, expect, outputs)


def _outputs(value: Any, layers: tuple[LayerSpec, ...], blocks: tuple[Any, ...]) -> tuple[OutputSpec, ...]:
    """`outputs: [fc, {from: aux.fc, training_only: true}]`: each a layer (or a block: its last layer)."""
    if value is None:
        return ()
    example = "write e.g. 'outputs: [fc, {from: aux.fc, training_only: true}]'"
    if not isinstance(value, list) or not value:
        raise where_error(f"outputs must be a list of layer names, got {value!r}", "outputs", example)
    names = {layer.name: layer for layer in layers}
    block_outputs = {block.name: layers[block.last - 1].name for block in blocks}
    found: list[OutputSpec] = []
    for position, item in enumerate(value, start=1):
        where = f"outputs[{position}]"
        training_only = False
        if isinstance(item, MAPPINGS):
            for key in item:
                if key not in OUTPUT_KEYS:
                    raise where_error(f"unknown key '{key}'", where, did_you_mean(str(key), OUTPUT_KEYS) or f"an output takes: {', '.join(OUTPUT_KEYS)}")
            if "from" not in item:
                raise where_error("an output needs from: the layer it is", where, example)
            training_only = item.get("training_only", False)
            if not isinstance(training_only, bool):
                raise where_error(f"training_only must be true or false, got {training_only!r}", where)
            item = item["from"]
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise where_error(f"an output names a layer, got {item!r}", where, example)
        text = str(item)
        layer, port = block_outputs.get(text, text), None
        if layer not in names:
            match = re.fullmatch(r"(.+)\.(\d+)", text)
            if match and block_outputs.get(match.group(1), match.group(1)) in names:
                layer, port = block_outputs.get(match.group(1), match.group(1)), int(match.group(2))
            else:
                raise where_error(f"output '{text}' names no layer", where,
                                  did_you_mean(text, [*names, *block_outputs]) or "name a layer or block of the spec")
        spec = OutputSpec(layer, port, training_only)
        if any(o.label == spec.label for o in found):
            raise where_error(f"output '{spec.label}' is listed twice", where, "list each output once")
        found.append(spec)
    if all(o.training_only for o in found):
        raise where_error("every output is training-only", "outputs", "mark only the auxiliary heads training_only: true")
    return tuple(found)


def _declared_symbols(value: Any, given: bool) -> tuple[str, ...] | None:
    """The top-level `symbols:` list (or 'n, m' text): the spec's only symbols; None when it has none."""
    if not given:
        return None
    example = "write e.g. 'symbols: [n, width]'"
    if isinstance(value, str):
        value = [word.strip() for word in value.split(",")]
    if not isinstance(value, list):  # [] is allowed: a spec with no symbols at all, where every name is an error
        raise where_error(f"symbols must be a list of names, got {value!r}", "symbols", example)
    seen: list[str] = []
    for name in value:
        if not isinstance(name, str) or not valid_declaration(name):
            raise where_error(
                f"{name!r} cannot be a symbol",
                "symbols",
                "a symbol is a name of letters, digits and _ that starts with a letter and is no keyword (same, valid, true, …)",
            )
        if name in seen:
            raise where_error(f"the symbol '{name}' is listed twice", "symbols", "list each symbol once")
        seen.append(name)
    return tuple(seen)


def _input_dims(value: Any) -> tuple[Any, ...]:
    example = "write e.g. 'input: [227, 227, 3]' (one sample, no batch axis)"
    if isinstance(value, str):
        value = inline_value(value)
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value:
        raise where_error(f"input must be a list of sizes, got {value!r}", "input", example)
    if len(value) > 4:
        raise where_error(f"input has {len(value)} axes; at most 4 (3 spatial + channels)", "input", "leave out the batch axis")
    try:
        return tuple(positive(v, "every input size") for v in value)
    except ArgError as exc:
        raise where_error(exc.problem, "input", exc.hint or example) from None


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
        inputs, ports = _split_ports(inputs, seen)
        _check_arity(checker, inputs, index, name, canonical)
        seen[name] = index
        specs.append(LayerSpec(index, name, canonical, args, inputs, family, node.path, expect, ports))
    return tuple(specs)


def _parse_args(kind: LayerKind, raw: dict[str, Any], index: int, name: str | None, canonical: str) -> dict[str, Any]:
    raw = dict(raw)
    if PRIMARY_MARK in raw:
        value = raw.pop(PRIMARY_MARK)
        if kind.primary is None:
            raise SpecError(
                f"{canonical} takes no value (got {value!r})",
                hint=f"write just '{canonical}'" + (f" or use keys: {', '.join(a.name for a in kind.args)}" if kind.args else ""),
                layer_index=index,
                layer_name=name,
                layer_type=canonical,
            )
        if kind.primary in raw:
            raise SpecError(f"{kind.primary} is given twice: {value!r} as the layer's value and {kind.primary}: {raw[kind.primary]!r}",
                            hint="give it once", layer_index=index, layer_name=name, layer_type=canonical)
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
        if _port_of(source, seen):  # one output of a layer with several: checked when shapes are known
            resolved.append(source)
            continue
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


_PORT = re.compile(r"(.+)\.(\d+)")


def _port_of(source: str, seen) -> tuple[str, int] | None:
    """'split1.0' -> ('split1', 0) when split1 is a layer above and no layer has the whole name."""
    match = None if source in seen else _PORT.fullmatch(source)
    if match and match.group(1) in seen and match.group(1) != "input":
        return match.group(1), int(match.group(2))
    return None


def _split_ports(inputs: tuple[str, ...], seen) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    """Inputs as layer names, and which output of each (from: split1.0 reads output 0 of split1)."""
    names, ports = [], []
    for source in inputs:
        found = _port_of(source, seen)
        names.append(found[0] if found else source)
        ports.append(found[1] if found else None)
    return tuple(names), (tuple(ports) if any(p is not None for p in ports) else ())


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
            f"{canonical} takes {'one input' if kind.max_inputs == 1 else f'{kind.max_inputs} inputs'}, got {len(inputs)} ({', '.join(inputs)})",
            hint="merge them first with add or concat",
            layer_index=index,
            layer_name=name,
            layer_type=canonical,
        )
