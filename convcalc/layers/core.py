"""The fully connected layer, and the layers that reshape or drop values without learning: flatten, reshape, dropout."""


from ..arith import dot, factor, fmt, is_int, product, show
from ..shapes import Shape
from .args import Arg, axis_or_channels, dims, flag, positive, rate
from .counterparts import Module, Param, also, counterpart, function
from .registry import DATA_MOVEMENT, LayerKind, Outcome, register
from .windows import bias_terms


@register
class Dense(LayerKind):
    category = "dense"
    name = "dense"
    aliases = ("linear", "fc", "fullyconnected", "innerproduct")
    primary = "units"
    args = (
        Arg("units", positive, doc="output neurons"),
        Arg("bias", flag, True, "one bias per unit"),
        Arg("axis", axis_or_channels, None, "act on this axis at every other position (channels, or -1: PyTorch Linear and "
            "Keras Dense act on the last axis); none: flatten a multi-axis input first", "none"),
    )
    summary = "fully connected layer; a multi-axis input is flattened first (said in the table), or axis: acts on one axis"
    rule = "N2 = units; weights = N1·N2 (N1 inputs, flattened; with axis: N1 is that axis' size), biases = N2"
    pytorch = counterpart("nn.Linear", Param("in_features", "in_features", positional=True), Param("out_features", "units", positional=True),
                          Param("bias", "bias", True), adapters=("linear_axis", "flatten_first"))
    keras = counterpart("Dense", Param("units", "units", positional=True), Param("use_bias", "bias", True),
                        adapters=("dense_axis", "flatten_first"))
    onnx = ("Gemm",)
    macs_rule, flops_rule, receptive_field = "inputs × units (axis: × the other positions)", "2·MACs + units (bias, at each position)", "dense"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        units = args["units"]
        if args["axis"] is not None and shape.rank:
            return self._on_axis(args, shape, ctx)
        if args["axis"] is not None:  # a flat input's one axis (-1, 0, channels); axis: 7 there was taken silently
            from .rearranging import layout_axis

            layout_axis(shape, args["axis"], ctx)
        n_in = shape.numel()
        notes = [f"N2 = units = {fmt(units)}"]
        remarks = ()
        if shape.rank:
            dims = shape.in_layout(ctx.layout)
            notes.insert(0, f"N1 = {' × '.join(map(factor, dims))} = {fmt(n_in)} inputs (flattened)")
            remarks = (f"flattens {'·'.join(map(factor, dims))} = {fmt(n_in)} inputs",)
        weights = n_in * units
        return Outcome(
            Shape((), units),
            weights,
            units if args["bias"] else 0,
            param_terms=bias_terms(dot(n_in, units), units, args["bias"]),
            notes=tuple(notes),
            macs=weights,
            weight_terms=dot(n_in, units),
            remarks=remarks,
        )

    def _on_axis(self, args, shape, ctx):
        from .rearranging import axis_letter, layout_axis

        units = args["units"]
        internal = layout_axis(shape, args["axis"], ctx)
        dims = [*shape.spatial, shape.channels]
        n_in = dims[internal]
        dims[internal] = units
        out = Shape(tuple(dims[:-1]), dims[-1])
        label = axis_letter(shape, internal, "1")
        positions = shape.numel() // n_in if is_int(shape.numel()) and is_int(n_in) else shape.numel() / n_in
        weights = n_in * units
        return Outcome(
            out,
            weights,
            units if args["bias"] else 0,
            param_terms=bias_terms(dot(n_in, units), units, args["bias"]),
            notes=(f"{label} = {show(n_in)} → {label[0]}2 = units = {show(units)} at each of {fmt(positions)} positions",),
            macs=positions * weights,
            weight_terms=dot(n_in, units),
        )


@register
class Flatten(LayerKind):
    category = "reshape"
    name = "flatten"
    summary = "all axes into one vector"
    rule = "N2 = H1·W1·D1 (every value in one vector); no parameters"
    # torch.flatten(x) alone would flatten the batch too: read back only from dimension 1 on
    pytorch = function("torch.flatten", "torch.flatten({x}, 1)", reads=(
        Module("nn.Flatten", (Param("start_dim", literal=1, default=1), Param("end_dim", literal=-1, default=-1))),
        *also("torch.flatten", "Tensor.flatten", params=(Param("start_dim", literal=1, default=0, positional=True),
                                                          Param("end_dim", literal=-1, default=-1, positional=True)))))
    keras = counterpart("Flatten")
    onnx = ("Flatten",)
    flops_rule, receptive_field = DATA_MOVEMENT, "none"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        n = shape.numel()
        return Outcome(Shape((), n), notes=(f"{' · '.join(map(factor, shape.in_layout(ctx.layout)))} = {fmt(n)}",))


