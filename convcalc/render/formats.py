"""Plain-text renderers: JSON, CSV and Markdown. No rich here, so scripts start fast."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..arith import fmt, is_int
from ..engine import LayerReport, NetworkReport, param_formula, value

if TYPE_CHECKING:  # costs is loaded only when a format needs it
    from ..costs import LayerCost


def layer_record(layer: LayerReport, cost: LayerCost, layout: str) -> dict[str, Any]:
    """Everything known about one layer, with exact integers (symbolic sizes as text)."""
    out = layer.outcome
    field = cost.receptive_field
    record = {
        "index": layer.index,
        "name": layer.name,
        "type": layer.type,
        "inputs": list(layer.input_labels),
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
    if out.remarks:  # what the row does not show: "flattens 7·7·512 = 25,088 inputs"
        record["remarks"] = list(out.remarks)
    if out.outputs:  # a split: every output, as later layers name them (NAME.0, NAME.1, …)
        record["output_shapes"] = [[value(d) for d in shape.in_layout(layout)] for shape in out.outputs]
    return record


def _with_flag(record: dict[str, Any], training_only: bool) -> dict[str, Any]:
    if training_only:  # only a training-only output needs it: left out of total_macs and inference memory
        record["training_only"] = True
    return record




# The version of the layout of convcalc's JSON (`convcalc schema output|check|solve|types|list`
# describes each): raised when a key changes its meaning or type, or goes; a key added leaves it as it is.
SCHEMA_VERSION = 1


def versioned_json(record: dict[str, Any]) -> str:
    """A command's JSON as every convcalc JSON begins: schema_version and convcalc_version, then the record."""
    import json

    from ..version import __version__

    return json.dumps({"schema_version": SCHEMA_VERSION, "convcalc_version": __version__, **record}, indent=2,
                      ensure_ascii=False) + "\n"


def report_record(report: NetworkReport, **cost_options: Any) -> dict[str, Any]:
    """The whole report as plain data, as --format json writes it; ``cost_options`` (dtype, batch,
    optimizer, flops) size the memory figures and count the FLOPs."""
    record = _record_parts(report, **cost_options)
    record["layers"] = list(record["layers"])
    if report.spec.blocks:
        from .tree import block_records

        record["blocks"] = block_records(report)
    return record


