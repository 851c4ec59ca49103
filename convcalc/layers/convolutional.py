"""Convolutions: plain (1D, 2D, 3D), depthwise, separable and transposed."""


from ..arith import dot, fmt, is_int, is_true, product, transposed_axis, transposed_same_axis
from ..shapes import Shape
from .args import Arg, flag, offsets, padding, positive, sizes
from .counterparts import Counterpart, Module, Param, Requires, counterpart
from .registry import LayerKind, Outcome, register
from .windows import SIZE_ARGS, axis_pads, bias_terms, channels_per_group, depth_note, filter_note, per_axis, sliding_window

# The window arguments every convolution shares, in PyTorch's and in Keras' words.
_TORCH_WINDOW = (
    Param("kernel_size", "kernel", form="axes"),
    Param("stride", "stride", 1, "axes"),
    Param("padding", "padding", 0, "axes"),
    Param("dilation", "dilation", 1, "axes"),
)
_KERAS_WINDOW = (
    Param("kernel_size", "kernel", form="axes", positional=True),
    Param("strides", "stride", 1, "axes"),
    Param("padding", "padding", "valid", "text"),
)
_KERAS_DILATION = Param("dilation_rate", "dilation", 1, "axes")
_BIAS_FLOPS = "2·MACs + output elements (bias adds)"
_IN, _FILTERS = Param("in_channels", "in.channels", positional=True), Param("out_channels", "filters", positional=True)


class _Conv(LayerKind):
    category, window_reach = "conv", "all"
    primary = "filters"
    args = (
        Arg("filters", positive, doc="number of filters K = output channels"),
        Arg("kernel", sizes, doc="filter size F; one per axis allowed"),
        SIZE_ARGS["stride"],
        SIZE_ARGS["padding"],
        SIZE_ARGS["dilation"],
        Arg("groups", positive, 1, "split channels into groups (groups = channels: depthwise)"),
        Arg("bias", flag, True, "one bias per filter"),
    )
    summary = "convolution: K filters, each spanning all (or 1/groups of the) input channels"
    pytorch = counterpart("nn.Conv{rank}d", _IN, _FILTERS, *_TORCH_WINDOW, Param("groups", "groups", 1), Param("bias", "bias", True),
                          adapters=("explicit_padding",))
    keras = counterpart("Conv{rank}D", Param("filters", "filters", positional=True), *_KERAS_WINDOW, _KERAS_DILATION,
                        Param("groups", "groups", 1), Param("use_bias", "bias", True), adapters=("no_strided_dilation", "explicit_padding"))
    onnx = ("Conv",)
    macs_rule, flops_rule, receptive_field = "output elements × (C_in/groups) × kernel volume", _BIAS_FLOPS, "window"
    rule = ("H2 = ⌊(H1 − F + 2P)/S⌋ + 1 on each spatial axis (W2 alike); D2 = K; weights = F·F·D1·K, biases = K "
            "(one F per spatial axis); with dilation r, F becomes r·(F − 1) + 1; with groups g, D1 becomes D1/g; "
            "padding: full is P = r·(F − 1)")

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        filters, groups = args["filters"], args["groups"]
        c_in = channels_per_group(shape.channels, groups, "input channels", ctx)
        channels_per_group(filters, groups, "filters", ctx)
        steps = sliding_window(shape, args, ctx)
        kernel = per_axis(args["kernel"], shape.rank, "kernel", ctx)
        out = Shape(tuple(s.size_out for s in steps), filters)
        weights = product(kernel) * c_in * filters
        biases = filters if args["bias"] else 0
        c_text = str(c_in) if groups == 1 else f"{shape.channels}/{groups}"  # dot() brackets it
        notes = [depth_note(filters, "K", c_in, shape.channels)]
        return Outcome(
            out,
            weights,
            biases,
            param_terms=bias_terms(dot(*kernel, c_text, filters), filters, args["bias"]),
            axes=steps,
            notes=tuple(notes),
            macs=out.spatial_numel() * weights,
            weight_terms=dot(*kernel, c_text, filters),
            param_notes=(filter_note(kernel, c_in, shape.channels, groups),),
        )


