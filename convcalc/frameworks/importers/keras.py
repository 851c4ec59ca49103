"""A Keras model read into a convcalc spec from its JSON config: no Keras needed.

Reads ``model.to_json()`` text, its parsed mapping, a .json file, a .keras archive (its
config.json), or a live Keras model (through its ``to_json``). Sequential and functional models,
Keras 3's and Keras 2's layouts of ``inbound_nodes``. Each layer is looked up by class name in
the table the declarations give (``readback``); its ``activation`` becomes a layer of its own after
it, as convcalc's own ``activation:`` does; a Cropping right after a transposed convolution is
the crop convcalc's export writes, folded back.
"""
from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import SpecError
from .graph import MALFORMED, PORT, Builder, malformed, needed, unsupported
from .readback import readings
from .specwriter import Scoped

SKIPPED = ("InputLayer",)


def _config(source: Any) -> Mapping[str, Any]:
    """The model's config mapping from whatever was given."""
    if hasattr(source, "to_json") and not isinstance(source, (str, bytes, Mapping)):
        source = source.to_json()
    if isinstance(source, (str, os.PathLike)) and os.path.isfile(source):
        path = os.fspath(source)
        if path.lower().endswith(".keras") or zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as archive:
                    source = archive.read("config.json").decode("utf-8")
            except (KeyError, zipfile.BadZipFile, OSError) as exc:
                raise SpecError(f"cannot read '{path}' as a .keras archive: {exc}", where=path) from None
        else:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    if isinstance(source, str):
        try:
            source = json.loads(source)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not Keras model JSON: {exc}", hint="give model.to_json() or a .keras archive", where="keras") from None
    if not isinstance(source, Mapping) or "config" not in source or "class_name" not in source:
        raise SpecError("not a Keras model config (no class_name and config)", hint="give model.to_json() or a .keras archive",
                        where="keras")
    return source


def _history(tensor: Any) -> tuple[str, int] | None:
    """The layer a Keras 3 tensor record or a Keras 2 [name, node, index, kwargs] list comes from, and
    which of its outputs (a split's several)."""
    if isinstance(tensor, Mapping):
        history = tensor.get("config", {}).get("keras_history")
        return (history[0], _index(history)) if history else None
    if isinstance(tensor, list) and tensor and isinstance(tensor[0], str):
        return tensor[0], _index(tensor)
    return None


def _index(history: list) -> int:
    return history[2] if len(history) > 2 and isinstance(history[2], int) else 0


def _tensors(value: Any) -> list[tuple[str, int]]:
    """Every (layer name, output index) a call's arguments read, in order."""
    found = _history(value)
    if found is not None:
        return [found]
    if isinstance(value, Mapping):
        return [n for v in value.get("args", []) for n in _tensors(v)]
    if isinstance(value, list):
        return [n for v in value for n in _tensors(v)]
    return []


def _inbound(layer: Mapping[str, Any]) -> list[tuple[str, int]]:
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) > 1:
        raise SpecError(f"layer '{layer.get('name')}' is called {len(nodes)} times (a shared layer)",
                        hint="convcalc reads each layer once; its parameters would be counted twice", where="keras")
    return _tensors(nodes[0]) if nodes else []


def read_keras(source: Any, identity: Iterable[str] = (), input_shape: tuple[int, ...] | None = None) -> tuple[Builder, list[Scoped], str | None]:
    config = _config(source)
    model = config["config"]
    layers = list(model.get("layers", []))
    sequential = config["class_name"] == "Sequential"
    identity = set(identity)
    if sequential:  # each layer reads the one before
        previous = None
        for layer in layers:
            layer.setdefault("name", layer.get("config", {}).get("name"))
            if layer.get("class_name") != "InputLayer":
                layer["_inputs"] = [(previous, 0)] if previous else [("input", 0)]
            previous = layer["name"]
    dims = input_shape or _input_dims(layers, model)
    readers: dict[str, int] = {}
    for layer in layers:
        inputs = layer["_inputs"] if sequential and "_inputs" in layer else _inbound(layer)
        layer["_inputs"] = inputs
        for name, _ in inputs:
            readers[name] = readers.get(name, 0) + 1
    builder = Builder(tuple(dims), "hwc", "keras", readers)
    output = None
    inputs_seen = []
    for position, layer in enumerate(layers, start=1):
        try:
            output = _layer(builder, layer, position, identity, inputs_seen) or output
        except MALFORMED as exc:
            name = layer.get("name") if isinstance(layer, Mapping) else None
            raise malformed(exc, f"layer {position} '{name}' ({layer.get('class_name') if isinstance(layer, Mapping) else type(layer).__name__})") from None
    if not sequential:
        outputs = model.get("output_layers") or []
        named = [o for o in (outputs if outputs and isinstance(outputs[0], list) else [outputs]) if o]
        if not named:
            raise SpecError("the model has no output", hint="convcalc reads models with one or more outputs", where="keras")
        builder.outputs = [_key(builder, o[0], _index(o)) for o in named]  # several: an auxiliary head, detection scales
        output = builder.outputs[0]
    scoped = [Scoped(layer, ()) for layer in needed(builder.finished(), getattr(builder, "outputs", None) or [output])]
    return builder, scoped, model.get("name")


