"""The adapters of the modern-block kinds (resize, split, slice, channel shuffle, permute, dense on an
axis, layer scale, stochastic depth, locally connected), and the small PyTorch classes their export
defines where torch.nn has none. Registered in ``adapter_registry.ADAPTERS`` as the others are.
"""
from __future__ import annotations

from .adapter_registry import adapter
from .draft import FLOAT_EXACT, Draft, axes_text, keras_axis, torch_dim, tup

# --------------------------------------------------------------------------- helpers: what torch.nn lacks

HELPERS = {
    "MoveDim": '''

class MoveDim(nn.Module):
    """Moves one axis to another place (nn.Linear and nn.LayerNorm act on the last axis)."""

    def __init__(self, source, destination):
        super().__init__()
        self.source, self.destination = source, destination

    def forward(self, x):
        return x.movedim(self.source, self.destination)
''',
    "LayerScale": '''

class LayerScale(nn.Module):
    """A learnt scale per channel (CaiT, ConvNeXt): x * gamma, gamma starting at init."""

    def __init__(self, channels, init=1e-06):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((channels,), float(init)))

    def forward(self, x):
        return x * self.gamma.view(-1, *([1] * (x.dim() - 2)))
''',
    "StochasticDepth": '''

class StochasticDepth(nn.Module):
    """Drops the whole input of a sample with probability p while training (torchvision.ops.StochasticDepth)."""

    def __init__(self, p, mode="row"):
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        shape = [x.shape[0]] + [1] * (x.dim() - 1) if self.mode == "row" else [1] * x.dim()
        keep = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(1.0 - self.p)
        return x * keep / (1.0 - self.p)
''',
    "LocallyConnected1d": '''

class LocallyConnected1d(nn.Module):
    """A 1D convolution without weight sharing (Keras 2 LocallyConnected1D): own weights at every position."""

    def __init__(self, in_channels, out_channels, length_out, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.weight = nn.Parameter(torch.randn(length_out, in_channels * kernel_size, out_channels) * 0.01)
        self.bias = nn.Parameter(torch.zeros(out_channels, length_out)) if bias else None

    def forward(self, x):
        x = nn.functional.pad(x, (self.padding, self.padding))
        patches = x.unfold(2, self.kernel_size, self.stride)  # (N, C, L, k)
        patches = patches.permute(0, 2, 1, 3).reshape(x.shape[0], patches.shape[2], -1)  # (N, L, C·k)
        out = torch.einsum("nlk,lko->nol", patches, self.weight)
        return out if self.bias is None else out + self.bias
''',
    "LocallyConnected2d": '''

class LocallyConnected2d(nn.Module):
    """A 2D convolution without weight sharing (Keras 2 LocallyConnected2D): own weights at every position."""

    def __init__(self, in_channels, out_channels, size_out, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.size_out = tuple(size_out)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        positions = self.size_out[0] * self.size_out[1]
        self.weight = nn.Parameter(torch.randn(positions, in_channels * kernel_size * kernel_size, out_channels) * 0.01)
        self.bias = nn.Parameter(torch.zeros(out_channels, *self.size_out)) if bias else None

    def forward(self, x):
        patches = nn.functional.unfold(x, self.kernel_size, padding=self.padding, stride=self.stride)  # (N, C·k·k, L)
        out = torch.einsum("nkl,lko->nol", patches, self.weight).reshape(x.shape[0], -1, *self.size_out)
        return out if self.bias is None else out + self.bias
''',
}


# Keras: what keras.layers lacks, as module-level functions the exported code defines and a Lambda calls
# (a kind's Keras counterpart with a ``function``). Keras' JSON names such a function and holds the Lambda's
# arguments, where a lambda's is bytecode: the Keras importer reads the Lambda back by the function's name.
KERAS_FUNCTIONS = {
    "convcalc_split": '''

def convcalc_split(t, sections, axis):
    """convcalc's split: a number of equal parts, or the size of each part, along the axis (a list of tensors)."""
    if isinstance(sections, int):
        return keras.ops.split(t, sections, axis=axis)
    cuts = [sum(sections[: k + 1]) for k in range(len(sections) - 1)]
    return keras.ops.split(t, cuts, axis=axis)
''',
    "convcalc_slice": '''

def convcalc_slice(t, start, stop, axis):
    """convcalc's slice: t[..., start:stop] on the axis (batch first), Python's rules."""
    index = [slice(None)] * len(t.shape)
    index[axis] = slice(start, stop)
    return t[tuple(index)]
''',
}


