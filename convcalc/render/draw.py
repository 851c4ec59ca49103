"""`convcalc draw`: a network as a picture of activation volumes, the way textbooks draw them.

Every activation is a box in oblique perspective: its height is the map's height H, its
receding side is the width W and its thickness along the flow is the depth (channels) C, so a
224×224×3 input is a tall thin slab and a 7×7×512 map a small thick block. A convolution's
kernel is drawn as a small box on its input volume that spans the whole input depth, with
lines to the single unit it produces in the next volume; a pooling window is one channel
thick, since pooling works on each feature map alone. Vectors (flatten, dense) are thin bars.

What becomes a node: every layer that is not point-wise. Point-wise layers (activations,
dropout, batch/layer/group norm, PReLU) keep the shape and mix nothing, so they are folded into
the node they read from and named on its "+ relu" line; each layer of the spec thus appears
exactly once, as a volume or in its host's label. Merges `add`/`multiply` are ⊕/⊗ circles;
`concat` changes the shape, so it is a volume. Branches are laid out left to right by their
longest distance from the input, the longest path on the first row, parallel branches below,
and shortcuts that skip columns run in a lane above their row.

The layout is computed in plain Python; only :func:`render` needs drawsvg and only
:func:`write_picture` with a .png name needs CairoSVG. Both are imported when called, from the
optional extra ``pip install 'convcalc[draw]'``.
"""
from __future__ import annotations

import json
import math
import re
from xml.sax.saxutils import escape as xml_escape
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import layers as kinds
from ..arith import fmt, is_int
from ..engine import LayerReport, NetworkReport, param_formula
from ..errors import SpecError
from ..shapes import Shape

SCALES = ("log", "linear")
THEMES = ("light", "dark")
PICTURE_SUFFIXES = (".svg", ".png")
INSTALL = "pip install 'convcalc[draw]'"
WRAP_WIDTH = 1500.0  # a longer network is wrapped into strips, like a line of text
PNG_ZOOM = 2  # a PNG is rendered at twice the SVG's pixel size, sharp enough for a report
MAX_PNG_SIDE = 32_767  # cairo's largest image side, in pixels
MAX_PNG_PIXELS = 150_000_000  # 600 MB of ARGB: a larger network picture is better as SVG

# Sizes in SVG pixels. A map side runs from SIDE_MIN (size 1) to SIDE_MAX (the network's largest
# side); depth from DEPTH_MIN to DEPTH_MAX; a vector bar from SIDE_MIN to SIDE_MAX tall.
SIDE_MIN, SIDE_MAX = 14.0, 120.0
DEPTH_MIN, DEPTH_MAX = 3.0, 56.0
LINEAR_MIN = 1.0  # on the linear scale nothing is drawn thinner than one pixel
BAR_THICKNESS = 8.0
BAR_RECEDE = 8.0
MERGE_RADIUS = 11.0
RECEDE_DX = 0.6 * math.cos(math.radians(40))  # oblique projection of the receding W axis
RECEDE_DY = 0.6 * math.sin(math.radians(40))
COLUMN_GAP = 34.0
MARGIN = 24.0
LANE_STEP = 12.0
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
LABEL_SIZE = 11.0
SMALL_SIZE = 10.0
LINE_HEIGHT = 14.0
CHAR_WIDTH = 0.62  # average advance of a DejaVu Sans character, in em, to size columns


class DrawError(SpecError):
    """A drawing cannot be made (a missing extra, a symbolic size, an unwritable file)."""


# --------------------------------------------------------------------------- what a layer is


MERGE_SYMBOLS = {"add": "plus", "multiply": "times"}


def category(layer_type: str) -> str:
    """The colour family of a layer kind: conv, pool, dense, merge, reshape or other."""
    kind = kinds.KINDS.get(layer_type)
    return kind.category if kind else "other"


def is_pointwise(layer: LayerReport) -> bool:
    """A layer folded into the node before it: one input, shape kept, nothing mixed across units."""
    kind = kinds.KINDS.get(layer.type)
    return kind is not None and kind.pointwise and len(layer.inputs) == 1 and layer.shape == layer.input_shapes[0]


def window_depth(layer: LayerReport) -> str | None:
    """How deep a layer's sliding window reaches into its input: 'all', 'channel', or None."""
    kind = kinds.KINDS.get(layer.type)
    if kind is None or not layer.outcome.axes or any(step.transposed for step in layer.outcome.axes):
        return None
    return kind.window_reach


def describe_kind(layer: LayerReport) -> str:
    """'conv2d 5×5', 'maxpool2d 3×3 /2': the type with its window and stride."""
    steps = layer.outcome.axes
    if not steps or window_depth(layer) is None:
        return layer.type
    window = "×".join(str(step.window) for step in steps)
    strides = [step.stride for step in steps]
    if all(s == 1 for s in strides):
        stride = ""
    elif len(set(strides)) == 1:
        stride = f" /{strides[0]}"
    else:
        stride = " /" + "×".join(str(s) for s in strides)
    groups = layer.spec.args.get("groups", 1)
    return f"{layer.type} {window}{stride}" + (f" g{groups}" if groups not in (1, None) else "")


