"""The registry of layer kinds: one class per kind, each with its arguments and its rules.

A kind says which arguments it takes (with defaults), how its output shape follows from its
input shape, how many parameters it has, and how to write that arithmetic out. Adding a layer
type means adding one class here and decorating it with ``@register``. The arithmetic itself
lives in :mod:`convcalc.arith` so that it runs on ints and on SymPy symbols alike.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple

from .arith import (
    AxisStep,
    Size,
    dot,
    factor,
    fmt,
    is_int,
    is_true,
    product,
    same_axis,
    show,
    transposed_axis,
    transposed_same_axis,
    window_axis,
)
from .errors import ArgError, SpecError, did_you_mean
from .shapes import AXIS_NAMES, Shape

# --------------------------------------------------------------------------- argument values

REQUIRED = object()
_SYMBOL = r"^[A-Za-z_][A-Za-z0-9_]*$"  # compiled on first use (re caches it): only a spec with symbols needs it
_NOT_SYMBOLS = {"same", "valid", "full", "causal", "true", "false", "yes", "no", "none", "null", "on", "off"}


def axes_word(count: int) -> str:
    return "axis" if count == 1 else "axes"


def _symbol(text: str) -> Size:
    from .symbols import make_symbol  # SymPy is only loaded for a spec that has symbols

    return make_symbol(text)


def _plain_int(value: Any, what: str, minimum: int) -> Size:
    is_symbol = isinstance(value, str) and bool(re.match(_SYMBOL, value)) and value.lower() not in _NOT_SYMBOLS
    if isinstance(value, bool) or not (is_int(value) or is_symbol):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    if isinstance(value, str):
        return _symbol(value)
    if value < minimum:
        raise ArgError(f"{what} must be an integer ≥ {minimum}, got {value}")
    return value


def positive(value: Any, what: str) -> Size:
    """A count or size that must be at least 1 (or a symbol such as k1)."""
    return _plain_int(value, what, 1)


def non_negative(value: Any, what: str) -> Size:
    return _plain_int(value, what, 0)


def size_words(text: str, *, negative: bool = False) -> list[str] | None:
    """'3x3', '32 x 32 x 3', '3,5', 'nxm' to their parts, or None when the text is no such list.

    Split first, then each part checked: one pattern with a repeated group (x is both a separator
    and a word character) took exponential time on '1x1x…x1!', 0.7 s at 22 parts, hours at 40.
    """
    parts = re.split(r"\s*[x×,]\s*", text.strip())
    if len(parts) < 2:
        return None
    for position, part in enumerate(parts):
        word = part[1:] if negative and position and part.startswith("-") else part
        if not word or not re.fullmatch(r"\w+", word):
            return None
    return parts


def _size_list(value: Any, what: str, element: Callable[[Any, str], Size]) -> tuple[Size, ...] | Size:
    words = size_words(value) if isinstance(value, str) else None
    if words is not None:
        value = [int(v) if v.isdigit() else v for v in words]
    if isinstance(value, (list, tuple)):
        if not value:
            raise ArgError(f"{what} must not be an empty list")
        return tuple(element(v, what) for v in value)
    return element(value, what)


def sizes(value: Any, what: str) -> tuple[Size, ...] | Size:
    """An int ≥ 1 or one per spatial axis, e.g. 3, [3, 5] or '3x5'."""
    return _size_list(value, what, positive)


def offsets(value: Any, what: str) -> tuple[Size, ...] | Size:
    """An int ≥ 0 or one per spatial axis (output_padding)."""
    return _size_list(value, what, non_negative)


def padding(value: Any, what: str) -> Any:
    """'same', 'valid', an int, one per axis, or one [before, after] pair per axis."""
    if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
        return value.strip().lower()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        pairs = []
        for pair in value:
            if len(pair) != 2:
                raise ArgError(f"{what} pairs must be [before, after], got {list(pair)!r}")
            pairs.append((non_negative(pair[0], what), non_negative(pair[1], what)))
        return ("pairs", tuple(pairs))
    try:
        return _size_list(value, what, non_negative)
    except ArgError:
        raise ArgError(
            f"{what} must be 'same', 'valid', an integer ≥ 0, one per axis, or [before, after] pairs; got {value!r}"
        ) from None


def flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ArgError(f"{what} must be true or false, got {value!r}")


def rate(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ArgError(f"{what} must be a number from 0 up to (not including) 1, got {value!r}")
    return float(value)


def number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgError(f"{what} must be a number, got {value!r}")
    return float(value)


def integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not is_int(value):
        raise ArgError(f"{what} must be an integer, got {value!r}")
    return value


def optional_integer(value: Any, what: str) -> int | None:
    return None if value is None else integer(value, what)


def dims(value: Any, what: str) -> tuple[Size, ...]:
    """A target shape such as [7, 7, 64]; one entry may be -1 (inferred)."""
    if isinstance(value, str):
        value = _size_list(value, what, lambda v, w: v)
    if not isinstance(value, (list, tuple)) or not value:
        raise ArgError(f"{what} must be a list of sizes such as [7, 7, 64], got {value!r}")
    return tuple(-1 if v == -1 else positive(v, what) for v in value)


class Arg(NamedTuple):
    """One argument a layer kind takes: its name, how its value is checked, its default."""

    name: str
    parse: Callable[[Any, str], Any]
    default: Any = REQUIRED
    doc: str = ""
    shown_default: str | None = None  # how the docs write a default computed from other arguments

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


# --------------------------------------------------------------------------- outcome of a layer


class Outcome(NamedTuple):
    """What one layer does to its input: the output shape, its parameters and their arithmetic."""

    shape: Shape
    weights: Size = 0
    biases: Size = 0
    non_trainable: Size = 0
    param_terms: str = ""  # the parameter count as a textbook writes it: "11·11·3·96 + 96"
    axes: tuple[AxisStep, ...] = ()  # per spatial axis, for warnings, --explain and receptive fields
    notes: tuple[str, ...] = ()  # other lines of the derivation, e.g. "D = K = 96"
    macs: Size = 0  # multiply-accumulates, counted as torchvision and fvcore do (no bias)
    weight_terms: str = ""  # the weights alone, "11·11·3·96", for --explain and check

    @property
    def trainable(self) -> Size:
        return self.weights + self.biases

    @property
    def params(self) -> Size:
        return self.trainable + self.non_trainable


class LayerContext(NamedTuple):
    """Which layer is being computed, so a rule can raise an error that names it."""

    index: int
    name: str
    type: str
    layout: str = "hwc"
    input_names: tuple[str, ...] = ()

    def error(self, problem: str, hint: str | None = None) -> SpecError:
        return SpecError(problem, hint=hint, layer_index=self.index, layer_name=self.name, layer_type=self.type)


# --------------------------------------------------------------------------- the registry


class LayerKind:
    """The base of every layer kind. Subclasses set the class attributes and ``infer``."""

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    family: ClassVar[str | None] = None  # a rank-free name ('conv') that resolves by input rank
    primary: ClassVar[str | None] = None  # the argument a scalar value fills: `dense: 10`
    args: ClassVar[tuple[Arg, ...]] = ()
    rank: ClassVar[int | None] = None  # spatial axes the input must have
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int | None] = 1
    summary: ClassVar[str] = ""
    rule: ClassVar[str] = ""  # the shape and parameter rule, for the README and --help
    # How `convcalc draw` shows it: its colour family (conv, pool, dense, merge, reshape, other);
    # whether it is point-wise (keeps the shape, mixes nothing across units: folded into the box
    # before it); how deep its sliding window reaches into the input ('all' channels, each
    # 'channel' alone, or None for no window).
    category: ClassVar[str] = "other"
    pointwise: ClassVar[bool] = False
    window_reach: ClassVar[str | None] = None

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)

    def parse_args(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Check every argument and fill in defaults; unknown or missing keys are errors."""
        known = {a.name for a in self.args}
        for key in raw:
            if key not in known:
                choices = ", ".join(sorted(known)) or "none"
                hint = did_you_mean(key, known) or f"{self.name} takes: {choices}"
                raise ArgError(f"unknown argument '{key}'", hint)
        parsed: dict[str, Any] = {}
        for a in self.args:
            if a.name in raw and raw[a.name] is not None:
                parsed[a.name] = a.parse(raw[a.name], a.name)
            elif a.required:
                example = f"e.g. {{{self.name}: {{{a.name}: 3}}}}"
                raise ArgError(f"missing required argument '{a.name}'", example)
            else:
                parsed[a.name] = a.default
        return parsed

    def check_inputs(self, inputs: tuple[Shape, ...], ctx: LayerContext) -> Shape:
        shape = inputs[0]
        if self.rank is not None and shape.rank != self.rank:
            raise ctx.error(
                f"needs an input with {self.rank} spatial {axes_word(self.rank)} and channels, "
                f"such as {_example_shape(self.rank, ctx.layout)}; its input is {shape.describe(ctx.layout)}",
                _rank_hint(shape.rank, self.name),
            )
        return shape

    def infer(self, args: Mapping[str, Any], inputs: tuple[Shape, ...], ctx: LayerContext) -> Outcome:
        raise NotImplementedError


