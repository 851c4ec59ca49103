"""The table's columns (chosen with ``--columns``) and the human units they print in.

Plain text only: the rich table and the Markdown renderer both read these cells. Exact integers
stay in JSON; here counts read as 4.09 G and bytes as 97.7 MiB.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..arith import fmt, is_int, show, total
from ..costs import AxisField, LayerCost, NetworkCosts
from ..engine import LayerReport, NetworkReport
from ..errors import SpecError, did_you_mean


def human(count: Any, unit: str = "") -> str:
    """'4.09 G', '301 M', '1.00 M', '812': three significant digits with a decimal prefix; a
    count that rounds up to 1000 of a prefix is written with the next one."""
    if not is_int(count):
        return show(count)
    return _prefixed(count, 1000, ("", "K", "M", "G", "T"), unit, "")


def human_bytes(count: Any) -> str:
    """'97.7 MiB', '588 KiB', '1.00 MiB', '12 B': three significant digits with a binary prefix;
    1,000 or more of a prefix is written with the next one (0.977 MiB, never 1,000 KiB)."""
    if not is_int(count):
        return f"{show(count)} B"
    return _prefixed(count, 1024, ("B", "KiB", "MiB", "GiB", "TiB"), "", " B")


def _prefixed(count: int, base: int, prefixes: tuple[str, ...], unit: str, plain: str) -> str:
    """count under the first prefix in which it reads below 1000, with three significant digits
    (rounded half up in integers: floats misround 2.675); past the last prefix, a power of ten."""
    if abs(count) < 1000:
        return f"{count} {unit}".rstrip() if unit else f"{count}{plain}"
    for power in range(1, len(prefixes)):
        text = _three_significant(abs(count), base**power)
        if text is not None:
            return f"{'−' if count < 0 else ''}{text} {prefixes[power]}{unit}"
    return f"{scientific(count)} {unit or plain.strip()}".rstrip()


def _three_significant(size: int, factor: int) -> str | None:
    """size / factor with three significant digits ('4.09', '12.0', '118', '0.977'), or None when
    that rounds to 1000 or more (the next prefix takes it)."""
    decimals = 0 if size >= 100 * factor else 1 if size >= 10 * factor else 2 if size >= factor else 3
    while True:
        scaled = (2 * size * 10**decimals + factor) // (2 * factor)  # rounded half up
        if scaled < 1000:
            break
        if decimals == 0:
            return None
        decimals -= 1
    digits = str(scaled).rjust(decimals + 1, "0")
    return f"{digits[:-decimals]}.{digits[-decimals:]}" if decimals else digits


def scientific(count: int) -> str:
    """'1.23e18': three significant digits of an integer of any size, by integer arithmetic (a
    float overflows past 10^308, and a 10^400-channel layer is a valid spec)."""
    digits = len(str(abs(count)))
    exponent = max(digits - 3, 0)
    lead = (abs(count) + 10**exponent // 2) // 10**exponent if exponent else abs(count)  # rounded half up
    if lead >= 1000:  # 999.5… rounded up to the next power of ten
        lead, exponent = lead // 10, exponent + 1
    text = str(lead)
    power = exponent + len(text) - 1
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'−' if count < 0 else ''}{mantissa}e{power}"


def number_text(value: Any) -> str:
    """An int as is, a fraction as 15.5 or 1/3, a symbolic value as SymPy prints it."""
    if is_int(value):
        return str(value).replace("-", "−")
    from fractions import Fraction  # only now: a network whose fields stay ints never loads it

    if isinstance(value, Fraction):
        text = f"{value.numerator / value.denominator:g}" if (value * 1000).denominator == 1 and abs(value) < 10**15 \
            else f"{value.numerator}/{value.denominator}"
        return text.replace("-", "−")
    return show(value)


def _per_axis(values: list[Any]) -> str:
    texts = [number_text(v) for v in values]
    return texts[0] if all(t == texts[0] for t in texts) else "×".join(texts)


def field_text(field: tuple[AxisField, ...] | None) -> str:
    """'212, 32, −90': size, jump (effective stride) and start, one value when every axis agrees."""
    if field is None:
        return "—"
    mark = "" if all(f.exact for f in field) else "≤"
    return f"{mark}{_per_axis([f.size for f in field])}, {_per_axis([f.jump for f in field])}, {_per_axis([f.start for f in field])}"


@dataclass(frozen=True)
class Span:
    """What one table row stands for: the input, one layer, or a block of layers (first..last)."""

    layers: tuple[LayerReport, ...]  # empty for the input row
    costs: tuple[LayerCost, ...]
    tree_cells: list[str]  # the tree's own cells: '#', layer, type, output shape, params, formula
    is_block: bool = False

    def total(self, what: str) -> Any:
        return total(getattr(c, what) for c in self.costs)

    @property
    def last(self) -> LayerCost | None:
        """The block's (or layer's) output: its last layer."""
        return self.costs[-1] if self.costs else None


def _last(span: Span, what: str, text: Callable[[Any], str], input_text: str = "") -> str:
    return input_text if span.last is None else text(getattr(span.last, what))


@dataclass(frozen=True)
class Column:
    """One column of the table: its header, alignment and how a row's cell is written."""

    key: str
    header: str
    cell: Callable[[Span, NetworkReport, NetworkCosts], str]
    right: bool = False
    doc: str = ""


