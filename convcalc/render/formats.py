"""Plain-text renderers: JSON, CSV and Markdown. No rich here, so scripts start fast."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..arith import fmt
from ..engine import LayerReport, NetworkReport, param_formula, value

if TYPE_CHECKING:  # costs is loaded only when a format needs it
    from ..costs import LayerCost


def layer_record(layer: LayerReport, cost: LayerCost, layout: str) -> dict[str, Any]:
    """Everything known about one layer, with exact integers (symbolic sizes as text)."""
    out = layer.outcome
    field = cost.receptive_field
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
        "flops": value(cost.flops),
        "activation_elements": value(cost.activation_elements),
        "activation_bytes": value(cost.activation_bytes),
        "parameter_bytes": value(cost.parameter_bytes),
        "receptive_field": None if field is None else [
            {"axis": f.axis, "size": _number(f.size), "jump": _number(f.jump), "start": _number(f.start),
             "centre": _number(f.centre), "effective_padding": _number(f.effective_padding), "exact": f.exact}
            for f in field
        ],
    }




def report_record(report: NetworkReport, **cost_options: Any) -> dict[str, Any]:
    """The whole report as plain data; ``cost_options`` (dtype, batch, optimizer) size the memory figures."""
    record = _record_parts(report, **cost_options)
    record["layers"] = list(record["layers"])
    return record


def _record_parts(report: NetworkReport, **cost_options: Any) -> dict[str, Any]:
    """The report's keys in order, with "layers" left as an iterator: JSON writes each layer as it
    is made, so a 100,000-layer report never holds every layer's record (or text) at once."""
    from ..costs import network_costs

    layout = report.layout
    costs = network_costs(report, **cost_options)
    trainable, non_trainable = report.trainable_params, report.non_trainable_params  # each a sum over the layers
    m = costs.memory
    return {
        "name": report.name,
        "layout": layout,
        "input_shape": [value(d) for d in report.input_shape.in_layout(layout)],
        "output_shape": [value(d) for d in report.output_shape.in_layout(layout)],
        "layers": (layer_record(layer, cost, layout) for layer, cost in zip(report.layers, costs.layers)),
        "total_params": value(trainable + non_trainable),
        "trainable_params": value(trainable),
        "non_trainable_params": value(non_trainable),
        "total_macs": value(sum((layer.outcome.macs for layer in report.layers), 0)),
        "warnings": [{"index": layer.index, "name": layer.name, "message": text} for layer, text in report.warnings],
        "total_flops": value(costs.total_flops),
        "memory": {
            "dtype": m.dtype,
            "bytes_per_element": m.bytes_per_element,
            "batch": m.batch,
            "optimizer": m.optimizer,
            "input_bytes": value(m.input_bytes),
            "activation_bytes": value(m.activation_bytes),
            "parameter_bytes": value(m.parameter_bytes),
            "inference_peak_activation_bytes": value(m.inference_peak_bytes),
            "inference_bytes": value(m.inference_bytes),
            "training_activation_bytes": value(m.training_activation_bytes),
            "gradient_bytes": value(m.gradient_bytes),
            "optimizer_state_bytes": value(m.optimizer_state_bytes),
            "training_bytes": value(m.training_bytes),
        },
    }


def _number(size: Any) -> Any:
    """An exact int stays an int, a fraction becomes a float, a symbolic value its text."""
    if type(size) is int:
        return size
    from fractions import Fraction

    if isinstance(size, Fraction):
        try:
            return float(size)
        except OverflowError:  # past 10^308: the exact fraction as text
            return str(size)
    return value(size)


def render_json(report: NetworkReport, **cost_options: Any) -> str:
    """The report as JSON, one layer (and one block) per line."""
    return "".join(json_pieces(report, **cost_options))


def json_pieces(report: NetworkReport, **cost_options: Any) -> Iterator[str]:
    """The report as JSON text, piece by piece, one layer (and one block) per line.

    Each value is written with the compact (C) encoder: ``json.dumps(indent=2)`` runs Python's
    pure-Python encoder, which was most of the time of a cold ``summary --format json``.
    """
    record = _record_parts(report, **cost_options)
    if report.spec.blocks:  # one extra entry per block; "layers" keeps one entry per layer
        from .tree import block_records

        record["blocks"] = block_records(report)
    encode = _compact_encoder()
    yield "{"
    for position, (key, item) in enumerate(record.items()):
        yield ",\n  " if position else "\n  "
        if key == "layers" or (isinstance(item, list) and item and isinstance(item[0], dict)):
            yield f"{encode(key)}: ["
            for number, entry in enumerate(item):
                yield ("," if number else "") + "\n    " + encode(entry)
            yield "\n  ]"
        else:
            yield f"{encode(key)}: {encode(item)}"
    yield "\n}\n"


