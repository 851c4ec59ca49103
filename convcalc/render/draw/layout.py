"""Where everything goes: columns, bands, rows (strips of a long network, or the levels of a U).

A *fragment* is a run of columns; nodes sit in it by (column, band). A *row* holds one or more
fragments side by side that share their bands' heights: a strip of a long network (one
fragment), or one level of a U (the way down on the left, the way up on the right, with the
skip between them as one straight line). Rows are stacked with a corridor between them, where
edges from row to row run.

Widths come first (they decide where a long network wraps), then the edges' routes (which
decide the lanes above each band), then heights. Every step is linear in nodes and edges.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .labels import LINE_HEIGHT, label_lines, label_width
from .nodes import Node
from .sizes import RECEDE_DX, Extent, Scales, Window, layer_window
from .structure import Graph, Level, Ser, UPlan, assign_bands, nodes_of, settle

MARGIN = 24.0
COLUMN_GAP = 30.0
CHANNEL_STEP = 5.0  # between parallel lines in a gap or a corridor
EXIT_ROOM = 8.0  # a line leaving a column turns this far right of it
KERNEL_PAD = 6.0
LANE_STEP = 11.0
BAND_GAP = 18.0
LABEL_GAP = 14.0  # from the tallest box of a band to its first label line
CORRIDOR = 18.0  # between two rows, before the lines that run in it
SKIP_ROOM = 60.0  # the shortest skip between the two halves of a U level
U_INDENT = 70.0  # how far each level of a U steps in from the one above


@dataclass
class Cell:
    """A node's own size: its drawing, its label block, and room for a kernel drawn before it."""

    extent: Extent
    lines: list[tuple[str, str]]
    width: float
    kernel: float = 0.0  # the width a free-standing kernel takes in the gap before it (0: none)


@dataclass
class Spot:
    """Where a node is: its row, band and fragment, its column's extent, and its centre."""

    row: int
    band: int
    frag: int
    column: int  # within its fragment
    col_left: float
    col_right: float
    cx: float
    cy: float = 0.0  # its axis (set with the heights)
    label_top: float = 0.0


@dataclass
class Frag:
    nodes: list[int]
    column: dict[int, int]  # node -> column within the fragment
    bands: dict[int, int]  # node -> band within the row
    x0: float = 0.0
    col_x: list[float] = field(default_factory=list)  # left edge of each column
    col_w: list[float] = field(default_factory=list)
    gap: list[float] = field(default_factory=list)  # the gap before each column
    width: float = 0.0


@dataclass
class Row:
    frags: list[int]
    band_top: list[float] = field(default_factory=list)
    band_axis: list[float] = field(default_factory=list)
    band_lanes: list[int] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0


# --------------------------------------------------------------------------- cells


def floating_kernels(graph: Graph, bands: dict[int, int], same_frag) -> set[int]:
    """Windowed nodes whose kernel cannot sit on the volume just before them: drawn free-standing."""
    free = set()
    for t, node in enumerate(graph.nodes):
        if node.reach is None:
            continue
        sources = graph.preds[t]
        s = sources[0] if len(sources) == 1 else None
        adjacent = (
            s is not None
            and graph.nodes[s].style == "box"
            and bands.get(s) == bands.get(t)
            and graph.column[s] == graph.column[t] - 1
            and same_frag(s, t)
        )
        if not adjacent:
            free.add(t)
    return free


def kernel_box(node: Node, scales: Scales) -> Window:
    """A free-standing kernel: the window on the volume its input would be (only the window is drawn)."""
    layer = node.layer
    return layer_window(scales.box(layer.input_shapes[0]), layer, node.reach)


def kernel_room(node: Node, scales: Scales) -> float:
    """The width a free-standing kernel takes in the gap before its layer."""
    window = kernel_box(node, scales)
    return window.thick + RECEDE_DX * window.recede + 2 * KERNEL_PAD


def make_cells(graph: Graph, scales: Scales, layout: str, free: set[int]) -> list[Cell]:
    cells = []
    for i, node in enumerate(graph.nodes):
        extent = scales.extent(node)
        lines = label_lines(node, layout)
        room = 0.0
        if i in free:
            room = kernel_room(node, scales)
        cells.append(Cell(extent, lines, max(extent.width_2d, label_width(lines)), room))
    return cells


