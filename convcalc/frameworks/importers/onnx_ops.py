"""The ONNX ops whose arguments PyTorch's exporter spreads over several nodes or computes in the
graph: Pad (its pads evaluated; -inf before a max pooling and a crop after a transposed convolution
left to the neighbour to fold), Resize (scales or sizes, its mode), Transpose, LayerNormalization
(of a vector), ReduceMean. Handlers as in ``onnx``; the reader is ``onnx._Reader``. Imports no onnx.
"""
from __future__ import annotations

from typing import Any

from ...errors import SpecError


def _pads(pads: list[int] | None, rank: int) -> Any:
    if not pads:
        return 0
    pairs = [(pads[i], pads[i + rank]) for i in range(rank)]
    if all(b == a for b, a in pairs):
        values = [b for b, _ in pairs]
        return values[0] if all(v == values[0] for v in values) else values
    return [list(p) for p in pairs]


def _axes(values: Any) -> Any:
    values = list(values)
    return values[0] if values and all(v == values[0] for v in values) else values


def _pad(reader: Any, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    rank = reader.rank(inputs[0])
    pads = attrs.get("pads") or reader.const(node.input[1])
    mode = attrs.get("mode", b"constant")
    value = reader.const(node.input[2]) if len(node.input) > 2 and node.input[2] else attrs.get("value", 0.0)
    value = value[0] if isinstance(value, list) and len(value) == 1 else value
    if (mode.decode() if isinstance(mode, bytes) else mode) != "constant" or value not in (0, 0.0, None, float("-inf")):
        raise SpecError(f"{where}: padding mode {mode!r} with value {value}", hint="convcalc reads zero padding")
    ndim = len(pads) // 2
    if any(pads[i] or pads[i + ndim] for i in range(ndim - rank)):
        raise SpecError(f"{where}: pads the batch or channel axis")
    pairs = list(zip(pads[ndim - rank: ndim], pads[2 * ndim - rank:]))
    if all(b <= 0 and a <= 0 for b, a in pairs) and any(pairs):  # a crop: PyTorch's negative pad after a transposed convolution
        return None, {"crop": [(-b, -a) for b, a in pairs], "why": "a negative padding (a crop) that follows no transposed convolution"}
    if value == float("-inf") and all(b >= 0 and a >= 0 for b, a in pairs):
        return None, {"pads": pairs, "fill": value, "why": f"padding with {value} (only a max pooling right after it can fold -inf padding)"}
    return reader.kind("Pad", rank, where), {"padding": _pads(pads[ndim - rank: ndim] + pads[2 * ndim - rank:], rank)}


def _resize(reader: Any, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    """Resize by whole scales, or to sizes (Resize-11+: X, roi, scales, sizes; Upsample: X, scales), its mode."""
    rank = reader.rank(inputs[0])
    found: dict[int, list] = {}
    for position in (1, 2, 3):
        if len(node.input) > position and node.input[position]:
            try:
                value = list(reader.const(node.input[position]))
            except (KeyError, TypeError):
                continue
            if len(value) == rank + 2:
                found[position] = value
    sizes = found.get(3) if len(node.input) > 3 else None
    scales = found.get(2) if node.op_type == "Resize" else found.get(1)
    mode = attrs.get("mode", b"nearest")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    args: dict[str, Any] = {"mode": {"linear": ("linear", "bilinear", "trilinear")[rank - 1] if 1 <= rank <= 3 else "linear",
                                     "cubic": "bicubic"}.get(mode, mode)}
    corners = attrs.get("coordinate_transformation_mode", b"")
    if (corners.decode() if isinstance(corners, bytes) else corners) == "align_corners":
        args["align_corners"] = True
    if sizes is not None and [int(d) for d in sizes[:2]] == [1, reader.builder.shape(inputs[0]).channels]:
        args["size"] = _axes([int(d) for d in sizes[2:]])
    elif scales is not None and scales[:2] == [1.0, 1.0] and all(float(v) == int(v) for v in scales[2:]):
        args["scale"] = _axes([int(v) for v in scales[2:]])
    else:
        raise SpecError(f"{where}: a resize by a fraction, or of the batch or channels", hint="convcalc reads resizing by whole factors or to a size")
    if args["mode"] == "nearest":
        del args["mode"]
    return reader.kind("Resize", rank, where), args


def _transpose(reader: Any, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    n = reader.rank(inputs[0]) + 2
    perm = [p % n for p in (attrs.get("perm") or range(n - 1, -1, -1))]  # PyTorch's exporter may write -1 for the last axis
    if perm == list(range(n)):
        return inputs[0]  # moves nothing (two moves that undo each other, fused by the exporter)
    if not perm or perm[0] != 0:
        raise SpecError(f"{where}: a transpose that moves the batch axis ({perm})", hint="convcalc reads permutes of one sample's axes")
    return "permute", {"order": [d - 1 for d in perm[1:]]}


def _layernorm(reader: Any, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    """LayerNormalization of a vector (its one axis is the channels'); over the last axis of a
    tensor with spatial axes it is no kind of convcalc's (its layernorm normalises the channels)."""
    args = {"eps": float(attrs.get("epsilon", 1e-5))}
    if len(node.input) < 2 or not node.input[1]:
        args["affine"] = False
    if attrs.get("axis", -1) in (-1, 1) and reader.rank(inputs[0]) == 0:
        return "layernorm", args
    raise SpecError(f"{where}: a layer normalisation over axis {attrs.get('axis', -1)} of {reader.builder.shape(inputs[0]).describe('chw')}",
                    hint="convcalc's layernorm normalises over the channels at each position; "
                         "PyTorch's exporter writes that as Transpose, LayerNormalization over the last axis, Transpose")


def _reduce_mean(reader: Any, node: Any, attrs: dict, inputs: list[str], where: str) -> Any:
    rank = reader.rank(inputs[0])
    axes = attrs.get("axes") or (reader.const(node.input[1]) if len(node.input) > 1 and node.input[1] else None)
    if rank == 0 or sorted(a % (rank + 2) for a in (axes or [])) != list(range(2, rank + 2)):
        raise SpecError(f"{where}: a mean over axes {axes}", hint="convcalc reads a mean over every spatial axis (global pooling)")
    return ("global_avgpool", {}) if not attrs.get("keepdims", 1) else (f"adaptive_avgpool{rank}d", {"output_size": 1})
