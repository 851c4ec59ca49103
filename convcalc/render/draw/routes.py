"""The lines between nodes, each ending on the outline of the node it enters.

A line is *straight* from a node to the next one in its band; a kernel drawn on its input
replaces it. A *lane* runs above a band, from a node's top to a later node's top (a residual
shortcut). Every other line leaves its node to the right, turns in the gap after it, runs along
a band's line, the gap above a band, or the corridor between two rows, and comes into its node
from the left at a height of its own: a merge with several inputs has each come in separately.
Lines to the same node are spread over its front face so that none joins another on the way.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .geometry import Placed, placed
from .layout import CHANNEL_STEP, CORRIDOR, EXIT_ROOM, LANE_STEP, MARGIN, Plan, place_heights

Point = tuple[float, float]


@dataclass(frozen=True)
class Route:
    source: int
    target: int
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Routes:
    lines: tuple[Route, ...]
    on_source: tuple[tuple[int, int], ...]  # (source, target): the target's kernel drawn on the source volume
    free: tuple[int, ...]  # targets whose kernel stands alone in the gap before them


class _Router:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.spots = plan.spots
        self.next: dict[int, int] = {}
        bands: dict[tuple[int, int], list[int]] = defaultdict(list)
        for v, spot in enumerate(self.spots):
            bands[(spot.row, spot.band)].append(v)
        for members in bands.values():
            members.sort(key=lambda v: self.spots[v].cx)
            for a, b in zip(members, members[1:]):
                self.next[a] = b

    def way(self, s: int, t: int) -> str:
        S, T = self.spots[s], self.spots[t]
        if S.row == T.row and S.band == T.band:
            if self.next.get(s) == t:
                node = self.plan.graph.nodes[t]
                return "kernel" if node.reach is not None and t not in self.plan.free else "straight"
            if T.cx > S.cx and S.frag == T.frag:
                return "lane"
        return "channel"

    def band_free(self, s: int, t: int) -> bool:
        """Nothing in the source's band between it and the gap before the target."""
        after = self.next.get(s)
        return after is None or self.spots[after].col_left >= self.spots[t].col_left

    def corridor(self, s: int, t: int) -> tuple[int, ...]:
        """The corridors (by the row below them) a channel line runs in; () when it stays in its row."""
        S, T = self.spots[s], self.spots[t]
        if S.row == T.row:
            return () if S.frag == T.frag else (S.row,)
        if T.row == S.row + 1 or T.row < S.row:
            return (max(S.row, T.row),)
        return (S.row + 1, T.row)


