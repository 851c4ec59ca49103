"""The table's columns (chosen with ``--columns``) and the human units they print in.

Plain text only: the rich table and the Markdown renderer both read these cells. Exact integers
stay in JSON; here counts read as 4.09 G and bytes as 97.7 MiB.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .arith import fmt, is_int
from .costs import AxisField, LayerCost, NetworkCosts
from .engine import LayerReport, NetworkReport
from .errors import SpecError, did_you_mean


def human(count: Any, unit: str = "") -> str:
    """'4.09 G', '301 M', '812': three significant digits with a decimal prefix."""
    if not is_int(count):
        return str(count)
    for factor, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
        if abs(count) >= factor:
            return f"{_three_digits(count / factor)} {prefix}{unit}"
    return f"{count} {unit}".rstrip()


def human_bytes(count: Any) -> str:
    """'97.7 MiB', '588 KiB', '12 B': three significant digits with a binary prefix."""
    if not is_int(count):
        return f"{count} B"
    for factor, prefix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if abs(count) >= factor:
            return f"{_three_digits(count / factor)} {prefix}"
    return f"{count} B"


def _three_digits(value: float) -> str:
    text = f"{value:.3g}"
    if "e" in text:  # 1000 or more of the largest prefix
        return f"{value:,.0f}"
    return text


def number_text(value: Any) -> str:
    """An int as is, a fraction as 15.5 or 1/3, a symbolic value as SymPy prints it."""
    if isinstance(value, Fraction):
        text = f"{float(value):g}" if (value * 1000).denominator == 1 else f"{value.numerator}/{value.denominator}"
        return text.replace("-", "−")
    return str(value).replace("-", "−") if is_int(value) else str(value)


def _per_axis(values: list[Any]) -> str:
    texts = [number_text(v) for v in values]
    return texts[0] if all(t == texts[0] for t in texts) else "×".join(texts)


def field_text(field: tuple[AxisField, ...] | None) -> str:
    """'212, 32, −90': size, jump (effective stride) and start, one value when every axis agrees."""
    if field is None:
        return "—"
    mark = "" if all(f.exact for f in field) else "≤"
    return f"{mark}{_per_axis([f.size for f in field])}, {_per_axis([f.jump for f in field])}, {_per_axis([f.start for f in field])}"


Cell = Callable[[LayerReport, LayerCost, NetworkReport], str]


@dataclass(frozen=True)
class Column:
    """One column of the table: its header, alignment, a layer's cell and the input row's cell."""

    key: str
    header: str
    cell: Cell
    input_cell: Callable[[NetworkReport, NetworkCosts], str]
    right: bool = False
    doc: str = ""


def _formula(layer: LayerReport, cost: LayerCost, report: NetworkReport) -> str:
    from .formats import param_formula

    return param_formula(layer)


def _blank(report: NetworkReport, costs: NetworkCosts) -> str:
    return ""


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("index", "#", lambda l, c, r: str(l.index), _blank, True, "the layer's position in the spec"),
        Column("name", "Layer", lambda l, c, r: l.name, lambda r, c: "input", doc="the layer's name"),
        Column("type", "Type", lambda l, c, r: l.type, lambda r, c: "Input", doc="the layer kind"),
        Column("inputs", "From", lambda l, c, r: ", ".join(l.inputs), _blank, doc="the layers it reads"),
        Column("shape", "Output shape", lambda l, c, r: l.shape.describe(r.layout) + (" ⚠" if l.warnings else ""),
               lambda r, c: r.input_shape.describe(r.layout), doc="the output shape of one sample"),
        Column("params", "Params", lambda l, c, r: fmt(l.outcome.params), lambda r, c: "0", True, "parameters"),
        Column("formula", "Formula", _formula, _blank, doc="the parameter count written out"),
        Column("macs", "MACs", lambda l, c, r: human(c.macs), _blank, True, "multiply-accumulates for one sample"),
        Column("flops", "FLOPs", lambda l, c, r: human(c.flops), _blank, True, "floating-point operations for one sample"),
        Column("memory", "Activations", lambda l, c, r: human_bytes(c.activation_bytes),
               lambda r, c: human_bytes(c.memory.input_bytes), True, "the output's bytes for the batch at --dtype"),
        Column("param_memory", "Param bytes", lambda l, c, r: human_bytes(c.parameter_bytes), _blank, True,
               "the parameters' bytes at --dtype"),
        Column("rf", "RF (size, jump, start)", lambda l, c, r: field_text(c.receptive_field), lambda r, c: "1, 1, 0",
               doc="receptive field per spatial axis: size, effective stride, first position (≤: a bound)"),
    )
}
ALIASES = {"#": "index", "layer": "name", "output_shape": "shape", "from": "inputs", "mem": "memory",
           "activations": "memory", "receptive_field": "rf", "mults": "macs", "formulas": "formula"}
DEFAULT_COLUMNS = ("index", "name", "type", "shape", "params", "formula", "macs")


def parse_columns(text: str | None) -> tuple[str, ...]:
    """'name,shape,macs' to column keys; an unknown name is a SpecError naming the choices."""
    if text is None:
        return DEFAULT_COLUMNS
    keys = []
    for raw in text.split(","):
        word = raw.strip().lower()
        if not word:
            continue
        key = ALIASES.get(word, word)
        if key not in COLUMNS:
            guess = did_you_mean(word, [*COLUMNS, *ALIASES])
            choices = f"the columns are: {', '.join(COLUMNS)}"
            raise SpecError(f"unknown column '{raw.strip()}'", hint=f"{guess} {choices}" if guess else choices, where="--columns")
        if key not in keys:
            keys.append(key)
    if not keys:
        raise SpecError("no columns given", hint=f"choose from: {', '.join(COLUMNS)}", where="--columns")
    return tuple(keys)


def headers(columns: tuple[str, ...]) -> list[str]:
    return [COLUMNS[key].header for key in columns]


def rows(report: NetworkReport, costs: NetworkCosts, columns: tuple[str, ...]) -> list[list[str]]:
    """The input row, then one row per layer, each cell as text."""
    chosen = [COLUMNS[key] for key in columns]
    table = [[c.input_cell(report, costs) for c in chosen]]
    for layer, cost in zip(report.layers, costs.layers):
        table.append([c.cell(layer, cost, report) for c in chosen])
    return table


def cost_lines(costs: NetworkCosts) -> list[str]:
    """'Total MACs: 4,089,184,256 (4.09 GMACs)' and the same for FLOPs."""
    def line(label: str, count: Any) -> str:
        text = f"Total {label}: {fmt(count)}"
        return f"{text} ({human(count, label)})" if is_int(count) and count >= 1000 else text

    return [line("MACs", costs.total_macs), line("FLOPs", costs.total_flops)]


def memory_lines(costs: NetworkCosts) -> list[str]:
    """The memory estimate, each figure with what it means."""
    m = costs.memory
    return [
        f"Memory ({m.dtype}, {m.bytes_per_element} B per value, batch {m.batch}):",
        f"  input {human_bytes(m.input_bytes)}; activations (every layer's output) {human_bytes(m.activation_bytes)}; "
        f"parameters {human_bytes(m.parameter_bytes)}",
        f"  inference ≈ {human_bytes(m.inference_bytes)} (parameters + {human_bytes(m.inference_peak_bytes)} "
        "peak of live activations)",
        f"  training ({m.optimizer}) ≈ {human_bytes(m.training_bytes)} (parameters + gradients {human_bytes(m.gradient_bytes)}"
        f" + optimizer state {human_bytes(m.optimizer_state_bytes)} + input and activations kept for backward "
        f"{human_bytes(m.training_activation_bytes)})",
    ]
