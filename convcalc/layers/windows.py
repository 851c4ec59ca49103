"""Rules that several kinds share: one value per axis, paddings, and the sliding window."""

from collections.abc import Mapping
from typing import Any

from ..arith import AxisStep, Size, fmt, is_int, is_true, same_axis, window_axis
from ..shapes import AXIS_NAMES, Shape
from .args import Arg, padding, sizes
from .registry import LayerContext, axes_word


def per_axis(value: Any, rank: int, what: str, ctx: LayerContext) -> tuple[Size, ...]:
    """Expand an int to one value per spatial axis, or check a list has one per axis."""
    if isinstance(value, tuple):
        if len(value) != rank:
            names = ", ".join(AXIS_NAMES.get(rank, ()))
            raise ctx.error(
                f"{what} has {len(value)} values but the input has {rank} spatial {axes_word(rank)} ({names})",
                f"give one value, or {rank}",
            )
        return value
    return (value,) * rank


def axis_pads(value: Any, rank: int, ctx: LayerContext) -> tuple[tuple[Size, Size], ...]:
    if value == "valid":
        return ((0, 0),) * rank
    if value == "full":
        raise ctx.error("padding: full is for convolutions (every overlap of kernel and input)",
                        "give the padding as a number of zeros per side")
    if isinstance(value, tuple) and value and value[0] == "pairs":
        pairs = value[1]
        if len(pairs) != rank:
            raise ctx.error(f"padding has {len(pairs)} [before, after] pairs but the input has {rank} spatial axes")
        return pairs
    if rank == 1 and isinstance(value, tuple) and len(value) == 2:
        return (value,)  # a 1D layer's [before, after]
    return tuple((p, p) for p in per_axis(value, rank, "padding", ctx))


def sliding_window(
    shape: Shape,
    args: Mapping[str, Any],
    ctx: LayerContext,
    *,
    stride_default_kernel: bool = False,
    pytorch_pool_padding: bool = False,
) -> tuple[AxisStep, ...]:
    """The output size of every spatial axis under a convolution or pooling window."""
    rank = shape.rank
    kernel = per_axis(args["kernel"], rank, "kernel", ctx)
    stride_arg = args.get("stride")
    stride = kernel if stride_arg is None and stride_default_kernel else per_axis(stride_arg or 1, rank, "stride", ctx)
    dilation = per_axis(args.get("dilation", 1), rank, "dilation", ctx)
    ceil_mode = bool(args.get("ceil_mode", False))
    steps = []
    if args["padding"] == "same":
        for axis, size, k, s, d in zip(shape.axis_names, shape.spatial, kernel, stride, dilation):
            steps.append(same_axis(axis, size, k, s, d))
        return tuple(steps)
    if args["padding"] == "full":  # every partial overlap: D·(F − 1) zeros on each side (NumPy/Theano 'full')
        if pytorch_pool_padding:
            raise ctx.error("padding: full is for convolutions", "pooling pads at most half its window: give a number, 'same' or 'valid'")
        pads = tuple((d * (k - 1), d * (k - 1)) for k, d in zip(kernel, dilation))
    else:
        pads = axis_pads(args["padding"], rank, ctx)
    for axis, size, k, s, d, (before, after) in zip(shape.axis_names, shape.spatial, kernel, stride, dilation, pads):
        window = d * (k - 1) + 1
        if pytorch_pool_padding and is_int(before) and is_int(after) and is_int(k) and max(before, after) > k // 2:
            raise ctx.error(  # PyTorch compares with the kernel size itself, not the dilated window
                f"padding {max(before, after)} is more than half the kernel {k} on axis {axis}",
                "PyTorch allows pooling padding of at most half the kernel; use a smaller padding",
            )
        step = window_axis(axis, size, k, s, before, after, d, ceil_mode)
        # With ceil_mode PyTorch lets the last window hang past the end (it must start inside).
        if is_true(window > size + before + after) and not (ceil_mode and is_true(step.size_out >= 1)):
            what = f"kernel {k}" if d == 1 else f"dilated kernel {d}·({k} − 1) + 1 = {window}"
            raise ctx.error(
                f"{what} is larger than the padded input on axis {axis}: {size} + {before} + {after} = {size + before + after}",
                "use a smaller kernel, add padding, or padding: same",
            )
        steps.append(step)
    return tuple(steps)


def channels_per_group(channels: Size, groups: Size, what: str, ctx: LayerContext) -> Size:
    if is_int(channels) and is_int(groups):
        if channels % groups:
            raise ctx.error(
                f"groups {groups} does not divide the {channels} {what}",
                f"choose groups among the divisors of {channels}",
            )
        return channels // groups
    return channels / groups


def bias_terms(weights_text: str, bias: Size, use_bias: bool) -> str:
    return f"{weights_text} + {bias}" if use_bias else weights_text


def out_letter(axis: str, rank: int) -> str:
    """An output axis as explain writes it: 'H2', 'W2', 'L2', and 'T2' for a 3-D input's frames (D is the depth)."""
    return ("T" if rank == 3 and axis == "D" else axis) + "2"


def depth_note(channels: Size, source: str, c_in: Size = 1, all_channels: Size | None = None) -> str:
    """'D2 = K = 150: one feature map per filter, each summed over all 100 input channels'."""
    text = f"D2 = {source} = {fmt(channels)}: one feature map per filter"
    if all_channels is not None and not bool(all_channels == c_in):
        text += f", each summed over {fmt(c_in)} of the {fmt(all_channels)} input channels"
    elif not (is_int(c_in) and c_in == 1):
        text += f", each summed over all {fmt(c_in)} input channels"
    return text


def filter_note(kernel: tuple[Size, ...], c_in: Size, channels: Size, groups: Size) -> str:
    """'each filter is 11·11·3 = 363 weights, spanning all 3 input channels' (CS231n: F·F·D1 weights per filter)."""
    from ..arith import dot, product

    size = product(kernel) * c_in
    terms = dot(*kernel, c_in)
    text = f"each filter is {terms} = {fmt(size)} weights" if terms != fmt(size) else f"each filter is {fmt(size)} weights"
    if is_int(groups) and groups == 1:
        if is_int(c_in) and c_in == 1:
            return text + ", on the 1 input channel"
        return text + f", spanning all {fmt(c_in)} input channels"
    return text + f", spanning {fmt(c_in)} of the {fmt(channels)} input channels (groups g = {groups})"


SIZE_ARGS = dict(
    stride=Arg("stride", sizes, 1, "step of the window; one per axis allowed"),
    padding=Arg("padding", padding, 0, "zeros added on each side; 'same', 'valid', 'full' (D·(F − 1) a side), per axis or [before, after] pairs"),
    dilation=Arg("dilation", sizes, 1, "spacing between kernel taps"),
)
