"""--explain: every layer's arithmetic written out with its numbers, in textbook order.

A student checking homework needs to see how a number comes out, not only the number: the
size of each spatial axis (H, then W), the depth, then weights, biases and parameters, e.g.
``H = (227 − 11 + 2·0)/4 + 1 = 55``. Everything here is text built from the Outcome that the
layer kind computed; no arithmetic is repeated.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, TextIO

from ..arith import AxisStep, fmt, is_int, show
from ..engine import LayerReport, NetworkReport
from ..layers import KINDS
from ..layers.windows import out_letter


@dataclass(frozen=True)
class Explanation:
    """One layer's derivation: its kind's rule, the letters it uses, how the shape follows, how the parameters add up."""

    rule: str
    shape_lines: tuple[str, ...]
    param_lines: tuple[str, ...]
    legend: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        head = ((f"rule: {self.rule}",) if self.rule else ()) + ((f"legend: {self.legend}",) if self.legend else ())
        return (*head, *self.shape_lines, *self.param_lines)


def pretty(text: str) -> str:
    """SymPy's '25*k1*k2 + k2' written as a textbook does: '25·k1·k2 + k2'."""
    return text.replace("**", "^").replace("*", "·")


# --------------------------------------------------------------------------- one meaning per letter
# CS231n's notation: an input volume W1×H1×D1, F the filter size, S the stride, P the padding, K the
# number of filters, and an output volume W2×H2×D2. Dilation is r (DeepLab's rate), groups g, a
# transposed convolution's output padding a (Dumoulin and Visin's guide), a 1-D axis L, and the
# frame axis of a 3-D input T, so that D stays the depth.

SPATIAL_LETTERS = {0: (), 1: ("L",), 2: ("H", "W"), 3: ("T", "H", "W")}
LETTERS = {  # argument → (symbol, words; the words for a pooling window)
    "filters": ("K", "filters", "filters"),
    "kernel": ("F", "filter size", "window size"),
    "stride": ("S", "stride", "stride"),
    "padding": ("P", "padding", "padding"),
    "dilation": ("r", "dilation", "dilation"),
    "groups": ("g", "groups", "groups"),
    "output_padding": ("a", "output padding", "output padding"),
    "depth_multiplier": ("M", "depth multiplier", "depth multiplier"),
    "units": ("N2", "units", "units"),
}
_SHOWN_WHEN_NOT = {"dilation": 1, "groups": 1, "output_padding": 0, "depth_multiplier": None}


def axis_letters(shape, layout: str, suffix: str = "2") -> tuple[str, ...]:
    """The letters of a volume's axes in the layout's order: ('H2', 'W2', 'D2'); a vector is ('N2',)."""
    spatial = SPATIAL_LETTERS.get(shape.rank) or tuple(f"S{i}" for i in range(shape.rank))
    names = [f"{letter}{suffix}" for letter in spatial]
    if not shape.rank:
        return (f"N{suffix}",)
    depth = f"D{suffix}"
    return (depth, *names) if layout == "chw" else (*names, depth)


def _value_text(value: Any) -> str:
    if isinstance(value, tuple) and value and value[0] == "pairs":
        return ", ".join(f"({show(a)}, {show(b)})" for a, b in value[1])
    if isinstance(value, tuple):
        return "×".join(show(v) for v in value)
    if isinstance(value, str):
        return f'"{value}"'
    return fmt(value)


def legend(layer: LayerReport, layout: str) -> str:
    """'H1×W1×D1 = 227×227×3 input; F = 11 filter size; S = 4 stride; P = 0 padding; K = 96 filters'."""
    kind = KINDS[layer.type]
    args = layer.spec.args
    lettered = [a.name for a in kind.args if a.name in LETTERS]
    if not lettered:
        return ""
    shape = layer.input_shapes[0]
    dims = "×".join(show(d) for d in shape.in_layout(layout))
    parts = [f"{'×'.join(axis_letters(shape, layout, '1'))} = {dims} input"]
    if not shape.rank:
        parts = [f"N1 = {fmt(shape.channels)} inputs"]
    elif "units" in lettered and args.get("axis") is None:  # with axis: it acts at every position, nothing flattened
        parts[0] += f" (N1 = {fmt(shape.numel())} values, flattened)"
    pool = kind.category == "pool"
    for name in lettered:
        symbol, words, window_words = LETTERS[name]
        value = args.get(name)
        if name == "stride" and value is None and layer.outcome.axes:
            value = tuple(step.stride for step in layer.outcome.axes)
            if len(set(value)) == 1:
                value = value[0]
            words = "stride (the window size)"
        if name in _SHOWN_WHEN_NOT and (value == _SHOWN_WHEN_NOT[name] or value is None):
            continue
        parts.append(f"{symbol} = {_value_text(value)} {window_words if pool else words}")
    return "; ".join(parts)


def axis_line(step: AxisStep, rank: int = 2) -> str:
    """'H2 = (227 − 11 + 2·0)/4 + 1 = 55', naming the rounding when a division is not exact."""
    text = f"{out_letter(step.axis, rank)} = {step.text}"
    if step.exact is not None and not step.transposed:
        if step.rounding == "ceil_dropped":
            text += (f" (ceil_mode rounds {step.exact} up, but that last window would start in the right padding: "
                     f"PyTorch drops it)")
        elif step.rounding == "ceil" and "⌈" not in step.text:
            text += " (rounded up: ceil_mode)"
        elif step.rounding == "floor":
            text += " (rounded down: the last window does not fit)"
    return pretty(text)


