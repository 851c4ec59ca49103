"""Drawing (stage 4, rendering): a network as a picture of activation volumes, the way textbooks draw them.
May import the base, layers and computing (engine, symbolic); drawsvg and CairoSVG only when a picture is made.

Every activation is a box in oblique perspective: its height is the map's height H, its
receding side the width W and its thickness the depth C. A convolution's kernel is a small box
through the whole input depth, with lines to the one unit it produces; a pooling window is one
channel thick. Vectors are bars, element-wise merges ⊕/⊗ circles. The layout follows the
network: a chain wraps into strips no wider than asked, parallel branches stack in bands, an
encoder–decoder is drawn as a U.

The road: ``nodes`` (what is drawn, from the kinds' declarations) → ``structure`` (series,
branches, the U) → ``sizes`` and ``labels`` → ``layout`` (columns, strips, rows) → ``geometry``
(where lines meet a node) → ``routes`` (the lines) → ``svg`` (drawsvg) → ``output`` (SVG text,
PNG, files). Each module imports only those before it, and convcalc's engine, layers, arith,
shapes, limits and errors; drawsvg and CairoSVG are imported when a picture is made
(``pip install 'convcalc[draw]'``).
"""
from .nodes import DrawError, Node, build_nodes, check_drawable
from .output import (
    PICTURE_SUFFIXES,
    PNG_ZOOM,
    picture_format,
    png_bytes,
    svg_text,
    write_picture,
)
from .sizes import SCALES
from .svg import INSTALL, WRAP_WIDTH, render
from .themes import THEMES

__all__ = [
    "INSTALL",
    "PICTURE_SUFFIXES",
    "PNG_ZOOM",
    "SCALES",
    "THEMES",
    "WRAP_WIDTH",
    "DrawError",
    "Node",
    "build_nodes",
    "check_drawable",
    "picture_format",
    "png_bytes",
    "render",
    "svg_text",
    "write_picture",
]
