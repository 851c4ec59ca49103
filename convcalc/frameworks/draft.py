"""Reading a kind's declared counterpart for one layer: its values, its written arguments, refusals.

A :class:`Draft` is one layer on its way into one framework. It resolves each ``Param`` of the
declaration (an argument, a fact of the layer, or a value an adapter set), writes it in its form,
and leaves out what equals the framework's default. Adapters (``adapters.py``) work on the same
draft: they set values, add objects before or after the layer's own, and add comments.
"""
from __future__ import annotations

from typing import Any

from ..arith import is_int
from ..engine import LayerReport, NetworkReport
from ..errors import SpecError
from ..layers import KINDS, LayerContext, axis_pads
from ..layers.counterparts import (
    ALWAYS,
    FRAMEWORKS,
    Counterpart,
    Module,
    NoCounterpart,
    Param,
    PerRank,
    for_rank,
)
from ..shapes import Shape
from .naming import Names

FLOAT_EXACT = 2**53  # every integer up to here is exactly a float


# --------------------------------------------------------------------------- how values are written


def tup(value, rank: int) -> tuple:
    return tuple(value) if isinstance(value, tuple) else (value,) * rank


def num(value) -> str:
    return repr(value) if isinstance(value, (int, float, bool, str)) else str(value)


def axes_text(values: tuple) -> str:
    """One value when every axis agrees, else the tuple: 3 or (1, 3)."""
    if len(set(values)) == 1:
        return num(values[0])
    return "(" + ", ".join(num(v) for v in values) + ("," if len(values) == 1 else "") + ")"


def torch_dim(shape: Shape, axis: int | None, layout: str) -> int:
    """A spec-layout axis as a torch (N, C, *spatial) dimension."""
    if axis is None:
        return 1
    internal = shape.layout_axis_to_internal(axis, layout)
    return 1 if internal == shape.rank else 2 + internal


def keras_axis(shape: Shape, axis: int | None, layout: str) -> int:
    """A spec-layout axis as a Keras (N, *spatial, C) axis."""
    if axis is None:
        return -1
    internal = shape.layout_axis_to_internal(axis, layout)
    return -1 if internal == shape.rank else 1 + internal


def torch_pad_tuple(pads) -> str:
    """F.pad order: the last axis first, (before, after) each."""
    flat = [v for before_after in reversed(list(pads)) for v in before_after]
    return "(" + ", ".join(str(v) for v in flat) + ")"


def keras_pairs(pads) -> str:
    """ZeroPadding's argument: (before, after) for one axis, ((b, a), (b, a)) for more."""
    pads = list(pads)
    if len(pads) == 1:
        return f"({pads[0][0]}, {pads[0][1]})"
    return "(" + ", ".join(f"({b}, {a})" for b, a in pads) + ")"


def _floats(value, draft: Draft) -> str:
    values = tup(value, draft.rank)
    if any(is_int(v) and v > FLOAT_EXACT for v in values):
        raise draft.fail(
            f"cannot export to {draft.label}: its {draft.current} is a float, which cannot hold a value "
            f"above 2**53 (9,007,199,254,740,992) exactly",
            "use a smaller value, or export to another framework",
        )
    return axes_text(tuple(float(v) for v in values))


def _shape_tuple(value, draft: Draft) -> str:
    return "(" + ", ".join(str(d) for d in value) + ("," if len(value) == 1 else "") + ")"


FORMS = {
    "value": lambda value, draft: num(value),
    "axes": lambda value, draft: axes_text(tup(value, draft.rank)),
    "floats": _floats,
    "text": lambda value, draft: f'"{value}"',
    "dim": lambda value, draft: str(torch_dim(draft.shape_in, value, draft.layout)),
    "axis": lambda value, draft: str(keras_axis(draft.shape_in, value, draft.layout)),
    "keep": lambda value, draft: num(round(1 - value, 10)),  # Keras keeps this much of the old moving average
    "pads": lambda value, draft: torch_pad_tuple(axis_pads(value, draft.rank, draft.context)),
    "pairs": lambda value, draft: keras_pairs(axis_pads(value, draft.rank, draft.context)),
    "items": lambda value, draft: ", ".join(str(d) for d in value),
    "tuple": _shape_tuple,
}


# --------------------------------------------------------------------------- the draft


