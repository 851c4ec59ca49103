"""Plain-text renderers: JSON, CSV and Markdown. No rich here, so scripts start fast."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from .arith import fmt
from .engine import LayerReport, NetworkReport, value


def layer_record(layer: LayerReport, layout: str) -> dict[str, Any]:
    """Everything known about one layer, with exact integers (symbolic sizes as text)."""
    out = layer.outcome
    return {
        "index": layer.index,
        "name": layer.name,
        "type": layer.type,
        "inputs": list(layer.inputs),
        "path": list(layer.spec.path),
        "input_shape": [value(d) for d in layer.input_shapes[0].in_layout(layout)],
        "output_shape": [value(d) for d in out.shape.in_layout(layout)],
        "params": value(out.params),
        "trainable_params": value(out.trainable),
        "non_trainable_params": value(out.non_trainable),
        "weights": value(out.weights),
        "biases": value(out.biases),
        "formula": param_formula(layer),
        "macs": value(out.macs),
        "warnings": list(layer.warnings),
    }


def param_formula(layer: LayerReport) -> str:
    """'11·11·3·96 + 96 = 34,944', or '' for a layer without parameters."""
    out = layer.outcome
    if not out.param_terms:
        return ""
    total = fmt(out.params)
    return out.param_terms if out.param_terms == total else f"{out.param_terms} = {total}"


def report_record(report: NetworkReport) -> dict[str, Any]:
    layout = report.layout
    return {
        "name": report.name,
        "layout": layout,
        "input_shape": [value(d) for d in report.input_shape.in_layout(layout)],
        "output_shape": [value(d) for d in report.output_shape.in_layout(layout)],
        "layers": [layer_record(layer, layout) for layer in report.layers],
        "total_params": value(report.total_params),
        "trainable_params": value(report.trainable_params),
        "non_trainable_params": value(report.non_trainable_params),
        "total_macs": value(sum((layer.outcome.macs for layer in report.layers), 0)),
        "warnings": [{"index": layer.index, "name": layer.name, "message": text} for layer, text in report.warnings],
    }


def render_json(report: NetworkReport) -> str:
    record = report_record(report)
    if report.spec.blocks:  # one extra entry per block; "layers" keeps one entry per layer
        from .tree import block_records

        record["blocks"] = block_records(report)
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _rows(report: NetworkReport) -> list[list[str]]:
    layout = report.layout
    rows = [["", "input", "Input", report.input_shape.describe(layout), "0", ""]]
    for layer in report.layers:
        mark = " ⚠" if layer.warnings else ""
        rows.append(
            [
                str(layer.index),
                layer.name,
                layer.type,
                layer.shape.describe(layout) + mark,
                fmt(layer.outcome.params),
                param_formula(layer),
            ]
        )
    return rows


HEADERS = ["#", "Layer", "Type", "Output shape", "Params", "Formula"]


def totals_lines(report: NetworkReport) -> list[str]:
    return [
        f"Total params: {fmt(report.total_params)}",
        f"Trainable params: {fmt(report.trainable_params)}",
        f"Non-trainable params: {fmt(report.non_trainable_params)}",
    ]


def warning_lines(report: NetworkReport) -> list[str]:
    return [f"⚠ layer {layer.index} '{layer.name}': {text}" for layer, text in report.warnings]


def render_csv(report: NetworkReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", "name", "type", "output_shape", "params", "trainable_params", "non_trainable_params", "formula"])
    layout = report.layout
    writer.writerow(["0", "input", "input", "x".join(str(d) for d in report.input_shape.in_layout(layout)), 0, 0, 0, ""])
    for layer in report.layers:
        out = layer.outcome
        writer.writerow(
            [layer.index, layer.name, layer.type, "x".join(str(d) for d in out.shape.in_layout(layout)),
             value(out.params), value(out.trainable), value(out.non_trainable), param_formula(layer)]
        )
    return buffer.getvalue()


def render_markdown(report: NetworkReport) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    title = f"### {report.name}\n\n" if report.name else ""
    parts = [line(HEADERS), "|" + "|".join(["---:", ":---", ":---", ":---", "---:", ":---"]) + "|"]
    parts += [line(row) for row in _rows(report)]
    text = title + "\n".join(parts) + "\n\n" + "  \n".join(totals_lines(report)) + "\n"
    if report.warnings:
        text += "\n" + "\n".join(f"- {w}" for w in warning_lines(report)) + "\n"
    return text
