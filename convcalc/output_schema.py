"""JSON Schemas of what convcalc writes: `convcalc schema output|check|solve|types|list`.

`output` describes the record render/formats.py writes for `summary --format json` (a test checks
that the two name the same keys); `check`, `solve`, `types` and `list` the other commands' `-f json`.
Every one begins with schema_version (SCHEMA_VERSION, render/formats.py) and convcalc_version.
Draft-07, as the spec schema (schema.py).
"""
from __future__ import annotations

from typing import Any

from .render.formats import SCHEMA_VERSION
from .schema import DRAFT, spec_schema

COUNT = {"type": ["integer", "string"], "description": "an exact integer; a formula in SymPy's syntax for a symbolic spec"}
SHAPE = {"type": "array", "items": COUNT}
POSITION = {"type": ["integer", "number", "string"], "description": "an exact integer, a fraction a float holds exactly, or text"}


def _record(fields: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": fields, "required": [key for key in fields if key not in optional]}


def _described(schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {**schema, "description": text}


LAYER_FIELDS: dict[str, Any] = {
    "index": _described({"type": "integer"}, "1-based position in the spec (the input is not a layer)"),
    "name": _described({"type": "string"}, "the full dotted name (layer2.0.conv1)"),
    "type": _described({"type": "string"}, "the layer kind, canonical"),
    "inputs": _described({"type": "array", "items": {"type": "string"}}, "the full names of the layers it reads ('input': the network's input)"),
    "path": _described({"type": "array", "items": {"type": "string"}}, "the enclosing blocks, outermost first"),
    "input_shape": _described(SHAPE, "its (first) input's shape, in the layout, no batch axis"),
    "output_shape": _described(SHAPE, "its output's shape, in the layout, no batch axis"),
    "params": _described(COUNT, "trainable + non-trainable"),
    "trainable_params": COUNT,
    "non_trainable_params": _described(COUNT, "BatchNorm's moving statistics and the like"),
    "weights": COUNT,
    "biases": COUNT,
    "formula": _described({"type": "string"}, "the parameter count written out ('' when none)"),
    "macs": _described(COUNT, "multiply-accumulates for one sample"),
    "warnings": _described({"type": "array", "items": {"type": "string"}}, "sizes rounded down, and the like"),
    "flops": _described(COUNT, "floating-point operations for one sample, by flops_convention"),
    "activation_elements": _described(COUNT, "the output's elements for one sample"),
    "activation_bytes": _described(COUNT, "the output's bytes for the batch at the dtype"),
    "parameter_bytes": _described(COUNT, "the parameters' bytes at the dtype"),
    "receptive_field": {"description": "per spatial axis (null once the spatial axes are gone)", "anyOf": [{"type": "null"}, {
        "type": "array", "items": _record({"axis": {"type": "string"}, "size": POSITION, "jump": POSITION, "start": POSITION,
                                           "centre": POSITION, "effective_padding": POSITION, "exact": {"type": "boolean"}})}]},
    "explain": _described({"type": "array", "items": {"type": "string"}}, "with --explain: the layer's arithmetic, line by line"),
    "remarks": _described({"type": "array", "items": {"type": "string"}},
                          "what the row does not show: 'flattens 7·7·512 = 25,088 inputs' (present when there is one)"),
    "output_shapes": _described({"type": "array", "items": SHAPE},
                                "a layer with several outputs (a split): each, as later layers name them NAME.0, NAME.1, …"),
    "training_only": _described({"const": True}, "only a training-only output needs it: left out of total_macs and inference memory"),
}
BLOCK_FIELDS: dict[str, Any] = {
    "name": {"type": "string"},
    "type": _described({"type": "string"}, "residual, branches, repeat, group, shortcut, path, or a template's name"),
    "path": {"type": "array", "items": {"type": "string"}},
    "first_index": {"type": "integer"},
    "last_index": {"type": "integer"},
    "layers": _described({"type": "integer"}, "how many layers it holds"),
    "output_shape": SHAPE,
    "params": COUNT,
    "trainable_params": COUNT,
    "non_trainable_params": COUNT,
}
MEMORY_FIELDS: dict[str, Any] = {
    "dtype": {"type": "string"}, "bytes_per_element": {"type": "integer"}, "batch": {"type": "integer"}, "optimizer": {"type": "string"},
    **{key: COUNT for key in ("input_bytes", "activation_bytes", "parameter_bytes", "inference_peak_activation_bytes",
                              "inference_bytes", "training_activation_bytes", "gradient_bytes", "optimizer_state_bytes",
                              "training_bytes")},
}
REPORT_FIELDS: dict[str, Any] = {
    "schema_version": _described({"const": SCHEMA_VERSION}, "this record's layout; raised when a key changes meaning or type"),
    "convcalc_version": _described({"type": "string"}, "the convcalc release that wrote it"),
    "name": {"type": ["string", "null"]},
    "layout": _described({"enum": ["hwc", "chw"]}, "the order of every shape in this record"),
    "spec_layout": _described({"enum": ["hwc", "chw"]}, "the order the spec is written in"),
    "input_shape": SHAPE,
    "output_shape": _described(SHAPE, "the (first, main) output's shape"),
    "outputs": _described({"type": "array", "items": _record({"name": {"type": "string"}, "shape": SHAPE, "training_only": {"type": "boolean"}})},
                          "every output of the network: the spec's outputs:, or its last layer"),
    "symbols": _described({"type": "array", "items": {"type": "string"}}, "the letters the sizes use"),
    "valid_when": _described({"type": "array", "items": {"type": "string"}}, "for which values of the symbols every size is ≥ 1"),
    "layers": {"type": "array", "items": {"$ref": "#/definitions/layer"}},
    "total_params": _described(COUNT, "trainable + non-trainable"),
    "trainable_params": COUNT,
    "non_trainable_params": COUNT,
    "total_macs": _described(COUNT, "multiply-accumulates of inference (a training-only head left out)"),
    "training_only_macs": _described(COUNT, "a spec with a training-only head: that head's MACs"),
    "training_only_flops": _described(COUNT, "a spec with a training-only head: that head's FLOPs"),
    "warnings": {"type": "array", "items": _record({"index": {"type": "integer"}, "name": {"type": "string"}, "message": {"type": "string"}})},
    "total_flops": COUNT,
    "flops_convention": _described({"type": "string"}, "what one FLOP counts"),
    "memory": {"$ref": "#/definitions/memory"},
    "blocks": _described({"type": "array", "items": {"$ref": "#/definitions/block"}},
                         "a spec with blocks: one entry per block (never add them to the layers' sums)"),
    "explain_total": _described({"type": "array", "items": {"type": "string"}}, "with --explain: the totals' arithmetic"),
}
OPTIONAL = ("blocks", "explain", "explain_total", "remarks", "output_shapes", "training_only", "training_only_macs",
            "training_only_flops")  # present only for some specs or options


def output_schema() -> dict[str, Any]:
    """The JSON Schema of `convcalc summary --format json` (and explain's, which adds explain keys)."""
    from .version import __version__

    return {
        "$schema": DRAFT,
        "title": "convcalc summary --format json",
        "description": f"convcalc {__version__}'s JSON report, schema_version {SCHEMA_VERSION}. New keys may be added "
                       "without a new schema_version; a key that changes its meaning or type raises it.",
        **_record(REPORT_FIELDS, OPTIONAL),
        "definitions": {
            "layer": _record(LAYER_FIELDS, OPTIONAL),
            "block": _record(BLOCK_FIELDS),
            "memory": _record(MEMORY_FIELDS),
        },
    }


# --------------------------------------------------------------------------- the other commands' JSON


def _stamp() -> dict[str, Any]:
    return {
        "schema_version": _described({"const": SCHEMA_VERSION}, "this record's layout; raised when a key changes meaning or type"),
        "convcalc_version": _described({"type": "string"}, "the convcalc release that wrote it"),
    }


def _document(command: str, fields: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    from .version import __version__

    return {
        "$schema": DRAFT,
        "title": f"convcalc {command} --format json",
        "description": f"convcalc {__version__}'s JSON, schema_version {SCHEMA_VERSION}: new keys may be added without a new "
                       "schema_version; a key that changes its meaning or type raises it.",
        **_record({**_stamp(), **fields}, optional),
    }


ANSWER = {"description": "as written in expect: (a number, a shape, text), or the exact value: an integer, a list of sizes, "
                         "a fraction or formula as text"}
VERDICT_FIELDS: dict[str, Any] = {
    "layer_index": _described({"type": ["integer", "null"]}, "the layer the answer is about (null: the network's totals)"),
    "layer_name": {"type": ["string", "null"]},
    "what": _described({"type": "string"}, "the figure: shape, weights, biases, params, macs, …"),
    "answer": _described(ANSWER, "what the student wrote"),
    "correct": _described(ANSWER, "the right value"),
    "right": {"type": "boolean"},
    "status": {"enum": ["right", "wrong", "unreadable", "unmarked"]},
    "diagnosis": _described({"type": "string"}, "the mistake named ('' when right)"),
    "details": {"type": "array", "items": {"type": "string"}},
    "derivation": _described({"type": "array", "items": {"type": "string"}}, "the right working, line by line"),
}
SIZE = {"type": ["integer", "null"]}
SOLUTION_FIELDS: dict[str, Any] = {
    "input": {"type": "integer"}, "output": {"type": "integer"}, "kernel": _described(SIZE, "null: any kernel fits"),
    "stride": {"type": "integer"}, "padding": _described({"type": ["integer", "string"]}, "pixels, or 'same'"),
    "dilation": {"type": "integer"}, "output_padding": SIZE,
    "check": _described({"type": "string"}, "the forward formula with the numbers put in"),
    "rounded": _described({"enum": ["floor", "ceil", None]}, "how a size that does not divide evenly is rounded"),
    "unused_input_pixels": {"type": "integer"}, "unused_padding": {"type": "integer"},
}
SOLVE_FIELDS: dict[str, Any] = {
    "op": {"enum": ["conv", "pool", "transposed"]},
    "input": SIZE,
    "output": SIZE,
    "question": _described({"enum": ["output", "input", "hyperparameters"]}, "what was solved for"),
    "ceil_mode": {"type": "boolean"},
    "count": _described({"type": "integer"}, "how many solutions there are (solutions lists at most --max-solutions)"),
    "solutions": {"type": "array", "items": _record(SOLUTION_FIELDS)},
}
TYPE_FIELDS: dict[str, Any] = {
    key: _described({"type": "string"}, text) for key, text in (
        ("type", "the kind's canonical name"), ("primary", "the argument a bare value fills ('' when none)"),
        ("arguments", "name=default, …; 'none'"), ("aliases", "other spellings, comma-separated"),
        ("summary", "what it is"), ("rule", "its shape and parameter rule"))
}
SPEC_FIELDS: dict[str, Any] = {
    "name": _described({"type": "string"}, "the name to give as SPEC (resnet50)"),
    "path": _described({"type": "string"}, "the file"),
    "title": _described({"type": "string"}, "the spec's own name: ('' when none)"),
    "layout": {"enum": ["hwc", "chw"]},
    "input": _described({"type": "array", "items": {"type": ["integer", "string"]}}, "the input's sizes as written"),
    "about": _described({"type": "string"}, "the comment at the top of the file"),
}


def check_schema() -> dict[str, Any]:
    counts = {status: _described({"type": "integer"}, f"how many answers are {status}")
              for status in ("right", "wrong", "unreadable", "unmarked")}
    return _document("check", {**counts, "answers": {"type": "array", "items": _record(VERDICT_FIELDS)}})


def solve_schema() -> dict[str, Any]:
    return _document("solve", SOLVE_FIELDS)


def types_schema() -> dict[str, Any]:
    return _document("types", {"types": {"type": "array", "items": _record(TYPE_FIELDS)}})


def list_schema() -> dict[str, Any]:
    return _document("list", {"specs": {"type": "array", "items": _record(SPEC_FIELDS)}})


# What `convcalc schema WHICH` prints.
SCHEMAS = {"spec": spec_schema, "output": output_schema, "check": check_schema, "solve": solve_schema, "types": types_schema,
           "list": list_schema}


def schema(which: str) -> dict[str, Any]:
    """The JSON Schema SCHEMAS names ``which``."""
    return SCHEMAS[which]()
