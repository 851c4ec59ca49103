"""The picture itself, drawn with drawsvg (imported when a picture is made, from the [draw] extra).

Each node is a ``<g class="volume box|bar|merge" data-layer data-shape data-kind data-type>``;
each line a ``<path class="edge" data-source data-target>`` ending on the outline of the node it
enters; each kernel or pooling window a ``<g class="window kernel|pool-window" data-layer
data-source>``, on its input volume or, when that volume is not just before it, standing alone
in the gap before its layer.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from ...arith import fmt
from ...engine import NetworkReport
from .labels import (
    LABEL_SIZE,
    LINE_HEIGHT,
    SMALL_SIZE,
    line_size,
    text_width,
    tooltip,
    window_notation_used,
)
from .geometry import Placed
from .layout import KERNEL_PAD, MARGIN, Plan, kernel_box, plan_strips, plan_u
from .nodes import (
    DrawError,
    Node,
    build_nodes,
    check_drawable,
    is_transposed,
    merge_symbol,
)
from .routes import Route, route
from .sizes import KERNEL_MIN, SCALE_WORDS, Extent, Window, layer_window, scales_for
from .structure import Graph, decompose, u_plan
from .themes import LEGEND_NAMES, THEMES, WINDOW_WORDS, palette, shade, window_colour

INSTALL = "pip install 'convcalc[draw]'"
WRAP_WIDTH = 1500.0  # the default --width: a longer network wraps into strips, like a line of text
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
TITLE_SIZE = 16.0
TEXT_WIDTH = 640.0  # a picture narrower than this is widened for its title and subtitle, not wrapped tighter


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


def _pieces_to_lines(pieces: Sequence[str], width: float, size: float, sep: str = " · ") -> list[str]:
    lines: list[str] = []
    for piece in pieces:
        if lines and text_width(lines[-1] + sep + piece, size) <= width:
            lines[-1] += sep + piece
        else:
            lines.append(piece)
    return lines


def subtitle_pieces(report: NetworkReport, scale: str, u_shaped: bool) -> list[str]:
    layout = report.shown_layout
    pieces = [f"input {report.input_shape.describe(layout)} → output {report.output_shape.describe(layout)}"]
    params = f"{fmt(report.trainable_params)} trainable parameters"
    if report.non_trainable_params:
        params += f" (+ {fmt(report.non_trainable_params)} non-trainable)"
    pieces.append(params)
    pieces.append(f"shapes ({'H, W, C' if layout == 'hwc' else 'C, H, W'})")
    pieces.append(f"sides on a {SCALE_WORDS[scale]} scale")
    if u_shaped:
        pieces.append("drawn as a U: down the left, across the bottom, up the right; skips run across")
    return pieces


def render(
    report: NetworkReport,
    *,
    theme: str = "light",
    scale: str = "sqrt",
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
    colours = palette(theme)
    limit = float(max_width) if max_width else None
    nodes, scales, plan = _layout(report, depth, scale, limit)
    nesting = max((len(layer.spec.path) for layer in report.layers), default=0)
    fitted = None
    if depth is None and limit and nesting and _too_tall(plan, limit):
        low, high = 1, nesting  # the most detail (the deepest level drawn in full) that fits the page
        best = None
        while low <= high:
            middle = (low + high) // 2
            trial = _layout(report, middle, scale, limit)
            if _too_tall(trial[2], limit):
                high = middle - 1
            else:
                best, low = (middle, trial), middle + 1
        fitted, (nodes, scales, plan) = best if best is not None else (1, _layout(report, 1, scale, limit))

    heading = title or report.name or "Network"
    pieces = subtitle_pieces(report, scale, plan.u)
    if fitted is not None:
        pieces.append(f"blocks at level {fitted} drawn as one box each, to fit the page (--depth {nesting + 1} draws every layer)")
    natural = max(text_width(heading, TITLE_SIZE, bold=True), text_width(" · ".join(pieces), SMALL_SIZE)) + 2 * MARGIN
    width = max(plan.width, min(natural, limit or natural, max(plan.width, TEXT_WIDTH)))  # the subtitle wraps to the drawing
    sub_lines = _pieces_to_lines(pieces, width - 2 * MARGIN, SMALL_SIZE)
    title_height = MARGIN + TITLE_SIZE + 8.0 + len(sub_lines) * LINE_HEIGHT + 26.0
    routes, placed = route(plan, title_height)
    legend = legend_items(nodes, routes, colours)
    legend_lines = _legend_lines(legend, width - 2 * MARGIN)
    height = plan.height + 6.0 + len(legend_lines) * 18.0 + MARGIN

    drawing = dw.Drawing(_r(width), _r(height), id_prefix="cc")
    drawing.append(dw.Rectangle(0, 0, _r(width), _r(height), fill=colours["background"], class_="background"))
    root = dw.Group(font_family=FONT, class_="network", data_theme=theme, data_scale=scale, data_shape="u" if plan.u else "strips")
    drawing.append(root)
    root.append(dw.Text(heading, TITLE_SIZE, MARGIN, MARGIN + TITLE_SIZE, fill=colours["text"], font_weight="bold", class_="title"))
    for k, line in enumerate(sub_lines):
        root.append(dw.Text(line, SMALL_SIZE, MARGIN, MARGIN + TITLE_SIZE + 18 + k * LINE_HEIGHT, fill=colours["muted"], class_="subtitle"))

    arrow = dw.Marker(-1.0, -0.5, 0.1, 0.5, scale=5, orient="auto", id="arrow")
    arrow.append(dw.Lines(-1.0, -0.5, -1.0, 0.5, 0.0, 0.0, fill=colours["edge"], close=True))
    edges = dw.Group(class_="edges", fill="none", stroke=colours["edge"], stroke_width=1.2)
    volumes = dw.Group(class_="volumes")
    windows = dw.Group(class_="windows")
    root.append(edges)
    root.append(volumes)
    root.append(windows)
    for line in routes.lines:
        edges.append(_edge(dw, line, placed, arrow))
    for i, node in enumerate(nodes):
        volumes.append(_volume(dw, placed[i], plan.spots[i].label_top, plan.cells[i].lines, report.shown_layout, colours))
    for s, t in routes.on_source:
        windows.append(_window(dw, placed[t], placed[s], colours, scales))
    for t in routes.free:
        windows.append(_window(dw, placed[t], None, colours, scales))
    _legend(dw, root, legend_lines, colours, plan.height + 18.0)
    return drawing


FIT_RATIO = 2.0  # a picture at most twice as tall as the width asked (its PNG: 4 × --width pixels)
TRIAL_EXTRA = 4 * LINE_HEIGHT + 3 * 18.0  # for a trial: two more subtitle lines and three legend lines than the least


def _layout(report: NetworkReport, depth: int | None, scale: str, limit: float | None) -> tuple[tuple[Node, ...], Any, Plan]:
    """Nodes, scales and the plan of rows: a U for an encoder–decoder that fits, strips otherwise."""
    nodes = build_nodes(report, depth)
    scales = scales_for(nodes, scale)
    graph = Graph.of(nodes)
    top = decompose(graph)
    plan: Plan | None = None
    shape_u = u_plan(top, graph)
    if shape_u is not None:
        plan = plan_u(graph, shape_u, scales, report.shown_layout, limit)
    if plan is None:
        plan = plan_strips(graph, top, scales, report.shown_layout, limit)
    return nodes, scales, plan


def _too_tall(plan: Plan, limit: float) -> bool:
    """Whether the picture would pass FIT_RATIO × limit, with room to spare for its title and legend."""
    top = MARGIN + TITLE_SIZE + 8.0 + LINE_HEIGHT + 26.0
    route(plan, top)
    return plan.height + 6.0 + MARGIN + TRIAL_EXTRA > FIT_RATIO * limit


# --------------------------------------------------------------------------- volumes


def _volume(dw: Any, p: Placed, label_top: float, lines: Sequence[tuple[str, str]], layout: str, colours: dict[str, str]) -> Any:
    node = p.node
    base = colours[node.category]
    group = dw.Group(class_=f"volume {node.style}", data_layer=attr(node.key), data_shape=attr(node.shape.describe(layout)), data_kind=node.category, data_type=attr(node.type))
    group.append_title(tooltip(node, layout))
    stroke = dict(stroke=colours["outline"], stroke_width=0.8, stroke_linejoin="round")
    if node.style == "merge":
        radius = p.extent.height / 2
        group.append(dw.Circle(_r(p.cx), _r(p.cy), _r(radius), fill=base, class_="merge-symbol", **stroke))
        group.append(_sign(dw, merge_symbol(node.layer) or "", p, radius, colours))
    else:
        t, h, w = p.extent.thickness, p.extent.height, p.extent.recede
        corner = lambda c, y, z: tuple(_r(v) for v in p.point(c, y, z))
        front = (*corner(0, 0, 0), *corner(t, 0, 0), *corner(t, h, 0), *corner(0, h, 0))
        top = (*corner(0, 0, 0), *corner(t, 0, 0), *corner(t, 0, w), *corner(0, 0, w))
        side = (*corner(t, 0, 0), *corner(t, 0, w), *corner(t, h, w), *corner(t, h, 0))
        group.append(dw.Lines(*front, close=True, fill=base, class_="front", **stroke))
        group.append(dw.Lines(*top, close=True, fill=shade(base, 1.35), class_="top", **stroke))
        group.append(dw.Lines(*side, close=True, fill=shade(base, 0.82), class_="side", **stroke))
    y = label_top
    for cls, text in lines:
        big = cls in ("shape", "name")
        style: dict[str, Any] = dict(fill=colours["text"] if big else colours["muted"], text_anchor="middle", class_=cls)
        if cls == "name":
            style["font_weight"] = "bold"
        if cls == "folded":  # the folded layers' names, in order, for tools that read the SVG
            style.update(font_style="italic", data_layers=attr(json.dumps([layer.name for layer in node.folded], ensure_ascii=False)))
        group.append(dw.Text(text, line_size(cls), _r(p.cx), _r(y), **style))
        y += LINE_HEIGHT
    return group


def _sign(dw: Any, symbol: str, p: Placed, radius: float, colours: dict[str, str]) -> Any:
    """The merge's declared sign: +, − and × as strokes, anything else as text."""
    arm = radius * 0.55
    sign = dw.Path(class_="sign", stroke=colours["outline"], stroke_width=1.6, fill="none")
    if symbol == "+":
        sign.M(_r(p.cx - arm), _r(p.cy)).H(_r(p.cx + arm)).M(_r(p.cx), _r(p.cy - arm)).V(_r(p.cy + arm))
    elif symbol == "−":
        sign.M(_r(p.cx - arm), _r(p.cy)).H(_r(p.cx + arm))
    elif symbol == "×":
        d = arm * 0.75
        sign.M(_r(p.cx - d), _r(p.cy - d)).L(_r(p.cx + d), _r(p.cy + d)).M(_r(p.cx - d), _r(p.cy + d)).L(_r(p.cx + d), _r(p.cy - d))
    else:
        return dw.Text(symbol, LABEL_SIZE, _r(p.cx), _r(p.cy + 4), text_anchor="middle", fill=colours["outline"], class_="sign")
    return sign