# --------------------------------------------------------------------------- resize


TORCH_MODES = {"linear": {1: "linear", 2: "bilinear", 3: "trilinear"}}
KERAS_MODES = {"nearest": "nearest", "nearest-exact": "nearest", "linear": "bilinear", "bilinear": "bilinear",
               "bicubic": "bicubic", "area": "area"}
_SMOOTH = ("linear", "bilinear", "trilinear", "bicubic")


def _resized_to_size(draft: Draft) -> bool:
    return draft.values.get("size") is not None or draft.values.get("like") is not None


@adapter("pytorch", "interpolation", sets=("output_size", "scale_factor", "torch_mode", "corners"))
def torch_interpolation(draft: Draft) -> None:
    """Sets 'output_size' (a size or another layer's, as convcalc computed it) or 'scale_factor'
    (floats, exact up to 2**53), 'torch_mode' (linear is linear, bilinear or trilinear by rank) and
    'corners' (align_corners, which PyTorch takes with the smooth modes only)."""
    values, rank = draft.values, draft.rank
    mode = values["mode"]
    values["torch_mode"] = TORCH_MODES.get(mode, {}).get(rank, mode)
    values["corners"] = None
    if values["align_corners"]:
        if mode not in _SMOOTH:
            raise draft.fail(f"cannot export to PyTorch: align_corners applies to the linear and cubic modes, not {mode}",
                             "drop align_corners, or choose mode: bilinear")
        values["corners"] = True
    if _resized_to_size(draft):
        size = tuple(draft.layer.shape.spatial)
        values["output_size"], values["scale_factor"] = (size[0] if len(set(size)) == 1 else size), None
        return
    scale = tup(2 if values["scale"] is None else values["scale"], rank)
    if any(s > FLOAT_EXACT for s in scale):
        raise draft.fail("cannot export to PyTorch: its scale_factor is a float, which cannot hold a value above 2**53 "
                         "(9,007,199,254,740,992) exactly", "use a smaller scale, or a size")
    values["output_size"] = None
    values["scale_factor"] = float(scale[0]) if len(set(scale)) == 1 else tuple(float(s) for s in scale)


