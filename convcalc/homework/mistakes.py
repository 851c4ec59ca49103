"""The classic mistakes, as the wrong answers they produce: a wrong answer is named by the one it matches.

Each candidate is the number a student gets by one well-known slip (the biases left out, the
input depth left out, the padding ignored, the + 1 forgotten, floor for ceil, …), computed from
the layer's own figures, with one plain sentence that shows the difference. Nothing here is the
right answer: that always comes from the engine. When no candidate matches, ``differing_factor``
says which factor of a product the student's count changes, where one does.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any, NamedTuple

from ..arith import AxisStep, is_int, show
from ..engine import LayerReport

Number = Any  # int or Fraction (or a SymPy expression for a symbolic spec)


class Candidate(NamedTuple):
    """A wrong answer a classic mistake produces, and the sentence that names the mistake."""

    value: Number
    sentence: str


def n(value: Number) -> str:
    """A number in a sentence: 4,900; 4.5; 7/3; a formula as a textbook writes it."""
    if is_int(value):
        return f"{value:,}"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator:,}"
        for places in range(1, 4):
            if (value * 10**places).denominator == 1:
                return f"{float(value):.{places}f}"
        return f"{value.numerator}/{value.denominator}"
    return show(value)


def _whole(value: Any) -> bool:
    return is_int(value)


# --------------------------------------------------------------------------- the words a layer's arguments give


def _per(layer: LayerReport) -> str:
    """'one per filter' / 'one per unit' / 'one per output channel', from the arguments the kind takes."""
    args = layer.spec.args
    if "filters" in args:
        return "one per filter"
    if "units" in args:
        return "one per unit"
    return "one per output channel"


def _unit(layer: LayerReport) -> str:
    return "unit" if "units" in layer.spec.args else "filter"


def _c_in(layer: LayerReport) -> Any:
    """The input channels one filter spans (input channels / groups)."""
    channels = layer.input_shapes[0].channels
    groups = layer.spec.args.get("groups", 1)
    if is_int(channels) and is_int(groups) and groups > 1 and channels % groups == 0:
        return channels // groups
    return channels


# --------------------------------------------------------------------------- counts


def count_candidates(layer: LayerReport, key: str, depth_before: Any = None) -> Iterator[Candidate]:
    """The wrong counts of weights, biases or parameters that the classic mistakes give; ``depth_before``
    is the depth of the volume a vector input was flattened from (6×6×256 → 9,216: 256)."""
    out = layer.outcome
    weights, biases, params = out.weights, out.biases, out.params
    if not all(_whole(v) for v in (weights, biases, params)):
        return
    c_in = _c_in(layer)
    spans = layer.input_shapes[0].rank > 0 or "filters" in layer.spec.args
    if not layer.input_shapes[0].rank and _whole(depth_before) and depth_before > 1:
        c_in, spans = depth_before, True
    unit = _unit(layer)
    if key in ("params", "trainable_params", "total_params"):
        trainable = out.trainable
        if out.non_trainable and key == "params":
            yield Candidate(trainable, f"You counted the trainable parameters only: {n(params)} − {n(trainable)} = "
                                       f"{n(out.non_trainable)} = the moving mean and variance, non-trainable but parameters too.")
        right = trainable if key == "trainable_params" else params
        if biases:
            yield Candidate(right - biases, f"You left out the biases: {n(right)} − {n(right - biases)} = {n(biases)} = "
                                            f"the {n(biases)} biases, {_per(layer)}.")
        if _whole(c_in) and c_in > 1 and weights % c_in == 0 and spans:
            thin = weights // c_in
            yield Candidate(right - weights + thin, _depth_sentence(layer, c_in, thin, weights, right - weights))
            if biases:
                yield Candidate(thin + right - weights - biases,
                                f"You left out the input depth and the biases: each {unit} spans all {n(c_in)} input channels, "
                                f"so the weights are {n(thin)} × {n(c_in)} = {n(weights)}, and {n(biases)} biases come on top.")
        yield from _full_candidates(layer, right, False)
        yield from _shared_candidates(layer, right)
    elif key == "weights":
        if biases:
            yield Candidate(weights + biases, f"You added the biases: {n(weights + biases)} − {n(weights)} = {n(biases)} = "
                                              f"the biases, which are parameters but not weights.")
        if _whole(c_in) and c_in > 1 and weights % c_in == 0 and spans:
            yield Candidate(weights // c_in, _depth_sentence(layer, c_in, weights // c_in, weights, 0))
        yield from _full_candidates(layer, weights, True)
        yield from _shared_candidates(layer, weights)
    elif key == "biases":
        if biases:
            yield Candidate(0, f"A layer with bias has {n(biases)} biases, {_per(layer)} (bias: true is the default).")
            positions = out.shape.spatial_numel()
            if _whole(positions) and positions > 1:
                yield Candidate(biases * positions, f"One bias is shared by all {n(positions)} positions of a channel: "
                                                    f"{n(biases * positions)} = {n(positions)} × {n(biases)}, but there are {n(biases)}.")
        elif "bias" in layer.spec.args:
            units = out.shape.channels
            yield Candidate(units, f"This layer has bias: false, so it has no biases ({n(units)} would be {_per(layer)}).")


def _depth_sentence(layer: LayerReport, c_in: Any, thin: int, weights: int, rest: int) -> str:
    unit = _unit(layer)
    spans = f"sees all {n(c_in)} channels of every position it reads" if unit == "unit" else f"spans all {n(c_in)} input channels"
    text = f"You left out the input depth: each {unit} {spans}, so the weights are {n(thin)} × {n(c_in)} = {n(weights)}"
    return text + (f", and with the other {n(rest)} parameters {n(weights + rest)}." if rest else ".")


def _full_candidates(layer: LayerReport, right: int, weights_only: bool) -> Iterator[Candidate]:
    """A grouped, depthwise or separable layer counted as one full convolution: F·F·D1·K (+ K)."""
    args, out = layer.spec.args, layer.outcome
    kernel, channels = args.get("kernel"), layer.input_shapes[0].channels
    filters = args.get("filters") or out.shape.channels
    if kernel is None or not _whole(channels) or not _whole(filters):
        return
    sizes = kernel if isinstance(kernel, tuple) else (kernel,) * layer.input_shapes[0].rank
    if not all(_whole(k) for k in sizes):
        return
    full = 1
    for size in sizes:
        full *= size
    full *= channels * filters
    if full == out.weights:
        return
    extra = 0 if weights_only else right - out.weights
    what = "groups" if args.get("groups", 1) != 1 else "a depthwise step" if "depth_multiplier" in args else "its structure"
    yield Candidate(full + extra, f"{n(full + extra)} counts a full convolution ({'·'.join(n(k) for k in sizes)}·{n(channels)}·"
                                  f"{n(filters)} weights); with {what} each filter sees fewer channels: {n(right)}.")


def _shared_candidates(layer: LayerReport, right: int) -> Iterator[Candidate]:
    """Counts that confuse weights with activations, or forget that weights are shared across positions."""
    out = layer.outcome
    positions = out.shape.spatial_numel()
    if not (_whole(positions) and positions > 1 and out.weights):
        return
    elements = out.shape.numel()
    yield Candidate(elements, f"{n(elements)} is the number of output values (activations), not of parameters: "
                              f"one {_unit(layer)}'s weights are shared by all {n(positions)} positions.")
    unshared = positions * right
    yield Candidate(unshared, f"{n(unshared)} = {n(positions)} × {n(right)} counts a separate set of weights for every output "
                              f"position (no parameter sharing, as a locally connected layer); a convolution shares them: {n(right)}.")


def differing_factor(layer: LayerReport, key: str, written: Number) -> str:
    """'Your 2,260 fits 5·5·9·10 + 10: the input depth 3 is 9 in yours.' or '' when no single factor explains it."""
    out = layer.outcome
    if not (_whole(written) and out.weight_terms and "+" not in out.weight_terms and _whole(out.weights) and out.weights):
        return ""
    factors = _factors(out.weight_terms)
    if factors is None or len(factors) < 2:
        return ""
    extra = {"params": out.biases + out.non_trainable, "trainable_params": out.biases, "weights": 0}.get(key)
    if extra is None:
        return ""
    names = _factor_names(layer, factors)
    for with_extra in (True, False):
        counted = written - (extra if with_extra else 0)
        if counted <= 0:
            continue
        fits = []
        for position, factor in enumerate(factors):
            other = Fraction(counted * factor, out.weights) if factor else None
            if other is not None and other.denominator == 1 and other != factor and other >= 1:
                fits.append((position, factor, other.numerator))
        tail = f" + {n(extra)}" if with_extra and extra else ""
        if len(fits) == 1:
            position, factor, other = fits[0]
            text = "·".join(n(other) if i == position else n(f) for i, f in enumerate(factors))
            name = names[position]
            return (f"Your {n(written)} fits {text}{tail}: the factor {n(factor)}{f' ({name})' if name else ''} "
                    f"is {n(other)} in yours.")
        if fits:
            ratio = Fraction(counted, out.weights)
            return (f"Your {n(written)} is {n(ratio)} × {n(out.weights)}{tail}: one factor of {out.weight_terms} is "
                    f"{n(ratio)} times what it is here.")
    return ""


def _factors(terms: str) -> list[int] | None:
    """'5·5·(96/2)·256' to [5, 5, 48, 256]; None when a factor is not a number."""
    from .answers import read_answer

    values = []
    for text in terms.split("·"):
        reading = read_answer(text)
        if not reading.readable or not _whole(reading.value):
            return None
        values.append(reading.value)
    return values


def _factor_names(layer: LayerReport, factors: list[int]) -> list[str]:
    """Which quantity each factor is, by its value: F (filter size), D1 (input depth), K (filters)."""
    args = layer.spec.args
    known: list[tuple[Any, str]] = []
    kernel = args.get("kernel")
    for size in (kernel if isinstance(kernel, tuple) else (kernel,)) if kernel is not None else ():
        known.append((size, "F, the filter size"))
    known.append((_c_in(layer), "N1, the inputs" if not layer.input_shapes[0].rank else "D1, the input depth"))
    for arg, name in (("filters", "K, the number of filters"), ("units", "the number of units"),
                      ("depth_multiplier", "the depth multiplier")):
        if arg in args:
            known.append((args[arg], name))
    names = []
    for factor in factors:
        matching = {name for value, name in known if value == factor}
        names.append(matching.pop() if len(matching) == 1 else "")
    return names


# --------------------------------------------------------------------------- one spatial axis


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def axis_candidates(step: AxisStep, layer: LayerReport) -> Iterator[Candidate]:
    """The sizes one spatial axis comes out at under the classic slips of the size formula."""
    if not all(_whole(v) for v in (step.size_in, step.window, step.stride, step.pad_before, step.pad_after, step.size_out)):
        return
    w, f, s, p1, p2, right = step.size_in, step.window, step.stride, step.pad_before, step.pad_after, step.size_out
    if step.transposed:
        yield from _transposed_candidates(step, layer)
        return
    padding = layer.spec.args.get("padding")
    pads = f"2·{p1}" if p1 == p2 else f"{p1} + {p2}"
    full = f"({w} − {f} + {pads})/{s} + 1"
    numerator = w - f + p1 + p2
    exact = Fraction(numerator, s) + 1
    if exact.denominator != 1 and padding != "same":
        floor, ceil = numerator // s + 1, _ceil(numerator, s) + 1
        if step.rounding == "ceil_dropped":
            yield Candidate(ceil, f"ceil_mode rounds {full} = {n(exact)} up to {ceil}, but that last window would start in "
                                  f"the right padding, and PyTorch drops it: {right}.")
        elif right == floor:
            yield Candidate(ceil, f"You rounded up: {full} = {n(exact)}, and PyTorch and Keras round down to {floor}: "
                                  f"the last window does not fit (only ceil_mode rounds up).")
        else:
            yield Candidate(floor, f"You rounded down: {full} = {n(exact)}, and ceil_mode rounds up to {right}.")
    if padding == "same":
        if w - f >= 0:
            valid = (w - f) // s + 1
            yield Candidate(valid, f'You computed "valid" padding: ⌊({w} − {f})/{s}⌋ + 1 = {valid}; "same" pads the input '
                                   f"so that the output is ⌈{w}/{s}⌉ = {right}.")
    elif p1 or p2:
        if w - f >= 0:
            bare = (w - f) // s + 1
            yield Candidate(bare, f"You left out the padding: ({w} − {f})/{s} + 1 = {n(Fraction(w - f, s) + 1)}, but with "
                                  f"{'P = ' + str(p1) + ' on each side' if p1 == p2 else 'padding ' + pads} it is {full} = {right}.")
        if p1 == p2 and w - f + p1 >= 0:
            once = (w - f + p1) // s + 1
            yield Candidate(once, f"You added the padding once: it goes on both sides, 2P = {2 * p1}: {full} = {right}.")
    elif padding in (0, "valid", None) and s >= 1:
        same = _ceil(w, s)
        yield Candidate(same, f'You kept the size as "same" padding would (⌈{w}/{s}⌉ = {same}); this layer has no padding: '
                              f"{full} = {right}.")
    yield Candidate(right - 1, f"You left out the + 1: ({w} − {f} + {pads})/{s} = {n(exact - 1)}, and the first window adds 1: {right}.")
    if s > 1:
        unstrided = numerator + 1
        yield Candidate(unstrided, f"You left out the stride S = {s}: {full} = {right}, not ({w} − {f} + {pads})/1 + 1 = {unstrided}.")
    kernel = layer.spec.args.get("kernel")
    dilation = layer.spec.args.get("dilation", 1)
    if dilation not in (1, None) and kernel is not None:
        k = kernel[0] if isinstance(kernel, tuple) else kernel
        d = dilation[0] if isinstance(dilation, tuple) else dilation
        if _whole(k) and _whole(d) and w - k + p1 + p2 >= 0:
            plain = (w - k + p1 + p2) // s + 1
            yield Candidate(plain, f"You left out the dilation: a {k}-tap kernel with dilation r = {d} spans "
                                   f"r·(F − 1) + 1 = {f} pixels, not {k}: {full} = {right}.")


def _transposed_candidates(step: AxisStep, layer: LayerReport) -> Iterator[Candidate]:
    w, f, s, p, right = step.size_in, step.window, step.stride, step.pad_before, step.size_out
    if w - f + 2 * p >= 0:
        forward = (w - f + 2 * p) // s + 1
        yield Candidate(forward, f"You used the forward formula ⌊({w} − {f} + 2·{p})/{s}⌋ + 1 = {forward}; a transposed "
                                 f"convolution runs it backwards: ({w} − 1)·{s} − 2·{p} + {f} + output padding = {right}.")
    extra = layer.spec.args.get("output_padding", 0)
    extra = extra[0] if isinstance(extra, tuple) else extra
    if _whole(extra) and extra:
        yield Candidate(right - extra, f"You left out the output padding: ({w} − 1)·{s} − 2·{p} + {f} = {right - extra}, "
                                       f"+ output padding {extra} = {right}.")
    if p:
        yield Candidate(w * s, f"{w}·{s} = {w * s} is the size without the padding: ({w} − 1)·{s} − 2·{p} + {f} = {right}.")


def unrounded(step: AxisStep, written: Number) -> str:
    """'54.25 is not a whole size: PyTorch floors it to 54, CS231n calls the setting invalid' when the
    student kept the unrounded value of the size formula."""
    if step.exact is None or step.transposed or not isinstance(written, Fraction):
        return ""
    from .answers import read_answer

    exact = read_answer(step.exact, "size").value
    if exact != written and not (isinstance(exact, Fraction) and abs(float(exact) - float(written)) < 0.01):
        return ""
    rounding = "floors" if step.rounding == "floor" else "rounds"
    return (f"{n(written)} is not a whole size: PyTorch {rounding} it to {step.size_out}, CS231n calls the setting invalid "
            f"(the windows do not fit evenly).")


# --------------------------------------------------------------------------- depth and whole shapes


def depth_candidates(layer: LayerReport) -> Iterator[Candidate]:
    """Wrong output depths: the input depth kept, or one map per (filter, input channel) pair."""
    depth, c_in = layer.outcome.shape.channels, layer.input_shapes[0].channels
    if not (_whole(depth) and _whole(c_in)) or layer.outcome.shape.rank == 0:
        return
    if "filters" in layer.spec.args and layer.outcome.weights:
        if c_in != depth:
            yield Candidate(c_in, f"A convolution's output depth is its number of filters K = {n(depth)}, not the input depth {n(c_in)}.")
        if c_in > 1:
            yield Candidate(depth * c_in, f"Each filter spans all {n(c_in)} input channels and gives one feature map, "
                                          f"so the depth is K = {n(depth)}, not {n(depth)}·{n(c_in)} = {n(depth * c_in)}.")
    elif c_in == depth and layer.input_shapes[0].rank:
        for value, what in ((layer.spec.args.get("kernel"), "the window size"),):
            if _whole(value) and value != depth:
                yield Candidate(value, f"Pooling works on each channel alone and keeps the depth {n(depth)}; {value} is {what}.")


def four_d(layer: LayerReport, answer: list, dims: tuple, layout: str) -> str:
    """Seed 000's (13, 32, 150, 100): one output axis per (filter, input channel) pair."""
    depth, c_in = layer.outcome.shape.channels, layer.input_shapes[0].channels
    if len(answer) != len(dims) + 1 or "filters" not in layer.spec.args:
        return ""
    spatial = list(layer.outcome.shape.spatial)
    tails = ([depth, c_in], [c_in, depth])
    body = answer[:-2] if layout == "hwc" else answer[2:]
    ends = answer[-2:] if layout == "hwc" else answer[:2]
    if body != spatial or list(ends) not in tails:
        return ""
    shown = "(" + ", ".join(n(d) for d in dims) + ")"
    weights = layer.outcome.weight_terms or f"F·F·{n(c_in)}·{n(depth)}"
    return (f"Each filter spans all {n(c_in)} input channels and gives one feature map, so {n(depth)} filters give depth "
            f"{n(depth)}: the output is {shown}, not 4-D (the weights are 4-D: {weights}).")


