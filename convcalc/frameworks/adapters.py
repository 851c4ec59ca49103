"""The named adapters a kind's declaration may list: what a framework needs that data cannot say.

Each adapter is a small function over a :class:`~convcalc.frameworks.draft.Draft`, registered for
one framework under the name declarations use (the same name in both frameworks when it does the
same job). It may set values the declaration's ``Param`` s read (named in its docstring), add
objects before or after the layer's own (``draft.before``/``draft.after``), add comments, or refuse.
An importer undoes the same adapters by name.
"""
from __future__ import annotations

from . import adapters_blocks  # noqa: F401  (the modern-block kinds register theirs)
from .adapter_registry import ADAPTERS, SETS, adapter
from .draft import Draft, axes_text, keras_pairs, num, torch_pad_tuple, tup

__all__ = ["ADAPTERS", "SETS", "adapter"]  # every adapter registered: this module's and adapters_blocks'


def _pads(draft: Draft) -> list[tuple[int, int]]:
    """(before, after) per spatial axis, as convcalc's window steps place them."""
    return [(step.pad_before, step.pad_after) for step in draft.layer.outcome.axes]


def _pad_comment(draft: Draft) -> str:
    """'"same" with stride 2 pads H 0 + 1, W 0 + 1': the padding PyTorch cannot put inside the layer."""
    sides = ", ".join(f"{s.axis} {s.pad_before} + {s.pad_after}" for s in draft.layer.outcome.axes)
    if draft.layer.spec.args.get("padding") == "same":
        return f'"same" pads {sides} (the odd one after, as TensorFlow): explicit, since it is asymmetric'
    return f"asymmetric padding {sides}: explicit"


def _torch_pad_module(pads, fill: str, *, zero_module: bool = True) -> str:
    rank = len(pads)
    if zero_module and rank == 2 and fill == "0.0":
        return f"nn.ZeroPad2d({torch_pad_tuple(pads)})"
    return f"nn.ConstantPad{rank}d({torch_pad_tuple(pads)}, {fill})"


# --------------------------------------------------------------------------- PyTorch


def _torch_padding(draft: Draft, fill: str) -> bool:
    """Symmetric padding stays in the layer ('padding'); asymmetric becomes a pad module before it."""
    pads = _pads(draft)
    if all(b == a for b, a in pads):
        draft.values["padding"] = tuple(b for b, _ in pads)
        return False
    draft.values["padding"] = (0,) * len(pads)
    draft.before.append((draft.extra("_pad"), _torch_pad_module(pads, fill)))
    return True


@adapter("pytorch", "explicit_padding", sets=("padding",))
def torch_explicit_padding(draft: Draft) -> None:
    """Sets 'padding' to PyTorch's symmetric padding; an asymmetric one (or "same" with an odd
    total) becomes a zero-pad module before the layer, explained in a comment."""
    if _torch_padding(draft, "0.0"):
        draft.notes.append(_pad_comment(draft))


@adapter("pytorch", "depthwise")
def torch_depthwise(draft: Draft) -> None:
    """A depthwise convolution is a Conv2d with groups = C: says so in a comment."""
    c, multiplier = draft.shape_in.channels, draft.values["depth_multiplier"]
    draft.notes.append(f"depthwise: groups = C = {c}, " + ("one filter per channel" if multiplier == 1 else f"{multiplier} filters per channel"))