# --------------------------------------------------------------------------- the graph of nodes


@dataclass(frozen=True)
class Node:
    """One drawn thing: a volume, a bar or a merge circle, with the layers it stands for."""

    key: str  # the name written on it and in data-layer: a layer's name, 'input', or a block's
    layers: tuple[LayerReport, ...]  # the layer drawn (or, for a collapsed block, its members)
    folded: tuple[LayerReport, ...]  # point-wise layers after it, named on its '+ …' line
    shape: Shape
    inputs: tuple[str, ...]  # keys of the nodes it reads
    style: str  # 'box' (rank ≥ 1), 'bar' (a vector) or 'merge' (add, multiply)
    category: str  # colour family: input, conv, pool, dense, merge, block, other
    block: bool = False

    @property
    def own_params(self) -> int:
        return sum((layer.outcome.params for layer in self.layers), 0)

    @property
    def folded_params(self) -> int:
        return sum((layer.outcome.params for layer in self.folded), 0)

    @property
    def layer(self) -> LayerReport | None:
        """The layer whose rule is drawn (its kernel, its type); None for the input and blocks."""
        return self.layers[0] if len(self.layers) == 1 and not self.block else None


def build_nodes(report: NetworkReport, depth: int | None = None) -> tuple[Node, ...]:
    """The network as nodes: point-wise layers folded, blocks deeper than `depth` collapsed.

    A layer inside blocks (its spec path) at nesting level ≥ `depth` becomes part of one node
    for its enclosing block at level `depth` (`depth` 1 = every top-level block is one node).
    """
    order: list[str] = ["input"]
    fields: dict[str, dict[str, Any]] = {
        "input": dict(key="input", layers=[], folded=[], shape=report.input_shape, inputs=[], style=_style(report.input_shape, "input"), category="input", block=False)
    }
    owner: dict[str, str] = {"input": "input"}

    def add_inputs(key: str, layer: LayerReport) -> None:
        for source in layer.inputs:
            host = owner[source]
            if host != key and host not in fields[key]["inputs"]:
                fields[key]["inputs"].append(host)

    for layer in report.layers:
        path = tuple(layer.spec.path)
        if depth is not None and len(path) >= depth:
            key = "/".join(path[:depth])
            if key not in fields:
                order.append(key)
                fields[key] = dict(key=path[depth - 1], layers=[], folded=[], shape=layer.shape, inputs=[], style="box", category="block", block=True)
            node = fields[key]
            node["layers"].append(layer)
            node["shape"] = layer.shape
            node["style"] = _style(layer.shape, "block")
            add_inputs(key, layer)
            owner[layer.name] = key
            continue
        if is_pointwise(layer):
            host = owner[layer.inputs[0]]
            fields[host]["folded"].append(layer)
            owner[layer.name] = host
            continue
        key = layer.name
        order.append(key)
        kind_category = category(layer.type)
        fields[key] = dict(key=key, layers=[layer], folded=[], shape=layer.shape, inputs=[], style=_style(layer.shape, layer.type), category=kind_category, block=False)
        add_inputs(key, layer)
        owner[layer.name] = key
    keys = {k: fields[k]["key"] for k in order}
    nodes = []
    for k in order:
        f = fields[k]
        nodes.append(Node(f["key"], tuple(f["layers"]), tuple(f["folded"]), f["shape"], tuple(keys[i] for i in f["inputs"]), f["style"], f["category"], f["block"]))
    return tuple(nodes)


def _style(shape: Shape, layer_type: str) -> str:
    if layer_type in MERGE_SYMBOLS:
        return "merge"
    return "bar" if shape.rank == 0 else "box"


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Extent:
    """A node's drawn size in pixels: thickness (depth, C), height (H), receding side (W)."""

    thickness: float
    height: float
    recede: float

    @property
    def width_2d(self) -> float:
        return self.thickness + RECEDE_DX * self.recede

    @property
    def height_2d(self) -> float:
        return self.height + RECEDE_DY * self.recede


def scaler(largest: int, low: float, high: float, scale: str) -> Callable[[int], float]:
    """Map a size 1…largest to pixels: logarithmic from low to high, or linear up to high."""
    if scale == "linear":
        return lambda n: max(LINEAR_MIN, high * n / largest)
    if largest <= 1:
        return lambda n: low
    return lambda n: low + (high - low) * math.log(n) / math.log(largest)


def map_sides(shape: Shape) -> tuple[int, int]:
    """(H, W) of a map: a 1-D signal is L × 1; a 3-D volume shows its H and W (D is in the label)."""
    if shape.rank == 1:
        return shape.spatial[0], 1
    return shape.spatial[-2], shape.spatial[-1]


