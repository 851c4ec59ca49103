"""The JSON Schema of what convcalc reads: `convcalc schema spec`.

Written from the layer registry (every kind, its spellings, arguments, defaults and Keras/PyTorch
aliases) and from the keys spec/records.py lists, so an editor with yaml-language-server completes
and checks a spec as convcalc reads it. What convcalc writes is in output_schema.py. Draft-07, the
draft editors know best.
"""
from __future__ import annotations

from typing import Any

from .layers import KINDS, LayerKind, all_names, argument_aliases, family_args, lookup, normalise
from .layers import args as arg_parsers
from .spec.records import (
    BRANCHES_KEYS,
    EXPECT_LAYER_KEYS,
    EXPECT_TOP_KEYS,
    MERGES,
    REPEAT_KEYS,
    RESIDUAL_KEYS,
    TEMPLATE_KEYS,
    TOP_LEVEL_KEYS,
)

DRAFT = "http://json-schema.org/draft-07/schema#"
ACTIVATION_TAKERS = ("conv", "dense")  # spec/blocks.py: the categories whose kinds take activation=
TEMPLATE_VALUE = {"type": "string", "pattern": r"^\s*\$", "description": "a template parameter ($name) or expression ($(…))"}
NUMBER_TEXT = r"^\s*[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\s*$"  # what YAML 1.2 reads as a number
SIZE_TEXT = {"type": "string", "minLength": 1, "description": "a symbol (n, k1), sizes per axis ('3x5'), or $template text"}


def _count(minimum: int) -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", "minimum": minimum}, SIZE_TEXT]}


def _per_axis(minimum: int) -> dict[str, Any]:
    one = _count(minimum)
    return {"anyOf": [one, {"type": "array", "minItems": 1, "items": one}]}


# How each argument checker of convcalc/layers/args.py reads a value: (its name in the schema, schema).
PARSERS: dict[Any, tuple[str, dict[str, Any]]] = {
    arg_parsers.positive: ("count", _count(1)),
    arg_parsers.non_negative: ("count0", _count(0)),
    arg_parsers.sizes: ("sizes", _per_axis(1)),
    arg_parsers.offsets: ("offsets", _per_axis(0)),
    arg_parsers.padding: ("padding", {"anyOf": [
        {"enum": ["same", "valid", "full"]},
        _per_axis(0),
        {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": _count(0)}},
    ]}),
    arg_parsers.flag: ("flag", {"anyOf": [{"type": "boolean"}, TEMPLATE_VALUE]}),
    arg_parsers.rate: ("rate", {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                                          {"type": "string", "pattern": NUMBER_TEXT}, TEMPLATE_VALUE]}),
    arg_parsers.number: ("number", {"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_TEXT}, TEMPLATE_VALUE]}),
    arg_parsers.non_negative_number: ("number0", {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": NUMBER_TEXT},
                                                            TEMPLATE_VALUE]}),
    arg_parsers.proportion: ("proportion", {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1},
                                                      {"type": "string", "pattern": NUMBER_TEXT}, TEMPLATE_VALUE]}),
    arg_parsers.integer: ("integer", {"anyOf": [{"type": "integer"}, TEMPLATE_VALUE]}),
    arg_parsers.optional_integer: ("optional_integer", {"anyOf": [{"type": "integer"}, {"type": "null"}, TEMPLATE_VALUE]}),
    arg_parsers.dims: ("dims", {"anyOf": [
        {"type": "array", "minItems": 1, "items": {"anyOf": [{"const": -1}, {"type": "integer", "minimum": 1}, SIZE_TEXT]}},
        SIZE_TEXT,
    ]}),
    arg_parsers.axis_or_channels: ("axis_or_channels", {"anyOf": [{"type": "integer"}, {"enum": ["channels", "channel", "c", "last"]},
                                                                  {"type": "null"}, TEMPLATE_VALUE]}),
    arg_parsers.axis_order: ("axis_order", {"anyOf": [{"type": "array", "minItems": 1, "uniqueItems": True,
                                                       "items": {"type": "integer", "minimum": 0}}, SIZE_TEXT, TEMPLATE_VALUE]}),
    arg_parsers.interpolation: ("interpolation", {"anyOf": [{"enum": sorted(arg_parsers.INTERPOLATIONS)}, {"type": "string"}]}),
    arg_parsers.layer_name: ("layer_name", {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}),
}
ANYTHING: dict[str, Any] = {}  # an argument whose checker has no entry above (tests/test_schema.py names it)

