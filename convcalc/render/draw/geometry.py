"""A placed node's geometry: the corners of its volume, and where a line meets its outline."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .layout import Plan
from .nodes import Node
from .sizes import RECEDE_DX, RECEDE_DY, Extent


@dataclass(frozen=True)
class Placed:
    """A node with the centre of its drawn box: the points of its volume, and where lines meet it."""

    node: Node
    extent: Extent
    cx: float
    cy: float

    @property
    def left(self) -> float:
        return self.cx - self.extent.width_2d / 2

    @property
    def right(self) -> float:
        return self.cx + self.extent.width_2d / 2

    @property
    def top(self) -> float:
        return self.cy - self.extent.height_2d / 2

    @property
    def bottom(self) -> float:
        return self.cy + self.extent.height_2d / 2

    @property
    def round(self) -> bool:
        return self.node.style == "merge"

    def point(self, depth: float, down: float, recede: float) -> tuple[float, float]:
        """The picture position of a point inside the volume, given in pixels along C, H, W."""
        x0 = self.left
        y0 = self.top + RECEDE_DY * self.extent.recede  # the front face's top edge
        return x0 + depth + RECEDE_DX * recede, y0 + down - RECEDE_DY * recede

    @property
    def face(self) -> tuple[float, float]:
        """The top and bottom of the front face (where lines from the left come in)."""
        if self.round:
            return self.cy - self.extent.height / 2, self.cy + self.extent.height / 2
        top = self.top + RECEDE_DY * self.extent.recede
        return top, top + self.extent.height

    def left_at(self, y: float) -> float:
        """Where a horizontal line at height y meets the outline from the left."""
        if self.round:
            r = self.extent.height / 2
            dy = min(abs(y - self.cy), r)
            return self.cx - math.sqrt(r * r - dy * dy)
        return self.left

    def right_at(self, y: float) -> float:
        if self.round:
            r = self.extent.height / 2
            dy = min(abs(y - self.cy), r)
            return self.cx + math.sqrt(r * r - dy * dy)
        return self.right

    def top_at(self, x: float) -> float:
        """Where a vertical line at x meets the outline from above."""
        if self.round:
            r = self.extent.height / 2
            dx = min(abs(x - self.cx), r)
            return self.cy - math.sqrt(r * r - dx * dx)
        front_top = self.top + RECEDE_DY * self.extent.recede
        rise = RECEDE_DX * self.extent.recede
        along = x - self.left
        if along <= rise and rise > 0:
            return front_top - along * RECEDE_DY / RECEDE_DX
        return self.top

    @property
    def top_x(self) -> float:
        """Where a line from above comes in: over the middle of the top face."""
        if self.round:
            return self.cx
        return self.left + self.extent.thickness / 2 + RECEDE_DX * self.extent.recede / 2


def placed(plan: Plan) -> list[Placed]:
    return [Placed(node, plan.cells[i].extent, plan.spots[i].cx, plan.spots[i].cy) for i, node in enumerate(plan.graph.nodes)]