@register
class Conv1D(_Conv):
    name, rank, family = "conv1d", 1, "conv,convolution"
    aliases = ("convolution1d",)


@register
class Conv2D(_Conv):
    name, rank, family = "conv2d", 2, "conv,convolution"
    aliases = ("convolution2d",)


@register
class Conv3D(_Conv):
    name, rank, family = "conv3d", 3, "conv,convolution"
    aliases = ("convolution3d",)


@register
class DepthwiseConv2D(LayerKind):
    category, window_reach = "conv", "channel"
    name, rank = "depthwise_conv2d", 2
    aliases = ("depthwiseconv2d", "dwconv2d", "depthwise")
    primary = "kernel"
    args = (
        Arg("kernel", sizes, doc="filter size F"),
        Arg("depth_multiplier", positive, 1, "filters per input channel"),
        SIZE_ARGS["stride"],
        SIZE_ARGS["padding"],
        SIZE_ARGS["dilation"],
        Arg("bias", flag, True, "one bias per output channel"),
    )
    summary = "depthwise convolution (Keras DepthwiseConv2D): one F×F filter per input channel"
    pytorch = counterpart("nn.Conv2d", _IN, Param("out_channels", "out.channels", positional=True), *_TORCH_WINDOW,
                          Param("groups", "in.channels"), Param("bias", "bias", True), adapters=("depthwise", "explicit_padding"))
    keras = counterpart("DepthwiseConv2D", *_KERAS_WINDOW, Param("depth_multiplier", "depth_multiplier", 1), _KERAS_DILATION,
                        Param("use_bias", "bias", True), adapters=("no_strided_dilation", "explicit_padding"))
    onnx = ("Conv",)
    macs_rule, flops_rule, receptive_field = "output elements × kernel area", _BIAS_FLOPS, "window"
    rule = "H2, W2 as conv2d; D2 = D1·M; weights = F·F·D1·M, biases = D1·M (each filter sees one input channel)"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        multiplier = args["depth_multiplier"]
        steps = sliding_window(shape, args, ctx)
        kernel = per_axis(args["kernel"], 2, "kernel", ctx)
        channels = shape.channels * multiplier
        out = Shape(tuple(s.size_out for s in steps), channels)
        weights = product(kernel) * channels
        biases = channels if args["bias"] else 0
        return Outcome(
            out,
            weights,
            biases,
            param_terms=bias_terms(dot(*kernel, shape.channels, multiplier), channels, args["bias"]),
            axes=steps,
            notes=(f"D2 = D1·M = {shape.channels}·{multiplier} = {channels}: {multiplier} feature map{'s' if multiplier != 1 else ''} per input channel",),
            macs=out.spatial_numel() * weights,
            weight_terms=dot(*kernel, shape.channels, multiplier),
            param_notes=(f"each filter is {dot(*kernel)} = {fmt(product(kernel))} weights, on one input channel",),
        )