def _example_shape(rank: int, layout: str) -> str:
    names = AXIS_NAMES[rank]
    return "(" + ", ".join(("C", *names) if layout == "chw" else (*names, "C")) + ")"


def _rank_hint(rank: int, kind_name: str) -> str:
    if rank == 0:
        return "it comes after a flatten or dense layer; move it before them, or reshape the vector"
    base = re.sub(r"[123]d$", "", kind_name)
    return f"use {base}{rank}d for an input with {rank} spatial {axes_word(rank)}"


KINDS: dict[str, LayerKind] = {}  # canonical name -> kind
_LOOKUP: dict[str, str] = {}  # normalised name or alias -> canonical name
_FAMILIES: dict[str, dict[int, str]] = {}  # normalised family name -> {rank: canonical name}


def normalise(name: str) -> str:
    """'Conv2D', 'conv_2d', 'MaxPooling2D' and 'max-pool2d' all meet the same key."""
    # str methods rather than re.sub(r"[\s_\-]", ...) (split() drops the same whitespace as \s):
    # this runs for every alias at import and for every layer of a spec
    return "".join(str(name).lower().split()).replace("_", "").replace("-", "")


def register(cls: type[LayerKind]) -> type[LayerKind]:
    kind = cls()
    KINDS[cls.name] = kind
    for alias in (cls.name, *cls.aliases):
        key = normalise(alias)
        assert key not in _LOOKUP or _LOOKUP[key] == cls.name, f"alias {alias} taken twice"
        _LOOKUP[key] = cls.name
    if cls.family:
        for fam in cls.family.split(","):
            _FAMILIES.setdefault(normalise(fam), {})[cls.rank] = cls.name
    return cls