# --------------------------------------------------------------------------- columns of a fragment


def arrival_lines(graph: Graph, t: int) -> int:
    """How many lines may come into a node from the left beside the straight one (for its gap's width)."""
    return min(max(len(graph.preds[t]) - 1, 0), 12)


def column_gap(lines: int, kernel: float) -> float:
    """The gap before a column: room to turn out of the column before, lines coming in, and a kernel."""
    return max(COLUMN_GAP, EXIT_ROOM + 10.0 + CHANNEL_STEP * lines + kernel)


def size_columns(frag: Frag, graph: Graph, cells: Sequence[Cell]) -> None:
    """Column widths and the gap before each column, from the widest cell and the lines entering it."""
    count = 1 + max(frag.column.values(), default=0)
    frag.col_w = [0.0] * count
    kernel = [0.0] * count
    lines = [0] * count
    for v in frag.nodes:
        c = frag.column[v]
        frag.col_w[c] = max(frag.col_w[c], cells[v].width)
        kernel[c] = max(kernel[c], cells[v].kernel)
        lines[c] = max(lines[c], arrival_lines(graph, v))
    frag.gap = [column_gap(n, k) for n, k in zip(lines, kernel)]


def place_columns(frag: Frag, columns: range | None = None) -> None:
    """Left edges of the columns from x0 (the first column's gap included), and the fragment's width."""
    columns = columns if columns is not None else range(len(frag.col_w))
    x = frag.x0
    frag.col_x = [0.0] * len(frag.col_w)
    for c in columns:
        x += frag.gap[c]
        frag.col_x[c] = x
        x += frag.col_w[c]
    frag.width = x + EXIT_ROOM + 6.0 - frag.x0


def span_width(frag: Frag, start: int, stop: int) -> float:
    return sum(frag.gap[c] + frag.col_w[c] for c in range(start, stop)) + EXIT_ROOM + 6.0


# --------------------------------------------------------------------------- strips


def cut_costs(graph: Graph, column: Sequence[int], count: int) -> list[int]:
    """For each boundary before a column: how many nodes have lines crossing it (fewer is a better place to wrap)."""
    diff = [0] * (count + 2)
    farthest: dict[int, int] = {}
    for t, sources in enumerate(graph.preds):
        for s in sources:
            if column[t] > farthest.get(s, -1):
                farthest[s] = column[t]
    for s, last in farthest.items():
        if last > column[s]:
            diff[column[s] + 1] += 1
            diff[last + 1] -= 1
    costs, running = [], 0
    for c in range(count + 1):
        running += diff[c]
        costs.append(running)
    return costs


def _fill(prefix: Sequence[float], extra: Sequence[float], costs: Sequence[int], limit: float) -> list[int]:
    """Strip starts: each strip as full as `limit` allows, wrapped where fewest lines cross.

    `extra[c]` is the room a strip starting at column c needs besides its columns (kernels that
    become free-standing there)."""
    count = len(extra)
    starts = [0]
    start = 0
    while True:
        stop = start + 1
        while stop < count and prefix[stop + 1] - prefix[start] + extra[start] <= limit:
            stop += 1
        if stop >= count:
            return starts
        best, best_key = stop, None
        for b in range(start + 1, stop + 1):
            full = prefix[b] - prefix[start] + extra[start] >= limit * 0.3
            key = (not full, costs[b], -b)
            if best_key is None or key < best_key:
                best, best_key = b, key
        starts.append(best)
        start = best


