"""What becomes a node of the picture: a volume, a bar or a merge circle, read from the kinds' declarations.

Every layer that is not point-wise gets a node. Point-wise layers (activations, dropout, channel
norms) keep the shape and mix nothing across units, so they are folded into the node they read
from and named on its "+ relu" line: each layer of the spec appears once, as a node or by name.
With a depth, the layers inside blocks nested at that level become one node per block.

Only the facts a kind declares are read (``category``, ``pointwise``, ``window_reach``,
``merge_symbol``); nothing here knows a kind by its name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ... import layers as kinds
from ...arith import is_int
from ...engine import LayerReport, NetworkReport
from ...errors import SpecError
from ...shapes import Shape


class DrawError(SpecError):
    """A drawing cannot be made (a missing extra, a symbolic size, an unwritable file)."""


# --------------------------------------------------------------------------- declared facts


def _kind(layer_type: str) -> Any:
    return kinds.KINDS.get(layer_type)


def category(layer_type: str) -> str:
    """The colour family a kind declares: conv, pool, dense, merge, reshape or other."""
    kind = _kind(layer_type)
    return kind.category if kind else "other"


def is_pointwise(layer: LayerReport) -> bool:
    """Folded into the node before it: declared point-wise, one input, shape kept."""
    kind = _kind(layer.type)
    return kind is not None and kind.pointwise and len(layer.inputs) == 1 and layer.shape == layer.input_shapes[0]


def window_reach(layer: LayerReport) -> str | None:
    """How deep the layer's declared sliding window reaches into its input: 'all', 'channel' or None."""
    kind = _kind(layer.type)
    if kind is None or not layer.outcome.axes:
        return None
    return kind.window_reach


def is_transposed(layer: LayerReport) -> bool:
    """A window that spreads each input position over the output (a transposed convolution)."""
    return any(step.transposed for step in layer.outcome.axes)


def merge_symbol(layer: LayerReport) -> str | None:
    """The sign an element-wise merge declares ('+', '×'); None for a layer drawn as a volume."""
    kind = _kind(layer.type)
    return getattr(kind, "merge_symbol", None) if kind is not None else None


# --------------------------------------------------------------------------- the nodes


@dataclass(frozen=True)
class Node:
    """One drawn thing: a volume, a bar or a merge circle, with the layers it stands for."""

    key: str  # the name written on it and in data-layer: a layer's name, 'input', or a block's
    layers: tuple[LayerReport, ...]  # the layer drawn (or, for a collapsed block, its members)
    folded: tuple[LayerReport, ...]  # point-wise layers after it, named on its '+ …' line
    shape: Shape
    inputs: tuple[str, ...]  # keys of the nodes it reads, each once, in the order first read
    style: str  # 'box' (rank ≥ 1), 'bar' (a vector) or 'merge' (an element-wise merge)
    category: str  # colour family: input, conv, pool, dense, merge, reshape, block, other
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

    @property
    def type(self) -> str:
        """The layer type for data-type: a kind's name, 'input' or 'block'."""
        if self.block:
            return "block"
        return self.layer.type if self.layer is not None else "input"

    @property
    def reach(self) -> str | None:
        """Its window's reach when a single windowed layer is drawn (its kernel is drawn too)."""
        return window_reach(self.layer) if self.layer is not None else None


class _Draft:
    """A node being gathered; inputs kept in a dict so that a 50,000-input concat stays linear."""

    __slots__ = ("block", "category", "folded", "inputs", "key", "layers", "shape", "style")

    def __init__(self, key: str, shape: Shape, style: str, category_: str, block: bool = False) -> None:
        self.key, self.shape, self.style, self.category, self.block = key, shape, style, category_, block
        self.layers: list[LayerReport] = []
        self.folded: list[LayerReport] = []
        self.inputs: dict[str, None] = {}

    def done(self, keys: dict[str, str]) -> Node:
        return Node(self.key, tuple(self.layers), tuple(self.folded), self.shape, tuple(keys[i] for i in self.inputs), self.style, self.category, self.block)


def _style(shape: Shape, layer: LayerReport | None) -> str:
    if layer is not None and merge_symbol(layer) is not None:
        return "merge"
    return "bar" if shape.rank == 0 else "box"


def build_nodes(report: NetworkReport, depth: int | None = None) -> tuple[Node, ...]:
    """The network as nodes, in the spec's order: point-wise layers folded, blocks deeper than `depth` collapsed.

    A layer inside blocks (its spec path) at nesting level ≥ `depth` becomes part of one node
    for its enclosing block at level `depth` (`depth` 1 = every top-level block is one node).
    """
    drafts: dict[str, _Draft] = {"input": _Draft("input", report.input_shape, _style(report.input_shape, None), "input")}
    owner: dict[str, str] = {"input": "input"}

    def read(draft_id: str, layer: LayerReport) -> None:
        draft = drafts[draft_id]
        for source in layer.inputs:
            host = owner[source]
            if host != draft_id:
                draft.inputs[host] = None

    for layer in report.layers:
        path = tuple(layer.spec.path)
        if depth is not None and len(path) >= depth:
            draft_id = "/".join(path[:depth])
            if draft_id not in drafts:
                drafts[draft_id] = _Draft(path[depth - 1], layer.shape, "box", "block", block=True)
            draft = drafts[draft_id]
            draft.layers.append(layer)
            draft.shape = layer.shape
            draft.style = _style(layer.shape, None)
            read(draft_id, layer)
            owner[layer.name] = draft_id
        elif is_pointwise(layer):
            host = owner[layer.inputs[0]]
            drafts[host].folded.append(layer)
            owner[layer.name] = host
        else:
            draft_id = layer.name
            drafts[draft_id] = _Draft(layer.name, layer.shape, _style(layer.shape, layer), category(layer.type))
            drafts[draft_id].layers.append(layer)
            read(draft_id, layer)
            owner[layer.name] = draft_id
    for draft in drafts.values():
        if draft.block and _one_layer(draft.layers):  # a block of one layer and its activations: draw the layer
            first = draft.layers[0]
            draft.key, draft.block, draft.category = first.name, False, category(first.type)
            draft.folded[:0] = draft.layers[1:]
            draft.layers = [first]
            draft.style = _style(draft.shape, first)
    keys = {draft_id: draft.key for draft_id, draft in drafts.items()}
    return tuple(draft.done(keys) for draft in drafts.values())


def _one_layer(members: list[LayerReport]) -> bool:
    """One layer followed by point-wise layers, each reading the one before: the same as that layer drawn alone."""
    if is_pointwise(members[0]):
        return False
    return all(is_pointwise(layer) and layer.inputs[0] == before.name for before, layer in zip(members, members[1:]))


def check_drawable(report: NetworkReport) -> None:
    """Symbolic sizes have no length to draw: name the first layer that has one."""
    from ...symbolic import numbers_hint

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