def all_names() -> list[str]:
    return sorted(set(_LOOKUP) | set(_FAMILIES))


def lookup(name: str) -> tuple[LayerKind | None, dict[int, str] | None]:
    """The kind a written type name means, or the rank-dependent family it names."""
    key = normalise(name)
    if key in _LOOKUP:
        return KINDS[_LOOKUP[key]], None
    if key in _FAMILIES:
        return None, _FAMILIES[key]
    return None, None


def _shown(arg: Arg) -> str:
    if arg.shown_default is not None:
        return arg.shown_default
    return {True: "true", False: "false", None: "none"}.get(arg.default, str(arg.default)) if isinstance(arg.default, (bool, type(None))) else str(arg.default)


def reference_rows() -> list[dict[str, str]]:
    """One row of documentation per kind, for `convcalc types` and the README."""
    families: dict[str, list[str]] = {}
    for fam, members in _FAMILIES.items():
        for name in members.values():
            families.setdefault(name, []).append(fam)
    rows = []
    for kind in KINDS.values():
        args = ", ".join(a.name if a.required else f"{a.name}={_shown(a)}" for a in kind.args)
        also = [a for a in kind.aliases] + [f"{fam} (on a {kind.rank}D input)" for fam in families.get(kind.name, [])]
        rows.append(
            {
                "type": kind.name,
                "primary": kind.primary or "",
                "arguments": args or "none",
                "aliases": ", ".join(also),
                "summary": kind.summary,
                "rule": kind.rule,
            }
        )
    return rows


