"""The arithmetic of an ONNX graph on constants and shapes, done while it is read.

PyTorch's exporter computes some arguments in the graph itself: the pads of ``F.pad`` (Shape,
ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast), the sizes of ``x.view(x.size(0), -1)``
(Shape, Gather, Unsqueeze, Concat). A node that reads no tensor of the network is evaluated here:
Shape of a layer from the shape convcalc computed for it, everything else by onnx's own reference
implementation of the op (``onnx.reference``, numpy), so that the value the pad or reshape reads is
the one the framework would compute. Imported only by ``onnx`` (and so only with onnx installed).
"""
from __future__ import annotations

from typing import Any

from ...errors import SpecError
from .graph import unsupported


def evaluate(reader: Any, node: Any, attrs: dict[str, Any], where: str, name: str) -> list[Any]:
    """The node's outputs as numpy arrays; an op that cannot be evaluated is named as unsupported."""
    import numpy

    if node.op_type == "Shape" and reader.is_layer(node.input[0]):
        shape = reader.builder.shape(reader.values[node.input[0]][1])
        dims = [1, *shape.in_layout("chw")]
        start, end = attrs.get("start", 0), attrs.get("end")
        return [numpy.array(dims[start:end], dtype=numpy.int64)]
    if node.op_type == "Constant" and "value" in attrs:
        return [reader.numpy.to_array(attrs["value"])]
    try:
        inputs = {item: reader.array(item) for item in node.input if item}
    except KeyError:
        raise unsupported(where, name) from None  # reads a value that is no constant (a random tensor, say)
    try:
        from onnx.reference import ReferenceEvaluator

        return [numpy.asarray(value) for value in ReferenceEvaluator(node).run(None, inputs)]
    except SpecError:
        raise
    except Exception:  # noqa: BLE001  (an op onnx cannot evaluate, or one that fails on these values)
        raise unsupported(where, name) from None