def route(plan: Plan, title_height: float) -> tuple[Routes, list[Placed]]:
    """Classify every edge, size the lanes and corridors, place the heights, then draw the lines."""
    router = _Router(plan)
    graph = plan.graph
    edges = graph.edges()
    ways = [router.way(s, t) for s, t in edges]

    # lanes: intervals above a band, nested ones below the ones that hold them
    spans: dict[tuple[int, int], list[tuple[float, float, int]]] = defaultdict(list)
    for i, ((s, t), way) in enumerate(zip(edges, ways)):
        if way == "lane":
            spot = plan.spots[s]
            spans[(spot.row, spot.band)].append((plan.spots[s].cx, plan.spots[t].cx, i))
    lane_level: dict[int, int] = {}
    lanes: dict[tuple[int, int], int] = {}
    for key, intervals in spans.items():
        intervals.sort(key=lambda iv: (iv[1], -iv[0]))
        done: list[tuple[float, float, int]] = []  # (start, end, level) of lanes already placed
        for start, end, i in intervals:
            level = 1
            while done and done[-1][0] >= start:
                level = max(level, done.pop()[2] + 1)
            if done and done[-1][1] >= start - 1.0:  # a lane that ends where this one starts, or crosses it
                level = max(level, done[-1][2] + 1)
            done.append((start, end, level))
            lane_level[i] = level
            lanes[key] = max(lanes.get(key, 0), level)

    # corridors: one line per source in each corridor it uses
    corridor_slot: dict[tuple[int, int], int] = {}
    corridor_lines: dict[int, int] = defaultdict(int)
    margin_slot: dict[int, int] = {}
    for (s, t), way in zip(edges, ways):
        if way != "channel":
            continue
        hops = router.corridor(s, t)
        for r in hops:
            if (r, s) not in corridor_slot:
                corridor_slot[(r, s)] = corridor_lines[r]
                corridor_lines[r] += 1
        if len(hops) == 2 and s not in margin_slot:
            margin_slot[s] = len(margin_slot)
    place_heights(plan, lanes, corridor_lines, title_height)
    nodes = placed(plan)

    def corridor_y(r: int, s: int) -> float:
        return plan.rows[r].top - CORRIDOR / 2 - CHANNEL_STEP * corridor_slot[(r, s)]

    # where each line comes in: left entries spread over the face, top entries over the top face
    left_in: dict[int, list[tuple[float, int]]] = defaultdict(list)  # target -> (approach y, edge)
    top_in: dict[int, list[int]] = defaultdict(list)
    approach: dict[int, float] = {}
    for i, ((s, t), way) in enumerate(zip(edges, ways)):
        S, T = plan.spots[s], plan.spots[t]
        if way == "lane":
            top_in[t].append(i)
            continue
        if way == "kernel":
            continue
        if way == "straight":
            y = S.cy
        else:
            hops = router.corridor(s, t)
            if hops:
                y = corridor_y(hops[-1], s)
            elif router.band_free(s, t):
                y = S.cy
            else:
                row = plan.rows[T.row]
                y = row.band_top[max(S.band, T.band)] - 4.0
        approach[i] = y
        left_in[t].append((y, i))
    top_rank = {i: k for arrivals in top_in.values() for k, i in enumerate(arrivals)}
    entry_y: dict[int, float] = {}
    entry_rank: dict[int, int] = {}
    for t, arriving in left_in.items():
        T = nodes[t]
        top, bottom = T.face
        axis = T.cy
        below = sorted((item for item in arriving if item[0] >= axis - 0.01), key=lambda item: item[0])
        above = sorted((item for item in arriving if item[0] < axis - 0.01), key=lambda item: -item[0])
        at_axis = bool(below)
        room_below = max(bottom - 3.0 - axis, 0.0)
        room_above = max(axis - top - 3.0, 0.0)
        step_below = min(7.0, room_below / max(len(below) - 1, 1))
        step_above = min(7.0, room_above / max(len(above) - (0 if at_axis else 1), 1))
        for k, (_, i) in enumerate(below):
            entry_y[i], entry_rank[i] = axis + k * step_below, k
        for k, (_, i) in enumerate(above):
            offset = k + 1 if at_axis else k
            entry_y[i], entry_rank[i] = axis - offset * step_above, offset

    lines = []
    on_source = []
    for i, ((s, t), way) in enumerate(zip(edges, ways)):
        S, T = nodes[s], nodes[t]
        if way == "kernel":
            on_source.append((s, t))
            continue
        if way == "lane":
            row = plan.rows[plan.spots[s].row]
            band = plan.spots[s].band
            boxes_top = row.band_top[band] + row.band_lanes[band] * LANE_STEP + 8.0
            lane_y = boxes_top - 6.0 - (lane_level[i] - 1) * LANE_STEP
            arrivals = top_in[t]
            k = top_rank[i]
            x_in = T.top_x + (k - (len(arrivals) - 1) / 2) * 7.0
            x_out = S.top_x
            points = [(x_out, S.top_at(x_out)), (x_out, lane_y), (x_in, lane_y), (x_in, T.top_at(x_in))]
        else:
            ye = entry_y[i]
            end = (T.left_at(ye), ye)
            start = (S.right_at(S.cy), S.cy)
            if way == "straight" and abs(ye - S.cy) < 0.01:
                points = [start, end]
            else:
                spot_s, spot_t = plan.spots[s], plan.spots[t]
                x_in = min(spot_t.col_left, T.left - plan.cells[t].kernel) - 7.0 - entry_rank[i] * CHANNEL_STEP
                x_out = spot_s.col_right + EXIT_ROOM
                y_path = approach[i]
                hops = router.corridor(s, t)
                if way == "straight" or (not hops and abs(y_path - S.cy) < 0.01):
                    points = [start, (x_in, S.cy), (x_in, ye), end]
                elif len(hops) == 2:
                    x_margin = MARGIN / 2 - 4.0 * margin_slot[s]
                    y1 = corridor_y(hops[0], s)
                    points = [start, (x_out, S.cy), (x_out, y1), (x_margin, y1), (x_margin, y_path), (x_in, y_path), (x_in, ye), end]
                else:
                    points = [start, (x_out, S.cy), (x_out, y_path), (x_in, y_path), (x_in, ye), end]
        lines.append(Route(s, t, tuple(_simplify(points))))
    free = tuple(sorted(t for t in plan.free))
    return Routes(tuple(lines), tuple(on_source), free), nodes


def _simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle of three in a line, so a path has only its corners."""
    out: list[Point] = []
    for x, y in points:
        p = (round(x, 2), round(y, 2))
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x0 == x1 == p[0]) or (y0 == y1 == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out
