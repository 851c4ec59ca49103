"""The shape of the network as the picture follows it: series, parallel branches, and a U.

Nodes come in the spec's (topological) order. A node that no edge jumps over is a *cut*: every
path from the input passes through it. Between two cuts lie parallel branches (a residual
block's convolutions and its shortcut, an Inception module's towers); each branch is again a
series of cuts and branches. Branches are stacked in bands (rows) in the spec's order: the first
on the line of the series, the others below it; a shortcut with no layer of its own is a
*skip*, drawn in a lane above. What does not decompose this way (a branch reading another
branch) is a *grid*: columns by distance from the input, bands in order of arrival.

An encoder–decoder is a skip whose branch holds another skip on a down-sampled map, nested at
least twice (U-Net's copy-and-crop connections): it is drawn as a U, one level per row.

Every step is linear in nodes and edges: each node is visited once per nesting level, and
nesting deeper than MAX_NEST is drawn as a grid.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .nodes import Node

MAX_NEST = 40


@dataclass
class Grid:
    """Nodes that are not a series of branches: placed by column, in bands by arrival."""

    nodes: list[int]


@dataclass
class Par:
    """Branches between the node before and the node after (the fork and the join)."""

    branches: list[Ser]  # in the spec's order, which is the bands' order from the line of the series down
    skip: bool  # the fork also feeds the join directly (a shortcut with no layer)
    fork: int | None = None


@dataclass
class Ser:
    items: list[int | Par | Grid] = field(default_factory=list)


@dataclass(frozen=True)
class Graph:
    """Nodes by position: who reads whom, and each node's column (its longest distance from the input)."""

    nodes: tuple[Node, ...]
    preds: list[list[int]]
    column: list[int]

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> Graph:
        position = {node.key: i for i, node in enumerate(nodes)}
        preds = [[position[key] for key in node.inputs] for node in nodes]
        column = [0] * len(nodes)
        for i, sources in enumerate(preds):
            column[i] = 1 + max((column[s] for s in sources), default=-1)
        return cls(tuple(nodes), preds, column)

    def edges(self) -> list[tuple[int, int]]:
        return [(s, t) for t, sources in enumerate(self.preds) for s in sources]


# --------------------------------------------------------------------------- decomposition


class _Decomposer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def series(self, members: list[int], entry: int | None, exits: list[int], level: int, must_cut: bool = False) -> Ser:
        """`members` in order, read from `entry` (outside them); `exits` are the members the join reads."""
        preds = self.graph.preds
        local = {v: i for i, v in enumerate(members)}
        count = len(members)
        crossing = [0] * (count + 1)
        for j, v in enumerate(members):
            for u in preds[v]:
                i = local.get(u, -1 if u == entry else None)
                if i is not None and j > i + 1:
                    crossing[i + 1] += 1
                    crossing[j] -= 1
        for u in exits:
            i = local[u]
            if i < count - 1:
                crossing[i + 1] += 1
                crossing[count] -= 1
        items: list[int | Par | Grid] = []
        group: list[int] = []
        before, running, cut_found = entry, 0, False
        for j, v in enumerate(members):
            running += crossing[j]
            if running == 0:
                cut_found = True
                if group:
                    items.append(self.parallel(group, before, v, level))
                    group = []
                items.append(v)
                before = v
            else:
                group.append(v)
        if must_cut and not cut_found:
            return Ser([Grid(members)])
        if group:
            items.append(self.parallel(group, before, None, level, exits))
        return Ser(items)

    def parallel(self, group: list[int], fork: int | None, join: int | None, level: int, exits: Sequence[int] | None = None) -> Par | Grid:
        """The branches between `fork` and `join` (None: the exit of the enclosing series, read from `exits`)."""
        if level >= MAX_NEST:
            return Grid(group)
        preds = self.graph.preds
        inside = set(group)
        parent = {v: v for v in group}

        def find(v: int) -> int:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for v in group:
            for u in preds[v]:
                if u in inside:
                    a, b = find(u), find(v)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
        members: dict[int, list[int]] = {}
        for v in group:
            members.setdefault(find(v), []).append(v)
        to_join: dict[int, list[int]] = {}
        readers = preds[join] if join is not None else (exits or [])
        for u in readers:
            if u in inside:
                to_join.setdefault(find(u), []).append(u)
        single = len(members) == 1
        branches = [self.series(nodes, fork, to_join.get(root, []), level + 1, must_cut=single) for root, nodes in members.items()]
        skip = join is not None and fork is not None and fork in preds[join]
        return Par(branches, skip, fork)


