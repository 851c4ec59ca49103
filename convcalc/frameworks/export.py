"""From a computed network to framework code: a PyTorch module or a Keras functional model.

Pure text generation from a :class:`~convcalc.engine.NetworkReport`: neither torch nor keras
is imported here. The PyTorch text realises every layer exactly as convcalc computed it (an
asymmetric "same" padding becomes an explicit pad, a transposed "same" an explicit crop), so
that running it reproduces convcalc's shapes and parameter counts; the cross-check tests do
just that for every shipped spec.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from ..arith import is_int
from ..engine import LayerReport, NetworkReport
from ..errors import SpecError
from ..layers import LayerContext, axis_pads
from ..shapes import Shape

TARGETS = ("pytorch", "keras")

# Attribute names an nn.Module already has: a layer named 'forward' or 'train' must not replace them.
_MODULE_ATTRIBUTES = frozenset(
    """T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double
    dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half
    ipu load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
    register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
    register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook
    register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to
    to_empty train training type xpu zero_grad""".split()
)
# Names the generated code itself uses, so no layer variable may take them.
_RESERVED = frozenset({"self", "x", "torch", "nn", "tf", "keras", "layers", "inputs", "INPUT_SHAPE"})


# --------------------------------------------------------------------------- names


def identifier(name: str) -> str:
    """A layer name as a Python identifier: 'conv-1' -> 'conv_1', '2a' -> 'layer_2a'."""
    text = re.sub(r"\W", "_", str(name), flags=re.ASCII)
    if not text or text[0].isdigit() or text.startswith("_"):
        text = "layer_" + text.lstrip("_")
    if keyword.iskeyword(text) or text in _MODULE_ATTRIBUTES or text in _RESERVED:
        text += "_"
    return text


def identifiers(report: NetworkReport) -> dict[str, str]:
    """Every layer's identifier, unique within the network (spec name -> identifier)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for layer in report.layers:
        base = identifier(layer.name)
        ident, n = base, 2
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        result[layer.name] = ident
    return result


def docstring_text(text: str) -> str:
    """User text (the network's name, the spec's path) made safe inside a generated docstring.

    The code is meant to be run (`convcalc export SPEC | python -`): a quote, backslash or line
    break in a name must not end the docstring and turn the rest of the name into code.
    """
    out = []
    for char in str(text):
        if char in '\\"':
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


def class_name(report: NetworkReport) -> str:
    """'VGG-16' -> 'VGG16', 'AlexNet (original, two GPUs)' -> 'AlexNetOriginalTwoGPUs'."""
    parts = re.findall(r"[A-Za-z0-9]+", report.name or "")
    text = "".join(p[0].upper() + p[1:] for p in parts)
    if not text:
        return "Network"
    return "Net" + text if text[0].isdigit() else text


# --------------------------------------------------------------------------- shared helpers


def _tup(value, rank: int) -> tuple:
    return tuple(value) if isinstance(value, tuple) else (value,) * rank