def _equation(name: str, terms: str, total: Any) -> str:
    """'weights = 11·11·3·96 = 34,848', without '= x' when the terms are the total already."""
    written = fmt(total)
    if not terms or terms == written or terms == str(total):
        return f"{name} = {written}"
    return f"{name} = {terms} = {written}"


def shape_lines(layer: LayerReport, layout: str) -> tuple[str, ...]:
    out = layer.outcome
    rank = layer.input_shapes[0].rank
    lines = [axis_line(step, rank) for step in out.axes]
    lines += [pretty(note) for note in out.notes]
    if not lines:
        before = layer.input_shapes[0]
        if len(layer.input_shapes) == 1 and before == out.shape:
            lines.append(f"out = in = {out.shape.describe(layout)}")
        else:
            lines.append(f"out = {out.shape.describe(layout)}")
    return tuple(pretty(line) for line in lines)


def param_lines(layer: LayerReport) -> tuple[str, ...]:
    out = layer.outcome
    if is_int(out.params) and out.params == 0 and not out.param_terms:
        return ("params = 0",)
    notes = [pretty(note) for note in out.param_notes]
    if out.weight_terms:
        lines = notes + [_equation("weights", out.weight_terms, out.weights), f"biases = {fmt(out.biases)}"]
        if out.non_trainable:
            lines.append(f"non-trainable = {fmt(out.non_trainable)}")
        parts = [fmt(out.weights), fmt(out.biases)] + ([fmt(out.non_trainable)] if out.non_trainable else [])
        lines.append(_equation("params", " + ".join(parts), out.params) if out.biases or out.non_trainable else f"params = {fmt(out.params)}")
        return tuple(pretty(line) for line in lines)
    lines = notes + [_equation("params", out.param_terms, out.params)]
    if out.non_trainable:
        lines.append(f"trainable = {fmt(out.trainable)}, non-trainable = {fmt(out.non_trainable)}")
    return tuple(pretty(line) for line in lines)


def explain_layer(layer: LayerReport, layout: str) -> Explanation:
    kind = KINDS[layer.type]
    return Explanation(kind.rule, shape_lines(layer, layout), param_lines(layer), legend(layer, layout))


def total_lines(report: NetworkReport) -> tuple[str, ...]:
    """'total = 34,944 + 0 + … = 58,044' over the layers that hold parameters, and for a spec with
    letters the sizes for which it is valid ('valid for n ≥ 5')."""
    held = [layer.outcome.params for layer in report.layers if not (is_int(layer.outcome.params) and layer.outcome.params == 0)]
    terms = " + ".join(fmt(p) for p in held) if len(held) > 1 else ""
    lines = [pretty(_equation("total params", terms, report.total_params))]
    conditions = report.conditions  # symbolic specs: for which values every size is at least 1
    if conditions:
        from ..symbolic import condition_text

        lines.append(f"valid for {' and '.join(map(condition_text, conditions))}: every size is at least 1 from there on")
    return tuple(lines)


def heading(layer: LayerReport, layout: str) -> str:
    shapes = ", ".join(shape.describe(layout) for shape in layer.input_shapes)
    return f"{layer.index} {layer.name} ({layer.type}): {shapes} → {layer.shape.describe(layout)}"


# --------------------------------------------------------------------------- renderers


def render_text(report: NetworkReport) -> str:
    """The explanation of every layer, for after the terminal table."""
    blocks = []
    for layer in report.layers:
        lines = [heading(layer, report.shown_layout)] + [f"    {line}" for line in explain_layer(layer, report.shown_layout).lines]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n" + "\n".join(total_lines(report)) + "\n"


def render_json(report: NetworkReport, columns: tuple[str, ...] | None = None, **cost_options: Any) -> str:
    from .formats import report_record

    record = report_record(report, **cost_options)
    for entry, layer in zip(record["layers"], report.layers):
        entry["explain"] = list(explain_layer(layer, report.shown_layout).lines)
    record["explain_total"] = list(total_lines(report))
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: NetworkReport, columns: tuple[str, ...] | None = None, **cost_options: Any) -> str:
    from .formats import render_markdown as table

    parts = [table(report, columns, **cost_options), "#### How each layer comes out\n"]
    for layer in report.layers:
        parts.append(f"**{heading(layer, report.shown_layout)}**\n")
        parts.append("\n".join(f"- {line}" for line in explain_layer(layer, report.shown_layout).lines) + "\n")
    parts.append("\n".join(f"- {line}" for line in total_lines(report)) + "\n")
    return "\n".join(parts)


def render_csv(report: NetworkReport, columns: tuple[str, ...] | None = None, **cost_options: Any) -> str:
    """The usual CSV (or its --columns) with an 'explain' column: the layer's lines joined by '; '."""
    from .formats import render_csv as plain

    rows = list(csv.reader(io.StringIO(plain(report, columns, **cost_options))))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(rows[0] + ["explain"])
    writer.writerow(rows[1] + [""])
    for row, layer in zip(rows[2:], report.layers):
        writer.writerow(row + ["; ".join(explain_layer(layer, report.shown_layout).lines)])
    return buffer.getvalue()


def print_explained(report: NetworkReport, output_format: str, stream: TextIO, depth: int | None = None,
                    columns: tuple[str, ...] | None = None, *, show_memory: bool = False, **cost_options: Any) -> None:
    """The CLI's one call for --explain in any output format, with the same depth, --columns and
    cost options (dtype, batch, optimizer) as the output without --explain."""
    if output_format == "table":
        from ..costs import network_costs
        from .table import print_table

        print_table(report, stream, depth, columns, network_costs(report, **cost_options), show_memory)
        stream.write("\n" + render_text(report))
        return
    render = {"json": render_json, "markdown": render_markdown, "csv": render_csv}[output_format]
    stream.write(render(report, columns, **cost_options))
