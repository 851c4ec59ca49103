"""An ONNX model read into a convcalc spec from its graph and initializers (weights are read for
their shapes only). Only this module and ``onnx_constants`` import onnx.

Each node's op type is looked up among the kinds' declared ``onnx`` op types (the kind of the
input's rank); a declared sequence (GlobalAveragePool then Flatten: global average pooling) is
read as one layer. ONNX states its arguments as attributes and weight shapes, which no
declaration says as data: the handlers below read them, one per op type. Node names written by
PyTorch's exporter (``/layer1/layer1.0/conv1/Conv``) give the module scopes, so the spec keeps the
module names and blocks; arithmetic on shapes and constants (``onnx_constants``) is evaluated.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ...errors import SpecError
from ...layers import KINDS
from .graph import MALFORMED, Builder, malformed, needed, unsupported
from .onnx_constants import evaluate
from .onnx_ops import _axes, _layernorm, _pad, _pads, _reduce_mean, _resize, _transpose
from .specwriter import Scoped


def require_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise SpecError("importing an ONNX model needs onnx", hint="pip install 'convcalc[onnx]'") from None
    return onnx


def declared_kinds() -> dict[tuple[str, ...], list[str]]:
    """Op type sequence -> the kinds that declare it, in the registry's order."""
    table: dict[tuple[str, ...], list[str]] = {}
    for kind in KINDS.values():
        if kind.onnx:
            table.setdefault(tuple(kind.onnx), []).append(kind.name)
    return table


def read_onnx(source: Any, identity: Iterable[str] = (), input_shape: tuple[int, ...] | None = None) -> tuple[Builder, list[Scoped], str | None]:
    onnx = require_onnx()
    if isinstance(source, (str, os.PathLike)):
        try:
            model = onnx.load(os.fspath(source))
        except Exception as exc:  # noqa: BLE001  (a damaged or foreign file: named, not a traceback)
            raise SpecError(f"cannot read '{os.fspath(source)}' as ONNX: {type(exc).__name__}: {exc}", where=os.fspath(source)) from None
    else:
        model = source
    graph = model.graph
    reader = _Reader(graph, set(identity))
    dims = input_shape or reader.input_dims()
    reader.builder = Builder(tuple(dims), "chw", "onnx", reader.readers)
    reader.values[reader.input_name] = ("layer", "input")
    for position, node in enumerate(graph.node, start=1):
        try:
            reader.node(node, position)
        except MALFORMED as exc:
            raise malformed(exc, f"node {position} '{node.name or node.output[0]}' ({node.op_type})") from None
    outputs = [o.name for o in graph.output]
    if not outputs or not all(reader.is_layer(o) for o in outputs):
        raise SpecError(f"the model has {len(outputs)} outputs, not all of them computed from its input",
                        hint="convcalc reads models whose outputs are tensors computed from the input", where="onnx")
    keys = [reader.builder.resolve(reader.values[o][1]) for o in outputs]
    if "input" in keys:
        raise SpecError("the model returns its input: there is no layer to read", where="onnx")
    reader.builder.outputs = keys  # several: detection scales, an auxiliary head
    layers = reader.builder.finished()
    scoped = [Scoped(layer, reader.scopes.get(layer.key, ())) for layer in needed(layers, keys)]
    return reader.builder, scoped, graph.name or None