def _arg(values: tuple) -> str:
    """One value when every axis agrees, else the tuple: 3 or (1, 3)."""
    if len(set(values)) == 1:
        return _num(values[0])
    return "(" + ", ".join(_num(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def _num(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return repr(value) if isinstance(value, (int, float, bool, str)) else str(value)


def _kwargs(pairs: list[tuple[str, object, object]]) -> str:
    """', stride=2, bias=False': keyword arguments that differ from the framework's default."""
    return "".join(f", {key}={text}" for key, text, default in pairs if text != default)


def _context(layer: LayerReport) -> LayerContext:
    return LayerContext(layer.index, layer.name, layer.type)


def _fail(layer: LayerReport, problem: str, hint: str | None = None) -> SpecError:
    return SpecError(problem, hint=hint, layer_index=layer.index, layer_name=layer.name, layer_type=layer.type)


def _check_numeric(report: NetworkReport) -> None:
    from ..symbolic import numbers_hint

    sizes = list(report.input_shape.spatial) + [report.input_shape.channels]
    for layer in report.layers:
        shape = layer.shape
        for size in (*shape.spatial, shape.channels, layer.outcome.params):
            if not is_int(size):
                raise _fail(layer, f"export needs numbers, but this layer's size is symbolic ({size})", numbers_hint(report.spec))
    if not all(is_int(s) for s in sizes):
        raise SpecError("export needs numbers, but the input size is symbolic", hint=numbers_hint(report.spec), where="input")


def _torch_dim(shape: Shape, axis: int | None, layout: str) -> int:
    """A spec-layout axis as a torch (N, C, *spatial) dimension."""
    if axis is None:
        return 1
    internal = shape.layout_axis_to_internal(axis, layout)
    return 1 if internal == shape.rank else 2 + internal


def _keras_axis(shape: Shape, axis: int | None, layout: str) -> int:
    """A spec-layout axis as a Keras (N, *spatial, C) axis."""
    if axis is None:
        return -1
    internal = shape.layout_axis_to_internal(axis, layout)
    return -1 if internal == shape.rank else 1 + internal


def _torch_shape(shape: Shape) -> str:
    return "(N, " + ", ".join(str(d) for d in shape.in_layout("chw")) + ")"


def _keras_shape(shape: Shape) -> str:
    return "(None, " + ", ".join(str(d) for d in shape.in_layout("hwc")) + ")"


def _params_text(layer: LayerReport) -> str:
    out = layer.outcome
    text = f"{out.trainable:,} parameters"
    if out.non_trainable:
        text += f" + {out.non_trainable:,} running statistics (buffers)"
    return text


def _pad_comment(layer: LayerReport) -> str:
    """'"same" with stride 2 pads H 0 + 1, W 0 + 1': the padding PyTorch cannot put inside the layer."""
    sides = ", ".join(f"{s.axis} {s.pad_before} + {s.pad_after}" for s in layer.outcome.axes)
    if layer.spec.args.get("padding") == "same":
        return f'"same" pads {sides} (the odd one after, as TensorFlow): explicit, since it is asymmetric'
    return f"asymmetric padding {sides}: explicit"


def _torch_pad_tuple(pads: list[tuple[int, int]]) -> str:
    """F.pad order: the last axis first, (before, after) each."""
    flat = [v for before_after in reversed(pads) for v in before_after]
    return "(" + ", ".join(str(v) for v in flat) + ")"


# --------------------------------------------------------------------------- PyTorch


@dataclass(frozen=True)
class TorchLayer:
    """How one spec layer is realised: its modules (attribute, constructor) and its forward expression."""

    name: str  # the spec's layer name
    ident: str  # the forward variable holding its output, and its main module attribute
    modules: tuple[tuple[str, str], ...]  # (attribute, constructor text), in call order
    expression: str  # the right-hand side in forward
    comment: str = ""  # a note placed above its constructor


class _Torch:
    """Builds the TorchLayer of every layer kind; helper classes used are collected in ``helpers``."""

    def __init__(self, report: NetworkReport) -> None:
        self.report = report
        self.layout = report.layout
        self.names = identifiers(report)
        self.helpers: set[str] = set()

    def var(self, name: str) -> str:
        return "x" if name == "input" else self.names[name]

    def build(self, layer: LayerReport) -> TorchLayer:
        handler = getattr(self, "k_" + layer.type, None)
        if handler is None:
            if layer.type in _TORCH_ACTIVATIONS:
                return self.activation(layer)
            raise _fail(layer, f"export to PyTorch does not know the layer type '{layer.type}' yet",
                        "export the network without it, or write that layer by hand")
        return handler(layer, self.names[layer.name], [self.var(n) for n in layer.inputs])

    # ---- sliding windows

    def _pad_module(self, layer: LayerReport, ident: str, value: str = "0.0"):
        """Pads (before, after) per axis from convcalc's axis steps; symmetric ones stay in the layer."""
        pads = [(step.pad_before, step.pad_after) for step in layer.outcome.axes]
        if all(b == a for b, a in pads):
            return tuple(b for b, _ in pads), None
        rank = len(pads)
        if rank == 2 and value == "0.0":
            ctor = f"nn.ZeroPad2d({_torch_pad_tuple(pads)})"
        else:
            ctor = f"nn.ConstantPad{rank}d({_torch_pad_tuple(pads)}, {value})"
        return (0,) * rank, (f"{ident}_pad", ctor)

    def _wrap(self, modules: list, x: str) -> str:
        for attr, _ in modules:
            x = f"self.{attr}({x})"
        return x

    def k_conv(self, layer, ident, xs):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        inner, pad = self._pad_module(layer, ident)
        ctor = (
            f"nn.Conv{rank}d({layer.input_shapes[0].channels}, {args['filters']}, kernel_size={_arg(_tup(args['kernel'], rank))}"
            + _kwargs([
                ("stride", _arg(_tup(args["stride"], rank)), "1"),
                ("padding", _arg(inner), "0"),
                ("dilation", _arg(_tup(args["dilation"], rank)), "1"),
                ("groups", _num(args["groups"]), "1"),
                ("bias", _num(args["bias"]), "True"),
            ])
            + ")"
        )
        modules = ([pad] if pad else []) + [(ident, ctor)]
        comment = _pad_comment(layer) if pad else ""
        return TorchLayer(layer.name, ident, tuple(modules), self._wrap(modules, xs[0]), comment)

    k_conv1d = k_conv2d = k_conv3d = k_conv

    def k_depthwise_conv2d(self, layer, ident, xs):
        args, c = layer.spec.args, layer.input_shapes[0].channels
        inner, pad = self._pad_module(layer, ident)
        ctor = (
            f"nn.Conv2d({c}, {layer.shape.channels}, kernel_size={_arg(_tup(args['kernel'], 2))}"
            + _kwargs([
                ("stride", _arg(_tup(args["stride"], 2)), "1"),
                ("padding", _arg(inner), "0"),
                ("dilation", _arg(_tup(args["dilation"], 2)), "1"),
                ("groups", str(c), None),
                ("bias", _num(args["bias"]), "True"),
            ])
            + ")"
        )
        modules = ([pad] if pad else []) + [(ident, ctor)]
        multiplier = args["depth_multiplier"]
        comment = f"depthwise: groups = C = {c}, " + ("one filter per channel" if multiplier == 1 else f"{multiplier} filters per channel")
        if pad:
            comment += "; " + _pad_comment(layer)
        return TorchLayer(layer.name, ident, tuple(modules), self._wrap(modules, xs[0]), comment)

    def k_separable_conv2d(self, layer, ident, xs):
        args, c = layer.spec.args, layer.input_shapes[0].channels
        mid = c * args["depth_multiplier"]
        inner, pad = self._pad_module(layer, ident)
        depthwise = (
            f"nn.Conv2d({c}, {mid}, kernel_size={_arg(_tup(args['kernel'], 2))}"
            + _kwargs([
                ("stride", _arg(_tup(args["stride"], 2)), "1"),
                ("padding", _arg(inner), "0"),
                ("dilation", _arg(_tup(args["dilation"], 2)), "1"),
                ("groups", str(c), None),
                ("bias", "False", None),
            ])
            + ")"
        )
        pointwise = f"nn.Conv2d({mid}, {layer.shape.channels}, kernel_size=1" + _kwargs([("bias", _num(args["bias"]), "True")]) + ")"
        modules = ([pad] if pad else []) + [(f"{ident}_depthwise", depthwise), (ident, pointwise)]
        comment = "separable: depthwise (no bias) then pointwise 1x1 (bias), as Keras SeparableConv2D"
        return TorchLayer(layer.name, ident, tuple(modules), self._wrap(modules, xs[0]), comment)

    def k_conv_transpose(self, layer, ident, xs):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        kernel, stride = _tup(args["kernel"], rank), _tup(args["stride"], rank)
        dilation = _tup(args["dilation"], rank)
        crop = None
        if args["padding"] == "same":
            # Keras "same": out = W·S. Full transposed output is (W − 1)·S + D·(F − 1) + 1; crop the surplus
            # (the odd pixel at the end, as convcalc's steps place it) or add output_padding for a shortfall.
            crops, extra = [], []
            for k, s, d in zip(kernel, stride, dilation):
                surplus = d * (k - 1) + 1 - s
                crops.append((max(surplus, 0) // 2, max(surplus, 0) - max(surplus, 0) // 2))
                extra.append(max(-surplus, 0))
            if all(b == a for b, a in crops):
                padding = tuple(b for b, _ in crops)
            else:
                padding = (0,) * rank
                negative = [(-b, -a) for b, a in crops]
                crop = (f"{ident}_crop", f"nn.ConstantPad{rank}d({_torch_pad_tuple(negative)}, 0.0)")
            output_padding = tuple(extra)
        else:
            padding = tuple(step.pad_before for step in layer.outcome.axes)
            output_padding = _tup(args["output_padding"], rank)
        ctor = (
            f"nn.ConvTranspose{rank}d({layer.input_shapes[0].channels}, {args['filters']}, kernel_size={_arg(kernel)}"
            + _kwargs([
                ("stride", _arg(stride), "1"),
                ("padding", _arg(padding), "0"),
                ("output_padding", _arg(output_padding), "0"),
                ("groups", _num(args["groups"]), "1"),
                ("bias", _num(args["bias"]), "True"),
                ("dilation", _arg(dilation), "1"),
            ])
            + ")"
        )
        modules = [(ident, ctor)] + ([crop] if crop else [])
        comment = "\"same\": negative padding crops the surplus rows and columns" if crop else ""
        return TorchLayer(layer.name, ident, tuple(modules), self._wrap(modules, xs[0]), comment)

    k_conv_transpose1d = k_conv_transpose2d = k_conv_transpose3d = k_conv_transpose

    def _pool(self, layer, ident, xs, kind):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        kernel = _tup(args["kernel"], rank)
        stride = kernel if args["stride"] is None else _tup(args["stride"], rank)
        dilation = _tup(args.get("dilation", 1), rank)
        fill = 'float("-inf")' if kind == "Max" else "0.0"
        inner, pad = self._pad_module(layer, ident, fill)
        if pad is None and any(2 * p > k for p, k in zip(inner, kernel)):
            # PyTorch keeps a pooling's own padding to half the window; pad explicitly instead.
            steps = layer.outcome.axes
            pads = [(s.pad_before, s.pad_after) for s in steps]
            inner, pad = (0,) * rank, (f"{ident}_pad", f"nn.ConstantPad{rank}d({_torch_pad_tuple(pads)}, {fill})")
        same = args["padding"] == "same"
        extra = [("stride", _arg(stride), _arg(kernel)), ("padding", _arg(inner), "0")]
        if kind == "Max":
            extra.append(("dilation", _arg(dilation), "1"))
        extra.append(("ceil_mode", _num(bool(args["ceil_mode"])), "False"))
        if kind == "Avg":
            include = bool(args["count_include_pad"]) and not same
            extra.append(("count_include_pad", _num(include), "True"))
        ctor = f"nn.{kind}Pool{rank}d(kernel_size={_arg(kernel)}" + _kwargs(extra) + ")"
        modules = ([pad] if pad else []) + [(ident, ctor)]
        comment = ""
        if pad and kind == "Avg":
            comment = "explicit zero padding: unlike Keras, the zeros count in the border averages"
        elif pad:
            comment = "explicit padding with -inf, so that it never wins the maximum"
        return TorchLayer(layer.name, ident, tuple(modules), self._wrap(modules, xs[0]), comment)

    def k_maxpool1d(self, layer, ident, xs):
        return self._pool(layer, ident, xs, "Max")

    k_maxpool2d = k_maxpool3d = k_maxpool1d

    def k_avgpool1d(self, layer, ident, xs):
        return self._pool(layer, ident, xs, "Avg")

    k_avgpool2d = k_avgpool3d = k_avgpool1d

    def _global(self, layer, ident, xs, kind):
        rank = layer.input_shapes[0].rank
        ctor = f"nn.Adaptive{kind}Pool{rank}d(1)"
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"torch.flatten(self.{ident}({xs[0]}), 1)")

    def k_global_avgpool(self, layer, ident, xs):
        return self._global(layer, ident, xs, "Avg")

    def k_global_maxpool(self, layer, ident, xs):
        return self._global(layer, ident, xs, "Max")

    def _adaptive(self, layer, ident, xs, kind):
        rank = layer.input_shapes[0].rank
        ctor = f"nn.Adaptive{kind}Pool{rank}d({_arg(_tup(layer.spec.args['output_size'], rank))})"
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    def k_adaptive_avgpool1d(self, layer, ident, xs):
        return self._adaptive(layer, ident, xs, "Avg")

    k_adaptive_avgpool2d = k_adaptive_avgpool3d = k_adaptive_avgpool1d

    def k_adaptive_maxpool2d(self, layer, ident, xs):
        return self._adaptive(layer, ident, xs, "Max")

    # ---- dense and reshaping

    def k_dense(self, layer, ident, xs):
        shape = layer.input_shapes[0]
        ctor = f"nn.Linear({shape.numel()}, {layer.spec.args['units']}" + _kwargs([("bias", _num(layer.spec.args["bias"]), "True")]) + ")"
        x, comment = xs[0], ""
        if shape.rank:
            x = f"torch.flatten({x}, 1)"
            comment = "flattened first, in (C, H, W) order" + (" (Keras flattens (H, W, C); the count is the same)" if self.layout == "hwc" else "")
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({x})", comment)

    def k_flatten(self, layer, ident, xs):
        return TorchLayer(layer.name, ident, (), f"torch.flatten({xs[0]}, 1)")

    def k_reshape(self, layer, ident, xs):
        target = ", ".join(str(d) for d in layer.shape.in_layout("chw"))
        return TorchLayer(layer.name, ident, (), f"{xs[0]}.reshape({xs[0]}.shape[0], {target})")

    def k_dropout(self, layer, ident, xs):
        return TorchLayer(layer.name, ident, ((ident, f"nn.Dropout(p={_num(layer.spec.args['rate'])})"),), f"self.{ident}({xs[0]})")

    def _zeropad(self, layer, ident, xs):
        rank = layer.input_shapes[0].rank
        pads = list(axis_pads(layer.spec.args["padding"], rank, _context(layer)))
        ctor = f"nn.ZeroPad2d({_torch_pad_tuple(pads)})" if rank == 2 else f"nn.ConstantPad{rank}d({_torch_pad_tuple(pads)}, 0.0)"
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    k_zeropad1d = k_zeropad2d = k_zeropad3d = _zeropad

    def _upsample(self, layer, ident, xs):
        rank = layer.input_shapes[0].rank
        scale = _tup(layer.spec.args["scale"], rank)
        factor = _arg(tuple(float(s) for s in scale))
        return TorchLayer(layer.name, ident, ((ident, f'nn.Upsample(scale_factor={factor}, mode="nearest")'),), f"self.{ident}({xs[0]})")

    k_upsample1d = k_upsample2d = k_upsample3d = _upsample

    # ---- normalisation

    def k_batchnorm(self, layer, ident, xs):
        args, shape = layer.spec.args, layer.input_shapes[0]
        ctor = (
            f"nn.BatchNorm{max(shape.rank, 1)}d({shape.channels}"
            + _kwargs([("eps", _num(args["eps"]), "1e-05"), ("momentum", _num(args["momentum"]), "0.1"),
                       ("affine", _num(args["affine"]), "True")])
            + ")"
        )
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    def k_layernorm(self, layer, ident, xs):
        args, shape = layer.spec.args, layer.input_shapes[0]
        extra = _kwargs([("eps", _num(args["eps"]), "1e-05"), ("elementwise_affine", _num(args["affine"]), "True")])
        if shape.rank == 0:
            return TorchLayer(layer.name, ident, ((ident, f"nn.LayerNorm({shape.channels}{extra})"),), f"self.{ident}({xs[0]})")
        self.helpers.add("ChannelLayerNorm")
        return TorchLayer(layer.name, ident, ((ident, f"ChannelLayerNorm({shape.channels}{extra})"),), f"self.{ident}({xs[0]})",
                          "normalises over the channels at each position, as Keras LayerNormalization(axis=-1)")

    def k_groupnorm(self, layer, ident, xs):
        args, shape = layer.spec.args, layer.input_shapes[0]
        ctor = (f"nn.GroupNorm({args['groups']}, {shape.channels}"
                + _kwargs([("eps", _num(args["eps"]), "1e-05"), ("affine", _num(args["affine"]), "True")]) + ")")
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    def k_lrn(self, layer, ident, xs):
        args = layer.spec.args
        ctor = (f"nn.LocalResponseNorm({args['size']}"
                + _kwargs([("alpha", _num(args["alpha"]), "0.0001"), ("beta", _num(args["beta"]), "0.75"),
                           ("k", _num(args["k"]), "1.0")]) + ")")
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    # ---- activations

    def activation(self, layer):
        ident, x = self.names[layer.name], self.var(layer.inputs[0])
        template = _TORCH_ACTIVATIONS[layer.type]
        args = dict(layer.spec.args)
        if "axis" in args:
            args["dim"] = _torch_dim(layer.input_shapes[0], args["axis"], self.layout)
        ctor = template.format(**{k: _num(v) for k, v in args.items()})
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({x})")

    def k_prelu(self, layer, ident, xs):
        n = layer.input_shapes[0].channels if layer.spec.args["per_channel"] else 1
        ctor = "nn.PReLU()" if n == 1 else f"nn.PReLU(num_parameters={n})"
        return TorchLayer(layer.name, ident, ((ident, ctor),), f"self.{ident}({xs[0]})")

    # ---- merges

    def k_add(self, layer, ident, xs):
        return TorchLayer(layer.name, ident, (), " + ".join(xs))

    def k_multiply(self, layer, ident, xs):
        return TorchLayer(layer.name, ident, (), " * ".join(xs))

    def k_concat(self, layer, ident, xs):
        dim = _torch_dim(layer.input_shapes[0], layer.spec.args["axis"], self.layout)
        return TorchLayer(layer.name, ident, (), f"torch.cat([{', '.join(xs)}], dim={dim})")


_TORCH_ACTIVATIONS = {
    "relu": "nn.ReLU()",
    "relu6": "nn.ReLU6()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim={dim})",
    "log_softmax": "nn.LogSoftmax(dim={dim})",
    "leaky_relu": "nn.LeakyReLU(negative_slope={negative_slope})",
    "elu": "nn.ELU(alpha={alpha})",
    "selu": "nn.SELU()",
    "gelu": "nn.GELU()",
    "silu": "nn.SiLU()",
    "hardswish": "nn.Hardswish()",
    "hardsigmoid": "nn.Hardsigmoid()",
    "mish": "nn.Mish()",
    "softplus": "nn.Softplus()",
    "identity": "nn.Identity()",
}

_TORCH_HELPERS = {
    "ChannelLayerNorm": '''

class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channel axis at every position (Keras LayerNormalization, axis=-1)."""

    def forward(self, x):
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)
''',
}


def torch_layers(report: NetworkReport) -> tuple[tuple[TorchLayer, ...], set[str]]:
    """How every layer is realised in PyTorch (the cross-check test reads the modules from here)."""
    _check_numeric(report)
    builder = _Torch(report)
    return tuple(builder.build(layer) for layer in report.layers), builder.helpers


def to_pytorch(report: NetworkReport) -> str:
    """A self-contained Python module defining the network as an ``nn.Module``."""
    realised, helpers = torch_layers(report)
    names = identifiers(report)
    cls = class_name(report)
    layout = report.layout
    spec_input = ", ".join(str(d) for d in report.input_shape.in_layout(layout))
    torch_input = ", ".join(str(d) for d in report.input_shape.in_layout("chw"))
    title = docstring_text(report.name or "network")
    lines = [
        f'"""{title}: written by convcalc from {docstring_text(report.spec.source)}.',
        "",
        f"Every layer below has the output shape and parameter count that `convcalc summary` prints.",
        '"""',
        "import torch",
        "from torch import nn",
        "",
        f"# convcalc input: ({spec_input}) in {layout} order; PyTorch takes it channels first: (N, {torch_input}).",
    ]
    if layout == "hwc":
        lines.append("# (The spec is written height-width-channels, as Keras; this model takes NCHW tensors.)")
    lines.append(f"INPUT_SHAPE = ({torch_input}{',' if report.input_shape.rank == 0 else ''})")
    for helper in sorted(helpers):
        lines.append(_TORCH_HELPERS[helper].rstrip("\n"))
    renamed = [(layer.name, names[layer.name]) for layer in report.layers if names[layer.name] != layer.name]
    counts = f"{report.trainable_params:,} parameters"
    if report.non_trainable_params:
        counts += f" + {report.non_trainable_params:,} batchnorm running statistics"
    lines += ["", "", f"class {cls}(nn.Module):", f'    """{title}: {counts}."""', ""]
    if renamed:
        lines.append("    # spec layer name -> attribute name")
        lines += [f"    #   {name!r} -> {ident}" for name, ident in renamed]
    lines.append("    def __init__(self):")
    lines.append("        super().__init__()")
    by_name = {layer.name: layer for layer in report.layers}
    for item in realised:
        if not item.modules:
            continue
        layer = by_name[item.name]
        if item.comment:
            lines.append(f"        # {item.comment}")
        for attr, ctor in item.modules:
            note = f"  # {_params_text(layer)}" if attr == item.ident and layer.outcome.params else ""
            lines.append(f"        self.{attr} = {ctor}{note}")
    lines += ["", "    def forward(self, x):", f"        # x: (N, {torch_input})"]
    for item in realised:
        layer = by_name[item.name]
        lines.append(f"        {item.ident} = {item.expression}  # {_torch_shape(layer.shape)}")
    lines.append(f"        return {realised[-1].ident}")
    lines += [
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {cls}().eval()",
        "    with torch.no_grad():",
        "        out = model(torch.zeros(1, *INPUT_SHAPE))",
        '    print("output shape:", tuple(out.shape))',
        '    print("trainable parameters:", sum(p.numel() for p in model.parameters()))',
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- Keras


class _Keras:
    """Builds the Keras functional-API line(s) of every layer kind."""

    def __init__(self, report: NetworkReport) -> None:
        self.report = report
        self.layout = report.layout
        self.names = identifiers(report)

    def var(self, name: str) -> str:
        return "inputs" if name == "input" else self.names[name]

    def build(self, layer: LayerReport) -> list[str]:
        ident = self.names[layer.name]
        xs = [self.var(n) for n in layer.inputs]
        handler = getattr(self, "k_" + layer.type, None)
        if handler is None and layer.type in _KERAS_ACTIVATIONS:
            handler = self.activation
        if handler is None:
            raise _fail(layer, f"export to Keras does not know the layer type '{layer.type}' yet",
                        "export the network without it, or write that layer by hand")
        return handler(layer, ident, xs)

    @staticmethod
    def call(ident: str, ctor: str, x: str, name: str) -> str:
        sep = ", " if not ctor.endswith("(") else ""
        return f'{ident} = layers.{ctor}{sep}name="{name}")({x})'

    def _explicit_pad(self, layer, ident, x, pads):
        rank = len(pads)
        text = f"({pads[0][0]}, {pads[0][1]})" if rank == 1 else "(" + ", ".join(f"({b}, {a})" for b, a in pads) + ")"
        pad_ident = f"{ident}_pad"
        return pad_ident, f'{pad_ident} = layers.ZeroPadding{rank}D({text}, name="{ident}_pad")({x})'

    def _window_padding(self, layer, ident, x, *, extra_after=None):
        """Keras knows 'same' and 'valid' only: any other padding becomes a ZeroPadding layer first."""
        args = layer.spec.args
        if args["padding"] == "same":
            return x, '"same"', []
        pads = [(s.pad_before, s.pad_after + (extra_after[i] if extra_after else 0)) for i, s in enumerate(layer.outcome.axes)]
        if all(b == 0 and a == 0 for b, a in pads):
            return x, '"valid"', []
        pad_ident, line = self._explicit_pad(layer, ident, x, pads)
        return pad_ident, '"valid"', [line]

    def k_conv(self, layer, ident, xs):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        x, padding, lines = self._window_padding(layer, ident, xs[0])
        ctor = (f"Conv{rank}D({args['filters']}, {_arg(_tup(args['kernel'], rank))}"
                + _kwargs([("strides", _arg(_tup(args["stride"], rank)), "1"), ("padding", padding, '"valid"'),
                           ("dilation_rate", _arg(_tup(args["dilation"], rank)), "1"), ("groups", _num(args["groups"]), "1"),
                           ("use_bias", _num(args["bias"]), "True")]))
        return lines + [self.call(ident, ctor, x, ident)]

    k_conv1d = k_conv2d = k_conv3d = k_conv

    def k_depthwise_conv2d(self, layer, ident, xs):
        args = layer.spec.args
        x, padding, lines = self._window_padding(layer, ident, xs[0])
        ctor = (f"DepthwiseConv2D({_arg(_tup(args['kernel'], 2))}"
                + _kwargs([("strides", _arg(_tup(args["stride"], 2)), "1"), ("padding", padding, '"valid"'),
                           ("depth_multiplier", _num(args["depth_multiplier"]), "1"),
                           ("dilation_rate", _arg(_tup(args["dilation"], 2)), "1"), ("use_bias", _num(args["bias"]), "True")]))
        return lines + [self.call(ident, ctor, x, ident)]

    def k_separable_conv2d(self, layer, ident, xs):
        args = layer.spec.args
        x, padding, lines = self._window_padding(layer, ident, xs[0])
        ctor = (f"SeparableConv2D({args['filters']}, {_arg(_tup(args['kernel'], 2))}"
                + _kwargs([("strides", _arg(_tup(args["stride"], 2)), "1"), ("padding", padding, '"valid"'),
                           ("depth_multiplier", _num(args["depth_multiplier"]), "1"),
                           ("dilation_rate", _arg(_tup(args["dilation"], 2)), "1"), ("use_bias", _num(args["bias"]), "True")]))
        return lines + [self.call(ident, ctor, x, ident)]

    def k_conv_transpose(self, layer, ident, xs):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        if args["groups"] != 1:
            raise _fail(layer, "Keras transposed convolutions have no groups", "export to PyTorch, or use groups: 1")
        same = args["padding"] == "same"
        crop = [s.pad_before for s in layer.outcome.axes] if not same else []
        output_padding = _tup(args["output_padding"], rank)
        ctor = (f"Conv{rank}DTranspose({args['filters']}, {_arg(_tup(args['kernel'], rank))}"
                + _kwargs([("strides", _arg(_tup(args["stride"], rank)), "1"), ("padding", '"same"' if same else '"valid"', '"valid"'),
                           ("output_padding", _arg(output_padding), "0"),
                           ("dilation_rate", _arg(_tup(args["dilation"], rank)), "1"), ("use_bias", _num(args["bias"]), "True")]))
        if any(crop):
            raw = f"{ident}_full"
            crop_text = _arg(tuple(crop))
            return [self.call(raw, ctor, xs[0], f"{ident}_full"),
                    f'{ident} = layers.Cropping{rank}D({crop_text}, name="{ident}")({raw})  # PyTorch padding P crops P per side']
        return [self.call(ident, ctor, xs[0], ident)]

    k_conv_transpose1d = k_conv_transpose2d = k_conv_transpose3d = k_conv_transpose

    def _pool(self, layer, ident, xs, kind):
        args, rank = layer.spec.args, layer.input_shapes[0].rank
        if any(d != 1 for d in _tup(args.get("dilation", 1), rank)):
            raise _fail(layer, "Keras pooling layers have no dilation", "export to PyTorch, or drop the dilation")
        kernel = _tup(args["kernel"], rank)
        stride = kernel if args["stride"] is None else _tup(args["stride"], rank)
        extra_after = None
        if args["ceil_mode"] and args["padding"] != "same":
            # Keras has no ceil_mode: pad the far side just enough for the last (partial) window.
            extra_after = [max((s.size_out - 1) * s.stride + s.window - (s.size_in + s.pad_before + s.pad_after), 0)
                           for s in layer.outcome.axes]
        x, padding, lines = self._window_padding(layer, ident, xs[0], extra_after=extra_after)
        if lines:
            lines[-1] += "  # zeros: they can win a max or lower a border average, unlike PyTorch's own padding"
        ctor = (f"{kind}Pooling{rank}D({_arg(kernel)}"
                + _kwargs([("strides", _arg(stride), _arg(kernel)), ("padding", padding, '"valid"')]))
        return lines + [self.call(ident, ctor, x, ident)]

    def k_maxpool1d(self, layer, ident, xs):
        return self._pool(layer, ident, xs, "Max")

    k_maxpool2d = k_maxpool3d = k_maxpool1d

    def k_avgpool1d(self, layer, ident, xs):
        return self._pool(layer, ident, xs, "Average")

    k_avgpool2d = k_avgpool3d = k_avgpool1d

    def k_global_avgpool(self, layer, ident, xs):
        return [self.call(ident, f"GlobalAveragePooling{layer.input_shapes[0].rank}D(", xs[0], ident)]

    def k_global_maxpool(self, layer, ident, xs):
        return [self.call(ident, f"GlobalMaxPooling{layer.input_shapes[0].rank}D(", xs[0], ident)]

    def _adaptive(self, layer, ident, xs, kind):
        shape = layer.input_shapes[0]
        target = layer.shape.spatial
        if any(w % o for w, o in zip(shape.spatial, target)):
            raise _fail(layer, f"Keras has no adaptive pooling, and {shape.spatial} does not divide into {target}",
                        "use a pooling with a fixed kernel, or export to PyTorch")
        window = tuple(w // o for w, o in zip(shape.spatial, target))
        ctor = f"{kind}Pooling{shape.rank}D({_arg(window)}"
        return [self.call(ident, ctor, xs[0], ident) + "  # adaptive: the input divides evenly"]

    def k_adaptive_avgpool1d(self, layer, ident, xs):
        return self._adaptive(layer, ident, xs, "Average")

    k_adaptive_avgpool2d = k_adaptive_avgpool3d = k_adaptive_avgpool1d

    def k_adaptive_maxpool2d(self, layer, ident, xs):
        return self._adaptive(layer, ident, xs, "Max")

    def k_dense(self, layer, ident, xs):
        lines, x = [], xs[0]
        if layer.input_shapes[0].rank:
            x = f"{ident}_flat"
            lines.append(f'{x} = layers.Flatten(name="{ident}_flatten")({xs[0]})  # Dense alone would act on the last axis only')
        ctor = f"Dense({layer.spec.args['units']}" + _kwargs([("use_bias", _num(layer.spec.args["bias"]), "True")])
        return lines + [self.call(ident, ctor, x, ident)]

    def k_flatten(self, layer, ident, xs):
        return [self.call(ident, "Flatten(", xs[0], ident)]

    def k_reshape(self, layer, ident, xs):
        target = layer.shape.in_layout("hwc") if layer.shape.rank else (layer.shape.channels,)
        text = "(" + ", ".join(str(d) for d in target) + ("," if len(target) == 1 else "") + ")"
        return [self.call(ident, f"Reshape({text}", xs[0], ident)]

    def k_dropout(self, layer, ident, xs):
        return [self.call(ident, f"Dropout({_num(layer.spec.args['rate'])}", xs[0], ident)]

    def _zeropad(self, layer, ident, xs):
        rank = layer.input_shapes[0].rank
        pads = axis_pads(layer.spec.args["padding"], rank, _context(layer))
        text = f"({pads[0][0]}, {pads[0][1]})" if rank == 1 else "(" + ", ".join(f"({b}, {a})" for b, a in pads) + ")"
        return [self.call(ident, f"ZeroPadding{rank}D({text}", xs[0], ident)]

    k_zeropad1d = k_zeropad2d = k_zeropad3d = _zeropad

    def _upsample(self, layer, ident, xs):
        rank = layer.input_shapes[0].rank
        return [self.call(ident, f"UpSampling{rank}D({_arg(_tup(layer.spec.args['scale'], rank))}", xs[0], ident)]

    k_upsample1d = k_upsample2d = k_upsample3d = _upsample

    def k_batchnorm(self, layer, ident, xs):
        args = layer.spec.args
        momentum = round(1 - args["momentum"], 10)  # Keras keeps this much of the old moving average
        ctor = ("BatchNormalization(" + _kwargs([("epsilon", _num(args["eps"]), None), ("momentum", _num(momentum), None),
                                                  ("center", _num(args["affine"]), "True"), ("scale", _num(args["affine"]), "True")])[2:])
        return [self.call(ident, ctor, xs[0], ident)]

    def k_layernorm(self, layer, ident, xs):
        args = layer.spec.args
        ctor = ("LayerNormalization(" + _kwargs([("epsilon", _num(args["eps"]), None), ("center", _num(args["affine"]), "True"),
                                                  ("scale", _num(args["affine"]), "True")])[2:])
        return [self.call(ident, ctor, xs[0], ident)]

    def k_groupnorm(self, layer, ident, xs):
        args = layer.spec.args
        ctor = (f"GroupNormalization({args['groups']}" + _kwargs([("epsilon", _num(args["eps"]), None),
                                                                  ("center", _num(args["affine"]), "True"),
                                                                  ("scale", _num(args["affine"]), "True")]))
        return [self.call(ident, ctor, xs[0], ident)]

    def k_lrn(self, layer, ident, xs):
        args = layer.spec.args
        # TensorFlow's LRN divides by (k + alpha·sum)^beta over 2r + 1 channels; PyTorch's alpha is per channel.
        body = (f"tf.nn.local_response_normalization(t, depth_radius={args['size'] // 2}, bias={_num(args['k'])}, "
                f"alpha={_num(args['alpha'])} / {args['size']}, beta={_num(args['beta'])})")
        return [f'{ident} = layers.Lambda(lambda t: {body}, name="{ident}")({xs[0]})  # needs TensorFlow (import tensorflow as tf)']

    def activation(self, layer, ident, xs):
        template = _KERAS_ACTIVATIONS[layer.type]
        args = dict(layer.spec.args)
        if "axis" in args:
            args["axis"] = _keras_axis(layer.input_shapes[0], args["axis"], self.layout)
        return [self.call(ident, template.format(**{k: _num(v) for k, v in args.items()}), xs[0], ident)]

    def k_prelu(self, layer, ident, xs):
        rank = layer.input_shapes[0].rank
        axes = list(range(1, rank + 1)) if layer.spec.args["per_channel"] else list(range(1, rank + 2))
        ctor = f"PReLU(shared_axes={axes}" if axes else "PReLU("
        return [self.call(ident, ctor, xs[0], ident)]

    def k_add(self, layer, ident, xs):
        return [self.call(ident, "Add(", "[" + ", ".join(xs) + "]", ident)]

    def k_multiply(self, layer, ident, xs):
        return [self.call(ident, "Multiply(", "[" + ", ".join(xs) + "]", ident)]

    def k_concat(self, layer, ident, xs):
        axis = _keras_axis(layer.input_shapes[0], layer.spec.args["axis"], self.layout)
        return [self.call(ident, f"Concatenate(axis={axis}", "[" + ", ".join(xs) + "]", ident)]


_KERAS_ACTIVATIONS = {
    "relu": 'Activation("relu"',
    "relu6": "ReLU(max_value=6.0",
    "sigmoid": 'Activation("sigmoid"',
    "tanh": 'Activation("tanh"',
    "softmax": "Softmax(axis={axis}",
    "log_softmax": 'Activation("log_softmax"',
    "leaky_relu": "LeakyReLU(negative_slope={negative_slope}",
    "elu": "ELU(alpha={alpha}",
    "selu": 'Activation("selu"',
    "gelu": 'Activation("gelu"',
    "silu": 'Activation("silu"',
    "hardswish": 'Activation("hard_swish"',
    "hardsigmoid": 'Activation("hard_sigmoid"',
    "mish": 'Activation("mish"',
    "softplus": 'Activation("softplus"',
    "identity": "Identity(",
}


def to_keras(report: NetworkReport) -> str:
    """A self-contained Python module building the network with the Keras functional API."""
    _check_numeric(report)
    builder = _Keras(report)
    body = [line for layer in report.layers for line in builder.build(layer)]
    layout = report.layout
    spec_input = ", ".join(str(d) for d in report.input_shape.in_layout(layout))
    keras_input = report.input_shape.in_layout("hwc")
    keras_text = "(" + ", ".join(str(d) for d in keras_input) + ("," if len(keras_input) == 1 else "") + ")"
    title = docstring_text(report.name or "network")
    model_name = re.sub(r"\W+", "_", title, flags=re.ASCII).strip("_") or "network"
    needs_tf = any(layer.type == "lrn" for layer in report.layers)
    lines = [
        f'"""{title}: written by convcalc from {docstring_text(report.spec.source)}.',
        "",
        "Every layer below has the output shape and parameter count that `convcalc summary` prints.",
        '"""',
        *(["import tensorflow as tf"] if needs_tf else []),
        "import keras",
        "from keras import layers",
        "",
        f"# convcalc input: ({spec_input}) in {layout} order; Keras takes it channels last: (None, {', '.join(map(str, keras_input))}).",
    ]
    if layout == "chw":
        lines.append("# (The spec is written channels first, as PyTorch; this model is channels-last.)")
    lines += ["", "", "def build_model():", f"    inputs = keras.Input(shape={keras_text}, name=\"input\")"]
    lines += [f"    {line}" for line in body]
    lines += [
        f'    return keras.Model(inputs, {identifiers(report)[report.layers[-1].name]}, name="{model_name}")',
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    model.summary()",
        '    print("output shape:", model.output_shape)',
        "",
    ]
    return "\n".join(lines)


def export(report: NetworkReport, target: str) -> str:
    """The framework code for a computed network: target is 'pytorch' or 'keras'."""
    if target == "pytorch":
        return to_pytorch(report)
    if target == "keras":
        return to_keras(report)
    raise SpecError(f"unknown export target '{target}'", hint=f"choose one of: {', '.join(TARGETS)}")
