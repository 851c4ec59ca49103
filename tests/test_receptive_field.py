"""Receptive fields (issue 5): the google-research table, and brute force through PyTorch autograd.

The recursion is Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
Networks" (Distill, 2019). Its published values for TF-Slim networks come from the table of the
google-research/receptive_field repository (RECEPTIVE_FIELD_TABLE.md, resolution "None" rows:
RF, effective stride, effective padding). The brute force asks PyTorch which input positions get
a non-zero gradient from one output unit, in small random networks whose weights are positive
constants (so no gradient cancels) and whose input is all ones (so every ReLU passes).
"""
from __future__ import annotations

import random

import pytest

from convcalc import analyze, summarize
from convcalc.costs import receptive_fields
from convcalc.errors import SpecError
from convcalc.spec import build_spec

# --------------------------------------------------------------------------- published table

SAME3 = "kernel=3 padding=1"  # TF "SAME" for a 3x3 stride-1 convolution
VGG16 = [("conv1_1", SAME3), ("conv1_2", SAME3), ("pool1", "pool"), ("conv2_1", SAME3), ("conv2_2", SAME3), ("pool2", "pool"),
         ("conv3_1", SAME3), ("conv3_2", SAME3), ("conv3_3", SAME3), ("pool3", "pool"), ("conv4_1", SAME3), ("conv4_2", SAME3),
         ("conv4_3", SAME3), ("pool4", "pool"), ("conv5_1", SAME3), ("conv5_2", SAME3), ("conv5_3", SAME3), ("pool5", "pool")]
VGG_A = [("conv1_1", SAME3), ("pool1", "pool"), ("conv2_1", SAME3), ("pool2", "pool"), ("conv3_1", SAME3), ("conv3_2", SAME3),
         ("pool3", "pool"), ("conv4_1", SAME3), ("conv4_2", SAME3), ("pool4", "pool"), ("conv5_1", SAME3), ("conv5_2", SAME3),
         ("pool5", "pool")]
ALEXNET_V2 = [("conv1", "kernel=11 stride=4"), ("pool1", "pool3"), ("conv2", "kernel=5 padding=same"), ("pool2", "pool3"),
              ("conv3", "kernel=3 padding=same"), ("conv4", "kernel=3 padding=same"), ("conv5", "kernel=3 padding=same"),
              ("pool5", "pool3")]


def _inline(layers) -> str:
    parts = ["input 3x224x224 layout=chw"]
    for name, how in layers:
        if how == "pool":
            parts.append(f"maxpool2d 2 name={name}")
        elif how == "pool3":
            parts.append(f"maxpool2d 3 stride=2 name={name}")
        else:
            parts.append(f"conv2d 8 {how} name={name}")
    return "; ".join(parts)


TABLE = [
    # (network, end-point, RF, effective stride, effective padding): RECEPTIVE_FIELD_TABLE.md, resolution None
    ("vgg_16", "conv1_1", 3, 1, 1), ("vgg_16", "pool1", 6, 2, 2), ("vgg_16", "conv2_1", 10, 2, 4),
    ("vgg_16", "pool2", 16, 4, 6), ("vgg_16", "conv3_1", 24, 4, 10), ("vgg_16", "conv3_2", 32, 4, 14),
    ("vgg_16", "pool3", 44, 8, 18), ("vgg_16", "conv4_1", 60, 8, 26), ("vgg_16", "conv4_2", 76, 8, 34),
    ("vgg_16", "pool4", 100, 16, 42), ("vgg_16", "conv5_1", 132, 16, 58), ("vgg_16", "conv5_2", 164, 16, 74),
    ("vgg_16", "pool5", 212, 32, 90),
    ("vgg_a", "conv1_1", 3, 1, 1), ("vgg_a", "pool1", 4, 2, 1), ("vgg_a", "conv2_1", 8, 2, 3), ("vgg_a", "pool2", 10, 4, 3),
    ("vgg_a", "conv3_1", 18, 4, 7), ("vgg_a", "conv3_2", 26, 4, 11), ("vgg_a", "pool3", 30, 8, 11),
    ("vgg_a", "conv4_1", 46, 8, 19), ("vgg_a", "conv4_2", 62, 8, 27), ("vgg_a", "pool4", 70, 16, 27),
    ("vgg_a", "conv5_1", 102, 16, 43), ("vgg_a", "conv5_2", 134, 16, 59), ("vgg_a", "pool5", 150, 32, 59),
    ("alexnet_v2", "conv1", 11, 4, 0), ("alexnet_v2", "pool1", 19, 8, 0), ("alexnet_v2", "conv2", 51, 8, 16),
    ("alexnet_v2", "conv3", 99, 16, 32), ("alexnet_v2", "conv4", 131, 16, 48), ("alexnet_v2", "conv5", 163, 16, 64),
    ("alexnet_v2", "pool5", 195, 32, 64),
]
NETWORKS = {"vgg_16": VGG16, "vgg_a": VGG_A, "alexnet_v2": ALEXNET_V2}