def other_layout(answer: list, layer_shape: Any, layout: str) -> str:
    """Channels first where the sheet has them last, or the other way."""
    other = "chw" if layout == "hwc" else "hwc"
    dims = list(layer_shape.in_layout(other))
    if answer != dims or dims == list(layer_shape.in_layout(layout)):
        return ""
    mine = "(H, W, C)" if layout == "hwc" else "(C, H, W)"
    theirs = "channels first (C, H, W)" if other == "chw" else "channels last (H, W, C)"
    right = "(" + ", ".join(n(d) for d in layer_shape.in_layout(layout)) + ")"
    return f"You wrote {theirs}; this sheet's layout is {layout}, {mine}: {right}."


def match(candidates: Iterator[Candidate], written: Number, same: Callable[[Any, Any], bool]) -> str:
    """The sentence of the first candidate whose value is the written one, or ''."""
    for candidate in candidates:
        try:
            if same(written, candidate.value):
                return candidate.sentence
        except (TypeError, ValueError, ArithmeticError):
            continue
    return ""


def axis_fit(step: AxisStep, layer: LayerReport, written: Number) -> str:
    """'Your 30 fits P = 1: (32 − 5 + 2·1)/1 + 1 = 30; this layer has P = 2.' — one quantity changed, where one does it."""
    if step.transposed or not _whole(written) or not all(_whole(v) for v in (step.size_in, step.window, step.stride, step.pad_before)):
        return ""
    w, f, s, p1, p2 = step.size_in, step.window, step.stride, step.pad_before, step.pad_after
    if p1 != p2 or layer.spec.args.get("padding") == "same":
        return ""

    def size(w_: int, f_: int, s_: int, p_: int) -> int | None:
        return (w_ - f_ + 2 * p_) // s_ + 1 if w_ - f_ + 2 * p_ >= 0 else None

    tries = [("P", p1, [(q, size(w, f, s, q)) for q in range(f + 1)]),
             ("S", s, [(q, size(w, f, q, p1)) for q in range(1, 9)]),
             ("F", f, [(q, size(w, q, s, p1)) for q in range(1, 12)])]
    found = []
    for letter, actual, options in tries:
        fits = [q for q, result in options if result == written and q != actual]
        if len(fits) == 1:
            q = fits[0]
            values = {"W1": w, "F": f, "S": s, "P": p1, letter: q}
            text = f"({values['W1']} − {values['F']} + 2·{values['P']})/{values['S']} + 1"
            found.append(f"{letter} = {q} ({text} = {n(written)}; here {letter} = {actual})")
    if not found:
        return ""
    return f"Your {n(written)} fits " + " or ".join(found) + "."