def decompose(graph: Graph) -> Ser:
    """The whole network as a series from the input to the last node."""
    return _Decomposer(graph).series(list(range(len(graph.nodes))), None, [], 0)


# --------------------------------------------------------------------------- bands


def assign_bands(item: int | Par | Grid | Ser, band: int, bands: dict[int, int], column: list[int]) -> int:
    """Give every node of `item` its band (row), from `band` down; returns how many bands it takes."""
    if isinstance(item, int):
        bands[item] = band
        return 1
    if isinstance(item, Ser):
        return max((assign_bands(part, band, bands, column) for part in item.items), default=1)
    if isinstance(item, Par):
        used = 0
        for branch in item.branches:
            used += assign_bands(branch, band + used, bands, column)
        return max(used, 1)
    taken: dict[int, int] = {}
    for v in item.nodes:
        row = taken.get(column[v], 0)
        taken[column[v]] = row + 1
        bands[v] = band + row
    return max(taken.values(), default=1)


def settle(members: Sequence[int], bands: dict[int, int], column: list[int]) -> None:
    """Move any node that shares a (column, band) with an earlier one below everything in that column."""
    seen: set[tuple[int, int]] = set()
    lowest: dict[int, int] = {}
    for v in members:
        spot = (column[v], bands[v])
        if spot in seen:
            bands[v] = lowest[column[v]] + 1
            spot = (column[v], bands[v])
        seen.add(spot)
        lowest[column[v]] = max(lowest.get(column[v], 0), bands[v])


def nodes_of(item: int | Par | Grid | Ser) -> list[int]:
    """Every node inside an item, in order (iterative, for deep nests)."""
    out: list[int] = []
    stack: list[int | Par | Grid | Ser] = [item]
    while stack:
        part = stack.pop()
        if isinstance(part, int):
            out.append(part)
        elif isinstance(part, Grid):
            out.extend(part.nodes)
        elif isinstance(part, Ser):
            stack.extend(reversed(part.items))
        else:
            stack.extend(reversed(part.branches))
    return sorted(out)


# --------------------------------------------------------------------------- the U


def _u_depth(par: Par, area: Callable[[int | None], int], memo: dict[int, int]) -> int:
    """How many skips nest inside one another from `par` down, each on a smaller map than the one that
    holds it (U-Net: 4; a residual block, or a gate inside one at the same size: 1)."""
    key = id(par)
    if key not in memo:
        depth = 0
        if par.skip and len(par.branches) == 1:
            inner = [_u_depth(part, area, memo) for part in par.branches[0].items if isinstance(part, Par) and area(part.fork) < area(par.fork)]
            depth = 1 + max(inner, default=0)
        memo[key] = depth
    return memo[key]


@dataclass(frozen=True)
class Level:
    """One row of a U: the way down on the left, the way up on the right."""

    left: Ser
    right: Ser


@dataclass(frozen=True)
class UPlan:
    levels: tuple[Level, ...]
    bottom: Ser


def u_plan(top: Ser, graph: Graph) -> UPlan | None:
    """Levels of nested skips when the network is an encoder–decoder: a skip holding a skip on a
    down-sampled map, and so on, at least two deep (the skips of a residual network do not nest)."""

    def area(node: int | None) -> int:
        return graph.nodes[node].shape.spatial_numel() if node is not None else 0

    memo: dict[int, int] = {}
    levels = []
    series, outer = top, None
    need = 2
    while len(levels) < MAX_NEST:
        best, best_depth = None, need - 1
        for part in series.items:
            if isinstance(part, Par) and (outer is None or area(part.fork) < area(outer.fork)):
                depth = _u_depth(part, area, memo)
                if depth > best_depth:
                    best, best_depth = part, depth
        if best is None:
            break
        at = series.items.index(best)
        levels.append(Level(Ser(series.items[:at]), Ser(series.items[at + 1 :])))
        series, outer, need = best.branches[0], best, 1
    if not levels:
        return None
    return UPlan(tuple(levels), series)