# --------------------------------------------------------------------------- windows


def _window(dw: Any, target: Placed, source: Placed | None, colours: dict[str, str], scales: Any) -> Any:
    """The kernel (or pooling window) on its input volume, or standing alone before its layer, with
    lines to the one unit it produces; a transposed kernel spreads one input position over a patch."""
    node = target.node
    layer = node.layer
    spread = is_transposed(layer)
    if source is not None:
        holder = source
        win = layer_window(source.extent, layer, node.reach or "all")
    else:  # a free-standing kernel: its own small volume in the gap before the layer
        win = kernel_box(node, scales)
        extent = Extent(win.thick, win.height, win.recede)
        right = target.left - KERNEL_PAD
        holder = Placed(node, extent, right - extent.width_2d / 2, target.cy)
        win = Window(0.0, win.thick, 0.0, win.height, 0.0, win.recede)
    colour = colours[window_colour(node.category)]
    kind = "kernel" if window_colour(node.category) == "kernel" else "pool-window"
    group = dw.Group(
        class_=f"window {kind}" + (" transposed" if spread else "") + ("" if source is not None else " free"),
        data_layer=attr(node.key),
        data_source=attr(source.node.key if source is not None else node.inputs[0]),
    )
    style = dict(fill=colour, fill_opacity=0.45, stroke=colour, stroke_width=0.9, stroke_linejoin="round")
    corner = lambda c, y, z: tuple(_r(v) for v in holder.point(c, y, z))
    c0, c1, h0, h1, w0, w1 = win.c0, win.c0 + win.thick, win.h0, win.h0 + win.height, win.w0, win.w0 + win.recede
    group.append(dw.Lines(*corner(c0, h0, w0), *corner(c1, h0, w0), *corner(c1, h1, w0), *corner(c0, h1, w0), close=True, class_="front", **style))
    group.append(dw.Lines(*corner(c0, h0, w0), *corner(c1, h0, w0), *corner(c1, h0, w1), *corner(c0, h0, w1), close=True, class_="top", **style))
    group.append(dw.Lines(*corner(c1, h0, w0), *corner(c1, h0, w1), *corner(c1, h1, w1), *corner(c1, h1, w0), close=True, class_="side", **style))
    # the unit it produces (or, spread, the patch it fills): at the same relative place in the target
    th, tw = target.extent.height, target.extent.recede
    fy = (h0 + win.height / 2) / holder.extent.height if holder.extent.height else 0.5
    fz = (w0 + win.recede / 2) / holder.extent.recede if holder.extent.recede else 0.5
    if source is None:
        fy, fz = 0.4, 0.45
    uy, uz = fy * th, fz * tw
    rays = dw.Path(stroke=colour, stroke_width=0.8, fill="none", class_="receptive-field")
    sides = ((h0, w0), (h0, w1), (h1, w1), (h1, w0))
    if spread:
        out_h, out_w = _patch(layer, target)
        ends = [(min(th, uy + dy), min(tw, uz + dz)) for dy, dz in ((0, 0), (0, out_w), (out_h, out_w), (out_h, 0))]
        patch = [tuple(_r(v) for v in target.point(1.5, y_, z_)) for y_, z_ in ends]
        group.append(dw.Lines(*[v for pt in patch for v in pt], close=True, class_="patch", **style))
        for (y_, z_), end in zip(sides, patch):
            rays.M(*corner(c1, y_, z_)).L(*end)
    else:
        ux, uy2 = (_r(v) for v in target.point(1.5, uy, uz))
        for y_, z_ in sides:
            rays.M(*corner(c1, y_, z_)).L(ux, uy2)
        group.append(rays)
        group.append(dw.Circle(ux, uy2, 2.2, fill=colours["unit"], class_="unit"))
        return group
    group.append(rays)
    return group


