"""A PyTorch model that torch.fx cannot trace, read through torch.export instead.

fx traces with symbolic values, so Python code that branches on a size (``if x.shape[-1] > 8``)
stops it; torch.export runs the model once on a zero input of the given shape and records the
ATen operations, with the module each came from (``nn_module_stack``) and the weights as inputs.
Each ATen op is read as the function of the same name (``aten.max_pool2d`` as ``F.max_pool2d``,
``aten.cat`` as ``torch.cat``) through the same declarations; the ops that carry a module's
weights (convolution, linear, batch norm) are read as that module from the weights' shapes.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...errors import SpecError
from .graph import MALFORMED, Builder, malformed
from .readback import readings
from .specwriter import Scoped
from .torch import BATCH, HANDLERS, _Reader, require_torch

SPACES = ("torch", "F", "Tensor")  # where an ATen op's name is looked up, in this order
CONTAINERS = ("torch.nn.modules.container",)


def export_graph(model: Any, input_shape: tuple[int, ...]) -> Any:
    torch = require_torch()
    training = model.training
    model.eval()
    try:
        return torch.export.export(model, (torch.zeros(1, *input_shape),), strict=False)
    except Exception as exc:  # noqa: BLE001  (the model's own code failing: named, not a traceback)
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise SpecError(f"cannot trace the model with torch.fx nor torch.export: {type(exc).__name__}: {text}",
                        hint="convcalc reads a model by tracing it; control flow that depends on tensor values cannot "
                             "be traced: read a part of the model that has none", where="trace") from None
    finally:
        model.train(training)


def read_exported(model: Any, input_shape: tuple[int, ...], identity: Iterable[str] = ()) -> tuple[Builder, list[Scoped], str]:
    program = export_graph(model, tuple(input_shape))
    graph = program.graph_module.graph
    user = {spec.arg.name for spec in program.graph_signature.input_specs if spec.kind.name == "USER_INPUT"}
    nodes = list(graph.nodes)
    builder = Builder(tuple(input_shape), "chw", "pytorch", {node.name: len(node.users) for node in nodes})
    reader = _ExportReader(builder, dict(model.named_modules()), set(identity), user)
    for position, node in enumerate(nodes, start=1):
        try:
            reader.node(node, position)
        except MALFORMED as exc:
            raise malformed(exc, f"node {position} '{node.name}' ({getattr(node.target, '__name__', node.target)})") from None
    return builder, reader.scoped(builder.finished()), type(model).__name__


class _ExportReader(_Reader):
    def __init__(self, builder: Builder, modules: dict[str, Any], identity: set[str], user: set[str]) -> None:
        super().__init__(builder, modules, identity)
        self.user = user

    def node(self, node: Any, position: int) -> None:
        if node.op == "placeholder" and node.name not in self.user:  # a weight or buffer: its shape is what counts
            value = node.meta.get("val")
            self.values[node.name] = ("value", ("tensor", tuple(value.shape) if value is not None else ()))
            return
        if node.op == "call_function" and _aten(node.target) in ("view", "reshape", "_unsafe_view") and len(node.args) > 1:
            sizes = list(node.args[1])
            if sizes and sizes[0] == 1:  # the batch of the one sample export ran
                node.args = (node.args[0], [BATCH, *sizes[1:]])
        super().node(node, position)

    def where_of(self, node: Any) -> tuple[tuple, str, str]:
        stack = list(node.meta.get("nn_module_stack", {}).values())
        path, cls = stack[-1] if stack else ("", "")
        framework = _framework_name(node.target)
        parts = [p for p in path.split(".") if p]
        leaf = cls.startswith("torch.nn.modules") and not cls.startswith(CONTAINERS) and parts
        scope_parts = parts[:-1] if leaf else parts
        scope = tuple((part, self._class_of(".".join(scope_parts[: i + 1]))) for i, part in enumerate(scope_parts))
        base = parts[-1] if leaf else (framework.split(".")[-1].rstrip("_") or "op")
        count = self.counters[(scope, base)] = self.counters.get((scope, base), 0) + 1
        return scope, base if count == 1 else f"{base}_{count}", framework


def _aten(target: Any) -> str:
    name = getattr(target, "__name__", "")  # 'conv2d.default'
    return name.split(".")[0]


def _framework_name(target: Any) -> str:
    """aten.max_pool2d -> F.max_pool2d: the declared function of the same name (else 'aten.<op>')."""
    op = _aten(target)
    if f"aten.{op}" in EXPORT_HANDLERS:
        return f"aten.{op}"
    known = readings("pytorch")
    for space in SPACES:
        name = f"{space}.{op}"
        if name in known or name in HANDLERS:
            return name
    return f"aten.{op}" if op else str(target)


# --------------------------------------------------------------------------- ops that carry a module's weights


def _shape(value: Any) -> tuple | None:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "value" and isinstance(value[1], tuple) and value[1][:1] == ("tensor",):
        return value[1][1]
    return None


def _arg(args: list[Any], position: int, default: Any = None) -> Any:
    if len(args) <= position:
        return default
    value = _Reader.plain(args[position])
    return default if value is None else value


def _module(reader: _Reader, node: Any, where: str, scope: tuple, name: str, framework: str, values: dict, tensor: Any) -> Any:
    if not reader.is_tensor(tensor):
        raise SpecError(f"{where}: reads no tensor")
    layer = reader.builder.add_read(node.name, name, scope, framework, values, [tensor[1]], where)
    reader.scopes[layer.key] = scope
    return ("layer", layer.key)


def _conv(transposed: bool):
    def read(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
        weight = _shape(args[1])
        rank = len(weight) - 2
        if transposed:  # (input, weight, bias, stride, padding, output_padding, groups, dilation)
            groups = _arg(args, 6, 1)
            values = {"in_channels": weight[0], "out_channels": weight[1] * groups, "kernel_size": weight[2:], "stride": _arg(args, 3, 1),
                      "padding": _arg(args, 4, 0), "output_padding": _arg(args, 5, 0), "groups": groups, "dilation": _arg(args, 7, 1)}
            framework = f"nn.ConvTranspose{rank}d"
        else:  # (input, weight, bias, stride, padding, dilation, groups)
            groups = _arg(args, 6, 1)
            values = {"in_channels": weight[1] * groups, "out_channels": weight[0], "kernel_size": weight[2:], "stride": _arg(args, 3, 1),
                      "padding": _arg(args, 4, 0), "dilation": _arg(args, 5, 1), "groups": groups}
            framework = f"nn.Conv{rank}d"
        values["bias"] = _shape(args[2]) is not None if len(args) > 2 else False
        return _module(reader, node, where, scope, name, framework, values, args[0])
    return read


def _linear(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    weight = _shape(args[1])
    values = {"in_features": weight[1], "out_features": weight[0], "bias": len(args) > 2 and _shape(args[2]) is not None}
    return _module(reader, node, where, scope, name, "nn.Linear", values, args[0])


def _batch_norm(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    """(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)"""
    rank = reader.builder.shape(args[0][1]).rank
    values = {"num_features": reader.builder.shape(args[0][1]).channels, "affine": _shape(args[1]) is not None,
              "track_running_stats": _shape(args[3]) is not None, "momentum": _arg(args, 6, 0.1), "eps": _arg(args, 7, 1e-5)}
    return _module(reader, node, where, scope, name, f"nn.BatchNorm{max(rank, 1)}d", values, args[0])


def _upsample(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    scales = _Reader.plain(args[-1])
    if not scales:
        raise SpecError(f"{where}: an upsampling to a size", hint="convcalc reads upsampling by a scale factor")
    return _module(reader, node, where, scope, name, "F.interpolate", {"scale_factor": tuple(scales)}, args[0])


def _hardtanh(reader: _Reader, node: Any, where: str, args: list[Any], kwargs: dict, scope: tuple, name: str) -> Any:
    if (_arg(args, 1, -1.0), _arg(args, 2, 1.0)) != (0.0, 6.0):
        raise SpecError(f"{where}: hardtanh between {_arg(args, 1, -1.0)} and {_arg(args, 2, 1.0)}", hint="convcalc reads hardtanh(0, 6) as relu6")
    return _module(reader, node, where, scope, name, "F.relu6", {}, args[0])


EXPORT_HANDLERS = {
    "aten.conv1d": _conv(False), "aten.conv2d": _conv(False), "aten.conv3d": _conv(False),
    "aten.conv_transpose1d": _conv(True), "aten.conv_transpose2d": _conv(True), "aten.conv_transpose3d": _conv(True),
    "aten.linear": _linear,
    "aten.batch_norm": _batch_norm,
    "aten.upsample_nearest1d": _upsample, "aten.upsample_nearest2d": _upsample, "aten.upsample_nearest3d": _upsample,
    "aten.upsample_bilinear2d": _upsample,
    "aten.hardtanh": _hardtanh, "aten.hardtanh_": _hardtanh,
}
HANDLERS.update(EXPORT_HANDLERS)  # the fx reader never meets an 'aten.' name