@pytest.mark.parametrize("net, end_point, size, stride, padding", TABLE,
                         ids=[f"google-research-receptive_field-table-{t[0]}-{t[1]}" for t in TABLE])
def test_published_receptive_fields(net, end_point, size, stride, padding):
    report = summarize(_inline(NETWORKS[net]))
    fields = dict(zip((layer.name for layer in report.layers), receptive_fields(report)))
    for axis in fields[end_point]:
        assert (axis.size, axis.jump, axis.effective_padding, axis.exact) == (size, stride, padding, True)


def test_no_field_after_flatten_or_dense():
    report = summarize("input 16x16x3; conv2d 4 kernel=3; flatten; dense 10; relu")
    assert receptive_fields(report)[1:] == (None, None, None)


# --------------------------------------------------------------------------- brute force


def _conv_args(rng, rank, transposed=False):
    k = tuple(rng.randint(1, 5) for _ in range(rank))
    s = tuple(rng.randint(1, 3) for _ in range(rank))
    d = tuple(rng.randint(1, 3) for _ in range(rank))
    p = tuple(rng.randint(0, (kk - 1) * dd) for kk, dd in zip(k, d))
    layer = {"kind": "transposed" if transposed else "conv", "k": k, "s": s, "p": p, "d": d}
    if transposed:
        layer["op"] = tuple(rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d))
    return layer