@register
class SeparableConv2D(LayerKind):
    category, window_reach = "conv", "all"
    name, rank = "separable_conv2d", 2
    aliases = ("separableconv2d", "sepconv2d", "separable")
    primary = "filters"
    args = (
        Arg("filters", positive, doc="output channels of the pointwise (1×1) step"),
        Arg("kernel", sizes, doc="filter size F of the depthwise step"),
        Arg("depth_multiplier", positive, 1, "depthwise filters per input channel"),
        SIZE_ARGS["stride"],
        SIZE_ARGS["padding"],
        SIZE_ARGS["dilation"],
        Arg("bias", flag, True, "one bias per output channel (pointwise step only, as in Keras)"),
    )
    summary = "depthwise then pointwise convolution (Keras SeparableConv2D)"
    pytorch = Counterpart(  # separable = depthwise (no bias) + pointwise 1×1
        modules=(
            Module("nn.Conv2d", (_IN, Param("out_channels", "in.channels*depth_multiplier", positional=True), *_TORCH_WINDOW,
                                 Param("groups", "in.channels"), Param("bias", literal=False)), suffix="_depthwise"),
            Module("nn.Conv2d", (Param("in_channels", "in.channels*depth_multiplier", positional=True), _FILTERS,
                                 Param("kernel_size", literal=1), Param("bias", "bias", True))),
        ),
        adapters=("explicit_padding",),
        note="separable: depthwise (no bias) then pointwise 1x1 (bias), as Keras SeparableConv2D",
    )
    keras = counterpart("SeparableConv2D", Param("filters", "filters", positional=True), *_KERAS_WINDOW,
                        Param("depth_multiplier", "depth_multiplier", 1), _KERAS_DILATION, Param("use_bias", "bias", True),
                        adapters=("no_strided_dilation", "explicit_padding"))
    onnx = ("Conv", "Conv")
    macs_rule, flops_rule, receptive_field = "output positions × (kernel area·C·M + C·M·K)", _BIAS_FLOPS, "window"
    rule = "H2, W2 as conv2d; D2 = K; weights = F·F·D1·M (depthwise) + D1·M·K (pointwise 1×1), biases = K"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        filters, multiplier = args["filters"], args["depth_multiplier"]
        steps = sliding_window(shape, args, ctx)
        kernel = per_axis(args["kernel"], 2, "kernel", ctx)
        out = Shape(tuple(s.size_out for s in steps), filters)
        depthwise = product(kernel) * shape.channels * multiplier
        pointwise = shape.channels * multiplier * filters
        biases = filters if args["bias"] else 0
        terms = f"{dot(*kernel, shape.channels, multiplier)} + {dot(shape.channels, multiplier, filters)}"
        return Outcome(
            out,
            depthwise + pointwise,
            biases,
            param_terms=bias_terms(terms, filters, args["bias"]),
            axes=steps,
            notes=(depth_note(filters, "K", shape.channels * multiplier),),
            macs=out.spatial_numel() * (depthwise + pointwise),
            weight_terms=terms,
            param_notes=(f"depthwise: {fmt(shape.channels * multiplier)} filters of {dot(*kernel)} = {fmt(product(kernel))} weights, "
                         f"each on one channel; pointwise: {fmt(filters)} filters of 1·1·{fmt(shape.channels * multiplier)}",
                         f"depthwise {fmt(depthwise)} + pointwise {fmt(pointwise)} weights"),
        )