def _patch(layer: Any, target: Placed) -> tuple[float, float]:
    """The share of the output a transposed kernel fills from one input position (at least a few px)."""
    steps = layer.outcome.axes
    kh = steps[-2].window if len(steps) > 1 else steps[0].window
    kw = steps[-1].window if len(steps) > 1 else 1
    out_h = steps[-2].size_out if len(steps) > 1 else steps[0].size_out
    out_w = steps[-1].size_out if len(steps) > 1 else 1
    return max(KERNEL_MIN, target.extent.height * (kh / out_h)), max(KERNEL_MIN, target.extent.recede * (kw / out_w))


# --------------------------------------------------------------------------- edges and the legend


def _edge(dw: Any, line: Route, placed: Sequence[Placed], marker: Any) -> Any:
    source, target = placed[line.source], placed[line.target]
    if source.node.style == "bar" and target.node.style == "bar" and target.node.category == "dense" and len(line.points) == 2:
        return _fan(dw, source, target)
    path = dw.Path(class_="edge", data_source=attr(source.node.key), data_target=attr(target.node.key), marker_end=marker)
    (x, y), *rest = line.points
    path.M(_r(x), _r(y))
    for x, y in rest:
        path.L(_r(x), _r(y))
    return path


def _fan(dw: Any, source: Placed, target: Placed) -> Any:
    """Dense connections: the source bar's edges joined to the target bar's (every unit to every unit)."""
    s_top, s_bottom = source.point(source.extent.thickness, 0, 0), source.point(source.extent.thickness, source.extent.height, 0)
    t_top, t_bottom = target.point(0, 0, 0), target.point(0, target.extent.height, 0)
    path = dw.Path(class_="dense-fan", data_source=attr(source.node.key), data_target=attr(target.node.key), stroke_dasharray="3 2", stroke_width=0.8)
    path.M(_r(s_top[0]), _r(s_top[1])).L(_r(t_top[0]), _r(t_top[1]))
    path.M(_r(s_bottom[0]), _r(s_bottom[1])).L(_r(t_bottom[0]), _r(t_bottom[1]))
    return path


