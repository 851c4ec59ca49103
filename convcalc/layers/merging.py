"""Merges: element-wise add, subtract and multiply (broadcasting), and concatenation."""


from ..arith import show, total
from ..shapes import Shape
from .args import Arg, optional_integer
from .counterparts import Param, also, counterpart, function
from .registry import DATA_MOVEMENT, LayerContext, LayerKind, Outcome, register


def _input_names(inputs: tuple[Shape, ...], ctx: LayerContext) -> list[str]:
    return list(ctx.input_names) if len(ctx.input_names) == len(inputs) else [f"input {i + 1}" for i in range(len(inputs))]


def _axis_labels(shape: Shape, layout: str) -> tuple[str, ...]:
    names = shape.axis_names
    return ("C", *names) if layout == "chw" else (*names, "C")


def broadcast(inputs: tuple[Shape, ...], ctx: LayerContext, names: list[str]) -> Shape:
    """The NumPy/PyTorch rule on the spec's layout: axes aligned from the last, each equal or 1.

    A squeeze-and-excitation gate of (1, 1, C) multiplies an (H, W, C) map as it is: no framework
    makes the H×W copy, so none is counted.
    """
    widest = max(inputs, key=lambda s: s.rank)
    out = list(widest.in_layout(ctx.layout))
    owner = [inputs.index(widest)] * len(out)  # which input set each axis's size
    labels = _axis_labels(widest, ctx.layout)
    for position, shape in enumerate(inputs):
        dims = shape.in_layout(ctx.layout)
        for axis, size in enumerate(dims, start=len(out) - len(dims)):
            have = out[axis]
            if size == have or size == 1:
                continue
            if have == 1:
                out[axis], owner[axis] = size, position
                continue
            setter = owner[axis]
            hint = "element-wise merges need each axis equal, or 1 to broadcast (the NumPy/PyTorch rule, axes aligned from the last)"
            if ctx.layout == "chw" and any(s.rank == 0 for s in inputs):
                hint = "a vector lines up with the last axis (W in a chw spec): keep the gate (C, 1, 1), e.g. adaptive_avgpool2d 1 instead of global_avgpool"
            raise ctx.error(
                f"shapes differ: {names[setter]} {inputs[setter].describe(ctx.layout)} vs {names[position]} "
                f"{shape.describe(ctx.layout)}, {show(have)} vs {show(size)} on axis {labels[axis]}",
                hint,
            )
    return Shape.from_layout(tuple(out), ctx.layout)


class _Merge(LayerKind):
    category = "merge"
    min_inputs, max_inputs = 2, None
    rule = "out = the inputs' shapes broadcast: each axis equal or 1, aligned from the last (NumPy/PyTorch); no parameters"
    flops_rule, receptive_field = "(inputs − 1) × output elements", "merge"

    def flops(self, args, inputs, outcome):
        return (len(inputs) - 1) * outcome.shape.numel()

    def infer(self, args, inputs, ctx):
        names = _input_names(inputs, ctx)
        out = broadcast(inputs, ctx, names)
        notes = ()
        if any(shape != out for shape in inputs):
            spread = [f"{name} {shape.describe(ctx.layout)}" for shape, name in zip(inputs, names) if shape != out]
            notes = (f"broadcast: {', '.join(spread)} spread over {out.describe(ctx.layout)} (no copy is made)",)
        return Outcome(out, notes=notes)


@register
class Add(_Merge):
    name, merge_symbol = "add", "+"
    aliases = ("sum",)
    summary = "element-wise sum of its inputs (a residual shortcut); sizes of 1 broadcast"
    pytorch = function("operator.add", "{inputs}", join=" + ", adapters=("broadcast",),
                       reads=also("operator.add", "operator.iadd", "torch.add", "Tensor.add", "Tensor.add_"))
    keras = counterpart("Add", adapters=("broadcast",))
    onnx = ("Add",)


@register
class Subtract(_Merge):
    name, merge_symbol = "subtract", "−"
    aliases = ("sub",)
    min_inputs, max_inputs = 2, 2
    summary = "element-wise difference of its two inputs, the first minus the second (Keras Subtract); sizes of 1 broadcast"
    pytorch = function("operator.sub", "{inputs}", join=" - ", adapters=("broadcast",),
                       reads=also("operator.sub", "operator.isub", "torch.sub", "Tensor.sub", "Tensor.sub_"))
    keras = counterpart("Subtract", adapters=("broadcast",))
    onnx = ("Sub",)


@register
class Multiply(_Merge):
    name, merge_symbol = "multiply", "×"
    aliases = ("mul",)
    summary = "element-wise product of its inputs (a squeeze-and-excitation gate); sizes of 1 broadcast"
    pytorch = function("operator.mul", "{inputs}", join=" * ", adapters=("broadcast",),
                       reads=also("operator.mul", "operator.imul", "torch.mul", "Tensor.mul", "Tensor.mul_"))
    keras = counterpart("Multiply", adapters=("broadcast",))
    onnx = ("Mul",)


@register
class Concat(_Merge):
    name = "concat"
    aliases = ("concatenate", "cat")
    args = (Arg("axis", optional_integer, None, "axis in the spec's layout; default the channel axis"),)
    summary = "joins its inputs along the channel axis (or axis)"
    pytorch = function("torch.cat", "torch.cat([{inputs}], dim={dim})", Param("dim", "axis", form="dim"),
                       reads=also("torch.cat", "torch.concat", "torch.concatenate", params=(Param("dim", "axis", 0, "dim", positional=True),)))
    keras = counterpart("Concatenate", Param("axis", "axis", form="axis"))
    onnx = ("Concat",)
    flops_rule, receptive_field = DATA_MOVEMENT, "join"

    def flops(self, args, inputs, outcome):
        return 0
    rule = "out = the inputs' shape with the sizes along the axis added; no parameters"

    def infer(self, args, inputs, ctx):
        names = _input_names(inputs, ctx)
        first = inputs[0]
        ndim = first.rank + 1
        axis = args["axis"]
        internal = first.rank if axis is None else axis
        if axis is not None:
            if not -ndim <= axis < ndim:
                raise ctx.error(f"axis {axis} is out of range for {ndim}-axis inputs", f"use an axis from {-ndim} to {ndim - 1}")
            internal = first.layout_axis_to_internal(axis, ctx.layout)
        dims_lists = [list(s.spatial) + [s.channels] for s in inputs]
        for shape, dims_list, name in zip(inputs[1:], dims_lists[1:], names[1:]):
            other = [d for i, d in enumerate(dims_list) if i != internal]
            base = [d for i, d in enumerate(dims_lists[0]) if i != internal]
            if len(dims_list) != len(dims_lists[0]) or other != base:
                raise ctx.error(
                    f"shapes differ outside the concat axis: {names[0]} {first.describe(ctx.layout)} vs {name} {shape.describe(ctx.layout)}",
                    "all inputs must agree on every axis but the one joined",
                )
        joined = dims_lists[0][:]
        joined[internal] = total(d[internal] for d in dims_lists)
        out = Shape(tuple(joined[:-1]), joined[-1])
        parts = " + ".join(show(d[internal]) for d in dims_lists)
        return Outcome(out, notes=(f"joined axis: {parts} = {show(joined[internal])}",))