def extents(nodes: Sequence[Node], scale: str) -> dict[str, Extent]:
    """Every node's size, on one scale per quantity (map sides, depths, vector lengths)."""
    if scale not in SCALES:
        raise DrawError(f"unknown scale '{scale}'", hint="use log or linear")
    boxes = [n for n in nodes if n.style == "box"]
    bars = [n for n in nodes if n.style == "bar"]
    side = scaler(max((max(map_sides(n.shape)) for n in boxes), default=1), SIDE_MIN, SIDE_MAX, scale)
    deep = scaler(max((n.shape.channels for n in boxes), default=1), DEPTH_MIN, DEPTH_MAX, scale)
    long = scaler(max((n.shape.channels for n in bars), default=1), SIDE_MIN, SIDE_MAX, scale)
    sizes: dict[str, Extent] = {}
    for node in nodes:
        if node.style == "merge":
            sizes[node.key] = Extent(2 * MERGE_RADIUS, 2 * MERGE_RADIUS, 0.0)
        elif node.style == "bar":
            sizes[node.key] = Extent(BAR_THICKNESS, long(node.shape.channels), BAR_RECEDE)
        else:
            height, width = map_sides(node.shape)
            sizes[node.key] = Extent(deep(node.shape.channels), side(height), side(width))
    return sizes


def check_drawable(report: NetworkReport) -> None:
    """Symbolic sizes have no length to draw: name the first layer that has one."""
    from ..symbolic import numbers_hint

    if not all(is_int(d) for d in (*report.input_shape.spatial, report.input_shape.channels)):
        raise DrawError("the input size is symbolic; a drawing needs numbers", hint=numbers_hint(report.spec), where="input")
    for layer in report.layers:
        if not all(is_int(d) for d in (*layer.shape.spatial, layer.shape.channels)):
            raise DrawError(
                f"its output {layer.shape.describe(report.shown_layout)} is symbolic; a drawing needs numbers",
                hint=numbers_hint(report.spec),
                layer_index=layer.index,
                layer_name=layer.name,
                layer_type=layer.type,
            )


# --------------------------------------------------------------------------- placement


@dataclass(frozen=True)
class Placed:
    """A node with its column, row and the centre of its drawn bounding box."""

    node: Node
    column: int
    row: int
    extent: Extent
    cx: float
    cy: float
    strip: int = 0
    span: float = 0.0  # the width of its column

    @property
    def left(self) -> float:
        return self.cx - self.extent.width_2d / 2

    @property
    def right(self) -> float:
        return self.cx + self.extent.width_2d / 2

    @property
    def top(self) -> float:
        return self.cy - self.extent.height_2d / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.extent.height_2d / 2

    def point(self, depth: float, down: float, recede: float) -> tuple[float, float]:
        """The picture position of a point inside the volume, given in pixels along C, H, W."""
        x0 = self.left
        y0 = self.top + RECEDE_DY * self.extent.recede  # the front face's top edge
        return x0 + depth + RECEDE_DX * recede, y0 + down - RECEDE_DY * recede


def columns_and_rows(nodes: Sequence[Node]) -> tuple[dict[str, int], dict[str, int]]:
    """Column = longest distance from the input; row 0 = the longest path to the output."""
    column: dict[str, int] = {}
    for node in nodes:
        column[node.key] = 1 + max((column[i] for i in node.inputs), default=-1)
    by_key = {n.key: n for n in nodes}
    row: dict[str, int] = {}
    key: str | None = nodes[-1].key
    while key is not None:
        row[key] = 0
        preds = [i for i in by_key[key].inputs if column[i] == column[key] - 1]
        key = preds[0] if preds else None
    taken = {(column[k], 0) for k in row}
    for node in nodes:
        if node.key in row:
            continue
        wanted = [row[i] for i in node.inputs if i in row and row[i] > 0]
        candidates = wanted + list(range(1, len(nodes) + 1))
        chosen = next(r for r in candidates if (column[node.key], r) not in taken)
        row[node.key] = chosen
        taken.add((column[node.key], chosen))
    return column, row


# --------------------------------------------------------------------------- labels


def shape_text(node: Node, layout: str) -> str:
    return node.shape.describe(layout)


def label_lines(node: Node, layout: str) -> list[tuple[str, str]]:
    """The lines under a node, as (css class, text): shape, name, kind, parameters, folded."""
    lines = [("shape", shape_text(node, layout)), ("name", node.key)]
    if node.block:
        lines.append(("kind", f"block · {len(node.layers)} layers"))
    elif node.layer is None:
        lines.append(("kind", "input"))
    else:
        lines.append(("kind", describe_kind(node.layer)))
    own, extra = node.own_params, node.folded_params
    if own or extra:
        text = f"{fmt(own)} params" if not extra else f"{fmt(own)} + {fmt(extra)} params"
        lines.append(("params", text))
    if node.folded:
        lines.append(("folded", "+ " + ", ".join(layer.type for layer in node.folded)))
    return lines


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def tooltip(node: Node, layout: str) -> str:
    """The hover text: every layer the node stands for, with its parameter formula."""
    parts = []
    for layer in (*node.layers, *node.folded):
        formula = param_formula(layer)
        parts.append(f"{layer.index} {layer.name} ({layer.type}) → {layer.shape.describe(layout)}" + (f": {formula}" if formula else ""))
    return "\n".join(parts) if parts else f"input {node.shape.describe(layout)}"


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Wrap:
    """The one edge that leaves the end of a strip and enters the start of the next one."""

    source: str
    target: str
    out_x: float  # the vertical run after the source's column
    back_y: float  # the horizontal run back, between the two strips
    in_x: float  # the vertical run before the target