def _key(builder: Builder, name: str, index: int) -> str:
    """The key of a layer's output: 'NAME#k' for output k of a layer with several (a split), else the layer's."""
    found = builder.layer(name)
    if found is not None and len(found.output_shapes) > 1:
        return f"{builder.resolve(name)}{PORT}{index}"
    return builder.resolve(name)


def _lambda_function(config: Mapping[str, Any]) -> str | None:
    """The name of a Lambda's function when Keras wrote it by name (Keras 3: a 'function' record;
    Keras 2: function_type 'function'); None for a lambda, whose config holds only bytecode."""
    function = config.get("function")
    if isinstance(function, Mapping) and function.get("class_name") == "function" and isinstance(function.get("config"), str):
        return function["config"]
    if isinstance(function, str) and config.get("function_type") == "function":
        return function
    return None


def _input_dims(layers: list[Mapping[str, Any]], model: Mapping[str, Any]) -> tuple[int, ...]:
    shape = None
    for layer in layers:
        config = layer.get("config", {})
        shape = config.get("batch_shape") or config.get("batch_input_shape") or shape
        if shape:
            break
    if shape is None:
        shape = (model.get("build_input_shape") or [None])
    dims = list(shape)[1:]
    if not dims or any(not isinstance(d, int) for d in dims):
        raise SpecError(f"the model's input size is not fixed ({shape})", hint="give the size: --input 224x224x3 (H, W, C)", where="keras")
    return tuple(dims)


def _layer(builder: Builder, layer: Mapping[str, Any], position: int, identity: set[str], inputs_seen: list) -> str | None:
    cls = layer.get("class_name", "")
    config = layer.get("config", {})
    name = layer.get("name") or config.get("name") or f"layer_{position}"
    where = f"layer {position} '{name}' ({cls})"
    if cls in SKIPPED:
        if name != "input":
            builder.alias[name] = "input"
        inputs_seen.append(name)
        if len(inputs_seen) > 1:
            raise SpecError("the model has more than one input", hint="convcalc reads models with one input", where=where)
        return None
    if config.get("data_format") == "channels_first":
        raise SpecError(f"{where}: data_format channels_first", hint="convcalc reads channels_last Keras models", where=None)
    keys = [_key(builder, k, index) for k, index in layer["_inputs"]]
    if not keys:
        raise SpecError(f"{where}: reads no tensor", hint="a layer of a model reads the layer before it")
    if name in identity or cls in identity:
        builder.add(name, name, (), "identity", {}, keys[:1], where)
        return name
    if cls.startswith("Cropping"):
        crop = _crop(config.get("cropping"), builder.shape(keys[0]).rank)
        builder.add_pending(name, name, (), keys, where, crop=crop, why="a crop that follows no transposed convolution")
        return builder.resolve(name)
    if cls == "Lambda" and _lambda_function(config) in readings("keras"):  # a function convcalc's export defines
        cls, config = _lambda_function(config), dict(config.get("arguments") or {})
    if cls not in readings("keras"):
        raise unsupported(where, name)
    activation = config.get("activation")
    own = name
    if isinstance(activation, str) and activation != "linear" and "activation" not in _declared(cls):
        own = name + "\0before"  # its name means the activation's output, as in Keras
    layer_record = builder.add_read(own, name, (), cls, dict(config), keys, where)
    if own != name:
        act = builder.add_read(name, name, (), "Activation", {"activation": activation}, [layer_record.key],
                               f"{where} activation '{activation}'")
        act.name = f"{name}_{act.kind}"  # as convcalc's own activation= names it
        return act.key
    return layer_record.key


def _declared(cls: str) -> set[str]:
    return {p.name for r in readings("keras").get(cls, ()) for p in r.module.params}


def _crop(value: Any, rank: int) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    items = list(value)
    if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
        return [tuple(items)]
    return [tuple(v) if isinstance(v, (list, tuple)) else (v, v) for v in items]
