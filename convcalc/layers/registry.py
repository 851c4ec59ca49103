"""The registry of layer kinds: the base class every kind fills in, and the lookup by name.

A kind says which arguments it takes (with defaults), how its output shape follows from its
input shape, how many parameters it has, and how to write that arithmetic out.
"""

import re
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from ..arith import AxisStep, Size
from ..errors import ArgError, SpecError, did_you_mean
from ..shapes import AXIS_NAMES, Shape
from .args import Arg, flag, optional_integer

# Keras' and PyTorch's names for convcalc's arguments: alias -> (convcalc's name, the category of
# kinds it applies to, or None for every kind that takes the argument).
ARG_ALIASES: dict[str, tuple[str, str | None]] = {
    "kernel_size": ("kernel", None),  # PyTorch, Keras Conv*
    "pool_size": ("kernel", "pool"),  # Keras *Pooling*
    "strides": ("stride", None),  # Keras
    "dilation_rate": ("dilation", None),  # Keras
    "out_channels": ("filters", None),  # PyTorch Conv*
    "out_features": ("units", None),  # PyTorch Linear
    "use_bias": ("bias", None),  # Keras
    "epsilon": ("eps", None),  # Keras normalisation layers
    "p": ("rate", None),  # PyTorch Dropout
    "scale_factor": ("scale", None),  # PyTorch Upsample
    "target_shape": ("shape", None),  # Keras Reshape
    "num_groups": ("groups", "other"),  # PyTorch GroupNorm (not a convolution's groups)
}
# Framework arguments with no convcalc counterpart, and what to write instead ({kind}, {choices}).
UNKNOWN_ARG_HINTS: dict[str, str] = {
    "activation": "activation= is taken by conv and dense layers; for a {kind}, write the activation as a layer of its own after it (e.g. '- relu')",
    "in_channels": "convcalc reads the input channels from the layer before; leave in_channels out",
    "in_features": "convcalc reads the input size from the layer before; leave in_features out",
    "num_features": "convcalc reads the channels from the layer before; leave num_features out",
    "num_channels": "convcalc reads the channels from the layer before; leave num_channels out",
    "input_shape": "the network's input is given once, at the top: 'input: [H, W, C]'; leave input_shape out",
    "data_format": "the layout is set for the whole spec: 'layout: chw' (channels first) or 'layout: hwc'; leave data_format out",
    "padding_mode": "convcalc counts zero padding (padding_mode 'zeros'); other modes pad with copies of the input, "
                    "with the same shapes and counts, but export writes zero padding: leave padding_mode out",
    "inplace": "inplace changes no shape or count; leave it out",
    "size": "{kind} takes: {choices} (Keras' UpSampling size is convcalc's scale; PyTorch's Upsample size is an output size, "
            "which convcalc does not take: give scale)",
}


# The FLOPs rule of the kinds that only move data (or copy it, as a nearest-neighbour upsampling).
DATA_MOVEMENT = "0 (data movement, or nearest-neighbour copy)"