def _tree(position: int) -> Callable[[Span, NetworkReport, NetworkCosts], str]:
    return lambda span, report, costs: span.tree_cells[position]


def _summed(what: str, text: Callable[[Any], str]) -> Callable[[Span, NetworkReport, NetworkCosts], str]:
    return lambda span, report, costs: text(span.total(what)) if span.costs else ""


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("index", "#", _tree(0), True, "the layer's position in the spec (a block: its range)"),
        Column("name", "Layer", _tree(1), doc="the layer's name"),
        Column("type", "Type", _tree(2), doc="the layer kind (and where it reads from, when not the row above)"),
        Column("inputs", "From", lambda s, r, c: ", ".join(s.layers[0].input_labels) if s.layers and not s.is_block else "",
               doc="the layers it reads"),
        Column("shape", "Output shape", _tree(3), doc="the output shape of one sample"),
        Column("params", "Params", _tree(4), True, "parameters"),
        Column("formula", "Formula", _tree(5), doc="the parameter count written out"),
        Column("macs", "MACs", _summed("macs", human), True, "multiply-accumulates for one sample"),
        Column("flops", "FLOPs", _summed("flops", human), True, "floating-point operations for one sample"),
        Column("memory", "Activations", lambda s, r, c: _last(s, "activation_bytes", human_bytes, human_bytes(c.memory.input_bytes)),
               True, "the output's bytes for the batch at --dtype"),
        Column("param_memory", "Param bytes", _summed("parameter_bytes", human_bytes), True, "the parameters' bytes at --dtype"),
        Column("rf", "RF (size, jump, start)", lambda s, r, c: _last(s, "receptive_field", field_text, "1, 1, 0"),
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


def _span(row: Any, report: NetworkReport, costs: NetworkCosts) -> Span:
    """The layers behind one of the tree's rows: '' is the input, 'a–b' a block, else one index."""
    label = row.cells[0]
    if not label:
        return Span((), (), row.cells)
    first, _, last = label.partition("–")
    lo, hi = int(first), int(last or first)
    return Span(report.layers[lo - 1 : hi], costs.layers[lo - 1 : hi], row.cells, row.is_block)


def rows(report: NetworkReport, costs: NetworkCosts, columns: tuple[str, ...], depth: int | None = None) -> list[tuple[Any, list[str]]]:
    """The tree's rows (input, blocks, layers, down to depth), each with its cells for the columns."""
    from .tree import tree_rows

    chosen = [COLUMNS[key] for key in columns]
    out = []
    for row in tree_rows(report, depth):
        span = _span(row, report, costs)
        out.append((row, [c.cell(span, report, costs) for c in chosen]))
    return out


def cost_lines(costs: NetworkCosts) -> list[str]:
    """'Total MACs: 4,089,184,256 (4.09 GMACs)' and the same for FLOPs, with the FLOPs convention."""
    from ..flops import WORDS

    def line(label: str, count: Any, convention: str = "") -> str:
        text = f"Total {label}: {fmt(count)}"
        notes = ([human(count, label)] if is_int(count) and count >= 1000 else []) + ([convention] if convention else [])
        return f"{text} ({'; '.join(notes)})" if notes else text

    lines = [line("MACs", costs.total_macs), line("FLOPs", costs.total_flops, WORDS[costs.flops_convention])]
    if costs.training_only:
        lines.append(f"Training-only head: {fmt(costs.training_only_macs)} MACs, {fmt(costs.training_only_flops)} FLOPs more")
    return lines


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