@adapter("pytorch", "transposed_padding", sets=("padding", "output_padding"))
def torch_transposed_padding(draft: Draft) -> None:
    """Sets 'padding' and 'output_padding'. Keras "same" (out = W·S) has no PyTorch padding: the
    full output (W − 1)·S + D·(F − 1) + 1 is cropped by negative padding after the layer (the odd
    pixel at the end, as convcalc's steps place it), or grown by output_padding for a shortfall."""
    args, rank = draft.values, draft.rank
    if args["padding"] != "same":
        draft.values["padding"] = tuple(step.pad_before for step in draft.layer.outcome.axes)
        return
    crops, extra = [], []
    for k, s, d in zip(tup(args["kernel"], rank), tup(args["stride"], rank), tup(args["dilation"], rank)):
        surplus = d * (k - 1) + 1 - s
        crops.append((max(surplus, 0) // 2, max(surplus, 0) - max(surplus, 0) // 2))
        extra.append(max(-surplus, 0))
    draft.values["output_padding"] = tuple(extra)
    if all(b == a for b, a in crops):
        draft.values["padding"] = tuple(b for b, _ in crops)
        return
    draft.values["padding"] = (0,) * rank
    draft.after.append((draft.extra("_crop"), f"nn.ConstantPad{rank}d({torch_pad_tuple([(-b, -a) for b, a in crops])}, 0.0)"))
    draft.notes.append('"same": negative padding crops the surplus rows and columns')


def _torch_pool_padding(draft: Draft, fill: str, note: str) -> None:
    """Sets 'padding'; padding past what PyTorch's pools hold (asymmetric, or more than half the
    kernel) becomes an explicit pad module before the pool, filled with ``fill``."""
    kernel = tup(draft.values["kernel"], draft.rank)
    padded = _torch_padding(draft, fill)
    if not padded and any(2 * p > k for p, k in zip(draft.values["padding"], kernel)):
        draft.values["padding"] = (0,) * draft.rank
        draft.before.append((draft.extra("_pad"), _torch_pad_module(_pads(draft), fill, zero_module=False)))
        padded = True
    if padded:
        draft.notes.append(note)


@adapter("pytorch", "max_pool_padding", sets=("padding",))
def torch_max_pool_padding(draft: Draft) -> None:
    """As explicit_padding, but the pad module pads with -inf, which never wins the maximum."""
    _torch_pool_padding(draft, 'float("-inf")', "explicit padding with -inf, so that it never wins the maximum")


@adapter("pytorch", "avg_pool_padding", sets=("padding", "count_include_pad"))
def torch_avg_pool_padding(draft: Draft) -> None:
    """As explicit_padding for an average pool; sets 'count_include_pad' (False for "same", whose
    border windows average only the real values, as Keras does)."""
    kernel = tup(draft.values["kernel"], draft.rank)
    if draft.rank == 3 and any(w < k for w, k in zip(draft.shape_in.spatial, kernel)):
        # torch's avg_pool3d (not 1d/2d, not max) wants the unpadded input at least the kernel
        raise draft.fail(f"cannot export to PyTorch: its AvgPool3d refuses an input smaller than the kernel, even padded "
                         f"(input {draft.shape_in.spatial}, kernel {axes_text(kernel)})",
                         "use a kernel no larger than the input, or a zeropad3d layer before it")
    draft.values["count_include_pad"] = bool(draft.values["count_include_pad"]) and draft.values["padding"] != "same"
    _torch_pool_padding(draft, "0.0", "explicit zero padding: unlike Keras, the zeros count in the border averages")


@adapter("pytorch", "flatten_first")
def torch_flatten_first(draft: Draft) -> None:
    """A Linear layer acts on the last axis: a multi-axis input is flattened first (unless dense's axis: says which)."""
    if draft.rank and draft.values.get("axis") is None:
        draft.x = f"torch.flatten({draft.x}, 1)"
        draft.notes.append("flattened first, in (C, H, W) order" + (" (Keras flattens (H, W, C); the count is the same)" if draft.layout == "hwc" else ""))


@adapter("pytorch", "no_single_value_groups")
def torch_no_single_value_groups(draft: Draft) -> None:
    """PyTorch's GroupNorm refuses a group of one value for a batch of one ("Expected more than 1
    value per channel"), which the exported module's own run uses."""
    shape = draft.shape_in
    if (shape.channels // draft.values["groups"]) * shape.spatial_numel() == 1:
        raise draft.fail("cannot export to PyTorch: its GroupNorm refuses groups of a single value "
                         f"(C/groups = {shape.channels // draft.values['groups']} channel at 1 position)",
                         "use fewer groups, or normalise an input with more values")


@adapter("pytorch", "prelu_slopes", sets=("slopes",))
def torch_prelu_slopes(draft: Draft) -> None:
    """Sets 'slopes': num_parameters is C for one slope per channel, else 1."""
    draft.values["slopes"] = draft.shape_in.channels if draft.values["per_channel"] else 1


def _aligned(draft: Draft, shape, layout: str) -> tuple:
    """An input of fewer axes, with sizes of 1 in front (the spec's layout), written in ``layout``."""
    from ..shapes import Shape

    out = draft.layer.shape
    dims = shape.in_layout(draft.layout)
    full = (1,) * (out.rank + 1 - len(dims)) + tuple(dims)
    return Shape.from_layout(full, draft.layout).in_layout(layout)


@adapter("pytorch", "broadcast")
def torch_broadcast(draft: Draft) -> None:
    """Element-wise merges broadcast on the spec's layout, axes aligned from the last: an input with
    fewer axes is reshaped to the output's axes first (sizes of 1 in front), so that PyTorch's own
    broadcasting on (N, C, *spatial) lines up the same axes."""
    for position, shape in enumerate(draft.layer.input_shapes):
        if shape.rank < draft.layer.shape.rank:
            var = draft.inputs[position]
            dims = ", ".join(str(d) for d in _aligned(draft, shape, "chw"))
            draft.inputs[position] = f"{var}.reshape({var}.shape[0], {dims})"


# --------------------------------------------------------------------------- Keras


@adapter("keras", "broadcast")
def keras_broadcast(draft: Draft) -> None:
    """As for PyTorch: an input with fewer axes goes through a Reshape to the output's axes first."""
    for position, shape in enumerate(draft.layer.input_shapes):
        if shape.rank < draft.layer.shape.rank:
            var, name = draft.inputs[position], draft.extra("_broadcast")
            dims = _aligned(draft, shape, "hwc")
            draft.before.append(f'{name} = layers.Reshape(({", ".join(map(str, dims))}), name="{name}")({var})')
            draft.inputs[position] = name



def _keras_pad_line(draft: Draft, pads) -> None:
    name = draft.extra("_pad")
    draft.before.append(f'{name} = layers.ZeroPadding{len(pads)}D({keras_pairs(pads)}, name="{name}")({draft.x})')
    draft.x = name


def _keras_padding(draft: Draft, extra_after: list | None = None) -> None:
    if draft.values["padding"] == "same":
        draft.values["padding"] = "same"
        return
    pads = [(s.pad_before, s.pad_after + (extra_after[i] if extra_after else 0)) for i, s in enumerate(draft.layer.outcome.axes)]
    draft.values["padding"] = "valid"
    if any(b or a for b, a in pads):
        _keras_pad_line(draft, pads)


@adapter("keras", "explicit_padding", sets=("padding",))
def keras_explicit_padding(draft: Draft) -> None:
    """Sets 'padding' to "same" or "valid": Keras knows no other, so any other padding becomes a
    ZeroPadding layer before the layer."""
    _keras_padding(draft)


@adapter("keras", "no_strided_dilation")
def keras_no_strided_dilation(draft: Draft) -> None:
    """Keras convolutions refuse strides > 1 together with dilation_rate > 1 (on any axes)."""
    stride, dilation = tup(draft.values["stride"], draft.rank), tup(draft.values["dilation"], draft.rank)
    if max(stride) > 1 and max(dilation) > 1:
        raise draft.fail(
            f"cannot export to Keras: its convolutions refuse strides > 1 together with dilation_rate > 1 "
            f"(stride {axes_text(stride)}, dilation {axes_text(dilation)})",
            "export to PyTorch, or use stride 1 or dilation 1",
        )


@adapter("keras", "transposed_padding", sets=("padding",))
def keras_transposed_padding(draft: Draft) -> None:
    """Sets 'padding' ("same" or "valid") and makes Keras' output size convcalc's (refusing an
    output_padding that is not below the stride, which Keras refuses): PyTorch's padding P
    crops P per side after a full ("valid") layer, kept as '<name>_full'; and output_padding is
    written even when 0 where the dilated kernel is smaller than the stride (Keras' default then
    gives W·S, not (W − 1)·S + D·(F − 1) + 1)."""
    values, rank = draft.values, draft.rank
    if values["padding"] == "same":
        return
    kernel, dilation, stride = tup(values["kernel"], rank), tup(values["dilation"], rank), tup(values["stride"], rank)
    extra = tup(values["output_padding"], rank)
    if any(op >= s for op, s in zip(extra, stride)):  # PyTorch allows up to the dilation too
        raise draft.fail(f"cannot export to Keras: its output_padding must be smaller than the stride "
                         f"(output_padding {axes_text(extra)}, stride {axes_text(stride)})",
                         "export to PyTorch, or use an output_padding below the stride")
    if any(d * (k - 1) + 1 < s for k, d, s in zip(kernel, dilation, stride)):
        draft.always.add("output_padding")
    values["padding"] = "valid"
    crop = [step.pad_before for step in draft.layer.outcome.axes]
    if any(crop):
        full = draft.extra("_full")
        draft.out = full
        draft.after.append(f'{draft.ident} = layers.Cropping{rank}D({axes_text(tuple(crop))}, name="{draft.ident}")({full})'
                           "  # PyTorch padding P crops P per side")


def _keras_pool_padding(draft: Draft) -> None:
    """Sets 'padding'. Keras has no ceil_mode: the far side is padded just enough for the last,
    partial window; an explicit padding becomes a ZeroPadding layer (zeros, unlike PyTorch's)."""
    extra_after = None
    if draft.values["ceil_mode"] and draft.values["padding"] != "same":
        extra_after = [max((s.size_out - 1) * s.stride + s.window - (s.size_in + s.pad_before + s.pad_after), 0)
                       for s in draft.layer.outcome.axes]
    _keras_padding(draft, extra_after)
    if draft.before:
        draft.before[-1] += "  # zeros: they can win a max or lower a border average, unlike PyTorch's own padding"


adapter("keras", "max_pool_padding", "avg_pool_padding", sets=("padding",))(_keras_pool_padding)


@adapter("keras", "adaptive_as_fixed", sets=("pool_size",))
def keras_adaptive_as_fixed(draft: Draft) -> None:
    """Keras has no adaptive pooling: where the input divides evenly, sets 'pool_size' to the
    fixed window that gives the same output; otherwise refuses."""
    shape, target = draft.shape_in, draft.layer.shape.spatial
    if any(w % o for w, o in zip(shape.spatial, target)):
        raise draft.fail(f"Keras has no adaptive pooling, and {shape.spatial} does not divide into {target}",
                         "use a pooling with a fixed kernel, or export to PyTorch")
    draft.values["pool_size"] = tuple(w // o for w, o in zip(shape.spatial, target))
    draft.line_comment = "adaptive: the input divides evenly"


@adapter("keras", "flatten_first")
def keras_flatten_first(draft: Draft) -> None:
    """Keras Dense acts on the last axis only: a multi-axis input goes through Flatten first (unless axis: says which)."""
    if draft.rank and draft.values.get("axis") is None:
        var, name = draft.extra("_flat"), draft.extra("_flatten")
        draft.before.append(f'{var} = layers.Flatten(name="{name}")({draft.x})  # Dense alone would act on the last axis only')
        draft.x = var


@adapter("keras", "prelu_slopes", sets=("shared_axes",))
def keras_prelu_slopes(draft: Draft) -> None:
    """Sets 'shared_axes': every spatial axis for one slope per channel, every axis for one slope."""
    rank = draft.rank
    draft.values["shared_axes"] = list(range(1, rank + 1)) if draft.values["per_channel"] else list(range(1, rank + 2))


@adapter("keras", "tf_local_response_normalization")
def keras_tf_lrn(draft: Draft) -> None:
    """Keras has no LRN layer: a Lambda around TensorFlow's, whose alpha is per channel (PyTorch's
    alpha is divided by the size) and whose depth_radius is half the size; needs TensorFlow."""
    v = draft.values
    body = (f"tf.nn.local_response_normalization(t, depth_radius={v['size'] // 2}, bias={num(v['k'])}, "
            f"alpha={num(v['alpha'])} / {v['size']}, beta={num(v['beta'])})")
    draft.after.append(f'{draft.ident} = layers.Lambda(lambda t: {body}, name="{draft.ident}")({draft.x})'
                       "  # needs TensorFlow (import tensorflow as tf)")
    draft.imports.add("import tensorflow as tf")
