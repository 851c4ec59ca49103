"""Pooling: max and average windows, global and adaptive pooling."""


from ..arith import Size, adaptive_windows_total, factor, fmt, product, show
from ..shapes import Shape
from .args import Arg, flag, padding, sizes
from .counterparts import Module, Param, Requires, counterpart, given_in_order
from .registry import LayerKind, Outcome, register
from .windows import SIZE_ARGS, out_letter, per_axis, sliding_window

_TORCH_POOL = (
    Param("kernel_size", "kernel", form="axes"),
    Param("stride", "stride", form="axes", same_as="kernel_size"),
    Param("padding", "padding", 0, "axes"),
)
_KERAS_POOL = (
    Param("pool_size", "kernel", form="axes", positional=True),
    Param("strides", "stride", form="axes", same_as="pool_size"),
    Param("padding", "padding", "valid", "text"),
)
_CEIL_MODE = Param("ceil_mode", "ceil_mode", False)
_KEEPDIMS = Param("keepdims", literal=False, default=False)  # Keras 3: True keeps the (1, 1, C) shape, another kind


class _Pool(LayerKind):
    category, window_reach = "pool", "channel"
    primary = "kernel"
    args = (
        Arg("kernel", sizes, doc="window size F"),
        Arg("stride", sizes, None, "step of the window; defaults to the kernel", "kernel"),
        Arg("padding", padding, 0, "PyTorch padding (at most half the kernel), or Keras 'same'/'valid'"),
        Arg("ceil_mode", flag, False, "round up instead of down (PyTorch ceil_mode)"),
    )
    rule = ("H2 = ⌊(H1 − F + 2P)/S⌋ + 1 on each spatial axis (W2 alike; ceil_mode rounds up, but drops a last window "
            "that would start in the right padding; \"same\": ⌈H1/S⌉); D2 = D1; no parameters")
    receptive_field = "window"
    ops_less: int = 0  # operations per window: its volume (adds and a divide), one fewer for a max (compares)

    def flops(self, args, inputs, outcome):
        return (product(step.window for step in outcome.axes) - self.ops_less) * outcome.shape.numel()

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        steps = sliding_window(shape, args, ctx, stride_default_kernel=True, pytorch_pool_padding=True)
        out = Shape(tuple(s.size_out for s in steps), shape.channels)
        return Outcome(out, axes=steps, notes=(f"D2 = D1 = {fmt(shape.channels)}: pooling works on each channel alone",))


class _MaxPool(_Pool):
    args = _Pool.args + (SIZE_ARGS["dilation"],)
    summary = "max pooling over each channel separately"
    pytorch = counterpart("nn.MaxPool{rank}d", *_TORCH_POOL, Param("dilation", "dilation", 1, "axes"), _CEIL_MODE,
                          adapters=("max_pool_padding",),
                          reads=(Module("F.max_pool{rank}d", given_in_order(*_TORCH_POOL, Param("dilation", "dilation", 1, "axes"), _CEIL_MODE,
                                                                             Param("return_indices", literal=False, default=False))),))
    keras = counterpart("MaxPooling{rank}D", *_KERAS_POOL, adapters=("max_pool_padding",),
                        requires=(Requires("dilation", 1, "Keras pooling layers have no dilation", "export to PyTorch, or drop the dilation"),))
    onnx = ("MaxPool",)
    flops_rule, ops_less = "(window volume − 1) compares per output element", 1


class _AvgPool(_Pool):
    args = _Pool.args + (Arg("count_include_pad", flag, True, "PyTorch option; does not change shapes"),)
    summary = "average pooling over each channel separately"
    pytorch = counterpart("nn.AvgPool{rank}d", *_TORCH_POOL, _CEIL_MODE, Param("count_include_pad", "count_include_pad", True),
                          adapters=("avg_pool_padding",),
                          reads=(Module("F.avg_pool{rank}d", given_in_order(*_TORCH_POOL, _CEIL_MODE,
                                                                             Param("count_include_pad", "count_include_pad", True))),))
    keras = counterpart("AveragePooling{rank}D", *_KERAS_POOL, adapters=("avg_pool_padding",))
    onnx = ("AveragePool",)
    flops_rule = "window volume per output element (adds and a divide)"


@register
class MaxPool1D(_MaxPool):
    name, rank, family = "maxpool1d", 1, "maxpool,maxpooling"
    aliases = ("maxpooling1d",)


@register
class MaxPool2D(_MaxPool):
    name, rank, family = "maxpool2d", 2, "maxpool,maxpooling,pool"
    aliases = ("maxpooling2d",)


@register
class MaxPool3D(_MaxPool):
    name, rank, family = "maxpool3d", 3, "maxpool,maxpooling"
    aliases = ("maxpooling3d",)


@register
class AvgPool1D(_AvgPool):
    name, rank, family = "avgpool1d", 1, "avgpool,averagepooling"
    aliases = ("averagepooling1d",)


@register
class AvgPool2D(_AvgPool):
    name, rank, family = "avgpool2d", 2, "avgpool,averagepooling"
    aliases = ("averagepooling2d",)


@register
class AvgPool3D(_AvgPool):
    name, rank, family = "avgpool3d", 3, "avgpool,averagepooling"
    aliases = ("averagepooling3d",)