class _ConvTranspose(LayerKind):
    category, window_reach = "conv", "all"  # each input position, through all channels, spreads over a window
    primary = "filters"
    args = (
        Arg("filters", positive, doc="output channels K"),
        Arg("kernel", sizes, doc="filter size F"),
        SIZE_ARGS["stride"],
        Arg("padding", padding, 0, "PyTorch padding P (removed from each side), or Keras 'same'/'valid'"),
        Arg("output_padding", offsets, 0, "extra size on the far side; smaller than stride or dilation"),
        SIZE_ARGS["dilation"],
        Arg("groups", positive, 1, "split channels into groups"),
        Arg("bias", flag, True, "one bias per filter"),
    )
    summary = "transposed convolution (PyTorch ConvTranspose, Keras Conv*DTranspose)"
    pytorch = counterpart("nn.ConvTranspose{rank}d", _IN, _FILTERS, *_TORCH_WINDOW[:3], Param("output_padding", "output_padding", 0, "axes"),
                          Param("groups", "groups", 1), Param("bias", "bias", True), _TORCH_WINDOW[3], adapters=("transposed_padding",))
    keras = counterpart("Conv{rank}DTranspose", Param("filters", "filters", positional=True), *_KERAS_WINDOW,
                        Param("output_padding", "output_padding", 0, "axes"), _KERAS_DILATION, Param("use_bias", "bias", True),
                        requires=(Requires("groups", 1, "Keras transposed convolutions have no groups", "export to PyTorch, or use groups: 1"),),
                        adapters=("no_strided_dilation", "transposed_padding"))
    onnx = ("ConvTranspose",)
    macs_rule, flops_rule, receptive_field = "input positions × C_in × (K/groups) × kernel volume", _BIAS_FLOPS, "window"
    rule = ("H2 = (H1 − 1)·S − 2P + r·(F − 1) + a + 1 on each spatial axis, a the output padding (\"same\": H1·S); "
            "D2 = K; weights = D1·K·F·F (one F per spatial axis; K/g with groups g), biases = K")

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        rank, filters, groups = shape.rank, args["filters"], args["groups"]
        channels_per_group(shape.channels, groups, "input channels", ctx)
        k_out = channels_per_group(filters, groups, "filters", ctx)
        kernel = per_axis(args["kernel"], rank, "kernel", ctx)
        stride = per_axis(args["stride"], rank, "stride", ctx)
        dilation = per_axis(args["dilation"], rank, "dilation", ctx)
        extra = per_axis(args["output_padding"], rank, "output_padding", ctx)
        steps = []
        if args["padding"] == "same":
            if any(e != 0 for e in extra):
                raise ctx.error("output_padding cannot be combined with padding: same", "drop one of them")
            steps = [transposed_same_axis(a, w, k, s) for a, w, k, s in zip(shape.axis_names, shape.spatial, kernel, stride)]
        else:
            pads = axis_pads(args["padding"], rank, ctx)
            for axis, w, k, s, d, op, (before, after) in zip(shape.axis_names, shape.spatial, kernel, stride, dilation, extra, pads):
                if before != after:
                    raise ctx.error("a transposed convolution takes the same padding on both sides", "give one value per axis")
                if is_int(op) and is_int(s) and op >= max(s, d):
                    raise ctx.error(
                        f"output_padding {op} on axis {axis} must be smaller than the stride {s} or the dilation {d}",
                        "use an output_padding below the stride",
                    )
                step = transposed_axis(axis, w, k, s, before, op, d)
                if is_true(step.size_out < 1):
                    raise ctx.error(f"output size on axis {axis} shrinks to {step.size_out}: {step.text}", "use less padding")
                steps.append(step)
        out = Shape(tuple(s.size_out for s in steps), filters)
        weights = shape.channels * k_out * product(kernel)
        k_text = str(filters) if groups == 1 else f"{filters}/{groups}"  # dot() brackets it
        return Outcome(
            out,
            weights,
            filters if args["bias"] else 0,
            param_terms=bias_terms(dot(shape.channels, k_text, *kernel), filters, args["bias"]),
            axes=tuple(steps),
            notes=(depth_note(filters, "K", channels_per_group(shape.channels, groups, "input channels", ctx), shape.channels),),
            macs=shape.spatial_numel() * weights,
            weight_terms=dot(shape.channels, k_text, *kernel),
            param_notes=(f"each output channel gathers {dot(*kernel)} weights from each of "
                         f"{fmt(channels_per_group(shape.channels, groups, 'input channels', ctx))} input channels",),
        )


@register
class ConvTranspose1D(_ConvTranspose):
    name, rank, family = "conv_transpose1d", 1, "conv_transpose,deconv,convtranspose"
    aliases = ("conv1dtranspose", "deconv1d")


@register
class ConvTranspose2D(_ConvTranspose):
    name, rank, family = "conv_transpose2d", 2, "conv_transpose,deconv,convtranspose"
    aliases = ("conv2dtranspose", "deconv2d", "deconvolution2d")


@register
class ConvTranspose3D(_ConvTranspose):
    name, rank, family = "conv_transpose3d", 3, "conv_transpose,deconv,convtranspose"
    aliases = ("conv3dtranspose", "deconv3d")