def field_candidates(report: Any, layer: LayerReport) -> Iterator[Candidate]:
    """Receptive fields from the classic slips: this layer's window alone, the windows added up, the strides left out."""
    from .figures import ancestors

    chain = [item for item in ancestors(report, layer) if item.outcome.axes][::-1]
    if not chain or not all(_whole(item.outcome.axes[0].window) and _whole(item.outcome.axes[0].stride) for item in chain):
        return
    steps = [item.outcome.axes[0] for item in chain]
    own = steps[-1].window
    if len(steps) > 1:
        yield Candidate(own, f"{own} is this layer's own window; through the layers before it one unit sees more of the input.")
    summed = sum(step.window for step in steps)
    yield Candidate(summed, f"{summed} adds up the window sizes; each layer adds (F − 1) times the product of the strides before it.")
    no_strides = 1 + sum(step.window - 1 for step in steps)
    if any(step.stride > 1 for step in steps[:-1]):
        yield Candidate(no_strides, f"{no_strides} = 1 + Σ(F − 1) leaves out the strides: after a stride-S layer each "
                                    f"step of the next window moves S input pixels.")


def macs_candidates(layer: LayerReport) -> Iterator[Candidate]:
    out = layer.outcome
    macs, weights = out.macs, out.weights
    if not (_whole(macs) and macs and _whole(weights)):
        return
    positions = out.shape.spatial_numel()
    if _whole(positions) and positions > 1 and weights != macs:
        yield Candidate(weights, f"{n(weights)} is the weights, used once per output position: × {n(positions)} positions = {n(macs)}.")
    yield Candidate(2 * macs, f"{n(2 * macs)} = 2 × {n(macs)} counts the multiplication and the addition apart (FLOPs); "
                              f"a multiply-add (MAC) is one.")
    if out.biases and _whole(positions):
        with_bias = macs + out.biases * positions
        yield Candidate(with_bias, f"{n(with_bias)} counts the bias additions as multiply-adds; convcalc, torchvision and "
                                   f"fvcore count MACs without them: {n(macs)}.")
    in_positions = layer.input_shapes[0].spatial_numel()
    if _whole(in_positions) and in_positions != positions and in_positions * weights != macs:
        yield Candidate(in_positions * weights, f"{n(in_positions * weights)} uses the input's {n(in_positions)} positions; "
                                                f"a window is computed at each of the {n(positions)} output positions.")


