"""Layers that move values without computing: split into several outputs, slice, channel shuffle, permute.

A split is the one kind with several outputs: later layers name each one as ``from: split1.0``
(PyTorch's ``x.chunk(2, dim=1)``, ShuffleNetV2's channel split).
"""

from ..arith import Size, fmt, is_int, show
from ..shapes import Shape
from .args import Arg, axis_or_channels, axis_order, integer, optional_integer, positive, sizes
from .counterparts import Counterpart, Param, also, counterpart, function
from .registry import DATA_MOVEMENT, LayerContext, LayerKind, Outcome, register
from .windows import channels_per_group


def axis_letter(shape: Shape, internal: int, suffix: str) -> str:
    """CS231n's letters: 'D1' for the input's channels (its depth), 'H1', 'W1', 'L1', 'T1' (a 3-D input's frames)."""
    if internal == shape.rank:
        return "D" + suffix
    axis = shape.axis_names[internal]
    return ("T" if shape.rank == 3 and axis == "D" else axis) + suffix


def _labels(shape: Shape, layout: str) -> tuple[str, ...]:
    letters = tuple(axis_letter(shape, k, "1") for k in range(shape.rank + 1))
    return (letters[-1], *letters[:-1]) if layout == "chw" else letters


def layout_axis(shape: Shape, axis, ctx: LayerContext) -> int:
    """An axis of the spec's layout (or 'channels', or None for channels) as an index of (*spatial, channels)."""
    if axis is None or axis == "channels":
        return shape.rank
    ndim = shape.rank + 1
    if not -ndim <= axis < ndim:
        raise ctx.error(f"axis {axis} is out of range for the {ndim}-axis input {shape.describe(ctx.layout)}",
                        f"use an axis from {-ndim} to {ndim - 1}, or channels")
    return shape.layout_axis_to_internal(axis, ctx.layout)


def _with_size(shape: Shape, internal: int, size: Size) -> Shape:
    dims = [*shape.spatial, shape.channels]
    dims[internal] = size
    return Shape(tuple(dims[:-1]), dims[-1])


def _said(shape: Shape, internal: int) -> str:
    """An axis as a message names it: C for the channels, else its own letter."""
    return "C" if internal == shape.rank else shape.axis_names[internal]


def _axis_label(shape: Shape, internal: int, layout: str) -> str:
    return axis_letter(shape, internal, "1")


