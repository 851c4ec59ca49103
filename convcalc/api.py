"""The library's one entry: ``convcalc.summary(spec, **options)`` and the report it returns.

What `convcalc summary` computes, for a script or a notebook: every figure the command prints
(parameters, MACs, FLOPs, memory, receptive fields, shapes) as exact integers on a
:class:`Summary`, the same JSON as ``--format json``, a pandas DataFrame, and the table itself in a
terminal (rich) or a notebook (HTML). A bad spec raises :class:`convcalc.SpecError`, a bad option
ValueError or TypeError. SPEC is read and computed at the call; rendering happens when asked for.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from .engine import LayerReport, NetworkReport, analyze, param_formula
from .errors import SpecError
from .limits import DEFAULT_LIMITS, Limits, int_digits
from .spec import NetworkSpec

if TYPE_CHECKING:  # loaded when a figure needs them, not when convcalc is imported
    from .costs import AxisField, LayerCost, MemoryEstimate, NetworkCosts

SpecSource = Union[str, "os.PathLike[str]", bytes, Mapping[str, Any], NetworkSpec]

LAYOUTS = ("hwc", "chw")
DTYPES = ("float32", "float16", "bfloat16", "int8")  # costs.DTYPE_BYTES
OPTIMIZERS = ("sgd", "momentum", "adam")  # costs.OPTIMIZER_STATES
FLOPS = ("default", "textbook")  # flops.CONVENTIONS


class LayerSummary(NamedTuple):
    """One layer's figures, named as in the JSON output (exact ints; SymPy expressions for a
    symbolic spec); shapes in the summary's layout, without the batch axis."""

    index: int  # type: ignore[assignment]  # the JSON's name, over tuple.index
    name: str
    type: str
    inputs: tuple[str, ...]
    path: tuple[str, ...]  # the enclosing blocks, outermost first
    input_shape: tuple[Any, ...]
    output_shape: tuple[Any, ...]
    params: Any
    trainable_params: Any
    non_trainable_params: Any
    weights: Any
    biases: Any
    macs: Any
    flops: Any
    activation_elements: Any  # one sample
    activation_bytes: Any  # the batch, at the dtype
    parameter_bytes: Any
    receptive_field: tuple[AxisField, ...] | None  # per spatial axis; None once the spatial axes are gone
    formula: str  # the parameter count written out: '5·5·1·6 + 6 = 156'
    warnings: tuple[str, ...]


class LayerWarning(NamedTuple):
    """A layer's warning (a size rounded down), as the JSON's warnings list."""

    index: int  # type: ignore[assignment]  # the JSON's name, over tuple.index
    name: str
    message: str


def summary(
    spec: SpecSource,
    *,
    values: Mapping[str, int] | None = None,
    layout: str | None = None,
    strict: bool = False,
    dtype: str | None = None,
    batch: int | None = None,
    optimizer: str | None = None,
    flops: str = "default",
    depth: int | None = None,
    columns: str | Iterable[str] | None = None,
    limits: Limits | Mapping[str, int] | None = None,
) -> Summary:
    """Read a network and compute it, as `convcalc summary` does.

    ``spec``: a path (str or pathlib.Path), the name of a shipped spec ('resnet50'), spec text
    (YAML, JSON or one inline line such as "input 32x32x3; conv2d 10 kernel=5"), a mapping with
    input: and layers:, or a NetworkSpec. The options are the command's: ``values`` gives symbols
    numbers (--set k1=32: ``values={"k1": 32}``), ``layout`` the order shapes are shown in,
    ``strict`` refuses sizes that round down, ``dtype``/``batch``/``optimizer`` size the memory
    figures (and show them in the table), ``flops`` picks the FLOPs convention, ``depth`` and
    ``columns`` shape the table, ``limits`` raises safety limits ({"layers": 200000}).
    """
    options = _check_options(layout, dtype, batch, optimizer, flops, depth)
    chosen_columns = _columns(columns)
    chosen_limits = _limits(limits)
    try:
        with int_digits(chosen_limits):
            network = _network(spec, values, strict, chosen_limits)
            if layout is not None:
                network = network._replace(display_layout=layout)
            from .costs import network_costs

            costs = network_costs(network, **options)
    except RecursionError:  # only past a raised depth limit, as in the CLI
        raise SpecError("the spec nests lists or blocks too deep to work through",
                        hint=f"nest them less deeply (limits depth is {chosen_limits.depth:,}; the default 50 is safe)") from None
    show_memory = any(o is not None for o in (dtype, batch, optimizer)) or "memory" in (chosen_columns or ())
    return Summary(network, costs, options, depth=depth, columns=chosen_columns, show_memory=show_memory)


