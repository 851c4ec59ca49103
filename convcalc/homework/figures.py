"""What each `expect:` key asks for: its right value and the lines that derive it, from the report and its costs.

One place lists the keys a layer and a whole network answer to (shape, params, receptive field,
MACs, FLOPs, activations, memory, valid…). The values come from the engine and from
:mod:`convcalc.costs`; this module only picks them and writes them out.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..arith import factor, fmt, is_int
from ..costs import LayerCost, NetworkCosts
from ..engine import LayerReport, NetworkReport
from ..flops import CONVENTIONS, WORDS, convention_flops
from ..render.explain import explain_layer, pretty, total_lines

COUNT_KEYS = ("params", "weights", "biases", "trainable_params", "non_trainable_params", "macs", "flops", "activations",
              "activation_memory", "total_params", "total_macs", "total_flops")
FLOPS_CONVENTIONS = CONVENTIONS
FLOPS_WORDS = {
    **WORDS,
    "macs": "1 per multiply-add (what torchvision's tables call FLOPs)",
    "mac2": "2 per multiply-add, no bias",
}


class Figure(NamedTuple):
    """One key's right value (an exact int, a tuple of sizes, a bool, or SymPy) and its derivation."""

    value: Any
    derivation: tuple[str, ...]
    shown: str  # the value as convcalc prints it


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "(" + ", ".join(pretty(fmt(v)) for v in value) + ")"
    return pretty(fmt(value))


def figure(value: Any, derivation: tuple[str, ...] | list[str]) -> Figure:
    return Figure(value, tuple(derivation), _shown(value))


# --------------------------------------------------------------------------- FLOPs conventions


def flops_under(layer: LayerReport, cost: LayerCost, convention: str) -> Any:
    """One layer's FLOPs under a named convention: convcalc's default (costs.layer_flops), the
    textbook count (n multiplications and n − 1 additions per output of a weighted layer), MACs, 2·MACs."""
    macs = layer.outcome.macs
    if convention in CONVENTIONS or not (is_int(macs) and macs):
        return convention_flops(layer, cost.flops, convention if convention in CONVENTIONS else "default")
    return macs if convention == "macs" else 2 * macs


def _flops_lines(layer: LayerReport, cost: LayerCost, convention: str) -> list[str]:
    macs, outputs = layer.outcome.macs, layer.outcome.shape.numel()
    value = flops_under(layer, cost, convention)
    if not (is_int(macs) and macs):
        return [f"FLOPs = {fmt(value)} (no multiply-adds: {FLOPS_WORDS['default'].split(',')[0]} does not apply)"]
    if convention == "textbook":
        per = macs // outputs if outputs and macs % outputs == 0 else None
        if per is not None:
            return [f"FLOPs = {fmt(outputs)} outputs × ({per} multiplications + {per - 1} additions) = "
                    f"{fmt(outputs)}·{2 * per - 1} = {fmt(value)} ({FLOPS_WORDS['textbook']})"]
        return [f"FLOPs = 2·{fmt(macs)} − {fmt(outputs)} = {fmt(value)} ({FLOPS_WORDS['textbook']})"]
    bias = value - 2 * macs
    tail = f" + {fmt(bias)}" if bias else ""
    return [f"FLOPs = 2·{fmt(macs)}{tail} = {fmt(value)} ({FLOPS_WORDS['default'] if bias else FLOPS_WORDS['mac2']})"]


# --------------------------------------------------------------------------- one layer


def _macs_lines(layer: LayerReport) -> list[str]:
    out = layer.outcome
    macs, weights = out.macs, out.weights
    positions_out, positions_in = out.shape.spatial_numel(), layer.input_shapes[0].spatial_numel()
    if not (is_int(macs) and macs):
        return [f"MACs = {fmt(macs)}"]
    if out.shape.rank and macs == positions_out * weights:
        return [f"MACs = {fmt(positions_out)} output positions × {fmt(weights)} weights = {fmt(macs)} (one multiply-add per weight per position)"]
    if layer.input_shapes[0].rank and macs == positions_in * weights:
        return [f"MACs = {fmt(positions_in)} input positions × {fmt(weights)} weights = {fmt(macs)} (a transposed convolution spreads each input position)"]
    if macs == weights:
        return [f"MACs = {fmt(macs)} (each weight multiplies one input once)"]
    return [f"MACs = {fmt(macs)}"]


def receptive_sizes(cost: LayerCost) -> tuple[Any, ...] | None:
    field = cost.receptive_field
    return None if field is None else tuple(axis.size for axis in field)


def _field_lines(report: NetworkReport, costs: NetworkCosts, upto: int) -> list[str]:
    """'layer 1 'conv1': r = 1 + (3 − 1)·1 = 3' for every layer up to this one that has a window."""
    lines = []
    previous: dict[str, Any] = {"input": 1}
    jumps: dict[str, Any] = {"input": 1}
    for layer, cost in zip(report.layers[:upto], costs.layers[:upto]):
        field = cost.receptive_field
        if field is None:
            continue
        before = previous.get(layer.inputs[0])
        jump = jumps.get(layer.inputs[0])
        previous[layer.name], jumps[layer.name] = field[0].size, field[0].jump
        step = layer.outcome.axes[0] if layer.outcome.axes else None
        if step is None or before is None or field[0].size == before:
            continue
        sizes = " × ".join(dict.fromkeys(fmt(a.size) for a in field))
        if step.transposed or not field[0].exact:
            lines.append(f"layer {layer.index} '{layer.name}': r = {sizes}")
        else:
            lines.append(f"layer {layer.index} '{layer.name}': r = {fmt(before)} + ({fmt(step.window)} − 1)·{fmt(jump)} = {sizes}"
                         + (f" (jump {fmt(field[0].jump)})" if field[0].jump != jump else ""))
    return lines or ["r = 1 (no window before it)"]


