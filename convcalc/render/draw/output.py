"""Writing the picture: SVG text, PNG bytes (CairoSVG, from the [draw] extra), or a file by its suffix."""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from ...engine import NetworkReport
from ...limits import paused_gc
from .nodes import DrawError
from .svg import INSTALL, render

PICTURE_SUFFIXES = (".svg", ".png")
PNG_ZOOM = 2  # a PNG is rendered at twice the SVG's pixel size, sharp enough for a report
MAX_PNG_SIDE = 32_767  # cairo's largest image side, in pixels
MAX_PNG_PIXELS = 150_000_000  # 600 MB of ARGB: a larger network picture is better as SVG


def svg_text(report: NetworkReport, **options: Any) -> str:
    """The picture as SVG text (no cyclic collection meanwhile: drawsvg makes many objects and no garbage)."""
    with paused_gc():
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