class _GlobalPool(LayerKind):
    category = "pool"
    rule = "N2 = D1: one value per channel; no parameters"
    receptive_field = "none"
    ops_less: int = 0  # per channel: its input elements (adds and a divide), one fewer for a max

    def flops(self, args, inputs, outcome):
        return inputs[0].numel() - self.ops_less * inputs[0].channels

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        if shape.rank == 0:
            raise ctx.error(
                f"needs an input with spatial axes; its input is the vector {shape.describe(ctx.layout)}",
                "put it before flatten/dense",
            )
        return Outcome(Shape((), shape.channels), notes=(f"{' × '.join(map(factor, shape.spatial))} → 1 per channel",))


@register
class GlobalAvgPool(_GlobalPool):
    name = "global_avgpool"
    aliases = ("globalavgpool2d", "globalaveragepooling2d", "globalaveragepooling1d", "globalaveragepooling3d",
               "globalaveragepooling", "gap", "globalavgpool1d", "globalavgpool3d")
    summary = "average of each channel over all positions (Keras GlobalAveragePooling)"
    pytorch = counterpart("nn.AdaptiveAvgPool{rank}d", Param("output_size", literal=1, positional=True),
                          call="torch.flatten({chain}, 1)", ranks=(1, 2, 3))
    keras = counterpart("GlobalAveragePooling{rank}D", _KEEPDIMS, ranks=(1, 2, 3))
    onnx = ("GlobalAveragePool", "Flatten")
    flops_rule = "input elements"


@register
class GlobalMaxPool(_GlobalPool):
    name = "global_maxpool"
    aliases = ("globalmaxpool2d", "globalmaxpooling2d", "globalmaxpooling1d", "globalmaxpooling3d",
               "globalmaxpooling", "globalmaxpool1d", "globalmaxpool3d")
    summary = "maximum of each channel over all positions (Keras GlobalMaxPooling)"
    pytorch = counterpart("nn.AdaptiveMaxPool{rank}d", Param("output_size", literal=1, positional=True),
                          call="torch.flatten({chain}, 1)", ranks=(1, 2, 3))
    keras = counterpart("GlobalMaxPooling{rank}D", _KEEPDIMS, ranks=(1, 2, 3))
    onnx = ("GlobalMaxPool", "Flatten")
    flops_rule, ops_less = "input elements − C", 1


class _AdaptivePool(LayerKind):
    category = "pool"
    primary = "output_size"
    args = (Arg("output_size", sizes, doc="the output's spatial size; one per axis allowed"),)
    rule = "H2 = output_size on each spatial axis, whatever the input size; D2 = D1; no parameters"
    pytorch = counterpart("nn.AdaptiveAvgPool{rank}d", Param("output_size", "output_size", form="axes", positional=True),
                          reads=(Module("F.adaptive_avg_pool{rank}d", (Param("output_size", "output_size", form="axes", positional=True),)),))
    keras = counterpart("AveragePooling{rank}D", Param("pool_size", "pool_size", form="axes", positional=True), adapters=("adaptive_as_fixed",))
    onnx = ()  # ONNX has no adaptive pooling: exporters write AveragePool when the input divides evenly
    flops_rule, receptive_field = "Σ window volumes over PyTorch's adaptive windows, per channel", "adaptive"
    ops_less: int = 0  # as _Pool: one fewer per window for a max

    def flops(self, args, inputs, outcome):
        shape_in = inputs[0]
        per_channel = product(_adaptive_window_sum(w_in, w_out) for w_in, w_out in zip(shape_in.spatial, outcome.shape.spatial))
        return (per_channel - self.ops_less * outcome.shape.spatial_numel()) * shape_in.channels

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        size = per_axis(args["output_size"], shape.rank, "output_size", ctx)
        notes = tuple(f"{out_letter(a, shape.rank)} = {show(s)} (adaptive)" for a, s in zip(shape.axis_names, size))
        return Outcome(Shape(size, shape.channels), notes=notes)


@register
class AdaptiveAvgPool1D(_AdaptivePool):
    name, rank, family = "adaptive_avgpool1d", 1, "adaptive_avgpool"
    summary = "average pooling to a fixed output size (PyTorch AdaptiveAvgPool1d)"


@register
class AdaptiveAvgPool2D(_AdaptivePool):
    name, rank, family = "adaptive_avgpool2d", 2, "adaptive_avgpool"
    summary = "average pooling to a fixed output size (PyTorch AdaptiveAvgPool2d)"


@register
class AdaptiveAvgPool3D(_AdaptivePool):
    name, rank, family = "adaptive_avgpool3d", 3, "adaptive_avgpool"
    summary = "average pooling to a fixed output size (PyTorch AdaptiveAvgPool3d)"


@register
class AdaptiveMaxPool2D(_AdaptivePool):
    name, rank, family = "adaptive_maxpool2d", 2, "adaptive_maxpool"
    summary = "max pooling to a fixed output size (PyTorch AdaptiveMaxPool2d)"
    pytorch = counterpart("nn.AdaptiveMaxPool{rank}d", Param("output_size", "output_size", form="axes", positional=True),
                          reads=(Module("F.adaptive_max_pool{rank}d", (Param("output_size", "output_size", form="axes", positional=True),
                                                                      Param("return_indices", literal=False, default=False))),))
    keras = counterpart("MaxPooling{rank}D", Param("pool_size", "pool_size", form="axes", positional=True), adapters=("adaptive_as_fixed",))
    flops_rule, ops_less = "Σ (window volume − 1) over PyTorch's adaptive windows, per channel", 1


def _adaptive_window_sum(size_in: Size, size_out: Size) -> Size:
    """Σ over the outputs of one axis of the window lengths, PyTorch's adaptive windows, in closed form
    (arith.adaptive_windows_total: a loop over a billion outputs hung)."""
    return adaptive_windows_total(size_in, size_out)
