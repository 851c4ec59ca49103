"""The words under a node: shape, name, kind with its window (stride, padding, dilation, groups), parameters.

Text is measured by an estimate of DejaVu Sans' advances (the first font the SVG asks for), so
that columns can be sized without a font library; long names wrap at their dots.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...arith import fmt
from ...engine import LayerReport, param_formula
from .nodes import Node, window_reach

LABEL_SIZE = 11.0  # shape and name
SMALL_SIZE = 10.0  # kind, parameters, folded layers, legend
LINE_HEIGHT = 13.0
NAME_WIDTH = 132.0  # a longer name wraps at its dots (the full name is in data-layer and the tooltip)
NAME_LINES = 3  # lines a name may take before its middle is elided
BIG_SIZES = ("shape", "name")

_NARROW = set(".,:;'|!ilIjft()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of the drawn width: DejaVu Sans advances grouped as narrow, normal and wide."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.34
        elif char in _WIDE:
            em += 0.9
        elif char.isupper() or char in "×⊕⊗→":
            em += 0.72
        else:
            em += 0.62
    return em * size * (1.08 if bold else 1.0)


def line_size(cls: str) -> float:
    return LABEL_SIZE if cls in BIG_SIZES else SMALL_SIZE


def wrap(text: str, width: float, size: float, *, bold: bool = False, breaks: str = ".", limit: int = NAME_LINES) -> list[str]:
    """Lines of at most `width` (when a piece allows), broken after any of `breaks`; the middle elided past `limit`."""
    if text_width(text, size, bold) <= width:
        return [text]
    pieces, piece = [], ""
    for char in text:
        piece += char
        if char in breaks:
            pieces.append(piece)
            piece = ""
    if piece:
        pieces.append(piece)
    lines: list[str] = []
    for piece in pieces:
        if lines and text_width(lines[-1] + piece, size, bold) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    lines = [line.strip() for line in lines]
    if len(lines) > limit:
        lines = [*lines[: limit - 2], "…", lines[-1]] if limit >= 2 else [lines[-1]]
    return lines


# --------------------------------------------------------------------------- the kind line


def _per_axis(value: Any, rank: int) -> list[Any] | None:
    """An argument given once or once per axis, as one value per axis (None when it is neither)."""
    if isinstance(value, (list, tuple)):
        return list(value) if len(value) == rank else None
    return [value] * rank


def _axes(values: Sequence[Any]) -> str:
    return str(values[0]) if len(set(map(str, values))) == 1 else "×".join(str(v) for v in values)


def window_text(layer: LayerReport) -> str:
    """' 3×3 s2 p1 d2 g32': kernel, then stride, padding, dilation and groups where not the default."""
    steps = layer.outcome.axes
    rank = len(steps)
    dilation = _per_axis(layer.spec.args.get("dilation", 1) or 1, rank) or [1] * rank
    kernel = []
    for step, d in zip(steps, dilation):
        window = step.window
        kernel.append((window - 1) // d + 1 if isinstance(d, int) and d > 1 else window)
    text = " " + "×".join(str(k) for k in kernel)
    strides = [step.stride for step in steps]
    if any(s != 1 for s in strides):
        text += f" s{_axes(strides)}"
    pad = layer.spec.args.get("padding")
    if isinstance(pad, str):
        text += f" {pad}"
    else:
        pairs = [(step.pad_before, step.pad_after) for step in steps]
        if any(before or after for before, after in pairs):
            if all(before == after for before, after in pairs):
                text += f" p{_axes([before for before, _ in pairs])}"
            else:
                text += " p" + "×".join(f"{before}+{after}" for before, after in pairs)
    if any(d != 1 for d in dilation):
        text += f" d{_axes(dilation)}"
    groups = layer.spec.args.get("groups", 1)
    if groups not in (1, None):
        text += f" g{groups}"
    return text


def describe_kind(layer: LayerReport) -> str:
    """'conv2d 5×5', 'maxpool2d 3×3 s2 p1', 'conv2d 3×3 same d2': the type with its window."""
    if not layer.outcome.axes or window_reach(layer) is None:
        return layer.type
    return layer.type + window_text(layer)


def window_notation_used(nodes: Sequence[Node]) -> list[str]:
    """The abbreviations the kind lines use, for the legend: 's stride', 'p padding', …"""
    used: dict[str, None] = {}
    for node in nodes:
        if node.reach is None:
            continue
        words = window_text(node.layer).split()[1:]
        for word, meaning in (("s", "stride"), ("p", "padding"), ("d", "dilation"), ("g", "groups")):
            if any(w[0] == word and w[1:2].isdigit() for w in words):
                used[f"{word} = {meaning}"] = None
    return list(used)


# --------------------------------------------------------------------------- the label block


def label_lines(node: Node, layout: str) -> list[tuple[str, str]]:
    """The lines under a node, as (css class, text): shape, name (wrapped), kind, parameters, folded."""
    lines = [("shape", node.shape.describe(layout))]
    lines += [("name", part) for part in wrap(node.key, NAME_WIDTH, LABEL_SIZE, bold=True)]
    if node.block:
        lines.append(("kind", f"block · {len(node.layers)} layers"))
    elif node.layer is None:
        lines.append(("kind", "input"))
    else:
        lines.append(("kind", describe_kind(node.layer)))
    own, extra = node.own_params, node.folded_params
    if own or extra:
        lines.append(("params", f"{fmt(own)} params" if not extra else f"{fmt(own)} + {fmt(extra)} params"))
    if node.folded:
        text = "+ " + ", ".join(layer.type for layer in node.folded)
        lines += [("folded", part) for part in wrap(text, NAME_WIDTH, SMALL_SIZE, breaks=" ", limit=2)]
    return lines


def label_width(lines: Sequence[tuple[str, str]]) -> float:
    return max(text_width(text, line_size(cls), cls == "name") for cls, text in lines)


def tooltip(node: Node, layout: str) -> str:
    """The hover text: every layer the node stands for, with its parameter formula."""
    parts = []
    for layer in (*node.layers, *node.folded):
        formula = param_formula(layer)
        parts.append(f"{layer.index} {layer.name} ({layer.type}) → {layer.shape.describe(layout)}" + (f": {formula}" if formula else ""))
    return "\n".join(parts) if parts else f"input {node.shape.describe(layout)}"