class _Reader:
    def __init__(self, graph: Any, identity: set[str]) -> None:
        from onnx import numpy_helper

        self.graph = graph
        self.identity = identity
        self.weights = {init.name: init for init in graph.initializer}
        self.numpy = numpy_helper
        self.values: dict[str, Any] = {}
        self.arrays: dict[str, Any] = {}  # a constant's value as the numpy array it is (dtype kept), for evaluating the next
        self.readers: dict[str, int] = {}
        for node in graph.node:
            for name in node.input:
                self.readers[name] = self.readers.get(name, 0) + 1
        inputs = [i for i in graph.input if i.name not in self.weights]
        if len(inputs) != 1:
            raise SpecError(f"the model has {len(inputs)} inputs", hint="convcalc reads models with one input", where="onnx")
        self.input_name = inputs[0].name
        self.input_info = inputs[0]
        self.builder: Builder = None  # type: ignore[assignment]
        self.scopes: dict[str, tuple] = {}
        self.counters: dict[tuple, int] = {}
        self.paths = [self.path(node.name) for node in graph.node]
        self.kinds = declared_kinds()

    def input_dims(self) -> tuple[int, ...]:
        dims = [d.dim_value if d.HasField("dim_value") else None for d in self.input_info.type.tensor_type.shape.dim]
        if len(dims) < 2 or any(d is None or d < 1 for d in dims[1:]):
            raise SpecError(f"the model's input size is not fixed ({dims})", hint="give the size: --input 3x224x224 (C, H, W)", where="onnx")
        return tuple(dims[1:])

    # ---- names and scopes

    @staticmethod
    def path(name: str) -> tuple[str, ...]:
        """'/layer1/layer1.0/conv1/Conv' -> ('layer1', '0', 'conv1'): the module path PyTorch's exporter wrote."""
        parts = [p for p in name.split("/") if p][:-1] if name.startswith("/") else []
        qualified: list[str] = []
        previous = ""
        for part in parts:
            if previous and part.startswith(previous + "."):
                qualified += part[len(previous) + 1:].split(".")
            else:
                qualified += part.split(".")
            previous = part
        return tuple(qualified)

    def place(self, node: Any, position: int) -> tuple[tuple, str]:
        path = self.paths[position - 1]
        leaf = path and sum(1 for p in self.paths if p[: len(path)] == path) == 1
        if leaf:
            return tuple((p, "") for p in path[:-1]), path[-1]
        scope = tuple((p, "") for p in path)
        base = node.op_type.lower()
        count = self.counters[(scope, base)] = self.counters.get((scope, base), 0) + 1
        return scope, base if count == 1 else f"{base}_{count}"

    # ---- values

    def is_layer(self, name: str) -> bool:
        return self.values.get(name, (None,))[0] == "layer"

    def const(self, name: str) -> Any:
        if name in self.weights:
            return self.numpy.to_array(self.weights[name]).tolist()
        value = self.values.get(name)
        if value is None or value[0] != "const":
            raise KeyError(name)
        return value[1]

    def array(self, name: str) -> Any:
        """A constant as its numpy array (an initializer, or a value evaluated before)."""
        if name in self.weights:
            return self.numpy.to_array(self.weights[name])
        return self.arrays[name]

    def dims(self, name: str) -> list[int]:
        if name in self.weights:
            return list(self.weights[name].dims)
        raise KeyError(name)

    def attributes(self, node: Any) -> dict[str, Any]:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    # ---- nodes

    def node(self, node: Any, position: int) -> None:
        scope, name = self.place(node, position)
        full = ".".join([*[s for s, _ in scope], name])
        where = f"node {position} '{node.name or node.output[0]}' ({node.op_type})"
        tensors = [i for i in node.input if i and self.is_layer(i)]
        if node.op_type == "Identity" and node.input[0] in self.weights:  # the exporter shares equal initializers (fresh ones, zeros)
            self.weights[node.output[0]] = self.weights[node.input[0]]
            return
        if not tensors or node.op_type == "Shape":  # arithmetic on constants and shapes
            for out, array in zip(node.output, evaluate(self, node, self.attributes(node), where, full)):
                self.arrays[out] = array
                self.values[out] = ("const", array.tolist())
            return
        if full in self.identity or node.op_type in self.identity or node.name in self.identity:
            layer = self.builder.add(node.output[0], name, scope, "identity", {}, [self.values[tensors[0]][1]], where)
        else:
            handler = HANDLERS.get(node.op_type)
            if handler is None:
                raise unsupported(where, full)
            found = handler(self, node, self.attributes(node), [self.values[t][1] for t in tensors], where)
            if isinstance(found, str):  # passed on: the output is that layer
                self.values[node.output[0]] = ("layer", found)
                return
            kind, args = found[:2]  # then, where the handler gives them, the kind's adapters and the layer's own inputs
            adapters = found[2] if len(found) > 2 else ()
            keys = found[3] if len(found) > 3 else [self.values[t][1] for t in tensors]
            if kind is None:  # a pad of -inf or a crop: folded by the pooling or transposed convolution beside it
                layer = self.builder.add_pending(node.output[0], name, scope, keys, where, **args)
            else:
                layer = self.builder.add(node.output[0], name, scope, kind, args, keys, where, adapters)
        self.values[node.output[0]] = ("layer", layer.key)
        self.scopes[layer.key] = scope

    def kind(self, op: str, rank: int, where: str) -> str:
        for name in self.kinds.get((op,), []):
            kind = KINDS[name]
            if kind.rank is None or kind.rank == rank:
                return name
        raise SpecError(f"{where}: convcalc has no {op} for an input with {rank} spatial axes")

    def rank(self, key: str) -> int:
        return self.builder.shape(key).rank


