"""The network as a tree for the table: block rows with summed parameters, layers indented below.

Blocks come from :mod:`convcalc.spec.blocks`; their nodes are contiguous, so a block's sums are the
sums over its index range (totals still come from the layers alone, never from these rows).
"""

from typing import Any, NamedTuple

from ..arith import Size, fmt, total
from ..engine import LayerReport, NetworkReport, param_formula, value


class BlockTotals(NamedTuple):
    """One block with what its layers add up to."""

    block: Any  # blocks.BlockSpec
    output: LayerReport  # its last node, whose output is the block's output
    params: Size
    trainable: Size
    non_trainable: Size
    layers: int  # how many primitive layers it holds


def block_totals(report: NetworkReport) -> list[BlockTotals]:
    out = []
    for block in report.spec.blocks:
        inside = report.layers[block.first - 1 : block.last]
        trainable = total(layer.outcome.trainable for layer in inside)
        frozen = total(layer.outcome.non_trainable for layer in inside)
        out.append(BlockTotals(block, inside[-1], trainable + frozen, trainable, frozen, len(inside)))
    return out


def block_records(report: NetworkReport) -> list[dict[str, Any]]:
    """JSON entries for the blocks (the layers keep one entry each; these are extra, never summed)."""
    layout = report.shown_layout
    return [
        {
            "name": t.block.name,
            "type": t.block.kind,
            "path": list(t.block.path),
            "first_index": t.block.first,
            "last_index": t.block.last,
            "layers": t.layers,
            "output_shape": [value(d) for d in t.output.shape.in_layout(layout)],
            "params": value(t.params),
            "trainable_params": value(t.trainable),
            "non_trainable_params": value(t.non_trainable),
        }
        for t in block_totals(report)
    ]


class Row:
    """One table row. A plain class, not a dataclass: rows are only read, never compared or
    printed, and this module is also loaded for JSON, where a dataclass cost ~0.5 ms to create."""

    __slots__ = ("cells", "depth", "is_block", "warned")

    def __init__(self, cells: list[str], depth: int, is_block: bool, warned: bool = False) -> None:
        self.cells = cells  # '#', layer, type, output shape, params, formula
        self.depth = depth  # 1 = top level
        self.is_block = is_block
        self.warned = warned


def _local(name: str, path: tuple[str, ...]) -> str:
    parent = path[-1] + "." if path else ""
    return name[len(parent):] if parent and name.startswith(parent) else name


def block_outputs(report: NetworkReport) -> dict[int, list[Any]]:
    """Per layer index, the blocks whose output that layer is, outermost first (a layer ends a few at most)."""
    ends: dict[int, list[Any]] = {}
    for block in report.spec.blocks:  # outermost first
        ends.setdefault(block.last, []).append(block)
    return ends


def source_label(source: str, reader: LayerReport, report: NetworkReport, positions: dict[str, int] | None = None,
                 ends: dict[int, list[Any]] | None = None) -> str:
    """How a merge names where an input comes from: a block's name when it is that block's output,
    and relative to the reader's block when it is inside it. ``positions`` and ``ends`` are the
    indexes tree_rows makes once (scanning every block for every merge input was quadratic)."""
    if source == "input":
        return "input"
    if positions is None:
        positions = {layer.name: layer.index for layer in report.layers}
    if ends is None:
        ends = block_outputs(report)
    label = source
    for block in ends.get(positions.get(source), ()):  # outermost first
        if not block.first <= reader.index <= block.last:
            label = block.name
            break
    for block in reversed(reader.spec.path):  # the innermost block both sit in
        if label.startswith(block + "."):
            return label[len(block) + 1 :]
    return label


def tree_rows(report: NetworkReport, depth: int | None = None) -> list[Row]:
    """Rows in order: the input, then each block before its first layer; rows deeper than depth hidden."""
    layout = report.shown_layout
    starts: dict[int, list[BlockTotals]] = {}
    for totals in block_totals(report):
        starts.setdefault(totals.block.first, []).append(totals)
    rows = [Row(["", "input", "Input", report.input_shape.describe(layout), "0", ""], 1, False)]
    previous = "input"
    positions = {layer.name: layer.index for layer in report.layers}
    ends = block_outputs(report)
    for layer in report.layers:
        for totals in starts.get(layer.index, []):
            block = totals.block
            if depth is None or block.depth <= depth:
                indent = "  " * (block.depth - 1)
                collapsed = depth is not None and block.depth == depth
                kind = block.kind + (f" ({totals.layers} layers)" if collapsed else "")
                rows.append(Row([f"{block.first}–{block.last}", indent + _local(block.name, block.path), kind,
                                 totals.output.shape.describe(layout), fmt(totals.params), ""], block.depth, True))
        level = len(layer.spec.path) + 1
        if depth is None or level <= depth:
            kind = layer.type
            if len(layer.inputs) > 1 or layer.inputs != (previous,) or layer.spec.ports:
                kind += " ← " + ", ".join(source_label(s, layer, report, positions, ends) + ("" if p is None else f".{p}")
                                          for s, p in zip(layer.inputs, layer.spec.ports or (None,) * len(layer.inputs)))
            mark = " ⚠" if layer.warnings else ""
            rows.append(Row([str(layer.index), "  " * (level - 1) + _local(layer.name, layer.spec.path), kind,
                             layer.shape_text(layout) + mark, fmt(layer.outcome.params), param_formula(layer)],
                            level, False, bool(layer.warnings)))
        previous = layer.name
    return rows
