"""Activation shapes, kept layout-free inside and written in the user's layout outside."""

from typing import NamedTuple

from .arith import Size, product, show

LAYOUTS = ("hwc", "chw")
AXIS_NAMES = {0: (), 1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class Shape(NamedTuple):
    """One sample's activation: its spatial sizes (D, H, W order) and its channel count.

    A flat vector (after flatten or dense) has no spatial axes: ``Shape((), 4096)``.
    """

    spatial: tuple[Size, ...]
    channels: Size

    @property
    def rank(self) -> int:
        """How many spatial axes: 0 for a vector, 1 for audio, 2 for an image, 3 for video."""
        return len(self.spatial)

    @property
    def axis_names(self) -> tuple[str, ...]:
        return AXIS_NAMES[self.rank] if self.rank in AXIS_NAMES else tuple(f"S{i}" for i in range(self.rank))

    def numel(self) -> Size:
        return product(self.spatial) * self.channels

    def spatial_numel(self) -> Size:
        return product(self.spatial)

    def in_layout(self, layout: str) -> tuple[Size, ...]:
        if layout == "chw":
            return (self.channels, *self.spatial)
        return (*self.spatial, self.channels)

    @classmethod
    def from_layout(cls, dims: tuple[Size, ...], layout: str) -> "Shape":
        if layout == "chw":
            return cls(tuple(dims[1:]), dims[0])
        return cls(tuple(dims[:-1]), dims[-1])

    def layout_axis_to_internal(self, axis: int, layout: str) -> int:
        """Map an axis index of the user's layout to this shape's (spatial..., channels) order."""
        ndim = self.rank + 1
        if axis < 0:
            axis += ndim
        if layout == "chw":
            return ndim - 1 if axis == 0 else axis - 1
        return axis

    def describe(self, layout: str) -> str:
        """'(55, 55, 96)': the shape as it is printed everywhere."""
        dims = self.in_layout(layout)
        inner = ", ".join(map(show, dims))
        return f"({inner},)" if len(dims) == 1 else f"({inner})"