def axes_word(count: int) -> str:
    return "axis" if count == 1 else "axes"

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
    param_notes: tuple[str, ...] = ()  # lines before the count: "each filter is 11·11·3 = 363 weights, spanning all 3 input channels"
    outputs: tuple[Shape, ...] = ()  # a layer with several outputs (split): all of them; shape is the first
    remarks: tuple[str, ...] = ()  # what the table and JSON say beside the figures: "flattens 7·7·512 = 25,088 inputs"

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
    shapes: Mapping[str, Shape] | None = None  # the outputs computed so far, by name (resize's like:)

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
    # 'channel' alone, or None for no window); the sign of an element-wise merge ('+', '×': drawn
    # as that sign in a circle; None: drawn as a volume).
    merge_symbol: ClassVar[str | None] = None
    category: ClassVar[str] = "other"
    pointwise: ClassVar[bool] = False
    is_activation: ClassVar[bool] = False  # may be named in a conv or dense layer's activation=
    window_reach: ClassVar[str | None] = None
    # Its counterparts in PyTorch and Keras (Counterpart, PerRank or NoCounterpart records, see
    # counterparts.py; None: not declared) and the ONNX op types it becomes, in order.
    pytorch: ClassVar[Any] = None
    keras: ClassVar[Any] = None
    onnx: ClassVar[tuple[str, ...]] = ()
    # Its costs, read by convcalc/costs.py (whose FLOP_RULES table, in the docs, is written from
    # these): the MACs and FLOPs conventions in words; FLOPs per output element for an element-wise
    # kind (``flops_rule`` then says what they are); how the receptive field passes through it
    # (receptive.FIELD_RULES: window, pointwise, pad, upsample, adaptive, merge, join, dense, none).
    macs_rule: ClassVar[str] = "0"
    flops_rule: ClassVar[str] = "2·MACs + output elements with a bias (bias adds)"
    flops_per_element: ClassVar[int | None] = None
    receptive_field: ClassVar[str] = "pointwise"

    def arg(self, name: str) -> Arg | None:
        return next((a for a in self.args if a.name == name), None)

    def parse_args(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Check every argument and fill in defaults; unknown or missing keys are errors.

        Keras' and PyTorch's names for an argument (kernel_size, strides, out_channels…) are read
        as convcalc's own (see ``ARG_ALIASES``).
        """
        known = {a.name for a in self.args}
        raw = self._own_names(raw, known)
        parsed: dict[str, Any] = {}
        for a in self.args:
            if a.name in raw:
                value = raw[a.name]
                if value is None and a.parse is not optional_integer:
                    what = "true or false" if a.parse is flag else "a value"
                    default = "" if a.required else f" for its default ({_shown(a)})"
                    raise ArgError(f"{a.name} is empty (null)", f"write {what}, or leave {a.name} out{default}")
                parsed[a.name] = a.parse(value, a.name)
            elif a.required:
                example = f"e.g. {{{self.name}: {{{a.name}: 3}}}}"
                raise ArgError(f"missing required argument '{a.name}'", example)
            else:
                parsed[a.name] = a.default
        return parsed

    def _own_names(self, raw: Mapping[str, Any], known: set[str]) -> Mapping[str, Any]:
        """The arguments under convcalc's names; an unknown name is an error that says what to write."""
        renamed: dict[str, Any] | None = None
        for key in raw:
            if key in known:
                continue
            own = ARG_ALIASES.get(key)
            if own is not None and own[0] in known and (own[1] is None or self.category == own[1]):
                if own[0] in raw:
                    raise ArgError(f"{key} and {own[0]} are both given", f"they are the same argument ({key} is its Keras/PyTorch name): give one")
                renamed = dict(raw) if renamed is None else renamed
                renamed[own[0]] = renamed.pop(key)
                continue
            if key == "padding_mode" and raw[key] == "zeros" and self.category == "conv":
                renamed = dict(raw) if renamed is None else renamed
                del renamed[key]  # PyTorch's default: zero padding, which is what convcalc counts
                continue
            raise ArgError(f"unknown argument '{key}'", self._unknown_hint(key, known))
        return raw if renamed is None else renamed

    def _unknown_hint(self, key: str, known: set[str]) -> str:
        choices = ", ".join(sorted(known)) or "none"
        told = UNKNOWN_ARG_HINTS.get(key)
        if told is not None:
            return told.format(kind=self.name, choices=choices)
        own = ARG_ALIASES.get(key)
        if own is not None and own[0] in known:
            return f"{key} is a {own[1]} layer's name for {own[0]}; for a {self.name}, write {own[0]}"
        if own is not None:
            return f"{key} is the Keras/PyTorch name of {own[0]}, which {self.name} does not take; {self.name} takes: {choices}"
        return did_you_mean(key, known) or f"{self.name} takes: {choices}"

    def check_inputs(self, inputs: tuple[Shape, ...], ctx: LayerContext) -> Shape:
        shape = inputs[0]
        if self.rank is not None and shape.rank != self.rank:
            raise ctx.error(
                f"needs an input with {self.rank} spatial {axes_word(self.rank)} and channels, "
                f"such as {_example_shape(self.rank, ctx.layout)}; its input is {shape.describe(ctx.layout)}",
                _channel_hint(shape, self.rank, ctx) or _rank_hint(shape.rank, self.name),
            )
        return shape

    def infer(self, args: Mapping[str, Any], inputs: tuple[Shape, ...], ctx: LayerContext) -> Outcome:
        raise NotImplementedError

    def flops(self, args: Mapping[str, Any], inputs: tuple[Shape, ...], outcome: Outcome) -> Size:
        """Floating-point operations for one sample: ``flops_per_element`` per output element when
        declared, else 2 per multiply-accumulate plus one add per output element for a bias."""
        if self.flops_per_element is not None:
            return self.flops_per_element * outcome.shape.numel()
        return 2 * outcome.macs + (outcome.shape.numel() if args.get("bias") else 0)

    @property
    def flops_text(self) -> str:
        """The FLOPs convention as the docs' table writes it."""
        if self.flops_per_element is not None:
            return f"{self.flops_per_element} per element: {self.flops_rule}"
        return self.flops_rule


def _example_shape(rank: int, layout: str) -> str:
    names = AXIS_NAMES[rank]
    return "(" + ", ".join(("C", *names) if layout == "chw" else (*names, "C")) + ")"


def _channel_hint(shape: Shape, rank: int, ctx: LayerContext) -> str | None:
    """'add the channel axis: input 28x28x1' when the network's input is an image written without its channels."""
    if ctx.input_names != ("input",):
        return None
    if shape.rank + 1 != rank:
        return None if shape.rank else f"the network's input is one size; write every axis and the channels: input {_example_shape(rank, ctx.layout)}"
    sizes = list(shape.in_layout(ctx.layout))
    sizes = [1, *sizes] if ctx.layout == "chw" else [*sizes, 1]
    if not all(type(size) is int for size in sizes) or len(str(sizes)) > 80:
        return "add the channel axis to the input (1 for a grey image)"
    advice = f"add the channel axis: input {'x'.join(map(str, sizes))} (in YAML: input: {sizes}) for a single channel"
    return advice + (f", or use {_ranked(ctx.type, shape.rank)} for an input with {shape.rank} spatial {axes_word(shape.rank)}" if shape.rank else "")


def _ranked(kind_name: str, rank: int) -> str:
    return re.sub(r"[123]d$", "", kind_name) + f"{rank}d"


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


def argument_aliases(kind: LayerKind) -> dict[str, list[str]]:
    """The Keras/PyTorch names a kind reads as its own arguments, {'kernel': ['kernel_size'], …}, for the docs and schemas."""
    known = {a.name for a in kind.args}
    found: dict[str, list[str]] = {}
    for alias, (own, category) in ARG_ALIASES.items():
        if own in known and (category is None or category == kind.category):
            found.setdefault(own, []).append(alias)
    return found


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