class Draft:
    """One layer on its way into one framework ('pytorch' or 'keras')."""

    def __init__(self, layer: LayerReport, target: str, report: NetworkReport, names: Names, inputs: list[str]) -> None:
        self.layer = layer
        self.kind = KINDS[layer.type]
        self.target = target
        self.label = FRAMEWORKS[target]
        self.layout = report.layout
        self.names = names
        self.shape_in = layer.input_shapes[0]
        self.rank = self.shape_in.rank
        self.ident = names.of[layer.name]
        self.inputs = inputs
        self.x = inputs[0]  # the expression the layer's own objects are applied to
        self.out = self.ident  # Keras: the variable (and layer name) the layer's own object writes
        self.values: dict[str, Any] = dict(layer.spec.args)  # arguments, and what adapters set
        self.before: list = []  # PyTorch: (attribute, constructor) pairs; Keras: whole lines
        self.after: list = []
        self.notes: list[str] = []  # comments on the layer
        self.line_comment = ""  # Keras: a comment at the end of the layer's own line
        self.always: set[str] = set()  # arguments to write even when they equal the default
        self.imports: set[str] = set()  # Keras: extra import lines
        self.helpers: set[str] = set()  # PyTorch: helper classes the code must define
        self.current = ""  # the argument being written, for messages

    @property
    def context(self) -> LayerContext:
        return LayerContext(self.layer.index, self.layer.name, self.layer.type)

    def fail(self, problem: str, hint: str | None = None) -> SpecError:
        layer = self.layer
        return SpecError(problem, hint=hint, layer_index=layer.index, layer_name=layer.name, layer_type=layer.type)

    def extra(self, suffix: str) -> str:
        """A name for another object of this layer: '<ident>_pad'."""
        return self.names.extra(self.ident, suffix)

    # ---- values

    def value(self, source: str) -> Any:
        """An argument, an adapter's value, a fact of the layer, or a product of those ('a*b')."""
        if source in self.values:
            return self.values[source]
        if "*" in source:
            result = 1
            for part in source.split("*"):
                result = result * self.value(part)
            return result
        shape_in, shape_out = self.shape_in, self.layer.shape
        facts = {
            "in.channels": lambda: shape_in.channels,
            "in.numel": lambda: shape_in.numel(),
            "out.channels": lambda: shape_out.channels,
            "out.chw": lambda: shape_out.in_layout("chw"),
            "out.hwc": lambda: shape_out.in_layout("hwc"),
        }
        if source not in facts:
            raise KeyError(f"{self.layer.type}: its {self.label} declaration names '{source}', which is no argument, fact or adapter value")
        return facts[source]()

    def written(self, param: Param, module: Module | Counterpart) -> str | None:
        """The argument's text, or None when the framework's default gives the same."""
        self.current = param.name
        value = self.value(param.source) if param.source else param.literal
        other = next((p for p in module.params if p.name == param.same_as), None) if param.same_as else None
        if value is None and other is not None:
            value = self.value(other.source) if other.source else other.literal
        form = FORMS[param.form]
        text = form(value, self)
        if param.name in self.always:
            return text
        if param.default is not ALWAYS and text == form(param.default, self):
            return None
        if other is not None and text == form(self.value(other.source) if other.source else other.literal, self):
            return None
        return text

    def arguments(self, module: Module) -> list[str]:
        """'3, 8, kernel_size=3, stride=2': positional values, then keywords that differ from the defaults."""
        out = []
        for param in module.params:
            text = self.written(param, module)
            if text is not None:
                out.append(text if param.positional else f"{param.name}={text}")
        return out

    def constructor(self, module: Module) -> str:
        return module.name.replace("{rank}", str(self.rank))


# --------------------------------------------------------------------------- choosing the declaration


def _ranks(declared: Any) -> list[int]:
    if isinstance(declared, PerRank):
        other = declared.otherwise.ranks if isinstance(declared.otherwise, Counterpart) else ()
        return sorted({r for r, _ in declared.by_rank} | set(other or ()))
    return list(declared.ranks or ())


def counterpart_for(draft: Draft) -> Counterpart:
    """The layer's Counterpart in the draft's framework, or the refusal that names the layer."""
    declared = getattr(draft.kind, draft.target)
    chosen = for_rank(declared, draft.rank)
    label, rank = draft.label, draft.rank
    if chosen is None:
        raise draft.fail(f"cannot export to {label}: the layer type '{draft.layer.type}' declares no {label} counterpart",
                         "export the network without it, or write that layer by hand")
    if isinstance(chosen, NoCounterpart):
        raise draft.fail(f"cannot export to {label}: {chosen.reason}", chosen.hint or None)
    if chosen.ranks is not None and rank not in chosen.ranks:
        ranks = _ranks(declared)
        have = ", ".join(map(str, ranks[:-1])) + f" or {ranks[-1]}" if len(ranks) > 1 else str(ranks[0])
        if rank > ranks[-1]:
            name = draft.constructor(chosen.modules[0]) if chosen.modules else f"{draft.layer.type} for {rank} spatial axes"
            raise draft.fail(f"cannot export to {label}: it has no {name} (its forms take {have} spatial axes; this input has {rank})",
                             f"reshape to at most {ranks[-1]} spatial axes before this layer")
        name = chosen.modules[0].name.replace("{rank}", "") if chosen.modules else f"its {draft.layer.type}"
        raise draft.fail(f"cannot export to {label}: {name} takes an input with {have} spatial axes; this input has {rank}",
                         "apply it before flatten or dense" if rank == 0 else "export to the other framework, or write that layer by hand")
    for need in chosen.requires:
        given = draft.value(need.source)
        if any(v != need.value for v in tup(given, rank)):
            raise draft.fail(need.reason, need.hint or None)
    return chosen


def check_numeric(report: NetworkReport) -> None:
    """Export writes numbers: a symbolic size is refused, with the way to give its symbols values."""
    from ..symbolic import numbers_hint

    sizes = list(report.input_shape.spatial) + [report.input_shape.channels]
    for layer in report.layers:
        shape = layer.shape
        for size in (*shape.spatial, shape.channels, layer.outcome.params):
            if not is_int(size):
                raise SpecError(f"export needs numbers, but this layer's size is symbolic ({size})", hint=numbers_hint(report.spec),
                                layer_index=layer.index, layer_name=layer.name, layer_type=layer.type)
    if not all(is_int(s) for s in sizes):
        raise SpecError("export needs numbers, but the input size is symbolic", hint=numbers_hint(report.spec), where="input")