@dataclass(frozen=True)
class Layout:
    """Everything placed: nodes, label lines, shortcut lanes, wrapped edges, and the canvas size."""

    placed: dict[str, Placed]
    label_top: dict[tuple[int, int], float]  # (strip, row) -> y of the first label line
    lanes: dict[tuple[str, str], float]  # same-row shortcut (src, dst) -> y of its lane
    wraps: dict[tuple[str, str], Wrap]
    width: float
    height: float


def edges_of(nodes: Sequence[Node]) -> list[tuple[str, str]]:
    return [(source, node.key) for node in nodes for source in node.inputs]


def strips(column: dict[str, int], row: dict[str, int], col_width: Sequence[float], edges: Sequence[tuple[str, str]], max_width: float | None) -> list[range]:
    """Cut the columns into strips no wider than max_width, where one node's edges alone cross.

    A network too long for a page is wrapped like a line of text; a cut is allowed only right
    after a node of the main row whose outgoing edges are the only ones crossing, so the wrap
    is one line from that node that splits at the start of the next strip.
    """
    count = len(col_width)
    if not max_width:
        return [range(count)]
    cuts = _cuts(column, row, count, edges)
    result = _fill(col_width, cuts, max_width)
    # balance: the narrowest width that still needs no more strips, so the last is not a stub
    low, high = max(col_width) + 2 * MARGIN, max_width
    while high - low > 8:
        middle = (low + high) / 2
        if len(_fill(col_width, cuts, middle)) <= len(result):
            high = middle
        else:
            low = middle
    return _fill(col_width, cuts, high)


def _cuts(column: dict[str, int], row: dict[str, int], count: int, edges: Sequence[tuple[str, str]]) -> set[int]:
    cuts = set()
    for boundary in range(1, count):
        sources = {s for s, t in edges if column[s] < boundary <= column[t]}
        if len(sources) == 1 and all(column[s] == boundary - 1 and row[s] == 0 for s in sources):
            cuts.add(boundary)
    return cuts


def _fill(col_width: Sequence[float], cuts: set[int], max_width: float) -> list[range]:
    count = len(col_width)
    result: list[range] = []
    start, width, last_cut = 0, 2 * MARGIN, None
    for col in range(count):
        width += col_width[col] + (COLUMN_GAP if col > start else 0)
        if col in cuts and col > start:
            last_cut = col
        if width > max_width and last_cut is not None:
            result.append(range(start, last_cut))
            start = last_cut
            last_cut = max((c for c in cuts if start < c <= col), default=None)
            width = 2 * MARGIN + sum(col_width[c] for c in range(start, col + 1)) + COLUMN_GAP * (col - start)
    result.append(range(start, count))
    return result


def layout(report: NetworkReport, nodes: Sequence[Node], scale: str, max_width: float | None = None) -> Layout:
    sizes = extents(nodes, scale)
    column, row = columns_and_rows(nodes)
    by_key = {n.key: n for n in nodes}
    edges = edges_of(nodes)
    col_width = [0.0] * (max(column.values()) + 1)
    for node in nodes:
        lines = label_lines(node, report.shown_layout)
        widest = max(text_width(text, LABEL_SIZE if cls in ("shape", "name") else SMALL_SIZE) for cls, text in lines)
        col_width[column[node.key]] = max(col_width[column[node.key]], sizes[node.key].width_2d, widest)
    parts = strips(column, row, col_width, edges, max_width)
    strip_of = {c: i for i, part in enumerate(parts) for c in part}
    col_x: dict[int, float] = {}
    width = 0.0
    for part in parts:
        x = MARGIN
        for col in part:
            col_x[col] = x + col_width[col] / 2
            x += col_width[col] + COLUMN_GAP
        width = max(width, x - COLUMN_GAP + MARGIN)

    # shortcuts within a row that skip columns run in lanes above the row, stacked when they overlap
    lane_level: dict[tuple[str, str], int] = {}
    levels: dict[tuple[int, int], list[list[tuple[int, int]]]] = {}
    first_column = {i: part.start for i, part in enumerate(parts)}
    for source, target in edges:
        strip = strip_of[column[target]]
        start = column[source] if strip_of[column[source]] == strip else first_column[strip] - 1
        if (row[source] != row[target] and start == column[source]) or column[target] - start <= 1:
            continue
        span = (start, column[target])
        used = levels.setdefault((strip_of[column[target]], row[target]), [])
        level = next((i for i, spans in enumerate(used) if all(span[1] <= a or span[0] >= b for a, b in spans)), len(used))
        if level == len(used):
            used.append([])
        used[level].append(span)
        lane_level[(source, target)] = level

    y = MARGIN + 58.0  # below the title
    centre: dict[tuple[int, int], float] = {}
    label_top: dict[tuple[int, int], float] = {}
    strip_bottom: list[float] = []
    for index, part in enumerate(parts):
        rows_here = sorted({row[n.key] for n in nodes if column[n.key] in part})
        for r in rows_here:
            members = [n for n in nodes if column[n.key] in part and row[n.key] == r]
            lane_count = len(levels.get((index, r), []))
            lane_height = lane_count * LANE_STEP + (10.0 if lane_count else 0.0)
            box_height = max(sizes[n.key].height_2d for n in members)
            label_height = max(len(label_lines(n, report.shown_layout)) for n in members) * LINE_HEIGHT
            centre[(index, r)] = y + lane_height + box_height / 2
            label_top[(index, r)] = y + lane_height + box_height + 16.0
            y = label_top[(index, r)] + label_height + 22.0
        strip_bottom.append(y)
        y += 14.0 if index < len(parts) - 1 else 0.0
    placed = {}
    for n in nodes:
        key = (strip_of[column[n.key]], row[n.key])
        placed[n.key] = Placed(by_key[n.key], column[n.key], row[n.key], sizes[n.key], col_x[column[n.key]], centre[key], key[0], col_width[column[n.key]])
    lanes = {}
    for (source, target), level in lane_level.items():
        t = placed[target]
        top = min(p.top for p in placed.values() if (p.strip, p.row) == (t.strip, t.row))
        lanes[(source, target)] = top - 8.0 - level * LANE_STEP
    wraps = {}
    for source, target in edges:
        s, t = placed[source], placed[target]
        if s.strip != t.strip:
            out_x = s.cx + col_width[s.column] / 2 + COLUMN_GAP / 2
            in_x = MARGIN / 2  # every strip starts at the margin
            wraps[(source, target)] = Wrap(source, target, out_x, strip_bottom[s.strip] - 8.0, in_x)
    legend_height = 34.0
    return Layout(placed, label_top, lanes, wraps, width, y + legend_height)