def legend_items(nodes: Sequence[Node], routes: Any, colours: dict[str, str]) -> list[tuple[str | None, str]]:
    """(colour or None, words): the colour families drawn, the windows drawn, the abbreviations used."""
    seen: dict[str, None] = {}
    for node in nodes:
        seen.setdefault(node.category, None)
    items: list[tuple[str | None, str]] = [(colours[c], LEGEND_NAMES.get(c, c)) for c in seen]
    windows: dict[tuple[str, str], None] = {}
    for t in [t for _, t in routes.on_source] + list(routes.free):
        node = nodes[t]
        windows.setdefault((window_colour(node.category), node.reach or "all"), None)
    items += [(colours[family], WINDOW_WORDS[(family, reach)]) for family, reach in windows]
    notation = window_notation_used(nodes)
    if notation:
        items.append((None, " · ".join(notation)))
    return items


def _legend_lines(items: Sequence[tuple[str | None, str]], width: float) -> list[list[tuple[str | None, str]]]:
    lines: list[list[tuple[str | None, str]]] = [[]]
    used = 0.0
    for colour, text in items:
        need = (14.0 if colour else 0.0) + text_width(text, SMALL_SIZE) + 18.0
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0.0
        lines[-1].append((colour, text))
        used += need
    return lines


def _legend(dw: Any, root: Any, lines: Sequence[Sequence[tuple[str | None, str]]], colours: dict[str, str], y: float) -> None:
    group = dw.Group(class_="legend")
    for line in lines:
        x = MARGIN
        for colour, text in line:
            if colour:
                group.append(dw.Rectangle(_r(x), _r(y - 9), 10, 10, fill=colour, stroke=colours["outline"], stroke_width=0.6))
                x += 14
            group.append(dw.Text(text, SMALL_SIZE, _r(x), _r(y), fill=colours["muted"]))
            x += text_width(text, SMALL_SIZE) + 18
        y += 18.0
    root.append(group)