NAME = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}], "description": "the layer's name (default <type>_<n>)"}
FROM = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "array", "minItems": 1, "items": {"type": ["string", "integer"]}}],
        "description": "the layer (or list of layers) it reads; default: the one above"}
IF = {"anyOf": [{"type": "boolean"}, TEMPLATE_VALUE], "description": "false leaves the entry out (in templates: if: $project)"}


def _expect(keys: tuple[str, ...], what: str) -> dict[str, Any]:
    return {"type": "object", "description": f"answers for `convcalc check` ({what})",
            "properties": {key: {} for key in keys}, "additionalProperties": False}


# --------------------------------------------------------------------------- the spec


def spelling_pattern(names: list[str]) -> str:
    """A regex matching every way convcalc reads these type names: any case, with or without _, - or spaces."""
    def one(name: str) -> str:
        key = normalise(name)
        return r"[\s_-]*".join(f"[{c}{c.upper()}]" if c.isalpha() else _escape(c) for c in key)

    keys = sorted({one(name) for name in names})
    return r"^[\s_-]*(?:" + "|".join(keys) + r")[\s_-]*$"


def _escape(char: str) -> str:
    return "\\" + char if char in r"\^$.|?*+()[]{}/" else char


def argument_schema(arg: Any) -> dict[str, Any]:
    """One argument: the schema of its checker, what it means and its default."""
    known = PARSERS.get(arg.parse)
    schema: dict[str, Any] = {"allOf": [{"$ref": f"#/definitions/value.{known[0]}"}]} if known else dict(ANYTHING)
    words = arg.doc or arg.name
    if not arg.required:
        shown = arg.shown_default if arg.shown_default is not None else _shown(arg.default)
        words += f" (default: {shown})"
        if arg.shown_default is None and _plain(arg.default):
            schema["default"] = list(arg.default) if isinstance(arg.default, tuple) else arg.default
    schema["description"] = words
    return schema


def _shown(value: Any) -> str:
    return {True: "true", False: "false", None: "none"}.get(value, str(value)) if isinstance(value, (bool, type(None))) else str(value)


