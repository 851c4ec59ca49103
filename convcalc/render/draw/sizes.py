"""How big each thing is drawn: the scales from sizes to pixels, and a kernel's box on its input.

A volume's height is its map's height H, its receding side the width W, its thickness the depth
C. Each of the three quantities (map sides, depths, vector lengths) has its own scale from 1 to
the network's largest: square root by default (every halving of a side shortens it by the same
29 %, so down-sampling stays visible), logarithmic (sizes that differ a thousandfold both read),
or linear (lengths proportional to sizes).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...engine import LayerReport
from ...shapes import Shape
from .nodes import DrawError, Node

SCALES = ("sqrt", "log", "linear")
SCALE_WORDS = {"sqrt": "square-root", "log": "logarithmic", "linear": "linear"}

SIDE_MIN, SIDE_MAX = 10.0, 120.0  # a map side, from size 1 to the network's largest
DEPTH_MIN, DEPTH_MAX = 6.0, 56.0  # a thickness, from 1 channel to the most
LINEAR_MIN = 1.0  # on the linear scale nothing is drawn thinner than one pixel
BAR_THICKNESS = 8.0
BAR_RECEDE = 8.0
MERGE_RADIUS = 12.0
RECEDE_DX = 0.6 * math.cos(math.radians(40))  # oblique projection of the receding W axis
RECEDE_DY = 0.6 * math.sin(math.radians(40))
KERNEL_MIN = 12.0  # a kernel's face is drawn at least this many pixels a side, so it can be seen
UNIT_SIDE = 4.0  # one input position (what a transposed kernel reads), through the depth


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
    """Map a size 1…largest to pixels on the scale named."""
    if scale == "linear":
        return lambda n: max(LINEAR_MIN, high * (n / largest))  # int / int first: sizes may pass a float's range
    if largest <= 1:
        return lambda n: high if scale == "sqrt" else low
    if scale == "sqrt":
        return lambda n: max(low, high * math.sqrt(n / largest))
    return lambda n: low + (high - low) * math.log(max(n, 1)) / math.log(largest)


def map_sides(shape: Shape) -> tuple[int, int]:
    """(H, W) of a map: a 1-D signal is L × 1; a 3-D volume shows its H and W (D is in the label)."""
    if shape.rank == 1:
        return shape.spatial[0], 1
    return shape.spatial[-2], shape.spatial[-1]


@dataclass(frozen=True)
class Scales:
    """The three scales of one picture, and the extent they give any shape."""

    side: Callable[[int], float]
    depth: Callable[[int], float]
    length: Callable[[int], float]

    def box(self, shape: Shape) -> Extent:
        height, width = map_sides(shape)
        return Extent(self.depth(shape.channels), self.side(height), self.side(width))

    def extent(self, node: Node) -> Extent:
        if node.style == "merge":
            return Extent(2 * MERGE_RADIUS, 2 * MERGE_RADIUS, 0.0)
        if node.style == "bar":
            return Extent(BAR_THICKNESS, self.length(node.shape.channels), BAR_RECEDE)
        return self.box(node.shape)


def scales_for(nodes: Sequence[Node], scale: str, shrink: float = 1.0) -> Scales:
    """One scale per quantity over the nodes drawn (map sides, depths, vector lengths)."""
    if scale not in SCALES:
        raise DrawError(f"unknown scale '{scale}'", hint="use " + ", ".join(SCALES[:-1]) + " or " + SCALES[-1])
    largest_side = largest_depth = largest_length = 1
    for node in nodes:
        if node.style == "box":
            largest_side = max(largest_side, *map_sides(node.shape))
            largest_depth = max(largest_depth, node.shape.channels)
        elif node.style == "bar":
            largest_length = max(largest_length, node.shape.channels)
        for layer in node.layers:  # a kernel is drawn on its input: keep the input on the same scale
            for shape in layer.input_shapes:
                if shape.rank:
                    largest_side = max(largest_side, *map_sides(shape))
                    largest_depth = max(largest_depth, shape.channels)
    return Scales(
        scaler(largest_side, SIDE_MIN, SIDE_MAX * shrink, scale),
        scaler(largest_depth, DEPTH_MIN, DEPTH_MAX * shrink, scale),
        scaler(largest_length, SIDE_MIN, SIDE_MAX * shrink, scale),
    )


# --------------------------------------------------------------------------- a window on its input


@dataclass(frozen=True)
class Window:
    """Where a kernel (or pooling window) sits on its input volume, in pixels along C, H, W."""

    c0: float
    thick: float
    h0: float
    height: float
    w0: float
    recede: float

    @property
    def middle(self) -> tuple[float, float, float]:
        return self.c0 + self.thick, self.h0 + self.height / 2, self.w0 + self.recede / 2


def window_on(volume: Extent, shape: Shape, window: Sequence[int], reach: str, groups: int, least: float = KERNEL_MIN) -> Window:
    """The window's box on a volume of `shape`: its share of H and W (at least KERNEL_MIN px, at most the
    volume), through the whole depth ('all', or 1/groups of it) or one channel ('channel')."""
    src_h, src_w = map_sides(shape)
    kh, kw = (window[0], 1) if len(window) == 1 else (window[-2], window[-1])
    t, h, w = volume.thickness, volume.height, volume.recede
    win_h = min(h, max(least, h * (kh / src_h)))
    win_w = min(w, max(least, w * (kw / src_w))) if len(window) > 1 else w
    if reach == "all":
        thick = t * (1 / groups) if groups > 1 else t
    else:
        thick = min(t, max(3.0, t * (1 / shape.channels)))
    h0 = min(max(0.0, h * 0.4 - win_h / 2), h - win_h)
    w0 = min(max(0.0, w * 0.45 - win_w / 2), w - win_w)
    return Window(t - thick, thick, h0, win_h, w0, win_w)


def layer_window(volume: Extent, layer: LayerReport, reach: str) -> Window:
    """A layer's window on a volume of its input: a transposed kernel reads one position (a unit
    column through the depth); any other kernel or window its size along each axis."""
    steps = layer.outcome.axes
    spread = any(step.transposed for step in steps)
    groups = layer.spec.args.get("groups", 1) or 1
    sizes = [1] * len(steps) if spread else [step.window for step in steps]
    return window_on(volume, layer.input_shapes[0], sizes, reach, groups if isinstance(groups, int) else 1, UNIT_SIDE if spread else KERNEL_MIN)