@register
class Split(LayerKind):
    category = "reshape"
    name = "split"
    aliases = ("chunk", "channel_split")
    primary = "sections"
    args = (
        Arg("sections", sizes, 2, "equal parts (a number), or the size of each part (a list), as torch.chunk / torch.split"),
        Arg("axis", axis_or_channels, None, "the axis to split, in the spec's layout; default the channels"),
    )
    summary = "splits along the channels into several outputs, named from: split1.0, split1.1 (ShuffleNetV2's channel split)"
    pytorch = function("torch.split", "torch.split({x}, {split_size_or_sections}, dim={dim})", Param("split_size_or_sections", "split_sizes"),
                       Param("dim", "split_dim"), adapters=("split_sizes",),
                       reads=also("torch.split", "Tensor.split", params=(Param("split_size_or_sections", "split_sizes", positional=True),
                                                                         Param("dim", "split_dim", 0, positional=True)))
                       + also("torch.chunk", "Tensor.chunk", params=(Param("chunks", "sections", positional=True),
                                                                     Param("dim", "split_dim", 0, positional=True))))
    keras = Counterpart(function="convcalc_split", params=(Param("sections", "sections"), Param("axis", "axis", form="axis")),
                        note="a Lambda around convcalc_split (keras.ops.split), a function the exported code defines; "
                             "its values in the Lambda's arguments, which import reads back")
    onnx = ("Split",)
    flops_rule = DATA_MOVEMENT
    rule = "out k = the input with the axis cut into the parts; later layers read `from: NAME.k`; no parameters"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        internal = layout_axis(shape, args["axis"], ctx)
        size = [*shape.spatial, shape.channels][internal]
        label = _axis_label(shape, internal, ctx.layout)
        sections = args["sections"]
        if isinstance(sections, tuple):
            parts = sections
            total = sum(parts, 0)
            if is_int(total) and is_int(size) and total != size:
                raise ctx.error(f"the parts {' + '.join(map(show, parts))} = {fmt(total)} do not add up to {_said(shape, internal)} = {fmt(size)}",
                                "give parts that add up to the size, or a number of equal parts")
        elif not is_int(sections):
            raise ctx.error(f"sections must be a number of parts, got {show(sections)}", "write e.g. sections: 2")
        else:
            if is_int(size) and size % sections:
                raise ctx.error(f"{_said(shape, internal)} = {fmt(size)} does not split into {sections} equal parts",
                                "give the size of each part as a list, e.g. sections: [" + ", ".join(
                                    str(size // sections + (k < size % sections)) for k in range(min(sections, 4))) + (", …]" if sections > 4 else "]"))
            parts = (size // sections if is_int(size) else size / sections,) * sections
        if len(parts) < 2:
            raise ctx.error("a split into one part is the input itself", "split into 2 or more parts, or leave the layer out")
        outputs = tuple(_with_size(shape, internal, p) for p in parts)
        note = f"{label} = {show(size)} → {label[0]}2 = " + " + ".join(show(p) for p in parts)
        names = ", ".join(f"{ctx.name}.{k}" for k in range(len(parts)))
        return Outcome(outputs[0], outputs=outputs, notes=(note, f"outputs: {names}"))


@register
class Slice(LayerKind):
    category = "reshape"
    name = "slice"
    aliases = ("narrow", "crop_channels")
    args = (
        Arg("start", integer, 0, "first index kept (negative: from the end), as Python's x[start:stop]"),
        Arg("stop", optional_integer, None, "index after the last one kept; default the end"),
        Arg("axis", axis_or_channels, None, "the axis sliced, in the spec's layout; default the channels"),
    )
    summary = "keeps a range of channels (or of another axis), as x[:, start:stop]"
    pytorch = function("operator.getitem", "{x}[{index}]", Param("index", "torch_index", form="items"), adapters=("slice_index",))
    keras = Counterpart(function="convcalc_slice", params=(Param("start", "start"), Param("stop", "stop"), Param("axis", "axis", form="axis")),
                        note="a Lambda around convcalc_slice (x[..., start:stop] on the axis), a function the exported code "
                             "defines; its values in the Lambda's arguments, which import reads back")
    onnx = ("Slice",)
    flops_rule = DATA_MOVEMENT
    rule = "out = the input with the axis cut to [start, stop), Python's rules; no parameters"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        internal = layout_axis(shape, args["axis"], ctx)
        size = [*shape.spatial, shape.channels][internal]
        label = _axis_label(shape, internal, ctx.layout)
        start, stop = args["start"], args["stop"]
        if is_int(size):
            first, last, _ = slice(start, stop).indices(size)
            length = max(last - first, 0)
            text = f"{label[0]}2 = [{start}:{'' if stop is None else stop}] of {label} = {fmt(size)}: {fmt(length)}"
        elif start >= 0 and (stop is None or stop >= 0):
            length = (size if stop is None else stop) - start
            text = f"{label[0]}2 = {show(length)}"
        else:
            raise ctx.error(f"a negative index needs a numeric size; {_said(shape, internal)} is {show(size)}", "give start and stop from 0")
        if is_int(length) and length < 1:
            raise ctx.error(f"the slice [{start}:{'' if stop is None else stop}] of {_said(shape, internal)} = {fmt(size)} is empty",
                            "choose start and stop inside the axis")
        return Outcome(_with_size(shape, internal, length), notes=(text,))


@register
class ChannelShuffle(LayerKind):
    category = "reshape"
    name = "channel_shuffle"
    aliases = ("channelshuffle", "shuffle")
    primary = "groups"
    args = (Arg("groups", positive, doc="groups whose channels are interleaved (ShuffleNet's g)"),)
    summary = "interleaves the channels of groups (ShuffleNet; PyTorch nn.ChannelShuffle)"
    pytorch = counterpart("nn.ChannelShuffle", Param("groups", "groups", positional=True), ranks=(1, 2, 3))
    keras = Counterpart(adapters=("channel_shuffle",), note="Reshape, Permute, Reshape")
    onnx = ("Reshape", "Transpose", "Reshape")
    flops_rule = DATA_MOVEMENT
    rule = "out = in; groups must divide C; no parameters"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        per_group = channels_per_group(shape.channels, args["groups"], "channels", ctx)
        return Outcome(shape, notes=(f"D1 = {show(shape.channels)} = {show(args['groups'])} groups × {show(per_group)}, "
                                     "read across the groups: D2 = D1",))


@register
class Permute(LayerKind):
    category = "reshape"
    name = "permute"
    aliases = ("transpose",)
    primary = "order"
    args = (Arg("order", axis_order, doc="the new order of the axes of one sample, in the spec's layout"),)
    summary = "reorders the axes (PyTorch permute, Keras Permute); the result is read in the spec's layout"
    pytorch = function("Tensor.permute", "{x}.permute({dims})", Param("dims", "torch_dims", form="items"), adapters=("permute_dims",),
                       reads=also("Tensor.permute", "torch.permute", params=(Param("dims", "torch_dims", form="tuple", positional=True),))
                       + also("Tensor.movedim", "torch.movedim", params=(Param("source", "torch_move_source", positional=True),
                                                                         Param("destination", "torch_move_destination", positional=True))))
    keras = counterpart("Permute", Param("dims", "keras_dims", positional=True), adapters=("permute_dims",))
    onnx = ("Transpose",)
    flops_rule, receptive_field = DATA_MOVEMENT, "none"
    rule = "out = the input's sizes in the new order; no parameters"

    @staticmethod
    def resolved_order(order: list[int], n: int) -> list[int]:
        """The order counted from 0 over the n axes of one sample, whichever way it was written."""
        return Permute._read_order(order, n)[0]

    @staticmethod
    def _read_order(order: list[int], n: int) -> tuple[list[int], str]:
        if len(order) == 2 and n > 2 and max(order) < n:  # PyTorch's transpose(a, b): swap two axes
            a, b = order
            swapped = list(range(n))
            swapped[a], swapped[b] = swapped[b], swapped[a]
            return swapped, f"axes {a} and {b} swapped"
        if len(order) == n and sorted(order) == list(range(1, n + 1)):
            return [v - 1 for v in order], "counted from 1, as Keras Permute"
        if len(order) == n + 1 and order[0] == 0 and sorted(order[1:]) == list(range(1, n + 1)):
            return [v - 1 for v in order[1:]], "with the batch axis first, as PyTorch permute"
        return order, "counted from 0"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        dims = shape.in_layout(ctx.layout)
        n = len(dims)
        order, source = self._read_order(list(args["order"]), n)
        if sorted(order) != list(range(n)):
            raise ctx.error(f"order {list(args['order'])} is no reordering of the {n} axes of {shape.describe(ctx.layout)}",
                            f"list each axis 0 to {n - 1} once (Keras' 1 to {n}, or PyTorch's with the batch axis 0 first)")
        new = tuple(dims[i] for i in order)
        labels = _labels(shape, ctx.layout)
        moved = ", ".join(labels[i] for i in order)
        out = Shape((), new[0]) if n == 1 else Shape.from_layout(new, ctx.layout)
        note = f"the axes ({moved}) in their new order = {out.describe(ctx.layout)}, order {tuple(order)} {source}"
        return Outcome(out, notes=(note,))