class Summary:
    """A network computed: its figures as attributes, and the ways to show them.

    ``print(s)`` and ``str(s)`` give the terminal table; in a notebook the table shows by itself
    (``_repr_html_``), with rich it is a renderable (``__rich__``); ``repr(s)`` is one line.
    ``to_dict()`` and ``to_json()`` are `convcalc summary -f json`; ``to_dataframe()`` one row per layer.
    """

    __slots__ = ("_columns", "_depth", "_layers", "_options", "_show_memory", "costs", "network")

    def __init__(self, network: NetworkReport, costs: NetworkCosts, options: Mapping[str, Any], *, depth: int | None = None,
                 columns: tuple[str, ...] | None = None, show_memory: bool = False) -> None:
        self.network = network  # the engine's report: every layer's spec and outcome
        self.costs = costs  # MACs, FLOPs, memory and receptive fields, layer by layer
        self._options = dict(options)  # dtype, batch, optimizer, flops
        self._depth = depth
        self._columns = columns
        self._show_memory = show_memory
        self._layers: tuple[LayerSummary, ...] | None = None

    # ---- the figures

    @property
    def name(self) -> str | None:
        return self.network.name

    @property
    def layout(self) -> str:
        """The order of every shape here: the spec's own, or the layout= asked for."""
        return self.network.shown_layout

    @property
    def input_shape(self) -> tuple[Any, ...]:
        return tuple(self.network.input_shape.in_layout(self.layout))

    @property
    def output_shape(self) -> tuple[Any, ...]:
        return tuple(self.network.output_shape.in_layout(self.layout))

    @property
    def symbols(self) -> list[str]:
        """The letters the sizes use ('k1', 'n'); [] for a numeric spec."""
        return self.network.symbols

    @property
    def total_params(self) -> Any:
        """Trainable and non-trainable (BatchNorm's statistics) together, as Keras counts."""
        return self.network.total_params

    @property
    def trainable_params(self) -> Any:
        """What PyTorch's parameters() and torchinfo count."""
        return self.network.trainable_params

    @property
    def non_trainable_params(self) -> Any:
        """BatchNorm's moving statistics and the like: buffers in PyTorch, non-trainable weights in Keras."""
        return self.network.non_trainable_params

    @property
    def total_macs(self) -> Any:
        """Multiply-accumulates for one sample, as torchvision counts them."""
        return self.costs.total_macs

    @property
    def total_flops(self) -> Any:
        """Floating-point operations for one sample, by ``flops_convention``."""
        return self.costs.total_flops

    @property
    def flops_convention(self) -> str:
        from .flops import WORDS

        return WORDS[self.costs.flops_convention]

    @property
    def memory(self) -> MemoryEstimate:
        """Bytes for the batch at the dtype: input_bytes, activation_bytes, parameter_bytes,
        inference_bytes, training_bytes, … (see docs/costs.md)."""
        return self.costs.memory

    @property
    def receptive_field(self) -> tuple[AxisField, ...] | None:
        """The receptive field of the last layer that still has spatial axes, per axis (size, jump, start)."""
        return next((cost.receptive_field for cost in reversed(self.costs.layers) if cost.receptive_field is not None), None)

    @property
    def warnings(self) -> list[LayerWarning]:
        return [LayerWarning(layer.index, layer.name, text) for layer, text in self.network.warnings]

    @property
    def layers(self) -> tuple[LayerSummary, ...]:
        """Every layer's figures, in spec order (blocks expanded: `to_dict()['blocks']` has the blocks)."""
        if self._layers is None:
            layout = self.layout
            self._layers = tuple(_layer_summary(layer, cost, layout) for layer, cost in zip(self.network.layers, self.costs.layers))
        return self._layers

    def __len__(self) -> int:
        return len(self.network.layers)

    # ---- as data

    def to_dict(self) -> dict[str, Any]:
        """The same data as `convcalc summary --format json` (exact ints; symbolic values as text)."""
        from .render.formats import report_record

        with int_digits(self.network.limits):
            return report_record(self.network, **self._options)

    def to_json(self) -> str:
        """The text `convcalc summary --format json` writes."""
        from .render.formats import render_json

        with int_digits(self.network.limits):
            return render_json(self.network, **self._options)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per layer, the columns of :class:`LayerSummary` (the
        receptive field as its size per spatial axis). Needs pandas: pip install pandas."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Summary.to_dataframe() needs pandas: pip install pandas") from None
        rows = []
        for layer in self.layers:
            row = layer._asdict()
            field = layer.receptive_field
            row["receptive_field"] = None if field is None else tuple(axis.size for axis in field)
            rows.append(row)
        return pandas.DataFrame(rows, columns=list(LayerSummary._fields))

    # ---- as text and tables

    def table(self, width: int | None = None, *, unicode: bool = True) -> str:
        """The terminal table as text (no colour), as wide as ``width`` (default: the terminal's,
        or COLUMNS, or 160), with box lines, or ASCII ones when ``unicode`` is false."""
        import sys

        from .render.table import output_width, table_lines

        with int_digits(self.network.limits):
            lines = table_lines(self.network, width or output_width(sys.stdout), self._depth, self._columns, self.costs,
                                self._show_memory, unicode=unicode)
        return "".join(line + "\n" for line, _ in lines)

    def explain(self) -> str:
        """Every layer's arithmetic with its numbers put in, as `convcalc explain` writes after the table."""
        from .render.explain import render_text

        with int_digits(self.network.limits):
            return render_text(self.network)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        network = self.network
        with int_digits(network.limits):
            return (f"<convcalc.Summary {_brief(repr(network.name or 'Network'), 60)}: {len(network.layers):,} "
                    f"layer{'s' if len(network.layers) != 1 else ''}, {_brief(_shape(self.input_shape), 60)} → "
                    f"{_brief(_shape(self.output_shape), 60)}, {_params_brief(network)}, {_count_brief(self.total_macs, 'MACs')}>")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's terminal shows the one-line repr (print() shows the table)."""
        printer.text(repr(self))

    def __rich__(self) -> Any:
        """The table as rich draws it in a terminal: as wide as the console, blocks bold, warnings yellow."""
        from .render.table import TableRenderable

        return TableRenderable(self.network, self.costs, self._depth, self._columns, self._show_memory)

    def _repr_html_(self) -> str:
        """The table in a notebook: an HTML table of every row, then the totals."""
        from .render.html import html_table

        with int_digits(self.network.limits):
            return html_table(self.network, self.costs, self._columns, self._depth, self._show_memory)