def _plain(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def _activation() -> dict[str, Any]:
    names = sorted(kind.name for kind in KINDS.values() if kind.is_activation)
    return {"anyOf": [{"enum": [*names, "linear"]}, {"type": "string"}, {"type": "null"}],
            "description": "an activation layer added after this one, as Keras' activation= (linear or none: no layer)"}


def arguments(kind: LayerKind) -> tuple[dict[str, Any], list[list[str]]]:
    """The properties a kind's argument mapping may hold, and its required arguments (each with its aliases)."""
    properties = {arg.name: argument_schema(arg) for arg in kind.args}
    aliases = argument_aliases(kind)
    for own, names in aliases.items():
        for alias in names:
            properties[alias] = {**properties[own], "description": f"Keras/PyTorch name of {own}"}
    if kind.category in ACTIVATION_TAKERS:
        properties["activation"] = _activation()
    if kind.category == "conv":
        properties["padding_mode"] = {"const": "zeros", "description": "PyTorch's default (zero padding), what convcalc counts"}
    required = [[arg.name, *aliases.get(arg.name, [])] for arg in kind.args if arg.required]
    return properties, required


def _requiring(required: list[list[str]]) -> list[dict[str, Any]]:
    return [{"anyOf": [{"required": [name]} for name in names]} if len(names) > 1 else {"required": names} for names in required]


def kind_arguments(kind: LayerKind) -> dict[str, Any]:
    """The schemas of a kind's arguments (and their aliases), and which are required: shared by the
    two ways to write them ({conv2d: {…}} and {type: conv2d, …}), each of which says which other keys it allows."""
    properties, required = arguments(kind)
    schema: dict[str, Any] = {"properties": properties}
    if required:
        schema["allOf"] = _requiring(required)
    return schema


def _closed(kind: LayerKind, keys: dict[str, Any]) -> dict[str, Any]:
    """An object of the kind's arguments and ``keys``, and nothing else."""
    properties, _ = arguments(kind)
    return {"type": "object", "allOf": [{"$ref": f"#/definitions/arguments.{kind.name}"}],
            "properties": {**{name: {} for name in properties}, **keys}, "additionalProperties": False}


def kind_value(kind: LayerKind) -> dict[str, Any]:
    """What may follow `conv2d:`: its arguments as a mapping, the primary argument alone, or nothing."""
    properties, required = arguments(kind)
    forms = [_closed(kind, {"name": NAME, "from": FROM, "expect": _expect(EXPECT_LAYER_KEYS, "this layer")})]
    if not required:
        forms.append({"type": "null"})
    if kind.primary is not None and all(names[0] == kind.primary for names in required):
        forms.append({key: value for key, value in properties[kind.primary].items() if key != "default"})
    text = ". ".join(part for part in (kind.summary, kind.rule) if part)
    return {"description": text, "anyOf": forms}


def _kinds() -> list[tuple[LayerKind, list[str]]]:
    """Each kind with every spelling that means it, the rank-free names ('conv', 'maxpool') with the
    member whose arguments they are checked by (every member takes the same)."""
    spellings = {name: [name, *kind.aliases] for name, kind in KINDS.items()}
    for name in all_names():
        family = lookup(name)[1]
        if family is not None:
            spellings[family_args(family).name].append(name)
    return [(KINDS[name], names) for name, names in spellings.items()]


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file (YAML or JSON), for editors and validators."""
    from .version import __version__

    kinds = _kinds()
    definitions: dict[str, Any] = {f"value.{name}": schema for name, schema in PARSERS.values()}
    definitions.update({f"arguments.{kind.name}": kind_arguments(kind) for kind, _ in kinds})
    definitions.update({f"kind.{kind.name}": kind_value(kind) for kind, _ in kinds})
    entry_keys = {"name": NAME, "from": FROM, "if": IF}
    keyed: dict[str, Any] = {**entry_keys, "expect": _expect(EXPECT_LAYER_KEYS, "this layer")}
    patterns: dict[str, Any] = {}
    typed_cases = []
    for kind, spellings in kinds:
        ref = {"$ref": f"#/definitions/kind.{kind.name}"}
        for spelling in spellings:
            keyed.setdefault(spelling, ref)
        pattern = spelling_pattern(spellings)
        patterns[pattern] = ref
        case = _closed(kind, {**keyed_entry_keys(), "type": {}})
        typed_cases.append({"if": {"properties": {"type": {"pattern": pattern}}}, "then": case})
    for block in ("residual", "branches", "repeat"):
        keyed[block] = {"$ref": f"#/definitions/{block}"}
        typed_cases.append({"if": {"properties": {"type": {"const": block}}},
                            "then": {"$ref": f"#/definitions/{block}.typed"}})
    no_arguments = sorted(kind.name for kind, _ in kinds if not any(a.required for a in kind.args))
    definitions.update({
        "entries": {"type": "array", "items": {"$ref": "#/definitions/entry"}},
        "entry": {
            "description": "a layer: a type name ('relu'), an inline layer ('conv2d 10 kernel=3'), {type: {arguments}}, "
                           "{type: value of its primary argument}, {type: name, arguments…}, a block, or a template's name",
            "anyOf": [
                {"anyOf": [{"enum": no_arguments}, {"type": "string", "pattern": r"\S"}]},
                {"type": "object", "if": {"required": ["type"]},
                 "then": {"properties": {"type": {"type": "string", "minLength": 1}}, "allOf": typed_cases},
                 "else": {"properties": keyed, "patternProperties": patterns,
                          "additionalProperties": {"type": ["object", "null"], "description": "a template from blocks: and its parameters"},
                          "not": {"propertyNames": {"enum": ["name", "from", "if", "expect"]}}}},
            ],
        },
        **_blocks(),
    })
    top = {
        "name": {"type": ["string", "integer"], "description": "the network's name, shown above the table"},
        "description": {"type": ["string", "number", "null"], "description": "free text, not read"},
        "input": {"description": "one sample's shape in the layout's order, no batch axis: [H, W, C] (hwc) or [C, H, W] (chw)",
                  "anyOf": [{"type": "array", "minItems": 1, "maxItems": 4, "items": _count(1)}, SIZE_TEXT, {"type": "integer", "minimum": 1}]},
        "layout": {"description": "hwc = channels last (Keras; the default), chw = channels first (PyTorch)",
                   "anyOf": [{"enum": ["hwc", "chw"]}, {"type": "string", "pattern": "^(?:[hH][wW][cC]|[cC][hH][wW])$"}]},
        "symbols": {"description": "the names that are symbols (sizes written as letters)",
                    "anyOf": [{"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}},
                              {"type": "string"}]},
        "layers": {**NONEMPTY, "description": "the layers, in order"},
        "blocks": {"type": "object", "description": "templates: named blocks with parameters, used like a layer type",
                   "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                   "additionalProperties": {"$ref": "#/definitions/template"}},
        "outputs": {"description": "the network's outputs (default: its last layer); a head marked training_only is left out of "
                               "inference MACs and memory",
                    "type": "array", "minItems": 1, "items": {"anyOf": [
                        {"type": ["string", "integer"]},
                        {"type": "object", "properties": {"from": {"type": ["string", "integer"]},
                                                          "training_only": {"anyOf": [{"type": "boolean"}, TEMPLATE_VALUE]}},
                         "required": ["from"], "additionalProperties": False}]}},
        "expect": _expect(EXPECT_TOP_KEYS, "the whole network"),
    }
    top = {key: top[key] for key in TOP_LEVEL_KEYS}  # in the order spec/records.py lists them
    assert tuple(top) == TOP_LEVEL_KEYS, "spec/records.py's TOP_LEVEL_KEYS and the schema differ"
    return {
        "$schema": DRAFT,
        "title": "convcalc network spec",
        "description": f"A network for convcalc {__version__}: input, layers, and optional name, layout, symbols, blocks "
                       "and expect. Generated by `convcalc schema spec`.",
        "type": "object",
        "properties": top,
        "required": ["input", "layers"],
        "additionalProperties": False,
        "definitions": definitions,
    }


def keyed_entry_keys() -> dict[str, Any]:
    return {"name": NAME, "from": FROM, "if": IF, "expect": _expect(EXPECT_LAYER_KEYS, "this layer")}


def _options(keys: tuple[str, ...], properties: dict[str, Any], required: list[str], typed: bool) -> dict[str, Any]:
    assert set(properties) <= set(keys), (keys, properties)
    shown = {key: properties.get(key, {}) for key in keys}
    shown.update({key: value for key, value in (("name", NAME), ("from", FROM), ("if", IF)) if key in keys})
    if typed:
        shown["type"] = {}
    return {"type": "object", "properties": shown, "required": required, "additionalProperties": False}


NONEMPTY = {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/entry"}}  # a list of layers that must not be empty


def _blocks() -> dict[str, Any]:
    entries = {"$ref": "#/definitions/entries"}
    path = {"anyOf": [entries, {"$ref": "#/definitions/entry"}, {"type": "null"}], "description": "a path: its layers (none: the block's input)"}
    merge = {"anyOf": [{"enum": list(MERGES)}, TEMPLATE_VALUE]}
    axis = {"anyOf": [{"type": "integer"}, TEMPLATE_VALUE], "description": "concat's axis, in the spec's layout"}
    after = {"anyOf": [entries, {"type": "null"}], "description": "layers after the merge"}
    residual = {"main": {**NONEMPTY, "description": "the main path"},
                "shortcut": {"anyOf": [entries, {"type": "null"}], "description": "the shortcut's layers (none: the identity)"},
                "merge": {**merge, "description": "how the paths meet (default add)"}, "axis": axis, "after": after}
    branches = {"paths": {"anyOf": [{"type": "array", "minItems": 2, "items": path},
                                    {"type": "object", "minProperties": 2, "additionalProperties": path}]},
                "merge": {**merge, "description": "how the paths meet (default concat)"}, "axis": axis, "after": after}
    repeat = {"times": {"anyOf": [{"type": "integer", "minimum": 0}, TEMPLATE_VALUE], "description": "how many copies ($i numbers them)"},
              "layers": NONEMPTY}
    params = {"anyOf": [{"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object", "minProperties": 1, "maxProperties": 1}]}},
                        {"type": "object"}],
              "description": "parameters: a bare name is required, name: value has a default"}
    template: dict[str, Any] = {"type": "object", "properties": {"params": params, "layers": NONEMPTY, "description": {}},
                "required": ["layers"], "additionalProperties": False}
    assert tuple(template["properties"]) == TEMPLATE_KEYS
    return {
        "residual": _options(RESIDUAL_KEYS, residual, ["main"], False),
        "residual.typed": _options(RESIDUAL_KEYS, residual, ["main"], True),
        "branches": {"anyOf": [{"type": "array", "minItems": 2, "items": path}, _options(BRANCHES_KEYS, branches, ["paths"], False)]},
        "branches.typed": _options(BRANCHES_KEYS, branches, ["paths"], True),
        "repeat": _options(REPEAT_KEYS, repeat, ["times", "layers"], False),
        "repeat.typed": _options(REPEAT_KEYS, repeat, ["times", "layers"], True),
        "template": {"anyOf": [NONEMPTY, template]},
    }