def _random_layer(rng, rank, transposed):
    kinds = ["conv", "conv", "pool", "zeropad", "relu"] + (["transposed", "upsample"] if transposed else [])
    kind = rng.choice(kinds)
    if kind in ("conv", "transposed"):
        return _conv_args(rng, rank, kind == "transposed")
    if kind == "pool":
        k = tuple(rng.randint(2, 4) for _ in range(rank))
        return {"kind": rng.choice(["maxpool", "avgpool"]), "k": k, "s": tuple(rng.randint(1, 3) for _ in range(rank)),
                "p": tuple(rng.randint(0, kk // 2) for kk in k)}
    if kind == "zeropad":
        return {"kind": "zeropad", "pads": tuple((rng.randint(0, 3), rng.randint(0, 3)) for _ in range(rank))}
    if kind == "upsample":
        return {"kind": "upsample", "scale": tuple(rng.randint(2, 3) for _ in range(rank))}
    return {"kind": "relu"}


def _same_size_branch(rng, rank):
    """Layers that keep the spatial size, some of them off-centre (asymmetric zero padding)."""
    layers = []
    for _ in range(rng.randint(0, 2)):
        k = tuple(rng.randint(1, 5) for _ in range(rank))
        if rng.random() < 0.5:
            befores = tuple(rng.randint(0, kk - 1) for kk in k)
            layers.append({"kind": "zeropad", "pads": tuple((b, kk - 1 - b) for b, kk in zip(befores, k))})
            layers.append({"kind": "conv", "k": k, "s": (1,) * rank, "p": (0,) * rank, "d": (1,) * rank})
        else:
            k = tuple(kk | 1 for kk in k)
            d = tuple(rng.randint(1, 2) for _ in range(rank))
            layers.append({"kind": "conv", "k": k, "s": (1,) * rank, "p": tuple(dd * (kk - 1) // 2 for kk, dd in zip(k, d)), "d": d})
    return layers


def random_network(rng, rank, transposed=False, branches=False):
    layers = [_random_layer(rng, rank, transposed) for _ in range(rng.randint(2, 5))]
    if transposed:  # at least one layer that upsamples
        upsampling = _conv_args(rng, rank, True) if rng.random() < 0.7 else {"kind": "upsample", "scale": tuple(rng.randint(2, 3) for _ in range(rank))}
        layers.insert(rng.randint(0, len(layers)), upsampling)
    if branches:
        at = rng.randint(0, len(layers))
        merge = {"kind": "branch", "merge": rng.choice(["add", "concat"]),
                 "a": _same_size_branch(rng, rank), "b": _same_size_branch(rng, rank)}
        layers.insert(at, merge)
        layers.append(_conv_args(rng, rank))
    return layers


def _one(value):
    return value[0] if len(value) == 1 else list(value)


def build(layers, size, rank):
    """The convcalc document and the equivalent torch module, from one list of layer descriptions."""
    import torch
    from torch import nn

    conv, convt = (nn.Conv1d, nn.ConvTranspose1d) if rank == 1 else (nn.Conv2d, nn.ConvTranspose2d)
    avg = nn.AvgPool1d if rank == 1 else nn.AvgPool2d
    entries, counter = [], [0]

    def name():
        counter[0] += 1
        return f"n{counter[0]}"

    def chain(descs, source, channels):
        """Add the layers after `source`; return (last name, channels, a torch function)."""
        steps = []
        for desc in descs:
            kind, label = desc["kind"], name()
            if kind in ("conv", "transposed"):
                args = {"filters": 2, "kernel": _one(desc["k"]), "stride": _one(desc["s"]), "padding": _one(desc["p"]),
                        "dilation": _one(desc["d"])}
                if kind == "conv":
                    module = conv(channels, 2, desc["k"], desc["s"], desc["p"], dilation=desc["d"])
                    entries.append({f"conv{rank}d": args, "name": label, "from": source})
                else:
                    args["output_padding"] = _one(desc["op"])
                    module = convt(channels, 2, desc["k"], desc["s"], desc["p"], desc["op"], dilation=desc["d"])
                    entries.append({f"conv_transpose{rank}d": args, "name": label, "from": source})
                module = module.double()
                with torch.no_grad():
                    module.weight.fill_(0.1)
                    module.bias.zero_()
                channels = 2
            elif kind in ("maxpool", "avgpool"):
                entries.append({f"{kind}{rank}d": {"kernel": _one(desc["k"]), "stride": _one(desc["s"]),
                                                  "padding": _one(desc["p"])}, "name": label, "from": source})
                module = avg(desc["k"], desc["s"], desc["p"])  # a max pool's field, without its one-hot gradient
            elif kind == "zeropad":
                pads = desc["pads"]
                entries.append({f"zeropad{rank}d": {"padding": list(pads[0]) if rank == 1 else [list(p) for p in pads]},
                                "name": label, "from": source})
                flat = [v for pair in reversed(pads) for v in pair]  # torch pads the last axis first
                module = (nn.ConstantPad1d if rank == 1 else nn.ConstantPad2d)(tuple(flat), 0.0)
            elif kind == "upsample":
                entries.append({f"upsample{rank}d": {"scale": _one(desc["scale"])}, "name": label, "from": source})
                module = nn.Upsample(scale_factor=desc["scale"], mode="nearest")
            elif kind == "relu":
                entries.append({"relu": None, "name": label, "from": source})
                module = nn.ReLU()
            else:  # a branch: two same-size paths from `source`, then add or concat
                a, ca, fa = chain(desc["a"], source, channels)
                b, cb, fb = chain(desc["b"], source, channels)
                merge = desc["merge"] if ca == cb else "concat"
                entries.append({merge: None, "name": label, "from": [a, b]})
                module = (lambda fa, fb, merge: lambda x: (fa(x) + fb(x)) if merge == "add" else torch.cat([fa(x), fb(x)], 1))(fa, fb, merge)
                channels = ca if merge == "add" else ca + cb
            steps.append(module)
            source = label

        def run(x, steps=tuple(steps)):
            for step in steps:
                x = step(x)
            return x

        return source, channels, run

    _, _, forward = chain(layers, "input", 1)
    document = {"input": [1, *size], "layout": "chw", "layers": entries}
    return document, forward


def touched(forward, size, axis, unit):
    """The lowest and highest input position along `axis` whose gradient from the output units at
    position `unit` of that axis is non-zero (the other axes summed: windows are separable)."""
    import torch

    x = torch.ones(1, 1, *size, dtype=torch.float64, requires_grad=True)
    forward(x)[0, 0].select(axis, unit).sum().backward()
    nonzero = (x.grad[0, 0] != 0).nonzero()
    if len(nonzero) == 0:
        return None  # e.g. a gap between the windows of a transposed convolution with stride > kernel
    return int(nonzero[:, axis].min()), int(nonzero[:, axis].max())


def _analyse(layers, size, rank):
    document, forward = build(layers, size, rank)
    report = analyze(build_spec(document))
    return report, forward


CASES = [(seed, 1, False, False) for seed in range(12)] + [(seed, 2, False, False) for seed in range(4)] \
    + [(seed, 1, False, True) for seed in range(8)] + [(seed, 2, False, True) for seed in range(3)] \
    + [(seed, 1, True, False) for seed in range(12)] + [(seed, 2, True, False) for seed in range(3)] \
    + [(seed, 1, True, True) for seed in range(6)]


@pytest.mark.parametrize("seed, rank, transposed, branches", CASES,
                         ids=[f"{'branchy-' if c[3] else ''}{'transposed-' if c[2] else ''}{c[1]}d-seed{c[0]}" for c in CASES])
def test_brute_force_against_torch_gradients(seed, rank, transposed, branches):
    torch = pytest.importorskip("torch")
    rng = random.Random(f"{seed}-{rank}-{transposed}-{branches}")
    for _ in range(100):  # draw until a network fits its input
        layers = random_network(rng, rank, transposed, branches)
        try:
            report, _ = _analyse(layers, (24,) * rank, rank)
        except SpecError:
            continue
        field = receptive_fields(report)[-1]
        if field is None:
            continue
        # an input long enough that some units see neither border nor any layer's dropped remainder
        size = tuple(int(max(24, 4 * f.size + 4 * f.jump + 8)) for f in field)
        try:
            report, forward = _analyse(layers, size, rank)
        except SpecError:
            continue
        break
    else:
        pytest.fail("no valid random network drawn")
    field = receptive_fields(report)[-1]
    out_shape = tuple(report.layers[-1].shape.spatial)
    with torch.no_grad():
        assert tuple(forward(torch.ones(1, 1, *size, dtype=torch.float64)).shape[2:]) == out_shape
    checked = 0
    for axis, f in enumerate(field):
        units = [u for u in range(out_shape[axis])
                 if f.start + u * f.jump >= 0 and f.start + u * f.jump + 2 * f.size - 1 <= size[axis] - 1]
        for unit in units[:: max(1, len(units) // 12)]:  # units whose field reaches no border nor dropped remainder
            low = f.start + unit * f.jump
            high = low + f.size - 1
            seen = touched(forward, size, axis, unit)
            assert seen is not None or not f.exact, (layers, axis, unit)
            if seen is None:
                continue
            if f.exact:
                assert seen == (low, high), (layers, axis, unit)
            else:  # after a transposed or upsampling layer the figures bound every unit's field
                assert low <= seen[0] and seen[1] <= high, (layers, axis, unit)
            checked += 1
    assert checked > 0