def family_args(family: dict[int, str]) -> LayerKind:
    """A representative member of a family, for checking arguments before ranks are known."""
    return KINDS[family[sorted(family)[0]]]


# --------------------------------------------------------------------------- shared rules


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


def _pads(value: Any, rank: int, ctx: LayerContext) -> tuple[tuple[Size, Size], ...]:
    if value == "valid":
        return ((0, 0),) * rank
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
    pads = _pads(args["padding"], rank, ctx)
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


def _channels_per_group(channels: Size, groups: Size, what: str, ctx: LayerContext) -> Size:
    if is_int(channels) and is_int(groups):
        if channels % groups:
            raise ctx.error(
                f"groups {groups} does not divide the {channels} {what}",
                f"choose groups among the divisors of {channels}",
            )
        return channels // groups
    return channels / groups


def _bias_terms(weights_text: str, bias: Size, use_bias: bool) -> str:
    return f"{weights_text} + {bias}" if use_bias else weights_text


def _depth_note(channels: Size, source: str) -> str:
    return f"D = {source} = {channels}"


_SIZE_ARGS = dict(
    stride=Arg("stride", sizes, 1, "step of the window; one per axis allowed"),
    padding=Arg("padding", padding, 0, "zeros added on each side; 'same', 'valid', per axis or [before, after] pairs"),
    dilation=Arg("dilation", sizes, 1, "spacing between kernel taps"),
)


# --------------------------------------------------------------------------- convolutions


class _Conv(LayerKind):
    category, window_reach = "conv", "all"
    primary = "filters"
    args = (
        Arg("filters", positive, doc="number of filters K = output channels"),
        Arg("kernel", sizes, doc="filter size F; one per axis allowed"),
        _SIZE_ARGS["stride"],
        _SIZE_ARGS["padding"],
        _SIZE_ARGS["dilation"],
        Arg("groups", positive, 1, "split channels into groups (groups = channels: depthwise)"),
        Arg("bias", flag, True, "one bias per filter"),
    )
    summary = "convolution: K filters, each spanning all (or 1/groups of the) input channels"
    rule = "out = ⌊(W − F_eff + 2P)/S⌋ + 1 per axis, F_eff = D·(F − 1) + 1; depth = K; weights = F^n·(C/groups)·K, biases = K"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        filters, groups = args["filters"], args["groups"]
        c_in = _channels_per_group(shape.channels, groups, "input channels", ctx)
        _channels_per_group(filters, groups, "filters", ctx)
        steps = sliding_window(shape, args, ctx)
        kernel = per_axis(args["kernel"], shape.rank, "kernel", ctx)
        out = Shape(tuple(s.size_out for s in steps), filters)
        weights = product(kernel) * c_in * filters
        biases = filters if args["bias"] else 0
        c_text = str(c_in) if groups == 1 else f"{shape.channels}/{groups}"  # dot() brackets it
        notes = [_depth_note(filters, "K")]
        if groups != 1:
            notes.append(f"groups = {groups}: each filter sees {c_in} of the {shape.channels} input channels")
        return Outcome(
            out,
            weights,
            biases,
            param_terms=_bias_terms(dot(*kernel, c_text, filters), filters, args["bias"]),
            axes=steps,
            notes=tuple(notes),
            macs=out.spatial_numel() * weights,
            weight_terms=dot(*kernel, c_text, filters),
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
        _SIZE_ARGS["stride"],
        _SIZE_ARGS["padding"],
        _SIZE_ARGS["dilation"],
        Arg("bias", flag, True, "one bias per output channel"),
    )
    summary = "depthwise convolution (Keras DepthwiseConv2D): one F×F filter per input channel"
    rule = "out as conv2d; depth = C·M; weights = F·F·C·M, biases = C·M"

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
            param_terms=_bias_terms(dot(*kernel, shape.channels, multiplier), channels, args["bias"]),
            axes=steps,
            notes=(f"D = C·M = {shape.channels}·{multiplier} = {channels}",),
            macs=out.spatial_numel() * weights,
            weight_terms=dot(*kernel, shape.channels, multiplier),
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
        _SIZE_ARGS["stride"],
        _SIZE_ARGS["padding"],
        _SIZE_ARGS["dilation"],
        Arg("bias", flag, True, "one bias per output channel (pointwise step only, as in Keras)"),
    )
    summary = "depthwise then pointwise convolution (Keras SeparableConv2D)"
    rule = "out as conv2d; depth = K; weights = F·F·C·M + C·M·K, biases = K"

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
            param_terms=_bias_terms(terms, filters, args["bias"]),
            axes=steps,
            notes=(_depth_note(filters, "K"), f"depthwise {fmt(depthwise)} + pointwise {fmt(pointwise)} weights"),
            macs=out.spatial_numel() * (depthwise + pointwise),
            weight_terms=terms,
        )


