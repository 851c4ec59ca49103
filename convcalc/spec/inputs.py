"""What a block template sees of its input: `$in.channels`, `$in.height`, `$in.width`, …

Blocks are expanded before the network is computed, so a template that asks about its input has
the layers above it computed first, in order, by the same kind rules the engine applies (and only
then: a spec whose templates never write `$in` computes nothing here). Each layer is computed once.
"""

import re
from typing import Any, Callable

from ..errors import ArgError, SpecError
from ..layers import KINDS, LayerContext
from ..shapes import Shape
from .inline import PRIMARY_MARK

FACT_NAMES = ("channels", "height", "width", "depth", "length", "spatial", "shape", "rank")
_PORT = re.compile(r"(.+)\.(\d+)")


class InputFacts:
    """The facts of one template's input shape, as expressions read them: in.channels, in.height, …"""

    __slots__ = ("shape", "layout", "block")

    def __init__(self, shape: Shape, layout: str, block: str) -> None:
        self.shape = shape
        self.layout = layout
        self.block = block

    def get(self, name: str, fail) -> Any:
        shape = self.shape
        axes = dict(zip(shape.axis_names, shape.spatial))
        facts = {
            "channels": shape.channels,
            "rank": shape.rank,
            "spatial": list(shape.spatial),
            "shape": list(shape.in_layout(self.layout)),
            "height": axes.get("H"),
            "width": axes.get("W"),
            "depth": axes.get("D"),
            "length": axes.get("L"),
        }
        if name not in facts:
            raise fail(f"'in.{name}' is not something block '{self.block}' knows of its input",
                       f"its input has: {', '.join('in.' + n for n in FACT_NAMES)}")
        if facts[name] is None:
            axes_text = ", ".join(shape.axis_names) or "none (a vector)"
            raise fail(f"'in.{name}': the input of block '{self.block}' is {shape.describe(self.layout)}, with no such axis",
                       f"its spatial axes: {axes_text}")
        return facts[name]


class ShapeTracker:
    """Shapes of the nodes expanded so far, computed on demand, each once, in order."""

    def __init__(self, input_shape: Shape, layout: str, nodes: list[Any], resolve: Callable[[Any, Any], Any]) -> None:
        self.layout = layout
        self.nodes = nodes  # the expander's node list, growing
        self.resolve = resolve  # the expander's `from` resolution: (source, node) -> full name
        self.shapes: dict[str, Shape] = {"input": input_shape}
        self.several: dict[str, tuple[Shape, ...]] = {}
        self.done = 0

    def shape_of(self, source: Any, reader: Any) -> Shape:
        """The shape of `source` (a full name or an unresolved reference) as seen by the node `reader`."""
        name = self.resolve(source, reader)
        if not isinstance(name, str):
            raise SpecError(f"from must name a layer or list layers, got {name!r}", hint="e.g. from: conv1 or from: [a, b]",
                            layer_index=reader.index, layer_name=reader.name)
        while self.done < len(self.nodes) and name not in self.shapes and not self._port(name):
            self._compute(self.nodes[self.done])
            self.done += 1
        port = self._port(name)
        if port:
            return self.several[port[0]][port[1]]
        if name not in self.shapes:
            raise SpecError(f"from '{name}' names no layer", layer_index=reader.index, layer_name=reader.name)
        return self.shapes[name]

    def _port(self, name: str) -> tuple[str, int] | None:
        match = None if name in self.shapes else _PORT.fullmatch(name)
        if match and match.group(1) in self.several and int(match.group(2)) < len(self.several[match.group(1)]):
            return match.group(1), int(match.group(2))
        return None

    def _compute(self, node: Any) -> None:
        canonical = node.kind.name if node.kind else str(node.type)

        def fail(problem: str, hint: str | None = None) -> SpecError:
            return SpecError(problem, hint=hint, layer_index=node.index, layer_name=node.name, layer_type=canonical)

        sources = node.sources if isinstance(node.sources, list) else [node.sources]
        inputs = tuple(self.shape_of(s, node) for s in sources)
        if not inputs:
            raise fail("a layer needs an input")
        kind = node.kind
        if kind is None:
            rank = inputs[0].rank
            if not node.family or rank not in node.family:
                raise fail(f"'{node.type}' has no form for an input with {rank} spatial axes")
            kind = KINDS[node.family[rank]]
        raw = {k: v for k, v in node.raw.items() if k != "expect"}
        if PRIMARY_MARK in raw:
            if kind.primary is None:
                raise fail(f"{canonical} takes no value (got {raw[PRIMARY_MARK]!r})")
            raw[kind.primary] = raw.pop(PRIMARY_MARK)
        if hasattr(raw.get("like"), "text"):  # resize's like: a layer name, resolved as from: is
            raw["like"] = self.resolve(raw["like"], node)
        try:
            args = kind.parse_args(raw)
        except ArgError as exc:
            raise fail(exc.problem, exc.hint) from None
        ctx = LayerContext(node.index, node.name, kind.name, self.layout, tuple(str(s) for s in sources), self.shapes)
        try:
            outcome = kind.infer(args, inputs, ctx)
        except SpecError:
            raise
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise fail(f"cannot compute this layer: {exc}") from None
        self.shapes[node.name] = outcome.shape
        if outcome.outputs:
            self.several[node.name] = outcome.outputs