def _window(reader: _Reader, attrs: dict, rank: int, where: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    auto = attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto in ("SAME_UPPER",):
        args["padding"] = "same"
    elif auto == "SAME_LOWER":
        raise SpecError(f"{where}: auto_pad SAME_LOWER (the odd padding before)", hint="convcalc's 'same' pads the odd pixel after")
    elif auto != "VALID":
        args["padding"] = _pads(attrs.get("pads"), rank)
    if "strides" in attrs:
        args["stride"] = _axes(attrs["strides"])
    if "dilations" in attrs and any(d != 1 for d in attrs["dilations"]):
        args["dilation"] = _axes(attrs["dilations"])
    return args


def _conv(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    weight = reader.dims(node.input[1])
    rank = len(weight) - 2
    groups = attrs.get("group", 1)
    args = {"filters": weight[0], "kernel": _axes(attrs.get("kernel_shape", weight[2:])), **_window(reader, attrs, rank, where)}
    if groups != 1:
        args["groups"] = groups
    args["bias"] = len(node.input) > 2 and bool(node.input[2])
    return reader.kind("Conv", rank, where), args, ("explicit_padding",)


def _conv_transpose(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    weight = reader.dims(node.input[1])
    rank = len(weight) - 2
    groups = attrs.get("group", 1)
    args = {"filters": weight[1] * groups, "kernel": _axes(attrs.get("kernel_shape", weight[2:])), **_window(reader, attrs, rank, where)}
    if isinstance(args.get("padding"), list) and args["padding"] and isinstance(args["padding"][0], list):
        raise SpecError(f"{where}: a transposed convolution with uneven padding", hint="convcalc takes the same padding on both sides")
    if "output_padding" in attrs and any(attrs["output_padding"]):
        args["output_padding"] = _axes(attrs["output_padding"])
    if groups != 1:
        args["groups"] = groups
    args["bias"] = len(node.input) > 2 and bool(node.input[2])
    return reader.kind("ConvTranspose", rank, where), args, ("transposed_padding",)


def _gemm(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    weight = reader.dims(node.input[1])
    if attrs.get("transA", 0) or len(weight) != 2:
        raise unsupported(where, node.name)
    units = weight[0] if attrs.get("transB", 0) else weight[1]
    return reader.kind("Gemm", 0, where), {"units": units, "bias": len(node.input) > 2 and bool(node.input[2])}


def _matmul(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    if node.input[1] not in reader.weights or len(reader.dims(node.input[1])) != 2:
        raise SpecError(f"{where}: a product of two tensors", hint="convcalc reads MatMul with a weight matrix (a dense layer)")
    args = {"units": reader.dims(node.input[1])[1], "bias": False}
    if reader.rank(inputs[0]):
        args["axis"] = -1  # a MatMul acts on the last axis, as nn.Linear does
    return reader.kind("Gemm", 0, where), args


def _pool(op: str):
    def read(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
        rank = reader.rank(inputs[0])
        kernel = attrs.get("kernel_shape")
        args = {"kernel": _axes(kernel), **_window(reader, attrs, rank, where)}
        args.setdefault("stride", 1)
        if attrs.get("ceil_mode"):
            args["ceil_mode"] = True
        if op == "AveragePool" and not attrs.get("count_include_pad", 0):
            args["count_include_pad"] = False
        return reader.kind(op, rank, where), args, ("max_pool_padding" if op == "MaxPool" else "avg_pool_padding",)
    return read


def _global(op: str):
    def read(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
        """Declared with the Flatten after it (global pooling); alone it keeps 1×1: adaptive pooling to 1."""
        rank = reader.rank(inputs[0])
        users = [n for n in reader.graph.node if node.output[0] in n.input]
        if len(users) == 1 and users[0].op_type == "Flatten" and reader.readers.get(node.output[0]) == 1:
            kinds = reader.kinds.get((op, "Flatten"), [])
            if kinds:
                reader.pending_flatten = users[0].output[0]
                return kinds[0], {}
        name = "adaptive_avgpool" if op == "GlobalAveragePool" else "adaptive_maxpool"
        kind = f"{name}{rank}d"
        if kind not in KINDS:
            raise SpecError(f"{where}: convcalc has no {kind}")
        return kind, {"output_size": 1}
    return read


def _flatten(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    if getattr(reader, "pending_flatten", None) == node.output[0]:
        return inputs[0]  # the flatten of a global pooling: already part of it
    if attrs.get("axis", 1) != 1:
        raise SpecError(f"{where}: flattens from axis {attrs.get('axis')}", hint="convcalc flattens everything but the batch (axis 1)")
    return reader.kind("Flatten", reader.rank(inputs[0]), where), {}


def _reshape(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    try:
        shape = list(reader.const(node.input[1]))
    except KeyError:
        raise SpecError(f"{where}: a reshape to a computed shape", hint="export the model with constant folding") from None
    if not shape or shape[0] not in (0, 1, -1):
        raise SpecError(f"{where}: reshapes the batch axis ({shape})", hint="convcalc reads reshapes that keep the batch")
    if shape[0] == -1 and -1 in shape[1:]:
        raise SpecError(f"{where}: reshape {shape} leaves two sizes to infer")
    rest = [int(d) for d in shape[1:]]
    full = list(reader.builder.shape(inputs[0]).in_layout("chw"))
    rest = [full[i] if d == 0 else d for i, d in enumerate(rest)]
    return "reshape", {"shape": rest}


def _merge(op: str, kind: str):
    def read(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
        if len(inputs) == len([i for i in node.input if i]):
            return kind, {}
        source = reader.builder.layer(inputs[0])
        constant = [i for i in node.input if i and not reader.is_layer(i)]
        if op == "Add" and source is not None and source.kind == "dense" and not source.args.get("bias", True) and constant \
                and constant[0] in reader.weights and _numel(reader.dims(constant[0])) == source.args["units"] \
                and reader.builder.sole_reader(node.input[0]):
            source.args["bias"] = True  # MatMul then Add of a vector: a dense layer's bias
            return source.key
        if op == "Mul" and constant and len(inputs) == 1:
            try:
                scale = reader.array(constant[0])
            except KeyError:
                scale = None
            channels = reader.builder.shape(inputs[0]).channels
            if scale is not None and scale.size == channels and scale.shape[:1] in ((channels,), (1,)) and scale.ndim == reader.rank(inputs[0]) + 1:
                return "layer_scale", {"init": float(scale.flat[0])}  # a learnt scale per channel, shaped (C, 1, 1): LayerScale
        raise SpecError(f"{where}: {op} with a constant", hint=f"convcalc's {kind} merges layers; "
                        f"--as-identity {node.name or op} reads it as identity when it changes no shape")
    return read


def _numel(dims: list[int]) -> int:
    total = 1
    for d in dims:
        total *= d
    return total


def _concat(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    rank = reader.rank(inputs[0])
    axis = attrs.get("axis", 1)
    if axis in (1, -(rank + 2)):
        return "concat", {}
    if axis == 0:
        raise SpecError(f"{where}: joins along the batch axis")
    return "concat", {"axis": axis - 1 if axis > 0 else axis}


def _simple(op: str, **names: str):
    """An activation (or other one-input op) whose attributes map by name onto the kind's arguments."""
    def read(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
        args = {names[k]: v for k, v in attrs.items() if k in names}
        return reader.kind(op, reader.rank(inputs[0]), where), args
    return read


def _batchnorm(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    args = {"eps": round(float(attrs.get("epsilon", 1e-5)), 10), "momentum": round(1 - float(attrs.get("momentum", 0.9)), 6)}
    if node.input[1] not in reader.weights and node.input[2] not in reader.weights:
        args["affine"] = False  # scale and shift are constants the exporter wrote (PyTorch's affine=False), no weights
    return reader.kind("BatchNormalization", 0, where), args


def _clip(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    low = attrs.get("min") if "min" in attrs else (reader.const(node.input[1]) if len(node.input) > 1 and node.input[1] else None)
    high = attrs.get("max") if "max" in attrs else (reader.const(node.input[2]) if len(node.input) > 2 and node.input[2] else None)
    if low == 0 and high == 6:
        return "relu6", {}
    raise SpecError(f"{where}: Clip between {low} and {high}", hint="convcalc reads Clip(0, 6) as relu6; --as-identity reads another")


def _prelu(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    return "prelu", {"per_channel": _numel(reader.dims(node.input[1])) > 1}


def _dropout(reader: _Reader, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    ratio = attrs.get("ratio")
    if ratio is None and len(node.input) > 1 and node.input[1]:
        ratio = reader.const(node.input[1])
    return "dropout", ({"rate": round(float(ratio), 6)} if ratio is not None else {})


HANDLERS = {
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "MaxPool": _pool("MaxPool"),
    "AveragePool": _pool("AveragePool"),
    "GlobalAveragePool": _global("GlobalAveragePool"),
    "GlobalMaxPool": _global("GlobalMaxPool"),
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Add": _merge("Add", "add"),
    "Sub": _merge("Sub", "subtract"),
    "Mul": _merge("Mul", "multiply"),
    "Concat": _concat,
    "BatchNormalization": _batchnorm,
    "Relu": _simple("Relu"),
    "Sigmoid": _simple("Sigmoid"),
    "Tanh": _simple("Tanh"),
    "Softmax": _simple("Softmax"),
    "LogSoftmax": _simple("LogSoftmax"),
    "LeakyRelu": _simple("LeakyRelu", alpha="negative_slope"),
    "Elu": _simple("Elu", alpha="alpha"),
    "Selu": _simple("Selu"),
    "Gelu": _simple("Gelu"),
    "HardSwish": _simple("HardSwish"),
    "HardSigmoid": _simple("HardSigmoid"),
    "Mish": _simple("Mish"),
    "Softplus": _simple("Softplus"),
    "Identity": _simple("Identity"),
    "LRN": _simple("LRN", size="size", alpha="alpha", beta="beta", bias="k"),
    "Clip": _clip,
    "PRelu": _prelu,
    "Dropout": _dropout,
    "Pad": _pad,
    "Resize": _resize,
    "Upsample": _resize,
    "ReduceMean": _reduce_mean,
    "Transpose": _transpose,
    "LayerNormalization": _layernorm,
}