class _ConvTranspose(LayerKind):
    category = "conv"  # its window spreads each input position: drawn without a window
    primary = "filters"
    args = (
        Arg("filters", positive, doc="output channels K"),
        Arg("kernel", sizes, doc="filter size F"),
        _SIZE_ARGS["stride"],
        Arg("padding", padding, 0, "PyTorch padding P (removed from each side), or Keras 'same'/'valid'"),
        Arg("output_padding", offsets, 0, "extra size on the far side; smaller than stride or dilation"),
        _SIZE_ARGS["dilation"],
        Arg("groups", positive, 1, "split channels into groups"),
        Arg("bias", flag, True, "one bias per filter"),
    )
    summary = "transposed convolution (PyTorch ConvTranspose, Keras Conv*DTranspose)"
    rule = "out = (W − 1)·S − 2P + D·(F − 1) + OP + 1 ('same': W·S); weights = C·(K/groups)·F^n, biases = K"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        rank, filters, groups = shape.rank, args["filters"], args["groups"]
        _channels_per_group(shape.channels, groups, "input channels", ctx)
        k_out = _channels_per_group(filters, groups, "filters", ctx)
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
            pads = _pads(args["padding"], rank, ctx)
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
            param_terms=_bias_terms(dot(shape.channels, k_text, *kernel), filters, args["bias"]),
            axes=tuple(steps),
            notes=(_depth_note(filters, "K"),),
            macs=shape.spatial_numel() * weights,
            weight_terms=dot(shape.channels, k_text, *kernel),
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


# --------------------------------------------------------------------------- pooling


class _Pool(LayerKind):
    category, window_reach = "pool", "channel"
    primary = "kernel"
    args = (
        Arg("kernel", sizes, doc="window size F"),
        Arg("stride", sizes, None, "step of the window; defaults to the kernel", "kernel"),
        Arg("padding", padding, 0, "PyTorch padding (at most half the kernel), or Keras 'same'/'valid'"),
        Arg("ceil_mode", flag, False, "round up instead of down (PyTorch ceil_mode)"),
    )
    rule = "out = ⌊(W − F + 2P)/S⌋ + 1 per axis (⌈…⌉ with ceil_mode, 'same': ⌈W/S⌉); depth unchanged; no parameters"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        steps = sliding_window(shape, args, ctx, stride_default_kernel=True, pytorch_pool_padding=True)
        out = Shape(tuple(s.size_out for s in steps), shape.channels)
        return Outcome(out, axes=steps, notes=(f"D = {shape.channels} (pooling keeps the depth)",))


class _MaxPool(_Pool):
    args = _Pool.args + (_SIZE_ARGS["dilation"],)
    summary = "max pooling over each channel separately"