def layer_figure(key: str, layer: LayerReport, cost: LayerCost, report: NetworkReport, costs: NetworkCosts, layout: str,
                 convention: str) -> Figure | None:
    """The right answer to one layer key, or None when the layer has no such figure (a vector has no field)."""
    out = layer.outcome
    explained = explain_layer(layer, layout)
    if key == "shape":
        return figure(tuple(out.shape.in_layout(layout)), explained.shape_lines)
    counts = {"params": out.params, "weights": out.weights, "biases": out.biases, "trainable_params": out.trainable,
              "non_trainable_params": out.non_trainable}
    if key in counts:
        return figure(counts[key], explained.param_lines)
    if key == "macs":
        return figure(out.macs, _macs_lines(layer))
    if key == "flops":
        return figure(flops_under(layer, cost, convention), _macs_lines(layer) + _flops_lines(layer, cost, convention))
    if key == "activations":
        dims = " × ".join(map(factor, out.shape.in_layout(layout)))
        return figure(cost.activation_elements, [f"activations = {dims} = {fmt(cost.activation_elements)} values"])
    if key == "activation_memory":
        width = costs.memory.bytes_per_element
        return figure(cost.activation_bytes, [f"memory = {fmt(cost.activation_elements)} values × {width} bytes "
                                              f"({costs.memory.dtype}) = {fmt(cost.activation_bytes)} bytes"])
    if key == "receptive_field":
        sizes = receptive_sizes(cost)
        if sizes is None:
            return None
        value = sizes[0] if len(set(sizes)) == 1 else sizes
        return figure(value, _field_lines(report, costs, layer.index))
    return None


# --------------------------------------------------------------------------- the whole network


def network_figure(key: str, report: NetworkReport, costs: NetworkCosts, convention: str) -> Figure | None:
    layout = report.layout
    held = [layer for layer in report.layers if not (is_int(layer.outcome.params) and layer.outcome.params == 0)]
    per_layer = tuple(f"layer {layer.index} '{layer.name}': {pretty(fmt(layer.outcome.params))}" for layer in held)
    if key == "output_shape":
        shape = report.output_shape
        lines = [f"layer {layer.index} '{layer.name}' → {pretty(layer.shape.describe(layout))}" for layer in report.layers]
        return figure(tuple(shape.in_layout(layout)), lines)
    if key == "total_params":
        return figure(report.total_params, per_layer + total_lines(report))
    if key == "trainable_params":
        return figure(report.trainable_params, per_layer)
    if key == "non_trainable_params":
        return figure(report.non_trainable_params, per_layer)
    if key == "total_macs":
        return figure(costs.total_macs, [f"layer {layer.index} '{layer.name}': {fmt(layer.outcome.macs)}"
                                         for layer in report.layers if layer.outcome.macs != 0])
    if key == "total_flops":
        values = [flops_under(layer, cost, convention) for layer, cost in zip(report.layers, costs.layers)]
        lines = [f"layer {layer.index} '{layer.name}': {fmt(v)}" for layer, v in zip(report.layers, values) if v != 0]
        return figure(sum(values, 0), lines + [f"(FLOPs: {FLOPS_WORDS[convention]})"])
    if key == "activations":
        total = sum((cost.activation_elements for cost in costs.layers), 0)
        return figure(total, [f"the outputs of all {len(report.layers)} layers: {fmt(total)} values "
                              f"(with the input's {fmt(report.input_shape.numel())}: {fmt(total + report.input_shape.numel())})"])
    if key == "activation_memory":
        memory = costs.memory
        return figure(memory.activation_bytes, [f"memory = every layer's output × {memory.bytes_per_element} bytes "
                                                f"({memory.dtype}) = {fmt(memory.activation_bytes)} bytes"])
    if key == "receptive_field":
        for layer, cost in zip(reversed(report.layers), reversed(costs.layers)):
            sizes = receptive_sizes(cost)
            if sizes is not None:
                value = sizes[0] if len(set(sizes)) == 1 else sizes
                return figure(value, _field_lines(report, costs, layer.index) + [f"(the field of layer {layer.index} '{layer.name}', the last with positions)"])
        return None
    return None


def network_totals_with_input(report: NetworkReport, costs: NetworkCosts, key: str) -> Any:
    """CS231n's VGGNet table counts the input among the activations (its memory line starts with INPUT)."""
    elements = report.input_shape.numel()
    if key == "activations":
        return sum((cost.activation_elements for cost in costs.layers), 0) + elements
    return costs.memory.activation_bytes + costs.memory.input_bytes


def ancestors(report: NetworkReport, layer: LayerReport) -> Iterator[LayerReport]:
    """The layer and those before it on its first-input path, nearest first."""
    by_name = {item.name: item for item in report.layers}
    current: LayerReport | None = layer
    while current is not None:
        yield current
        current = by_name.get(current.inputs[0])