def kernel_edge(target: Placed, source: Placed) -> str | None:
    """'all' or 'channel' when the edge is drawn as a window on the source and lines to a unit."""
    layer = target.node.layer
    if layer is None or source.node.style != "box" or len(target.node.inputs) != 1:
        return None
    if target.row != source.row or target.column != source.column + 1 or target.strip != source.strip:
        return None
    return window_depth(layer)


# --------------------------------------------------------------------------- drawing

PALETTES = {
    "light": {
        "background": "#ffffff", "text": "#1f2328", "muted": "#57606a", "outline": "#3d444d", "edge": "#6e7781",
        "kernel": "#e36209", "window": "#bf3989", "unit": "#cf222e", "reshape": "#e6e0c8",
        "input": "#d0d7de", "conv": "#8cb8e6", "pool": "#95d5a6", "dense": "#c8a9e8", "merge": "#f6d28b",
        "block": "#88d0cb", "other": "#f2c29b",
    },
    "dark": {
        "background": "#0d1117", "text": "#e6edf3", "muted": "#9198a1", "outline": "#c9d1d9", "edge": "#8b949e",
        "kernel": "#f0883e", "window": "#db61a2", "unit": "#ff7b72", "reshape": "#8a8470",
        "input": "#57606a", "conv": "#2f6db3", "pool": "#2e8b4f", "dense": "#7a52b3", "merge": "#b58407",
        "block": "#1f8a84", "other": "#b3693b",
    },
}
LEGEND_NAMES = {
    "input": "input", "conv": "convolution", "pool": "pooling", "dense": "dense", "merge": "merge",
    "reshape": "flatten / reshape", "block": "block", "other": "other",
}