class _AvgPool(_Pool):
    args = _Pool.args + (Arg("count_include_pad", flag, True, "PyTorch option; does not change shapes"),)
    summary = "average pooling over each channel separately"


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
    rule = "out = [C]: one value per channel; no parameters"

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


@register
class GlobalMaxPool(_GlobalPool):
    name = "global_maxpool"
    aliases = ("globalmaxpool2d", "globalmaxpooling2d", "globalmaxpooling1d", "globalmaxpooling3d",
               "globalmaxpooling", "globalmaxpool1d", "globalmaxpool3d")
    summary = "maximum of each channel over all positions (Keras GlobalMaxPooling)"


class _AdaptivePool(LayerKind):
    category = "pool"
    primary = "output_size"
    args = (Arg("output_size", sizes, doc="the output's spatial size; one per axis allowed"),)
    rule = "out = output_size per axis, whatever the input size; depth unchanged; no parameters"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        size = per_axis(args["output_size"], shape.rank, "output_size", ctx)
        notes = tuple(f"{a} = {show(s)} (adaptive)" for a, s in zip(shape.axis_names, size))
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


# --------------------------------------------------------------------------- dense and reshaping


@register
class Dense(LayerKind):
    category = "dense"
    name = "dense"
    aliases = ("linear", "fc", "fullyconnected", "innerproduct")
    primary = "units"
    args = (Arg("units", positive, doc="output neurons"), Arg("bias", flag, True, "one bias per unit"))
    summary = "fully connected layer; a multi-axis input is flattened first"
    rule = "out = [units]; weights = inputs·units, biases = units"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        units = args["units"]
        n_in = shape.numel()
        notes = [f"out = units = {units}"]
        if shape.rank:
            dims_text = " × ".join(map(factor, shape.in_layout(ctx.layout)))
            notes.insert(0, f"inputs = {dims_text} = {fmt(n_in)} (flattened)")
        weights = n_in * units
        return Outcome(
            Shape((), units),
            weights,
            units if args["bias"] else 0,
            param_terms=_bias_terms(dot(n_in, units), units, args["bias"]),
            notes=tuple(notes),
            macs=weights,
            weight_terms=dot(n_in, units),
        )


@register
class Flatten(LayerKind):
    category = "reshape"
    name = "flatten"
    summary = "all axes into one vector"
    rule = "out = [H·W·C]; no parameters"

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

    def infer(self, args, inputs, ctx):
        shape, target = inputs[0], list(args["shape"])
        total = shape.numel()
        if target.count(-1) > 1:
            raise ctx.error("only one size of a reshape may be -1")
        if -1 in target:
            known = product(d for d in target if d != -1)
            if is_int(total) and is_int(known) and total % known:
                raise ctx.error(f"cannot reshape {fmt(total)} values into {tuple(args['shape'])}")
            target[target.index(-1)] = total // known if is_int(total) else total / known
        new_total = product(target)
        if is_int(new_total) and is_int(total) and new_total != total:
            raise ctx.error(
                f"cannot reshape {shape.describe(ctx.layout)} ({fmt(total)} values) into {tuple(target)} ({fmt(new_total)} values)",
                "the product of the sizes must stay the same",
            )
        if len(target) == 1:
            return Outcome(Shape((), target[0]))
        return Outcome(Shape.from_layout(tuple(target), ctx.layout))


@register
class Dropout(LayerKind):
    pointwise = True
    name = "dropout"
    aliases = ("dropout1d", "dropout2d", "dropout3d", "spatialdropout1d", "spatialdropout2d", "spatialdropout3d")
    primary = "rate"
    args = (Arg("rate", rate, 0.5, "fraction of units zeroed in training"),)
    summary = "zeroes a fraction of units while training; shape unchanged"
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])