def _compact_encoder() -> Callable[[Any], str]:
    """One JSON value to text, as ``json.JSONEncoder(ensure_ascii=False).encode`` writes it.

    That encoder hands the work to CPython's C accelerator ``_json``; taking the accelerator
    directly skips loading the json package, whose decoder, scanner and regular expressions are
    about 1.3 ms of a 60 ms cold start and are never used to write. Where ``_json`` is missing or
    takes other arguments (another Python), the json package does the same job.
    """
    try:
        from _json import encode_basestring, make_encoder

        def unknown(value: Any) -> Any:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

        # markers, default, string encoder, indent, key and item separators, sort_keys, skipkeys, allow_nan
        chunks = make_encoder(None, unknown, encode_basestring, None, ": ", ", ", False, False, True)
        chunks("", 0)  # the signature is CPython's private one: check it before relying on it
        return lambda value: "".join(chunks(value, 0))
    except (ImportError, TypeError):  # pragma: no cover - not CPython 3.x's accelerator
        import json

        return json.JSONEncoder(ensure_ascii=False).encode


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


def render_csv(report: NetworkReport, columns: tuple[str, ...] | None = None, **cost_options: Any) -> str:
    """One row for the input and one per layer, exact numbers (no units), for a spreadsheet.

    ``columns`` (the keys --columns takes) chooses the columns; without it the parameter columns.
    """
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    layout = report.layout
    if columns is not None:
        from ..costs import network_costs

        writer.writerows(_chosen_csv_rows(report, network_costs(report, **cost_options), columns))
        return buffer.getvalue()
    writer.writerow(["index", "name", "type", "output_shape", "params", "trainable_params", "non_trainable_params", "formula"])
    writer.writerow(["0", "input", "input", "x".join(str(d) for d in report.input_shape.in_layout(layout)), 0, 0, 0, ""])
    for layer in report.layers:
        out = layer.outcome
        writer.writerow(
            [layer.index, layer.name, layer.type, "x".join(str(d) for d in out.shape.in_layout(layout)),
             value(out.params), value(out.trainable), value(out.non_trainable), param_formula(layer)]
        )
    return buffer.getvalue()


# --columns keys to CSV header cells: the JSON names, and the receptive field as four columns.
_CSV_HEADERS = {
    "index": ["index"], "name": ["name"], "type": ["type"], "inputs": ["inputs"], "shape": ["output_shape"],
    "params": ["params"], "formula": ["formula"], "macs": ["macs"], "flops": ["flops"],
    "memory": ["activation_bytes"], "param_memory": ["parameter_bytes"],
    "rf": ["rf_size", "rf_jump", "rf_start", "rf_exact"],
}


def _per_axis_csv(values: list[Any]) -> Any:
    """One value when every axis agrees, else 'HxW' as shapes are written."""
    numbers = [_number(v) for v in values]
    return numbers[0] if all(n == numbers[0] for n in numbers) else "x".join(str(n) for n in numbers)


def _chosen_csv_rows(report: NetworkReport, costs: Any, columns: tuple[str, ...]) -> list[list[Any]]:
    """The header, the input's row and one row per layer, with the cells of the chosen columns."""
    layout = report.layout

    def shape_text(shape: Any) -> str:
        return "x".join(str(value(d)) for d in shape.in_layout(layout))

    def field_cells(field: Any) -> list[Any]:
        if field is None:
            return ["", "", "", ""]
        return [_per_axis_csv([f.size for f in field]), _per_axis_csv([f.jump for f in field]),
                _per_axis_csv([f.start for f in field]), "true" if all(f.exact for f in field) else "false"]

    def pick(cells: dict[str, Any]) -> list[Any]:
        return [cell for key in columns for cell in (cells[key] if key == "rf" else [cells[key]])]

    rows = [[header for key in columns for header in _CSV_HEADERS[key]]]
    rows.append(pick({
        "index": 0, "name": "input", "type": "input", "inputs": "", "shape": shape_text(report.input_shape), "params": 0,
        "formula": "", "macs": 0, "flops": 0, "memory": value(costs.memory.input_bytes), "param_memory": 0,
        "rf": [1, 1, 0, "true"] if report.input_shape.rank else field_cells(None),  # a pixel sees itself
    }))
    for layer, cost in zip(report.layers, costs.layers):
        out = layer.outcome
        rows.append(pick({
            "index": layer.index, "name": layer.name, "type": layer.type, "inputs": ",".join(layer.inputs),
            "shape": shape_text(out.shape), "params": value(out.params), "formula": param_formula(layer),
            "macs": value(out.macs), "flops": value(cost.flops), "memory": value(cost.activation_bytes),
            "param_memory": value(cost.parameter_bytes), "rf": field_cells(cost.receptive_field),
        }))
    return rows


def render_markdown(report: NetworkReport, columns: tuple[str, ...] | None = None, **cost_options: Any) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    title = f"### {report.name}\n\n" if report.name else ""
    totals = totals_lines(report)
    if columns is None:
        parts = [line(HEADERS), "|" + "|".join(["---:", ":---", ":---", ":---", "---:", ":---"]) + "|"]
        parts += [line(row) for row in _rows(report)]
    else:
        from .columns import COLUMNS, cost_lines, headers, rows
        from ..costs import network_costs

        costs = network_costs(report, **cost_options)
        parts = [line(headers(columns)), "|" + "|".join("---:" if COLUMNS[k].right else ":---" for k in columns) + "|"]
        parts += [line(cells) for _, cells in rows(report, costs, columns)]
        totals = totals + cost_lines(costs)
    text = title + "\n".join(parts) + "\n\n" + "  \n".join(totals) + "\n"
    if report.warnings:
        text += "\n" + "\n".join(f"- {w}" for w in warning_lines(report)) + "\n"
    return text