def shade(colour: str, factor: float) -> str:
    """A lighter (factor > 1) or darker (< 1) version of '#rrggbb', for the lit and shaded faces."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor >= 1:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in channels]
    else:
        mixed = [round(c * factor) for c in channels]
    return "#" + "".join(f"{min(255, max(0, c)):02x}" for c in mixed)


def _r(value: float) -> float:
    """Coordinates rounded to 0.01 px so the SVG text is short and stable."""
    return round(value + 0.0, 2) + 0.0


def attr(value: str) -> str:
    """An attribute value made safe for XML: drawsvg writes attribute values as given.

    (It escapes text content, not attributes, so a layer named 'a"b' or 'x&y' would break the
    SVG; every value that comes from the user's spec goes through here.)
    """
    return xml_escape(str(value), {'"': "&quot;"})


def _import_drawsvg() -> Any:
    try:
        import drawsvg
    except ImportError:
        raise DrawError("drawing needs the optional package drawsvg", hint=f"install it with: {INSTALL}") from None
    return drawsvg


def render(
    report: NetworkReport,
    *,
    theme: str = "light",
    scale: str = "log",
    depth: int | None = None,
    max_width: float | None = WRAP_WIDTH,
    title: str | None = None,
) -> Any:
    """The picture as a drawsvg Drawing (drawsvg imported here, not at module load)."""
    if theme not in THEMES:
        raise DrawError(f"unknown theme '{theme}'", hint="use light or dark")
    if depth is not None and depth < 1:
        raise DrawError(f"depth must be 1 or more, got {depth}", hint="--depth 1 draws each top-level block as one node")
    dw = _import_drawsvg()
    check_drawable(report)
    colours = PALETTES[theme]
    nodes = build_nodes(report, depth)
    plan = layout(report, nodes, scale, max_width)
    heading = title or report.name or "Network"
    subtitle = _subtitle(report, scale)
    width = max(plan.width, MARGIN * 2 + text_width(subtitle, SMALL_SIZE), MARGIN * 2 + text_width(heading, 16) * 1.1)
    drawing = dw.Drawing(_r(width), _r(plan.height), id_prefix="cc")
    drawing.append(dw.Rectangle(0, 0, _r(width), _r(plan.height), fill=colours["background"], class_="background"))
    root = dw.Group(font_family=FONT, class_="network", data_theme=theme, data_scale=scale)
    drawing.append(root)
    root.append(dw.Text(heading, 16, MARGIN, MARGIN + 16, fill=colours["text"], font_weight="bold", class_="title"))
    root.append(dw.Text(subtitle, SMALL_SIZE, MARGIN, MARGIN + 34, fill=colours["muted"], class_="subtitle"))

    arrow = dw.Marker(-0.1, -0.5, 0.9, 0.5, scale=5, orient="auto", id="arrow")
    arrow.append(dw.Lines(-0.1, -0.5, -0.1, 0.5, 0.9, 0, fill=colours["edge"], close=True))

    edges = dw.Group(class_="edges", fill="none", stroke=colours["edge"], stroke_width=1.2)
    windows = dw.Group(class_="windows")
    volumes = dw.Group(class_="volumes")
    root.append(edges)
    root.append(volumes)
    root.append(windows)
    kinds_used = set()
    placed = plan.placed
    for node in nodes:
        target = placed[node.key]
        volumes.append(_node_group(dw, target, report.shown_layout, colours, plan))
        for source_key in node.inputs:
            source = placed[source_key]
            depth_kind = kernel_edge(target, source)
            if depth_kind:
                kinds_used.add(depth_kind)
                windows.append(_window(dw, source, target, depth_kind, colours))
            elif node.style == "bar" and source.node.style == "bar" and node.category == "dense":
                edges.append(_fan(dw, source, target, colours))
            else:
                edges.append(_arrow(dw, source, target, plan, arrow))
    _legend(dw, root, nodes, kinds_used, colours, plan.height - MARGIN + 4, scale)
    return drawing


def _subtitle(report: NetworkReport, scale: str) -> str:
    layout_name = report.shown_layout
    text = (
        f"input {report.input_shape.describe(layout_name)} → output {report.output_shape.describe(layout_name)}"
        f" · {fmt(report.trainable_params)} trainable parameters"
    )
    if report.non_trainable_params:
        text += f" (+ {fmt(report.non_trainable_params)} non-trainable)"
    axes = "H, W, C" if layout_name == "hwc" else "C, H, W"
    return text + f" · shapes ({axes}) · sizes on a {'logarithmic' if scale == 'log' else 'linear'} scale"


def _node_group(dw: Any, p: Placed, layout_name: str, colours: dict[str, str], plan: Layout) -> Any:
    node = p.node
    base = colours[node.category]
    group = dw.Group(class_=f"volume {node.style}", data_layer=attr(node.key), data_shape=attr(shape_text(node, layout_name)), data_kind=node.category)
    group.append_title(tooltip(node, layout_name))
    stroke = dict(stroke=colours["outline"], stroke_width=0.8, stroke_linejoin="round")
    if node.style == "merge":
        group.append(dw.Circle(_r(p.cx), _r(p.cy), MERGE_RADIUS, fill=base, class_="merge-symbol", **stroke))
        arm = MERGE_RADIUS * 0.55
        if MERGE_SYMBOLS[node.layer.type] == "plus":
            sign = dw.Path(class_="sign", stroke=colours["outline"], stroke_width=1.6)
            sign.M(_r(p.cx - arm), _r(p.cy)).H(_r(p.cx + arm)).M(_r(p.cx), _r(p.cy - arm)).V(_r(p.cy + arm))
        else:
            d = arm * 0.75
            sign = dw.Path(class_="sign", stroke=colours["outline"], stroke_width=1.6)
            sign.M(_r(p.cx - d), _r(p.cy - d)).L(_r(p.cx + d), _r(p.cy + d)).M(_r(p.cx - d), _r(p.cy + d)).L(_r(p.cx + d), _r(p.cy - d))
        group.append(sign)
    else:
        t, h, w = p.extent.thickness, p.extent.height, p.extent.recede
        corner = lambda c, y, z: tuple(_r(v) for v in p.point(c, y, z))  # noqa: E731
        front = (*corner(0, 0, 0), *corner(t, 0, 0), *corner(t, h, 0), *corner(0, h, 0))
        top = (*corner(0, 0, 0), *corner(t, 0, 0), *corner(t, 0, w), *corner(0, 0, w))
        side = (*corner(t, 0, 0), *corner(t, 0, w), *corner(t, h, w), *corner(t, h, 0))
        group.append(dw.Lines(*front, close=True, fill=base, class_="front", **stroke))
        group.append(dw.Lines(*top, close=True, fill=shade(base, 1.35), class_="top", **stroke))
        group.append(dw.Lines(*side, close=True, fill=shade(base, 0.82), class_="side", **stroke))
    y = plan.label_top[(p.strip, p.row)]
    for cls, text in label_lines(node, layout_name):
        size = LABEL_SIZE if cls in ("shape", "name") else SMALL_SIZE
        style: dict[str, Any] = dict(fill=colours["text"] if cls in ("shape", "name") else colours["muted"], text_anchor="middle", class_=cls)
        if cls == "name":
            style["font_weight"] = "bold"
        if cls == "folded":  # the folded layers' names, in order, for tools that read the SVG
            style.update(font_style="italic", data_layers=attr(json.dumps([layer.name for layer in node.folded], ensure_ascii=False)))
        label = dw.Text(text, size, _r(p.cx), _r(y), **style)
        group.append(label)
        y += LINE_HEIGHT
    return group


def _window(dw: Any, source: Placed, target: Placed, depth_kind: str, colours: dict[str, str]) -> Any:
    """The kernel as a box on the source volume and lines from it to one unit of the target."""
    layer = target.node.layer
    steps = layer.outcome.axes
    src_h, src_w = map_sides(source.node.shape)
    kh, kw = (steps[0].window, 1) if len(steps) == 1 else (steps[-2].window, steps[-1].window)
    t, h, w = source.extent.thickness, source.extent.height, source.extent.recede
    win_h = min(h, max(4.0, h * kh / src_h))
    win_w = min(w, max(4.0, w * kw / src_w)) if len(steps) > 1 else w
    groups = layer.spec.args.get("groups", 1) or 1
    if depth_kind == "all":
        thick = t / groups if is_int(groups) and groups > 1 else t
    else:
        thick = min(t, max(1.5, t / source.node.shape.channels))
    c0 = t - thick
    h0 = min(max(0.0, h * 0.4 - win_h / 2), h - win_h)
    w0 = min(max(0.0, w * 0.45 - win_w / 2), w - win_w)
    corner = lambda c, y, z: tuple(_r(v) for v in source.point(c, y, z))  # noqa: E731
    group = dw.Group(class_=f"window {'kernel' if depth_kind == 'all' else 'pool-window'}", data_layer=attr(layer.name), data_source=attr(source.node.key))
    colour = colours["kernel" if depth_kind == "all" else "window"]
    style = dict(fill=colour, fill_opacity=0.45, stroke=colour, stroke_width=0.9, stroke_linejoin="round")
    group.append(dw.Lines(*corner(c0, h0, w0), *corner(t, h0, w0), *corner(t, h0 + win_h, w0), *corner(c0, h0 + win_h, w0), close=True, class_="front", **style))
    group.append(dw.Lines(*corner(c0, h0, w0), *corner(t, h0, w0), *corner(t, h0, w0 + win_w), *corner(c0, h0, w0 + win_w), close=True, class_="top", **style))
    group.append(dw.Lines(*corner(t, h0, w0), *corner(t, h0, w0 + win_w), *corner(t, h0 + win_h, w0 + win_w), *corner(t, h0 + win_h, w0), close=True, class_="side", **style))
    # the unit it produces: at the same relative place in the target, on its first channel
    th, tw = target.extent.height, target.extent.recede
    uy = (h0 + win_h / 2) / h * th
    uz = (w0 + win_w / 2) / w * tw if w else 0.0
    ux, uy2 = (_r(v) for v in target.point(1.5, uy, uz))
    lines = dw.Path(stroke=colour, stroke_width=0.8, fill="none", class_="receptive-field")
    for y_, z_ in ((h0, w0), (h0, w0 + win_w), (h0 + win_h, w0 + win_w), (h0 + win_h, w0)):
        lines.M(*corner(t, y_, z_)).L(ux, uy2)
    group.append(lines)
    group.append(dw.Circle(ux, uy2, 2.2, fill=colours["unit"], class_="unit"))
    return group


def _fan(dw: Any, source: Placed, target: Placed, colours: dict[str, str]) -> Any:
    """Dense connections: the source bar's edges joined to the target bar's (every unit to every unit)."""
    s_top, s_bottom = source.point(source.extent.thickness, 0, 0), source.point(source.extent.thickness, source.extent.height, 0)
    t_top, t_bottom = target.point(0, 0, 0), target.point(0, target.extent.height, 0)
    path = dw.Path(class_="dense-fan", data_source=attr(source.node.key), data_target=attr(target.node.key), stroke_dasharray="3 2", stroke_width=0.8)
    path.M(_r(s_top[0]), _r(s_top[1])).L(_r(t_top[0]), _r(t_top[1]))
    path.M(_r(s_bottom[0]), _r(s_bottom[1])).L(_r(t_bottom[0]), _r(t_bottom[1]))
    return path


def _arrow(dw: Any, source: Placed, target: Placed, plan: Layout, marker: Any) -> Any:
    path = dw.Path(class_="edge", data_source=attr(source.node.key), data_target=attr(target.node.key), marker_end=marker)
    wrap = plan.wraps.get((source.node.key, target.node.key))
    if wrap is not None:
        path.M(_r(source.right + 2), _r(source.cy)).H(_r(wrap.out_x)).V(_r(wrap.back_y)).H(_r(wrap.in_x))
        lane = plan.lanes.get((source.node.key, target.node.key))
        if lane is None:
            path.V(_r(target.cy)).H(_r(target.left - 5))
        else:
            path.V(_r(lane)).H(_r(target.cx)).V(_r(target.top - 5))
    elif (source.node.key, target.node.key) in plan.lanes:
        lane = plan.lanes[(source.node.key, target.node.key)]
        start_x = source.cx
        path.M(_r(start_x), _r(source.top - 2)).V(_r(lane)).H(_r(target.cx)).V(_r(target.top - 5))
    elif source.row == target.row:
        path.M(_r(source.right + 2), _r(source.cy)).H(_r(target.left - 5))
    else:
        turn = target.cx - target.span / 2 - COLUMN_GAP / 2  # in the gap before the target's column
        path.M(_r(source.right + 2), _r(source.cy)).H(_r(turn)).V(_r(target.cy)).H(_r(target.left - 5))
    return path


def _legend(dw: Any, root: Any, nodes: Sequence[Node], windows: set[str], colours: dict[str, str], y: float, scale: str) -> None:
    group = dw.Group(class_="legend")
    x = MARGIN
    seen = []
    for node in nodes:
        if node.category not in seen:
            seen.append(node.category)
    items = [(colours[c], LEGEND_NAMES[c]) for c in seen]
    if "all" in windows:
        items.append((colours["kernel"], "kernel: spans the whole input depth"))
    if "channel" in windows:
        items.append((colours["window"], "pooling window: one channel at a time"))
    for colour, text in items:
        group.append(dw.Rectangle(_r(x), _r(y - 9), 10, 10, fill=colour, stroke=colours["outline"], stroke_width=0.6))
        group.append(dw.Text(text, SMALL_SIZE, _r(x + 14), _r(y), fill=colours["muted"]))
        x += 14 + len(text) * SMALL_SIZE * 0.56 + 18  # a legend line is plain text: a tighter estimate
    root.append(group)


# --------------------------------------------------------------------------- output


def svg_text(report: NetworkReport, **options: Any) -> str:
    """The picture as SVG text."""
    return render(report, **options).as_svg() + "\n"


def png_bytes(svg: str, *, has_blocks: bool = False) -> bytes:
    """Rasterise SVG text with CairoSVG (which needs the system's cairo library)."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: cairocffi found no libcairo
        why = "the optional package cairosvg is missing" if isinstance(exc, ImportError) else "the cairo library is missing"
        raise DrawError(
            f"writing PNG needs CairoSVG and the cairo library ({why})",
            hint=f"install them with: {INSTALL} and your system's libcairo2, or write an .svg file",
        ) from None
    size = re.search(r'<svg\b[^>]*?\swidth="([0-9.]+)"[^>]*?\sheight="([0-9.]+)"', svg)
    if size:
        width, height = (math.ceil(float(side) * PNG_ZOOM) for side in size.groups())
        if max(width, height) > MAX_PNG_SIDE or width * height > MAX_PNG_PIXELS:
            raise DrawError(
                f"the picture would be {width:,} × {height:,} pixels, too large for a PNG (cairo draws at most "
                f"{MAX_PNG_SIDE:,} a side and this stops at {MAX_PNG_PIXELS:,} pixels)",
                hint="write an .svg file instead" + (", or draw each block as one node with --depth 1" if has_blocks else ""),
            )
    try:
        return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=PNG_ZOOM)
    except Exception as exc:  # cairo's own refusals (CairoError) and memory: one message, not a traceback
        raise DrawError(f"cairo could not draw the PNG: {exc}", hint="write an .svg file instead") from None


def picture_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in PICTURE_SUFFIXES:
        raise DrawError(
            f"cannot tell the picture format of '{path}'" if not suffix else f"unknown picture format '{suffix}'",
            hint="name the output file .svg or .png",
        )
    return suffix[1:]


def write_picture(report: NetworkReport, path: str, **options: Any) -> str:
    """Write the picture to PATH as SVG or PNG (by its suffix); returns the format written."""
    kind = picture_format(path)
    svg = svg_text(report, **options)
    data = svg.encode("utf-8") if kind == "svg" else png_bytes(svg, has_blocks=bool(report.spec.blocks))
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise DrawError(f"cannot write '{path}': {exc.strerror or exc}", hint="check that the folder exists and is writable") from None
    return kind


__all__ = ["DrawError", "Node", "build_nodes", "extents", "render", "svg_text", "write_picture", "png_bytes"]