class _Padding(LayerKind):
    primary = "padding"
    args = (Arg("padding", padding, 1, "zeros on each side; per axis or [before, after] pairs"),)
    rule = "out = W + P_before + P_after per axis; no parameters"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        if args["padding"] == "same":
            raise ctx.error("zero padding takes sizes, not 'same'", "give the number of zeros per side")
        pads = _pads(args["padding"], shape.rank, ctx)
        size = tuple(w + b + a for w, (b, a) in zip(shape.spatial, pads))
        notes = tuple(f"{n} = {show(w)} + {show(b)} + {show(a)} = {show(o)}"
                      for n, w, (b, a), o in zip(shape.axis_names, shape.spatial, pads, size))
        return Outcome(Shape(size, shape.channels), notes=notes)


@register
class ZeroPad1D(_Padding):
    name, rank, family = "zeropad1d", 1, "zeropad,zeropadding"
    aliases = ("zeropadding1d", "constantpad1d")
    summary = "adds zeros at both ends"


@register
class ZeroPad2D(_Padding):
    name, rank, family = "zeropad2d", 2, "zeropad,zeropadding"
    aliases = ("zeropadding2d",)
    summary = "adds a border of zeros"


@register
class ZeroPad3D(_Padding):
    name, rank, family = "zeropad3d", 3, "zeropad,zeropadding"
    aliases = ("zeropadding3d",)
    summary = "adds a border of zeros"


class _Upsample(LayerKind):
    primary = "scale"
    args = (Arg("scale", sizes, 2, "factor per axis (PyTorch scale_factor, Keras size)"),)
    rule = "out = W·scale per axis; no parameters"

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        scale = per_axis(args["scale"], shape.rank, "scale", ctx)
        size = tuple(w * s for w, s in zip(shape.spatial, scale))
        notes = tuple(f"{n} = {dot(w, s)} = {show(o)}" for n, w, s, o in zip(shape.axis_names, shape.spatial, scale, size))
        return Outcome(Shape(size, shape.channels), notes=notes)


@register
class Upsample1D(_Upsample):
    name, rank, family = "upsample1d", 1, "upsample,upsampling"
    aliases = ("upsampling1d",)
    summary = "repeats each position scale times (nearest neighbour)"


@register
class Upsample2D(_Upsample):
    name, rank, family = "upsample2d", 2, "upsample,upsampling"
    aliases = ("upsampling2d",)
    summary = "repeats each pixel scale × scale times (nearest neighbour or bilinear)"


@register
class Upsample3D(_Upsample):
    name, rank, family = "upsample3d", 3, "upsample,upsampling"
    aliases = ("upsampling3d",)
    summary = "repeats each voxel (nearest neighbour or trilinear)"


# --------------------------------------------------------------------------- normalisation


class _ChannelNorm(LayerKind):
    pointwise = True
    def _scale_shift(self, shape: Shape, affine: bool) -> tuple[Size, Size, str]:
        c = shape.channels
        return (c, c, f"{c} + {c}") if affine else (0, 0, "0")


@register
class BatchNorm(_ChannelNorm):
    name = "batchnorm"
    aliases = ("batchnorm1d", "batchnorm2d", "batchnorm3d", "batchnormalization", "bn")
    args = (
        Arg("affine", flag, True, "learn a scale γ and shift β per channel"),
        Arg("eps", number, 1e-5, "does not change counts"),
        Arg("momentum", number, 0.1, "does not change counts"),
    )
    summary = "batch normalisation over the channel axis"
    rule = "out = in; trainable 2·C (γ, β), non-trainable 2·C (moving mean and variance, as Keras counts them)"

    def infer(self, args, inputs, ctx):
        shape = inputs[0]
        gamma, beta, terms = self._scale_shift(shape, args["affine"])
        c = shape.channels
        return Outcome(
            shape,
            gamma,
            beta,
            non_trainable=2 * c,
            param_terms=f"{terms} (γ, β) + {c} + {c} (moving mean, variance)",
        )