# --------------------------------------------------------------------------- reading the spec


def _network(spec: SpecSource, values: Mapping[str, int] | None, strict: bool, limits: Limits) -> NetworkReport:
    from .symbolic import parse_assignments, substitute

    assignments = _assignments(values)
    chosen = parse_assignments(assignments, limits)
    return analyze(substitute(_read(spec, limits), chosen), strict=strict, limits=limits)


def _read(spec: SpecSource, limits: Limits) -> NetworkSpec:
    """SPEC in any of its forms to a checked NetworkSpec (SpecError when it is not one)."""
    from .spec import build_spec, decode, load_spec, spec_from_text

    if isinstance(spec, NetworkSpec):
        return spec
    if isinstance(spec, Mapping):
        return build_spec(spec, source="<mapping>", limits=limits)
    if isinstance(spec, (bytes, bytearray)):
        return spec_from_text(decode(bytes(spec), "<spec text>"), "<spec text>", limits=limits)
    if isinstance(spec, os.PathLike):
        path = os.fspath(spec)
        if not isinstance(path, str):
            raise TypeError(f"spec: a path must be text, got {type(path).__name__}")
        if not os.path.exists(path):
            raise SpecError(f"no such file: '{path}'", hint="give the path of a spec file")
        return load_spec(path, limits=limits)
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a path, spec text, a mapping or a NetworkSpec, not {type(spec).__name__}")
    text = spec.strip()
    if "\n" in text or text.startswith(("{", "[")):  # YAML or JSON text: never a file name
        return spec_from_text(spec, "<spec text>", limits=limits)
    if spec == "-":
        import sys

        return spec_from_text(sys.stdin.read(limits.bytes + 1), "<stdin>", limits=limits)
    return load_spec(spec, limits=limits)  # a path, a shipped spec's name, or an inline spec


