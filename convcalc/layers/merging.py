"""Merges: element-wise add and multiply, and concatenation."""


from ..arith import show
from ..shapes import Shape
from .args import Arg, optional_integer
from .registry import LayerContext, LayerKind, Outcome, register


def _input_names(inputs: tuple[Shape, ...], ctx: LayerContext) -> list[str]:
    return list(ctx.input_names) if len(ctx.input_names) == len(inputs) else [f"input {i + 1}" for i in range(len(inputs))]


class _Merge(LayerKind):
    category = "merge"
    min_inputs, max_inputs = 2, None

    def _same_shapes(self, inputs, ctx, names) -> Shape:
        first = inputs[0]
        for shape, name in zip(inputs[1:], names[1:]):
            if shape != first:
                raise ctx.error(
                    f"shapes differ: {names[0]} {first.describe(ctx.layout)} vs {name} {shape.describe(ctx.layout)}",
                    "every input of an element-wise merge must have the same shape",
                )
        return first

    def infer(self, args, inputs, ctx):
        return Outcome(self._same_shapes(inputs, ctx, _input_names(inputs, ctx)))


@register
class Add(_Merge):
    name = "add"
    aliases = ("sum",)
    summary = "element-wise sum of its inputs (a residual shortcut)"
    rule = "out = the inputs' common shape; no parameters"


@register
class Multiply(_Merge):
    name = "multiply"
    aliases = ("mul",)
    summary = "element-wise product of its inputs"
    rule = "out = the inputs' common shape; no parameters"


@register
class Concat(_Merge):
    name = "concat"
    aliases = ("concatenate", "cat")
    args = (Arg("axis", optional_integer, None, "axis in the spec's layout; default the channel axis"),)
    summary = "joins its inputs along the channel axis (or axis)"
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
        joined[internal] = sum((d[internal] for d in dims_lists[1:]), dims_lists[0][internal])
        out = Shape(tuple(joined[:-1]), joined[-1])
        parts = " + ".join(show(d[internal]) for d in dims_lists)
        return Outcome(out, notes=(f"joined axis: {parts} = {show(joined[internal])}",))
