"""Receptive fields: per layer and spatial axis, the input positions one unit sees, from the report alone.

Each kind declares how a field passes through it (``receptive_field`` on the kind: window, pointwise,
pad, upsample, adaptive, merge, join, dense, none); ``FIELD_RULES`` holds those rules. Figures are
exact integers (SymPy expressions for symbolic sizes), fractions after a transposed or upsampling
layer. costs.network_costs puts one per layer in its costs (and re-exports these names).
"""

from typing import Any, NamedTuple

from .arith import Size, adaptive_longest_window, is_int
from .engine import LayerReport, NetworkReport
from .layers import KINDS
from .limits import Limits, limit_error, max_bits

# fractions (with decimal and numbers, ~1.5 ms) is imported only where a value that is not an
# int turns up: most networks never divide unevenly, so their fields stay ints throughout.


def _ratio(a: Any, b: Any) -> Any:
    """a/b exactly: an int when it divides, a Fraction otherwise, SymPy's quotient for symbols."""
    if type(a) is int and type(b) is int and b and a % b == 0:  # the common case, without Fraction's cost
        return a // b
    from fractions import Fraction

    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)) and not isinstance(a, bool):
        value = Fraction(a) / Fraction(b)
        return value.numerator if value.denominator == 1 else value
    return a / b


def _tidy(value: Any) -> Any:
    if type(value) is int:
        return value
    from fractions import Fraction

    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def _min(values: list[Any]) -> Any:
    return _extreme(values, min, "Min")


def _max(values: list[Any]) -> Any:
    return _extreme(values, max, "Max")


def _extreme(values: list[Any], pick, sympy_name: str) -> Any:
    """min or max of ints and Fractions directly; SymPy's Min/Max once a symbol is among them."""
    if all(type(v) is int for v in values):
        return pick(values)
    from fractions import Fraction

    if all(isinstance(v, (int, Fraction)) for v in values):
        return pick(values)
    import sympy

    return getattr(sympy, sympy_name)(*values)


class AxisField(NamedTuple):
    """The receptive field of a layer's units along one spatial axis, in input positions.

    ``size`` input positions seen by one unit, ``jump`` the distance in input positions between
    neighbouring units (the effective stride), ``start`` the first input position seen by the
    first unit (negative when it lies in the padding; its negation is the effective padding).
    ``exact`` is False after a transposed, upsampling or uneven adaptive layer, where the field
    differs from unit to unit and these figures bound it.
    """

    axis: str
    size: Any
    jump: Any
    start: Any
    exact: bool = True

    @property
    def centre(self) -> Any:
        """The input coordinate of the first unit's centre."""
        return _tidy(self.start + _ratio(self.size - 1, 2))

    @property
    def effective_padding(self) -> Any:
        return _tidy(-self.start)

    @property
    def end(self) -> Any:
        return _tidy(self.start + self.size - 1)


Field = tuple[AxisField, ...]


def _window(prev: AxisField, window: Size, stride: Size, pad_before: Size) -> AxisField:
    """Araujo, Norris and Sim (Distill 2019): r += (k − 1)·j, start −= p·j, j ·= s."""
    return AxisField(
        prev.axis,
        _tidy(prev.size + (window - 1) * prev.jump),
        _tidy(prev.jump * stride),
        _tidy(prev.start - pad_before * prev.jump),
        prev.exact,
    )


def _transposed(prev: AxisField, window: Size, stride: Size, pad_before: Size) -> AxisField:
    """Output o reads input i where o = i·S − P + t·D: a window of (k − 1)/S input units, jump 1/S.

    Unit 0 reads input units from (P − (k − 1))/S to P/S, so the field is that span (a bound when
    S > 1: the units actually read depend on o modulo S).
    """
    step = _ratio(prev.jump, stride)
    return AxisField(
        prev.axis,
        _tidy(prev.size + (window - 1) * step),
        _tidy(step),
        _tidy(prev.start + (pad_before - (window - 1)) * step),
        prev.exact and stride == 1,
    )