def _assignments(values: Mapping[str, int] | None) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a mapping such as {{'k1': 32}}, not {type(values).__name__}")
    texts = []
    for name, number in values.items():
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"values: {name} must be a whole number ≥ 1, got {number!r}")
        texts.append(f"{name}={number}")
    return texts


def _check_options(layout: str | None, dtype: str | None, batch: int | None, optimizer: str | None, flops: str,
                   depth: int | None) -> dict[str, Any]:
    for name, given, allowed in (("layout", layout, LAYOUTS), ("dtype", dtype, DTYPES), ("optimizer", optimizer, OPTIMIZERS),
                                 ("flops", flops, FLOPS)):
        if given is not None and given not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {given!r}")
    for name, number in (("batch", batch), ("depth", depth)):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
            raise ValueError(f"{name} must be a whole number ≥ 1, got {number!r}")
    return {"dtype": dtype or "float32", "batch": batch or 1, "optimizer": optimizer or "adam", "flops": flops}


def _columns(columns: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if columns is None:
        return None
    from .render.columns import parse_columns

    text = columns if isinstance(columns, str) else ",".join(columns)
    try:
        return parse_columns(text)
    except SpecError as error:
        raise ValueError(f"columns: {error.message}") from None


def _limits(limits: Limits | Mapping[str, int] | None) -> Limits:
    if limits is None:
        return DEFAULT_LIMITS
    if isinstance(limits, Limits):
        return limits
    if not isinstance(limits, Mapping):
        raise TypeError(f"limits must be a mapping such as {{'layers': 200000}}, not {type(limits).__name__}")
    from .limits import parse_limits

    try:
        return parse_limits([f"{name}={number}" for name, number in limits.items()])
    except SpecError as error:
        raise ValueError(f"limits: {error.message}") from None


# --------------------------------------------------------------------------- figures and words


def _layer_summary(layer: LayerReport, cost: LayerCost, layout: str) -> LayerSummary:
    out = layer.outcome
    return LayerSummary(
        index=layer.index, name=layer.name, type=layer.type, inputs=tuple(layer.inputs), path=tuple(layer.spec.path),
        input_shape=tuple(layer.input_shapes[0].in_layout(layout)), output_shape=tuple(out.shape.in_layout(layout)),
        params=out.params, trainable_params=out.trainable, non_trainable_params=out.non_trainable, weights=out.weights,
        biases=out.biases, macs=out.macs, flops=cost.flops, activation_elements=cost.activation_elements,
        activation_bytes=cost.activation_bytes, parameter_bytes=cost.parameter_bytes, receptive_field=cost.receptive_field,
        formula=param_formula(layer), warnings=tuple(layer.warnings),
    )


def _brief(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shape(shape: tuple[Any, ...]) -> str:
    from .arith import show

    return "(" + ", ".join(show(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _count_brief(count: Any, unit: str) -> str:
    """'4.09 GMACs', '840 MACs', or a symbolic count in brief."""
    from .arith import fmt, is_int
    from .render.columns import human

    return human(count, unit) if is_int(count) else f"{_brief(fmt(count), 60)} {unit}"


def _params_brief(network: NetworkReport) -> str:
    """'25,557,032 params + 53,120 buffers' (a chw spec, as PyTorch counts) or '19,978 params (128
    non-trainable)' (hwc, as Keras counts): the table's headline convention, short."""
    from .arith import fmt, is_int

    trainable, frozen = network.trainable_params, network.non_trainable_params
    if is_int(frozen) and frozen == 0:
        return f"{_brief(fmt(trainable), 60)} params"
    if network.layout == "chw":
        return f"{_brief(fmt(trainable), 60)} params + {_brief(fmt(frozen), 40)} buffers"
    return f"{_brief(fmt(trainable + frozen), 60)} params ({_brief(fmt(frozen), 40)} non-trainable)"