@register
class LayerNorm(_ChannelNorm):
    name = "layernorm"
    aliases = ("layernormalization",)
    args = (Arg("affine", flag, True, "learn a scale and shift per channel"), Arg("eps", number, 1e-5, "does not change counts"))
    summary = "layer normalisation over the channel axis (Keras LayerNormalization default axis=-1)"
    rule = "out = in; trainable 2·C"

    def infer(self, args, inputs, ctx):
        gamma, beta, terms = self._scale_shift(inputs[0], args["affine"])
        return Outcome(inputs[0], gamma, beta, param_terms=f"{terms} (γ, β)")


@register
class GroupNorm(_ChannelNorm):
    name = "groupnorm"
    aliases = ("groupnormalization",)
    primary = "groups"
    args = (
        Arg("groups", positive, doc="channel groups normalised together"),
        Arg("affine", flag, True, "learn a scale and shift per channel"),
        Arg("eps", number, 1e-5, "does not change counts"),
    )
    summary = "group normalisation (PyTorch GroupNorm)"
    rule = "out = in; groups must divide C; trainable 2·C"

    def infer(self, args, inputs, ctx):
        _channels_per_group(inputs[0].channels, args["groups"], "channels", ctx)
        gamma, beta, terms = self._scale_shift(inputs[0], args["affine"])
        return Outcome(inputs[0], gamma, beta, param_terms=f"{terms} (γ, β)")


@register
class LocalResponseNorm(LayerKind):
    name = "lrn"
    aliases = ("localresponsenorm", "local_response_norm", "localresponsenormalization")
    primary = "size"
    args = (
        Arg("size", positive, 5, "neighbouring channels summed over"),
        Arg("alpha", number, 1e-4, "does not change counts"),
        Arg("beta", number, 0.75, "does not change counts"),
        Arg("k", number, 1.0, "does not change counts"),
    )
    summary = "local response normalisation across channels (AlexNet)"
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])


# --------------------------------------------------------------------------- activations


class _Activation(LayerKind):
    pointwise = True
    rule = "out = in; no parameters"

    def infer(self, args, inputs, ctx):
        return Outcome(inputs[0])


def _activation(name: str, summary: str, aliases: tuple[str, ...] = (), args: tuple[Arg, ...] = ()) -> None:
    register(type(name, (_Activation,), {"name": name, "summary": summary, "aliases": aliases, "args": args}))


_activation("relu", "max(0, x)")
_activation("relu6", "min(max(0, x), 6)")
_activation("sigmoid", "1 / (1 + e^−x)", ("logistic",))
_activation("tanh", "hyperbolic tangent")
_activation("softmax", "normalised exponentials", args=(Arg("axis", integer, -1, "does not change shapes"),))
_activation("log_softmax", "log of softmax", ("logsoftmax",), (Arg("axis", integer, -1, "does not change shapes"),))
_activation("leaky_relu", "x, or slope·x below 0", ("leakyrelu", "lrelu"), (Arg("negative_slope", number, 0.01, "slope below 0"),))
_activation("elu", "x, or α·(eˣ − 1) below 0", args=(Arg("alpha", number, 1.0, "scale below 0"),))
_activation("selu", "scaled ELU")
_activation("gelu", "x·Φ(x)")
_activation("silu", "x·sigmoid(x)", ("swish",))
_activation("hardswish", "x·relu6(x + 3)/6", ("hswish",))
_activation("hardsigmoid", "relu6(x + 3)/6", ("hsigmoid",))
_activation("mish", "x·tanh(softplus(x))")
_activation("softplus", "log(1 + eˣ)")
_activation("identity", "passes its input through", ("linearactivation", "noop"))


@register
class PReLU(LayerKind):
    pointwise = True
    name = "prelu"
    args = (Arg("per_channel", flag, False, "one slope per channel instead of one shared slope (PyTorch num_parameters)"),)
    summary = "leaky ReLU with a learnt slope (PyTorch PReLU)"
    rule = "out = in; weights = 1, or C with per_channel"

    def infer(self, args, inputs, ctx):
        slopes = inputs[0].channels if args["per_channel"] else 1
        return Outcome(inputs[0], slopes, param_terms=str(slopes))


# --------------------------------------------------------------------------- merges


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
