"""Reading a `convcalc draw` SVG back: its volumes, lines and windows, and where lines end.

Shared by tests/test_draw.py and tests/test_draw_layout.py (the drawing's facts are checked
from the SVG a user gets, not from the layout's own records).
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def volumes(root: ET.Element) -> dict[str, ET.Element]:
    found = [g for g in root.iter(f"{SVG}g") if "volume" in g.get("class", "").split()]
    names = [g.get("data-layer") for g in found]
    assert len(names) == len(set(names)), f"a layer drawn twice: {names}"
    return dict(zip(names, found))


def windows(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-layer"): g for g in root.iter(f"{SVG}g") if "window" in g.get("class", "").split()}


def edges(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]


def texts(group: ET.Element, cls: str) -> list[str]:
    return ["".join(t.itertext()) for t in group.iter(f"{SVG}text") if t.get("class") == cls]


def points(path: ET.Element) -> list[tuple[float, float]]:
    numbers = [float(n) for n in NUMBER.findall(path.get("d"))]
    return list(zip(numbers[::2], numbers[1::2]))


def face(group: ET.Element, cls: str) -> list[tuple[float, float]]:
    return points(next(p for p in group.iter(f"{SVG}path") if p.get("class") == cls))


def front_size(group: ET.Element) -> tuple[float, float]:
    """(thickness, height) of a box: the front face's width (depth C) and height (H)."""
    pts = face(group, "front")
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return max(xs) - min(xs), max(ys) - min(ys)


def recede(group: ET.Element) -> float:
    """The drawn length of the receding side (W): front-top-left to back-top-left of the top face."""
    pts = face(group, "top")
    (x0, y0), (x3, y3) = pts[0], pts[3]
    return math.hypot(x3 - x0, y3 - y0)


def _hull(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pts = sorted(set(pts))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _segment_distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def outline_distance(group: ET.Element, point: tuple[float, float]) -> float:
    """How far a point is from the drawn outline of a volume (a merge's circle, a box's silhouette)."""
    circle = next((c for c in group.iter(f"{SVG}circle") if c.get("class") == "merge-symbol"), None)
    if circle is not None:
        cx, cy, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
        return abs(math.hypot(point[0] - cx, point[1] - cy) - r)
    corners = [pt for cls in ("front", "top", "side") for pt in face(group, cls)]
    hull = _hull(corners)
    return min(_segment_distance(point, a, b) for a, b in zip(hull, hull[1:] + hull[:1]))