def activation_candidates(layer: LayerReport, key: str, width: int) -> Iterator[Candidate]:
    shape = layer.outcome.shape
    elements = shape.numel()
    if not _whole(elements):
        return
    if key == "activations":
        before = layer.input_shapes[0].numel()
        if _whole(before) and before != elements:
            yield Candidate(before, f"{n(before)} is the input's size; this layer outputs {n(elements)} values.")
        if shape.rank and shape.channels != 1:
            yield Candidate(shape.spatial_numel(), f"{n(shape.spatial_numel())} is one channel; there are {n(shape.channels)}: "
                                                   f"{n(shape.spatial_numel())} × {n(shape.channels)} = {n(elements)}.")
        yield Candidate(elements * width, f"{n(elements * width)} is bytes ({width} per value); the count of values is {n(elements)}.")
    else:
        yield Candidate(elements, f"{n(elements)} is the number of values; at {width} bytes each that is {n(elements * width)} bytes.")
        yield Candidate(elements * width * 8, f"{n(elements * width * 8)} is bits; in bytes: {n(elements * width)}.")


def total_candidates(report: Any, key: str) -> Iterator[Candidate]:
    """Network totals: every bias left out, one layer left out."""
    layers = [layer for layer in report.layers if _whole(layer.outcome.params)]
    if key not in ("total_params", "trainable_params") or len(layers) != len(report.layers):
        return
    total = report.total_params if key == "total_params" else report.trainable_params
    biases = sum(layer.outcome.biases for layer in layers)
    if biases:
        yield Candidate(total - biases, f"You left out the biases: {n(total)} − {n(total - biases)} = {n(biases)} = every layer's biases.")
    def without_depth(layer: LayerReport) -> int:
        c_in, out = _c_in(layer), layer.outcome
        if _whole(c_in) and c_in > 1 and out.weights and out.weights % c_in == 0 and "filters" in layer.spec.args:
            return out.params - out.weights + out.weights // c_in
        return out.params

    thin = sum(without_depth(layer) for layer in layers)
    if thin != total:
        yield Candidate(thin, f"{n(thin)} leaves out the input depth of every layer: each filter spans all the channels of its input.")
    for layer in layers:
        if layer.outcome.biases and layer.outcome.biases != biases:
            yield Candidate(total - layer.outcome.biases, f"You left out the biases of layer {layer.index} '{layer.name}': "
                                                          f"{n(total)} − {n(total - layer.outcome.biases)} = {n(layer.outcome.biases)}, {_per(layer)}.")
    for layer in layers:
        if layer.outcome.params:
            yield Candidate(total - layer.outcome.params, f"You left out layer {layer.index} '{layer.name}': "
                                                          f"{n(total)} − {n(total - layer.outcome.params)} = {n(layer.outcome.params)}, its parameters.")
