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

from ..arith import AxisStep, fmt, is_int
from ..engine import LayerReport, NetworkReport
from ..layers import KINDS


@dataclass(frozen=True)
class Explanation:
    """One layer's derivation: its kind's rule, how the shape follows, how the parameters add up."""

    rule: str
    shape_lines: tuple[str, ...]
    param_lines: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"rule: {self.rule}", *self.shape_lines, *self.param_lines) if self.rule else (*self.shape_lines, *self.param_lines)


def pretty(text: str) -> str:
    """SymPy's '25*k1*k2 + k2' written as a textbook does: '25·k1·k2 + k2'."""
    return text.replace("**", "^").replace("*", "·")


def axis_line(step: AxisStep) -> str:
    """'H = (227 − 11 + 2·0)/4 + 1 = 55', naming the rounding when a division is not exact."""
    text = f"{step.axis} = {step.text}"
    if step.exact is not None and not step.transposed:
        if step.rounding == "ceil" and "⌈" not in step.text:
            text += " (rounded up: ceil_mode)"
        elif step.rounding == "floor":
            text += " (rounded down: the last window does not fit)"
        else:
            text += " (rounded up)"
    return pretty(text)


def _equation(name: str, terms: str, total: Any) -> str:
    """'weights = 11·11·3·96 = 34,848', without '= x' when the terms are the total already."""
    written = fmt(total)
    if not terms or terms == written or terms == str(total):
        return f"{name} = {written}"
    return f"{name} = {terms} = {written}"


def shape_lines(layer: LayerReport, layout: str) -> tuple[str, ...]:
    out = layer.outcome
    lines = [axis_line(step) for step in out.axes]
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
    if out.weight_terms:
        lines = [_equation("weights", out.weight_terms, out.weights), f"biases = {fmt(out.biases)}"]
        if out.non_trainable:
            lines.append(f"non-trainable = {fmt(out.non_trainable)}")
        parts = [fmt(out.weights), fmt(out.biases)] + ([fmt(out.non_trainable)] if out.non_trainable else [])
        lines.append(_equation("params", " + ".join(parts), out.params) if out.biases or out.non_trainable else f"params = {fmt(out.params)}")
        return tuple(pretty(line) for line in lines)
    lines = [_equation("params", out.param_terms, out.params)]
    if out.non_trainable:
        lines.append(f"trainable = {fmt(out.trainable)}, non-trainable = {fmt(out.non_trainable)}")
    return tuple(pretty(line) for line in lines)


def explain_layer(layer: LayerReport, layout: str) -> Explanation:
    kind = KINDS[layer.type]
    return Explanation(kind.rule, shape_lines(layer, layout), param_lines(layer))


def total_lines(report: NetworkReport) -> tuple[str, ...]:
    """'total = 34,944 + 0 + … = 58,044' over the layers that hold parameters."""
    held = [layer.outcome.params for layer in report.layers if not (is_int(layer.outcome.params) and layer.outcome.params == 0)]
    terms = " + ".join(fmt(p) for p in held) if len(held) > 1 else ""
    return (pretty(_equation("total params", terms, report.total_params)),)


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