@register
class Reshape(LayerKind):
    category = "reshape"
    name = "reshape"
    aliases = ("view",)
    primary = "shape"
    args = (Arg("shape", dims, doc="target shape in the spec's layout, channels included; one -1 allowed"),)
    summary = "the same values in a new shape (e.g. a vector back into an image)"
    rule = "out = shape; the element count must not change; no parameters"
    pytorch = function("Tensor.reshape", "{x}.reshape({x}.shape[0], {shape})", Param("shape", "out.chw", form="items"),
                       reads=also("Tensor.reshape", "Tensor.view", "torch.reshape", params=(Param("shape", "shape", form="items", positional=True),)))
    keras = counterpart("Reshape", Param("target_shape", "out.hwc", form="tuple", positional=True),
                        reads=(Module("Reshape", (Param("target_shape", "shape", form="tuple", positional=True),)),))
    onnx = ("Reshape",)
    flops_rule = DATA_MOVEMENT

    def infer(self, args, inputs, ctx):
        shape, target = inputs[0], list(args["shape"])
        total = shape.numel()
        if target.count(-1) > 1:
            raise ctx.error("only one size of a reshape may be -1")
        written = "(" + ", ".join(map(fmt, args["shape"])) + ")"
        if -1 in target:
            known = product(d for d in target if d != -1)
            if is_int(total) and is_int(known):
                if total % known:
                    raise ctx.error(f"cannot reshape {fmt(total)} values into {written}")
                target[target.index(-1)] = total // known
            else:  # a symbolic size: -1 only where the quotient is whole for every value of the symbols
                target[target.index(-1)] = _whole_quotient(total, known, written, ctx)
        new_total = product(target)
        if is_int(new_total) and is_int(total):
            same = new_total == total
        else:
            same = _same_size(new_total, total)
        if not same:
            raise ctx.error(
                f"cannot reshape {shape.describe(ctx.layout)} ({fmt(total)} values) into {written} ({fmt(new_total)} values)",
                "the product of the sizes must stay the same" + ("" if is_int(new_total) and is_int(total) else " for every value of the symbols"),
            )
        if len(target) == 1:
            return Outcome(Shape((), target[0]))
        return Outcome(Shape.from_layout(tuple(target), ctx.layout))


def _whole_quotient(total, known, written: str, ctx):
    """total/known where it is a whole number for every value of the symbols (16·n/n = 16); refused otherwise."""
    import sympy  # a symbol is present: SymPy is loaded

    quotient = sympy.cancel(sympy.Integer(1) * total / known)
    if sympy.fraction(quotient)[1] != 1:
        raise ctx.error(
            f"cannot infer the -1 of {written}: {fmt(total)} values divided by {fmt(known)} is whole only for some values of the symbols",
            "write that size out instead of -1",
        )
    return int(quotient) if quotient.is_Integer else quotient


def _same_size(new_total, total) -> bool:
    import sympy

    return sympy.expand(new_total - total) == 0


@register
class Dropout(LayerKind):
    pointwise = True
    name = "dropout"
    aliases = ("dropout1d", "dropout2d", "dropout3d", "spatialdropout1d", "spatialdropout2d", "spatialdropout3d")
    primary = "rate"
    args = (Arg("rate", rate, 0.5, "fraction of units zeroed in training"),)
    summary = "zeroes a fraction of units while training; shape unchanged"
    rule = "out = in; no parameters"
    pytorch = counterpart("nn.Dropout", Param("p", "rate"), reads=(
        *also("nn.Dropout1d", "nn.Dropout2d", "nn.Dropout3d", "nn.AlphaDropout", params=(Param("p", "rate"),)),
        *also("F.dropout", "F.dropout1d", "F.dropout2d", "F.dropout3d",
              params=(Param("p", "rate", positional=True), Param("training", positional=True), Param("inplace", positional=True)))))
    keras = counterpart("Dropout", Param("rate", "rate", positional=True),
                        reads=also("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", params=(Param("rate", "rate"),)))
    onnx = ("Dropout",)
    flops_rule = DATA_MOVEMENT

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])