@adapter("keras", "resize")
def keras_resize(draft: Draft) -> None:
    """UpSampling{1,2,3}D for a whole-number scale (1D and 3D: nearest only), Resizing for a 2D size."""
    values, rank, mode = draft.values, draft.rank, draft.values["mode"]
    if values["align_corners"]:
        raise draft.fail("cannot export to Keras: it has no align_corners (TensorFlow resizes with half-pixel centres)",
                         "drop align_corners, or export to PyTorch")
    if mode not in KERAS_MODES:
        raise draft.fail(f"cannot export to Keras: its resizing layers have no {mode} mode", "use bilinear or nearest")
    name, x = draft.ident, draft.x
    interpolation = KERAS_MODES[mode]
    size_in, size_out = draft.shape_in.spatial, draft.layer.shape.spatial
    if _resized_to_size(draft) and all(o % i == 0 for i, o in zip(size_in, size_out)):
        values = dict(values, scale=tuple(o // i for i, o in zip(size_in, size_out)), size=None, like=None)  # a whole factor: UpSampling
    if values.get("size") is not None or values.get("like") is not None:
        if rank != 2:
            raise draft.fail(f"cannot export to Keras: it resizes to a size in 2D only (Resizing); this input has {rank} spatial {'axis' if rank == 1 else 'axes'}",
                             "give a scale instead, or export to PyTorch")
        height, width = draft.layer.shape.spatial
        draft.after.append(f'{name} = layers.Resizing({height}, {width}, interpolation="{interpolation}", name="{name}")({x})')
        return
    scale = tup(2 if values["scale"] is None else values["scale"], rank)
    if rank != 2 and interpolation != "nearest":
        raise draft.fail(f"cannot export to Keras: UpSampling{rank}D repeats values (nearest) only", "use mode: nearest, or export to PyTorch")
    extra = f', interpolation="{interpolation}"' if rank == 2 and interpolation != "nearest" else ""
    draft.after.append(f'{name} = layers.UpSampling{rank}D({axes_text(scale)}{extra}, name="{name}")({x})')


# --------------------------------------------------------------------------- split, slice, permute, shuffle


def _internal_axis(draft: Draft, axis) -> int:
    shape = draft.shape_in
    if axis is None or axis == "channels":
        return shape.rank
    return shape.layout_axis_to_internal(axis, draft.layout)


def _torch_dim_of(draft: Draft, internal: int) -> int:
    return 1 if internal == draft.shape_in.rank else 2 + internal


@adapter("pytorch", "split_sizes", sets=("split_sizes", "split_dim"))
def torch_split_sizes(draft: Draft) -> None:
    """Sets 'split_sizes' (each part's size) and 'split_dim' (the axis as a PyTorch dim)."""
    internal = _internal_axis(draft, draft.values["axis"])
    sizes = [(*s.spatial, s.channels)[internal] for s in draft.layer.output_shapes]
    draft.values["split_sizes"], draft.values["split_dim"] = sizes, _torch_dim_of(draft, internal)


def _slice_bounds(draft: Draft) -> tuple[int, int]:
    internal = _internal_axis(draft, draft.values["axis"])
    size = (*draft.shape_in.spatial, draft.shape_in.channels)[internal]
    first, last, _ = slice(draft.values["start"], draft.values["stop"]).indices(size)
    return internal, first, last


@adapter("pytorch", "slice_index", sets=("torch_index",))
def torch_slice_index(draft: Draft) -> None:
    """Sets 'torch_index': x[:, a:b] on the axis as a PyTorch dim."""
    internal, first, last = _slice_bounds(draft)
    dim = _torch_dim_of(draft, internal)
    draft.values["torch_index"] = [":"] * dim + [f"{first}:{last}"]


@adapter("keras", "channel_shuffle")
def keras_channel_shuffle(draft: Draft) -> None:
    """Keras has no channel shuffle: Reshape to (…, groups, C/groups), swap the last two, Reshape back."""
    shape, groups = draft.shape_in, draft.values["groups"]
    spatial = list(shape.spatial)
    rank = len(spatial)
    split, swapped = draft.extra("_groups"), draft.extra("_swapped")
    split_shape = ", ".join(map(str, [*spatial, groups, shape.channels // groups]))
    order = ", ".join(map(str, [*range(1, rank + 1), rank + 2, rank + 1]))
    back = ", ".join(map(str, [*spatial, shape.channels])) + ("," if rank == 0 else "")
    draft.after += [
        f'{split} = layers.Reshape(({split_shape}), name="{split}")({draft.x})',
        f'{swapped} = layers.Permute(({order}), name="{swapped}")({split})',
        f'{draft.ident} = layers.Reshape(({back}), name="{draft.ident}")({swapped})',
    ]


def _permutation(draft: Draft) -> list[tuple[int, int]]:
    """(output internal axis, input internal axis) pairs: the permute's order, in (*spatial, channels) terms."""
    from ..layers.rearranging import Permute

    shape, layout = draft.shape_in, draft.layout
    n = shape.rank + 1
    order = Permute.resolved_order(list(draft.values["order"]), n)
    layout_to_internal = [shape.layout_axis_to_internal(k, layout) for k in range(n)]
    out = draft.layer.shape
    out_internal = [out.layout_axis_to_internal(k, layout) if out.rank + 1 == n else k for k in range(n)]
    return [(out_internal[k], layout_to_internal[order[k]]) for k in range(n)]


@adapter("pytorch", "permute_dims", sets=("torch_dims",))
def torch_permute_dims(draft: Draft) -> None:
    """Sets 'torch_dims': the order as PyTorch's (N, C, *spatial) dims, batch first."""
    n = draft.shape_in.rank + 1
    torch_of = lambda internal: 1 if internal == n - 1 else 2 + internal  # noqa: E731
    dims = [0] * (n + 1)
    for out_axis, in_axis in _permutation(draft):
        dims[torch_of(out_axis)] = torch_of(in_axis)
    draft.values["torch_dims"] = dims


@adapter("keras", "permute_dims", sets=("keras_dims",))
def keras_permute_dims(draft: Draft) -> None:
    """Sets 'keras_dims': Keras Permute's 1-based order over (*spatial, channels), no batch."""
    n = draft.shape_in.rank + 1
    dims = [0] * n
    for out_axis, in_axis in _permutation(draft):
        dims[out_axis] = in_axis + 1
    draft.values["keras_dims"] = tuple(dims)


# --------------------------------------------------------------------------- dense on an axis


@adapter("pytorch", "linear_axis", sets=("in_features",))
def torch_linear_axis(draft: Draft) -> None:
    """Sets 'in_features' (every input when flattening, else the axis' size); with axis:, nn.Linear
    (which acts on the last axis) is put between two MoveDim modules that move the axis last and back."""
    axis = draft.values.get("axis")
    if axis is None or not draft.rank:
        draft.values["in_features"] = draft.shape_in.numel()
        return
    internal = _internal_axis(draft, axis)
    dim = _torch_dim_of(draft, internal)
    draft.values["in_features"] = (*draft.shape_in.spatial, draft.shape_in.channels)[internal]
    draft.before.append((draft.extra("_last"), f"MoveDim({dim}, -1)"))
    draft.after.append((draft.extra("_back"), f"MoveDim(-1, {dim})"))
    draft.helpers.add("MoveDim")
    draft.notes.append("nn.Linear acts on the last axis: the axis is moved last and back")


@adapter("keras", "dense_axis")
def keras_dense_axis(draft: Draft) -> None:
    """Keras Dense acts on the last axis, the channels in Keras' channels-last order: any other axis is refused."""
    axis = draft.values.get("axis")
    if axis is None or not draft.rank:
        return
    internal = _internal_axis(draft, axis)
    if internal != draft.shape_in.rank:
        label = draft.shape_in.axis_names[internal]
        raise draft.fail(f"cannot export to Keras: Dense acts on the last axis (the channels, channels last), not on {label}",
                         "permute the axis last first, or export to PyTorch")


# --------------------------------------------------------------------------- stochastic depth, locally connected


@adapter("pytorch", "drop_path_mode", sets=("drop_mode",))
def torch_drop_path_mode(draft: Draft) -> None:
    """Sets 'drop_mode': torchvision's 'row' (per sample) or 'batch'."""
    draft.values["drop_mode"] = "row" if draft.values["per_sample"] else "batch"


@adapter("keras", "drop_path_noise", sets=("noise_shape",))
def keras_drop_path_noise(draft: Draft) -> None:
    """Sets 'noise_shape': Dropout with a mask of one value per sample, (None, 1, …, 1), drops whole
    samples and scales the rest by 1/(1 − rate), as torchvision's StochasticDepth 'row'; 'batch': (1, …)."""
    ones = (1,) * (draft.rank + 1)
    draft.values["noise_shape"] = ((None,) if draft.values["per_sample"] else (1,)) + ones


@adapter("pytorch", "locally_connected", sets=("size_out", "pad"))
def torch_locally_connected(draft: Draft) -> None:
    """Sets 'size_out' (the output's spatial size: one set of weights per position) and 'pad' (symmetric)."""
    steps = draft.layer.outcome.axes
    if any(s.pad_before != s.pad_after for s in steps) or len({s.pad_before for s in steps}) > 1:
        raise draft.fail("cannot export to PyTorch: this locally connected layer pads unevenly", "give one padding for every side")
    draft.values["pad"] = steps[0].pad_before
    size = tuple(draft.layer.shape.spatial)
    draft.values["size_out"] = size[0] if draft.rank == 1 else size
    kernel, stride = tup(draft.values["kernel"], draft.rank), tup(draft.values["stride"], draft.rank)
    if len(set(kernel)) > 1 or len(set(stride)) > 1:
        raise draft.fail("cannot export to PyTorch: the exported LocallyConnected takes one kernel and stride for every axis",
                         "use a square kernel and stride")


__all__ = ["HELPERS", "KERAS_FUNCTIONS", "keras_axis", "torch_dim"]