def strips(frag: Frag, graph: Graph, limit: float | None, start_gap: Sequence[float]) -> list[range]:
    """Cut a fragment's columns into strips no wider than `limit`, balanced so the last is not a stub.

    `start_gap[c]` is the gap column c takes when a strip starts with it."""
    count = len(frag.col_w)
    if not limit:
        return [range(count)]
    prefix = [0.0]
    for c in range(count):
        prefix.append(prefix[-1] + frag.gap[c] + frag.col_w[c])
    extra = [max(0.0, start_gap[c] - frag.gap[c]) for c in range(count)]
    inner = limit - 2 * MARGIN - EXIT_ROOM - 6.0
    costs = cut_costs(graph, [frag.column[v] for v in range(len(graph.nodes))], count)
    starts = _fill(prefix, extra, costs, inner)
    low = max(frag.gap[c] + frag.col_w[c] + extra[c] for c in range(count))
    high = inner
    while high - low > 8 and len(starts) > 1:
        middle = (low + high) / 2
        if len(_fill(prefix, extra, costs, middle)) <= len(starts):
            high = middle
        else:
            low = middle
    starts = _fill(prefix, extra, costs, high) if len(starts) > 1 else starts
    bounds = [*starts, count]
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


# --------------------------------------------------------------------------- the plan of rows


@dataclass
class Plan:
    graph: Graph
    cells: list[Cell]
    frags: list[Frag]
    rows: list[Row]
    spots: list[Spot]
    free: set[int]
    u: bool = False
    width: float = 0.0
    height: float = 0.0


def _frag_of(graph: Graph, members: list[int], bands: dict[int, int]) -> Frag:
    base = min((graph.column[v] for v in members), default=0)
    columns = {v: graph.column[v] - base for v in members}
    return Frag(members, columns, {v: bands[v] for v in members})


def plan_strips(graph: Graph, top: Ser, scales: Scales, layout: str, limit: float | None) -> Plan:
    bands: dict[int, int] = {}
    assign_bands(top, 0, bands, graph.column)
    order = list(range(len(graph.nodes)))
    settle(order, bands, graph.column)
    free = floating_kernels(graph, bands, lambda s, t: True)
    cells = make_cells(graph, scales, layout, free)
    whole = _frag_of(graph, order, bands)
    size_columns(whole, graph, cells)
    start_gap = list(whole.gap)  # a kernel whose input ends the strip before stands alone: room for it
    for v in order:
        if graph.nodes[v].reach and v not in free:
            c = whole.column[v]
            start_gap[c] = max(start_gap[c], column_gap(arrival_lines(graph, v), kernel_room(graph.nodes[v], scales)))
    parts = strips(whole, graph, limit, start_gap)
    strip_of = {}
    for i, part in enumerate(parts):
        for c in part:
            strip_of[c] = i
    if len(parts) > 1:  # a kernel whose input ended the strip before is drawn free-standing
        cut = {v for v in order if v not in free and graph.nodes[v].reach and strip_of[whole.column[v]] != strip_of[whole.column[graph.preds[v][0]]]}
        if cut:
            free |= cut
            cells = make_cells(graph, scales, layout, free)
            size_columns(whole, graph, cells)
    frags, rows = [], []
    members: list[list[int]] = [[] for _ in parts]
    for v in order:
        members[strip_of[whole.column[v]]].append(v)
    for i, part in enumerate(parts):
        frag = Frag(members[i], {v: whole.column[v] - part.start for v in members[i]}, {v: bands[v] for v in members[i]})
        frag.col_w = whole.col_w[part.start : part.stop]
        frag.gap = whole.gap[part.start : part.stop]
        frag.x0 = MARGIN - COLUMN_GAP + 8.0
        place_columns(frag)
        frags.append(frag)
        rows.append(Row([i]))
    plan = Plan(graph, cells, frags, rows, [], free)
    plan.spots = _spots(plan)
    plan.width = max(frag.x0 + frag.width for frag in frags) + MARGIN
    return plan


def _level_frags(graph: Graph, series: Ser, column: list[int]) -> tuple[list[int], dict[int, int]]:
    members = nodes_of(series)
    bands: dict[int, int] = {}
    assign_bands(series, 0, bands, column)
    settle(members, bands, column)
    return members, bands