def _record_parts(report: NetworkReport, **cost_options: Any) -> dict[str, Any]:
    """The report's keys in order, with "layers" left as an iterator: JSON writes each layer as it
    is made, so a 100,000-layer report never holds every layer's record (or text) at once."""
    from ..costs import network_costs

    layout = report.shown_layout
    costs = network_costs(report, **cost_options)
    trainable, non_trainable = report.trainable_params, report.non_trainable_params  # each a sum over the layers
    m = costs.memory
    from ..version import __version__

    return {
        "schema_version": SCHEMA_VERSION,  # see SCHEMA_VERSION
        "convcalc_version": __version__,  # the release that wrote it
        "name": report.name,
        "layout": layout,  # the order of every shape below (--layout)
        "spec_layout": report.layout,  # the order the spec is written in
        "input_shape": [value(d) for d in report.input_shape.in_layout(layout)],
        "output_shape": [value(d) for d in report.output_shape.in_layout(layout)],
        "symbols": report.symbols,  # the letters the sizes use; valid_when: for which values every size is ≥ 1
        "valid_when": [str(condition) for condition in report.conditions],
        "outputs": [{"name": o.label, "shape": [value(d) for d in o.shape.in_layout(layout)], "training_only": o.training_only}
                    for o in report.outputs],
        "layers": (_with_flag(layer_record(layer, cost, layout), flag)
                   for layer, cost, flag in zip(report.layers, costs.layers, costs.training_only or (False,) * len(report.layers))),
        "total_params": value(trainable + non_trainable),
        "trainable_params": value(trainable),
        "non_trainable_params": value(non_trainable),
        "total_macs": value(costs.total_macs),  # a training-only head left out (it is in training_only_macs)
        "warnings": [{"index": layer.index, "name": layer.name, "message": text} for layer, text in report.warnings],
        "total_flops": value(costs.total_flops),
        "flops_convention": _flops_words(costs.flops_convention),
        **({"training_only_macs": value(costs.training_only_macs), "training_only_flops": value(costs.training_only_flops)}
           if costs.training_only else {}),
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
    """An exact int stays an int, a fraction a float when the float is exactly it (2.5), else its text
    ('18014398509481985/2': past 2^53 a float would round it), a symbolic value its text."""
    if type(size) is int:
        return size
    from fractions import Fraction

    if isinstance(size, Fraction):
        try:
            as_float = float(size)
        except OverflowError:  # past 10^308: the exact fraction as text
            return str(size)
        return as_float if Fraction(as_float) == size else str(size)
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


def _flops_words(convention: str) -> str:
    from ..flops import WORDS

    return WORDS[convention]


def totals_lines(report: NetworkReport) -> list[str]:
    """The parameter totals, saying whose count they follow where frameworks differ: PyTorch keeps
    BatchNorm's moving statistics as buffers, not parameters (torchinfo's total leaves them out);
    Keras counts them as non-trainable weights. The spec's layout names the framework. A symbolic spec
    adds its symbols and the sizes it is valid for; a spec that names its outputs, each output."""
    return _param_lines(report) + symbol_lines(report) + output_lines(report)


def _param_lines(report: NetworkReport) -> list[str]:
    trainable, frozen = report.trainable_params, report.non_trainable_params
    if is_int(frozen) and frozen == 0:
        return [f"Total params: {fmt(trainable)}", f"Trainable params: {fmt(trainable)}", "Non-trainable params: 0"]
    kinds = {layer.type for layer in report.layers if not (is_int(layer.outcome.non_trainable) and layer.outcome.non_trainable == 0)}
    what = "BatchNorm buffers" if kinds == {"batchnorm"} else "buffers"
    if report.layout == "chw":
        return [f"Total params: {fmt(trainable)} (+ {fmt(frozen)} {what}, as PyTorch counts)",
                f"Trainable params: {fmt(trainable)}", "Non-trainable params: 0"]
    statistics = "BatchNorm statistics" if kinds == {"batchnorm"} else "buffers"
    return [f"Total params: {fmt(trainable + frozen)} (as Keras counts: {statistics} included)",
            f"Trainable params: {fmt(trainable)}", f"Non-trainable params: {fmt(frozen)}"]


def output_lines(report: NetworkReport) -> list[str]:
    """'Outputs: fc (1000,); aux.fc (1000,) (training only)' when the spec names its outputs."""
    if not report.spec.outputs:
        return []
    layout = report.shown_layout
    text = "; ".join(f"{o.label} {o.shape.describe(layout)}" + (" (training only)" if o.training_only else "")
                     for o in report.outputs)
    lines = [f"Outputs: {text}"]
    skipped = report.training_only_layers()
    if skipped:
        lines.append(f"The training-only head ({len(skipped)} layers) is left out of the MACs, FLOPs and inference memory; "
                     "its parameters are counted")
    return lines


def remark_lines(report: NetworkReport) -> list[str]:
    """What a layer does that its row does not show: 'layer 20 'fc' (dense): flattens 7·7·512 = 25,088 inputs'."""
    return [f"layer {layer.index} '{layer.name}' ({layer.type}): {text}" for layer in report.layers for text in layer.outcome.remarks]


GROUPED_NAMES = 12  # layers named in the one line of grouped rounding warnings


def symbol_lines(report: NetworkReport) -> list[str]:
    """'Symbols: m, n' and 'Valid for: n ≥ 7, m ≥ 7' for a symbolic spec; nothing for a numeric one."""
    names = report.symbols
    if not names:
        return []
    from ..symbolic import condition_text

    conditions = report.conditions
    return [f"Symbols: {', '.join(names)}"] + ([f"Valid for: {', '.join(map(condition_text, conditions))}"] if conditions else [])


def warning_lines(report: NetworkReport) -> list[str]:
    """One line per warning; the rounding warnings of several layers grouped in one line that
    names the layers (every row is marked ⚠, and the JSON lists each)."""
    floored = [(layer, text) for layer, text in report.warnings if text.endswith("(floored)")]
    others = [f"⚠ layer {layer.index} '{layer.name}': {text}" for layer, text in report.warnings if not text.endswith("(floored)")]
    layers = list({layer.index: layer for layer, _ in floored}.values())
    if len(layers) < 2:
        return [f"⚠ layer {layer.index} '{layer.name}': {text}" for layer, text in floored] + others
    names = [f"{layer.index} '{layer.name}'" for layer in layers[:GROUPED_NAMES]]
    if len(layers) > GROUPED_NAMES:
        names.append(f"and {len(layers) - GROUPED_NAMES:,} more")
    first, text = floored[0]
    line = (f"⚠ {len(layers):,} layers round a size down, as PyTorch and Keras do (rows marked ⚠): {', '.join(names)}; "
            f"e.g. layer {first.index}: {text}; --strict makes it an error")
    return [line] + others


def render_csv(report: NetworkReport, columns: tuple[str, ...] | None = None, *, depth: int | None = None,
               **cost_options: Any) -> str:
    """One row for the input and one per layer, exact numbers (no units), for a spreadsheet.

    ``columns`` (the keys --columns takes) chooses the columns; without it the parameter columns.
    ``depth``: a block nested at that depth is one row with its layers' sums (rows still add up).
    """
    import csv
    import io

    from ..costs import network_costs

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    costs = network_costs(report, **cost_options) if columns is not None or depth is not None else None
    if columns is None and report.spec.outputs:  # a spec that names its outputs: which rows are outputs
        columns = _DEFAULT_CSV + ("network_output",)
    writer.writerows(_csv_rows(report, costs, columns or _DEFAULT_CSV, depth))
    return buffer.getvalue()


# --columns keys to CSV header cells: the JSON names, the receptive field as four columns, and FLOPs
# with the convention they are counted by (JSON's flops_convention), the same text on every row.
_CSV_HEADERS = {
    "index": ["index"], "name": ["name"], "type": ["type"], "inputs": ["inputs"], "shape": ["output_shape"],
    "params": ["params"], "formula": ["formula"], "macs": ["macs"], "flops": ["flops", "flops_convention"],
    "memory": ["activation_bytes"], "param_memory": ["parameter_bytes"],
    "rf": ["rf_size", "rf_jump", "rf_start", "rf_exact"],
}
_SPLIT_HEADERS = {"trainable": ["trainable_params"], "non_trainable": ["non_trainable_params"], "network_output": ["network_output"]}
_DEFAULT_CSV = ("index", "name", "type", "shape", "params", "trainable", "non_trainable", "formula")


def _per_axis_csv(values: list[Any]) -> Any:
    """One value when every axis agrees, else 'HxW' as shapes are written."""
    numbers = [_number(v) for v in values]
    return numbers[0] if all(n == numbers[0] for n in numbers) else "x".join(str(n) for n in numbers)


def _csv_units(report: NetworkReport, costs: Any, depth: int | None) -> Iterator[tuple[Any, ...]]:
    """(index, name, type, inputs, formula, layers, their costs): every layer, or with depth the
    rows of the tree cut there (a block at that depth stands for its layers)."""
    layer_costs = costs.layers if costs is not None else [None] * len(report.layers)
    if depth is None:
        for layer, cost in zip(report.layers, layer_costs):
            yield layer.index, layer.name, layer.type, ",".join(layer.input_labels), param_formula(layer), (layer,), (cost,)
        return
    position = 0
    for block in sorted((b for b in report.spec.blocks if b.depth == depth), key=lambda b: b.first):  # they never overlap
        for layer in report.layers[position: block.first - 1]:
            if len(layer.spec.path) < depth:
                yield from _csv_units_of(layer, layer_costs)
        yield (f"{block.first}-{block.last}", block.name, block.kind, "", "", report.layers[block.first - 1: block.last],
               layer_costs[block.first - 1: block.last])
        position = block.last
    for layer in report.layers[position:]:
        if len(layer.spec.path) < depth:
            yield from _csv_units_of(layer, layer_costs)


def _csv_units_of(layer: LayerReport, layer_costs: Any) -> Iterator[tuple[Any, ...]]:
    yield (layer.index, layer.name, layer.type, ",".join(layer.input_labels), param_formula(layer), (layer,),
           (layer_costs[layer.index - 1],))


def _csv_rows(report: NetworkReport, costs: Any, columns: tuple[str, ...], depth: int | None) -> Iterator[list[Any]]:
    """The header, the input's row and one row per layer (or block), with the chosen columns' cells."""
    layout = report.shown_layout

    def shape_text(shape: Any) -> str:
        return "x".join(str(value(d)) for d in shape.in_layout(layout))

    def field_cells(field: Any) -> list[Any]:
        if field is None:
            return ["", "", "", ""]
        return [_per_axis_csv([f.size for f in field]), _per_axis_csv([f.jump for f in field]),
                _per_axis_csv([f.start for f in field]), "true" if all(f.exact for f in field) else "false"]

    def total(items: Any, what: Any) -> Any:
        return value(sum((what(item) for item in items), 0))

    def layer_shape(unit: Any) -> str:
        last = unit[5][-1]
        return "+".join(shape_text(s) for s in last.output_shapes) if isinstance(unit[0], int) else shape_text(last.shape)

    convention = _flops_words(costs.flops_convention) if costs is not None else ""
    marks: dict[str, list[str]] = {}  # the network's outputs, by layer
    for o in report.outputs if report.spec.outputs else ():
        text = o.label + (" " + shape_text(o.shape) if o.label != o.layer.name else "")
        marks.setdefault(o.layer.name, []).append(text + (" (training only)" if o.training_only else ""))

    cells: dict[str, Any] = {
        "index": lambda u: u[0], "name": lambda u: u[1], "type": lambda u: u[2], "inputs": lambda u: u[3],
        "formula": lambda u: u[4], "shape": layer_shape,
        "network_output": lambda u: "; ".join(marks.get(u[1], [])) if isinstance(u[0], int) else "",
        "params": lambda u: total(u[5], lambda layer: layer.outcome.params),
        "trainable": lambda u: total(u[5], lambda layer: layer.outcome.trainable),
        "non_trainable": lambda u: total(u[5], lambda layer: layer.outcome.non_trainable),
        "macs": lambda u: total(u[5], lambda layer: layer.outcome.macs),
        "flops": lambda u: [total(u[6], lambda cost: cost.flops), convention],
        "memory": lambda u: value(u[6][-1].activation_bytes),
        "param_memory": lambda u: total(u[6], lambda cost: cost.parameter_bytes),
        "rf": lambda u: field_cells(u[6][-1].receptive_field),
    }
    headers = {**_CSV_HEADERS, **_SPLIT_HEADERS}
    chosen = [(key, cells[key]) for key in columns]
    yield [header for key in columns for header in headers[key]]
    first = {
        "index": 0, "name": "input", "type": "input", "inputs": "", "shape": shape_text(report.input_shape), "params": 0,
        "trainable": 0, "non_trainable": 0, "formula": "", "macs": 0, "flops": [0, convention], "param_memory": 0, "network_output": "",
        "memory": value(costs.memory.input_bytes) if costs is not None else 0,
        "rf": [1, 1, 0, "true"] if report.input_shape.rank else field_cells(None),  # a pixel sees itself
    }
    yield [cell for key in columns for cell in (first[key] if len(headers[key]) > 1 else [first[key]])]
    for unit in _csv_units(report, costs, depth):
        row = []
        for key, cell in chosen:
            if len(headers[key]) > 1:
                row.extend(cell(unit))
            else:
                row.append(cell(unit))
        yield row


def render_markdown(report: NetworkReport, columns: tuple[str, ...] | None = None, *, depth: int | None = None,
                    quiet: bool = False, **cost_options: Any) -> str:
    """The terminal table's rows (blocks and layers, to depth) and totals as a Markdown table;
    ``columns`` None: the table's default columns. ``quiet`` leaves out the warnings."""
    from ..costs import network_costs
    from .columns import COLUMNS, DEFAULT_COLUMNS, cost_lines, headers, rows

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    columns = columns or DEFAULT_COLUMNS
    costs = network_costs(report, **cost_options)
    title = f"### {report.name}\n\n" if report.name else ""
    parts = [line(headers(columns)), "|" + "|".join("---:" if COLUMNS[k].right else ":---" for k in columns) + "|"]
    parts += [line(cells) for _, cells in rows(report, costs, columns, depth)]
    text = title + "\n".join(parts) + "\n\n" + "  \n".join(totals_lines(report) + cost_lines(costs) + remark_lines(report)) + "\n"
    if report.warnings and not quiet:
        text += "\n" + "\n".join(f"- {w}" for w in warning_lines(report)) + "\n"
    return text