def _adaptive(prev: AxisField, size_in: Size, size_out: Size) -> AxisField:
    if not (is_int(size_in) and is_int(size_out)) or size_in % size_out == 0:
        k = _ratio(size_in, size_out)
        return _window(prev, k, k, 0)
    longest = adaptive_longest_window(size_in, size_out)
    field = _window(prev, longest, _ratio(size_in, size_out), 0)
    return AxisField(field.axis, field.size, field.jump, field.start, False)


def _union(fields: list[Field]) -> Field | None:
    """A merge sees what any of its inputs sees: the union of their fields (the largest, when nested).

    Inputs whose units step through the input at different rates have no common field: None.
    """
    merged = []
    for axis_fields in zip(*fields):
        jumps = [f.jump for f in axis_fields]
        if not all(j == jumps[0] for j in jumps):
            return None
        start = _min([f.start for f in axis_fields])
        end = _max([f.end for f in axis_fields])
        merged.append(AxisField(axis_fields[0].axis, _tidy(end - start + 1), jumps[0], start, all(f.exact for f in axis_fields)))
    return tuple(merged)


def _field_window(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """Convolution and pooling: the sliding window of each axis (transposed: spread over the output)."""
    steps = layer.outcome.axes
    if not steps:
        return _field_pointwise(layer, inputs, layout)
    return tuple((_transposed if step.transposed else _window)(p, step.window, step.stride, step.pad_before)
                 for p, step in zip(inputs[0], steps))


def _field_pointwise(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """Element-wise, normalisation, dropout: each unit sees its own position (a reshape that moves
    positions around has no field)."""
    return inputs[0] if layer.outcome.shape.spatial == layer.input_shapes[0].spatial else None


def _field_pad(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """Zero padding: the first unit starts the padding before."""
    from .layers import LayerContext, axis_pads

    pads = axis_pads(layer.spec.args["padding"], layer.input_shapes[0].rank, LayerContext(layer.index, layer.name, layer.type))
    return tuple(_window(p, 1, 1, before) for p, (before, _) in zip(inputs[0], pads))


def _field_upsample(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """Nearest neighbour by a whole factor: output o copies input ⌊o/s⌋, bounded as a transposed
    window s, stride s. Any other resize (a size, another layer's, a smooth mode) is bounded by the
    inputs each output reads (taps: 2 linear, 4 cubic, ⌈in/out⌉ area), units in/out apart."""
    mode = layer.spec.args.get("mode", "nearest")
    pairs = list(zip(inputs[0], layer.input_shapes[0].spatial, layer.outcome.shape.spatial))
    factors = [_whole_factor(i, o) for _, i, o in pairs] if mode in ("nearest", "nearest-exact") else [None]
    if all(f is not None for f in factors):
        return tuple(_transposed(p, f, f, 0) for (p, _, _), f in zip(pairs, factors))
    return tuple(_resized(p, i, o, mode) for p, i, o in pairs)


def _whole_factor(size_in: Size, size_out: Size) -> Any:
    """out/in when it is a whole number, else None; for symbolic sizes too: 2·⌊n/2⌋ + 2 over ⌊n/2⌋ + 1
    is 2, which SymPy does not cancel unasked (the field then took the in/out path: each upsampling
    multiplied the jump by that unreduced ratio, and a 400-layer symbolic network's JSON took 80 s)."""
    if is_int(size_in) and is_int(size_out):
        return size_out // size_in if size_out % size_in == 0 else None
    import sympy

    factor = sympy.cancel(sympy.sympify(size_out) / size_in)
    if not (factor.is_integer and factor.is_positive):
        return None
    return int(factor) if factor.is_Integer else factor


def _resized(prev: AxisField, size_in: Size, size_out: Size, mode: str) -> AxisField:
    taps: Any = {"linear": 2, "bilinear": 2, "trilinear": 2, "bicubic": 4}.get(mode, 1)
    if mode == "area":
        taps = -(-size_in // size_out) if is_int(size_in) and is_int(size_out) else _ratio(size_in, size_out)
    lead = taps // 2 - 1 if is_int(taps) and taps > 1 else 0  # inputs read before the nearest one
    return AxisField(prev.axis, _tidy(prev.size + (taps - 1) * prev.jump), _tidy(prev.jump * _ratio(size_in, size_out)),
                     _tidy(prev.start - lead * prev.jump), False)


def _field_adaptive(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    return tuple(_adaptive(p, i, o) for p, i, o in zip(inputs[0], layer.input_shapes[0].spatial, layer.outcome.shape.spatial))


def _field_merge(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """An element-wise merge sees what any of its inputs sees."""
    return _union(inputs) if len(inputs) > 1 else _field_pointwise(layer, inputs, layout)


def _field_join(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """A concat along the channels is a merge; joined along a spatial axis, units no longer line up."""
    axis = layer.spec.args.get("axis")
    if axis is not None and len(inputs) > 1 and layer.input_shapes[0].layout_axis_to_internal(axis, layout) != layer.outcome.shape.rank:
        return None
    return _field_merge(layer, inputs, layout)


def _field_dense(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    """A dense layer on the channels at every position (axis: channels) is a 1×1 convolution: each
    unit sees its own position. On a spatial axis, or flattening, the positions are mixed."""
    axis, shape = layer.spec.args.get("axis"), layer.input_shapes[0]
    if axis is None or not shape.rank:
        return None
    internal = shape.rank if axis == "channels" else shape.layout_axis_to_internal(axis, layout)
    return inputs[0] if internal == shape.rank else None


def _field_none(layer: LayerReport, inputs: list[Field], layout: str) -> Field | None:
    return None


# A kind's declared receptive_field -> how a field passes through it.
FIELD_RULES = {
    "window": _field_window,
    "pointwise": _field_pointwise,
    "pad": _field_pad,
    "upsample": _field_upsample,
    "adaptive": _field_adaptive,
    "merge": _field_merge,
    "join": _field_join,
    "dense": _field_dense,
    "none": _field_none,
}


def receptive_fields(report: NetworkReport) -> tuple[Field | None, ...]:
    """Per layer, per spatial axis: the receptive field in input positions (None after flatten/dense)."""
    fields: dict[str, Field | None] = {
        "input": tuple(AxisField(a, 1, 1, 0) for a in report.input_shape.axis_names) or None
    }
    result = []
    bits = max_bits(report.limits)  # the jump multiplies the strides: it is the figure that outgrows the others
    for layer in report.layers:
        field = _layer_field_with_layout(layer, [fields[name] for name in layer.inputs], report.layout)
        if field is not None and not all(type(f.jump) is int and f.jump.bit_length() <= bits for f in field):
            _check_field_digits(field, layer, report.limits)
        fields[layer.name] = field
        result.append(field)
    return tuple(result)


def _check_field_digits(field: Field, layer: LayerReport, limits: Limits) -> None:
    """A field's figures within the digits limit: the jump multiplies every stride before it, so 7 strides
    of 4,000 digits make 28,000, past what Python writes as text (4,300 digits). While the jump is within
    the limit, size and start (sums of windows and paddings times jumps) stay within what is written."""
    bits = max_bits(limits)
    for axis in field:
        for what, number in (("jump", axis.jump), ("size", axis.size), ("start", axis.start)):
            parts = (number,) if type(number) is int else (getattr(number, "numerator", 0), getattr(number, "denominator", 1))
            if any(type(part) is int and part.bit_length() > bits for part in parts):
                raise limit_error("digits", f"layer {layer.index} '{layer.name}': the receptive field's {what} has too many digits",
                                  limits)


def _layer_field_with_layout(layer: LayerReport, inputs: list[Field | None], layout: str) -> Field | None:
    """The layer's field from its inputs', by its kind's declared receptive-field rule (FIELD_RULES)."""
    if layer.outcome.shape.rank == 0 or any(f is None for f in inputs):
        return None
    return FIELD_RULES[KINDS[layer.type].receptive_field](layer, inputs, layout)  # type: ignore[arg-type]