def plan_u(graph: Graph, u: UPlan, scales: Scales, layout: str, limit: float | None) -> Plan | None:
    """The levels of an encoder–decoder as rows of a U; None when the U would not fit in `limit`."""
    parts: list[list[tuple[list[int], dict[int, int]]]] = []
    for level in u.levels:
        parts.append([_level_frags(graph, level.left, graph.column), _level_frags(graph, level.right, graph.column)])
    parts.append([_level_frags(graph, u.bottom, graph.column)])
    frag_of: dict[int, int] = {}
    frags: list[Frag] = []
    for row in parts:
        for members, bands in row:
            for v in members:
                frag_of[v] = len(frags)
            frags.append(_frag_of(graph, members, bands))
    all_bands = {v: frag.bands[v] for frag in frags for v in frag.nodes}
    free = floating_kernels(graph, all_bands, lambda s, t: frag_of.get(s) == frag_of.get(t))
    cells = make_cells(graph, scales, layout, free)
    for frag in frags:
        if frag.nodes:
            size_columns(frag, graph, cells)
            place_columns(frag)
    levels = len(u.levels)
    rows_width = []
    index = 0
    for k in range(levels):
        left, right = frags[index], frags[index + 1]
        rows_width.append((left.width, right.width, k))
        index += 2
    bottom = frags[index]
    widest_pair = max(l + r + SKIP_ROOM for l, r, _ in rows_width)
    need = lambda step: max(max(l + r + SKIP_ROOM + 2 * k * step for l, r, k in rows_width), bottom.width + 2 * levels * step)
    step = U_INDENT
    inner = (limit - 2 * MARGIN) if limit else None
    if inner is not None and need(step) > inner:
        step = max(0.0, (inner - widest_pair) / (2 * max(levels - 1, 1)))
        step = min(step, U_INDENT)
        if need(step) > inner:
            return None
    width = need(step)
    rows: list[Row] = []
    index = 0
    for k in range(levels):
        left, right = frags[index], frags[index + 1]
        left.x0 = MARGIN + k * step
        right.x0 = MARGIN + width - k * step - right.width
        rows.append(Row([index, index + 1]))
        index += 2
    bottom.x0 = MARGIN + (width - bottom.width) / 2
    rows.append(Row([index]))
    for frag in frags:
        if frag.nodes:
            place_columns(frag)
    plan = Plan(graph, cells, frags, rows, [], free, u=True)
    plan.spots = _spots(plan)
    plan.width = width + 2 * MARGIN
    return plan


def _spots(plan: Plan) -> list[Spot]:
    spots: list[Spot | None] = [None] * len(plan.graph.nodes)
    for r, row in enumerate(plan.rows):
        for f in row.frags:
            frag = plan.frags[f]
            for v in frag.nodes:
                c = frag.column[v]
                left = frag.col_x[c]
                spots[v] = Spot(r, frag.bands[v], f, c, left, left + frag.col_w[c], left + frag.col_w[c] / 2)
    return spots  # type: ignore[return-value]


# --------------------------------------------------------------------------- heights


def place_heights(plan: Plan, lanes: dict[tuple[int, int], int], corridor_lines: dict[int, int], top: float) -> None:
    """Band tops and axes row by row, a corridor between rows wide enough for the lines in it."""
    y = top
    for r, row in enumerate(plan.rows):
        members = [v for f in row.frags for v in plan.frags[f].nodes]
        count = 1 + max((plan.spots[v].band for v in members), default=0)
        box = [0.0] * count
        label = [0.0] * count
        for v in members:
            band = plan.spots[v].band
            box[band] = max(box[band], plan.cells[v].extent.height_2d)
            label[band] = max(label[band], len(plan.cells[v].lines) * LINE_HEIGHT)
        if r:
            y += CORRIDOR + CHANNEL_STEP * corridor_lines.get(r, 0)
        row.top = y
        row.band_top, row.band_axis, row.band_lanes = [], [], []
        label_top = []
        for band in range(count):
            level = lanes.get((r, band), 0)
            lane_height = level * LANE_STEP + (8.0 if level else 0.0)
            row.band_top.append(y)
            row.band_lanes.append(level)
            row.band_axis.append(y + lane_height + box[band] / 2)
            label_top.append(y + lane_height + box[band] + LABEL_GAP)
            y = label_top[-1] + label[band] - LINE_HEIGHT + BAND_GAP
        row.bottom = y
        for v in members:
            spot = plan.spots[v]
            spot.cy = row.band_axis[spot.band]
            spot.label_top = label_top[spot.band]
    plan.height = y


__all__ = ["Cell", "Frag", "Level", "Plan", "Row", "Spot", "place_heights", "plan_strips", "plan_u"]
