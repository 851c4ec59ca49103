"""convcalc's shapes and parameter counts against what PyTorch really builds.

Every spec in specs/ (and the branching fixtures in tests/fixtures/export/) is exported with
`convcalc export --to pytorch`, the generated module is run on a zero tensor, and every layer's
output (read from the forward's local variables) and parameters are compared with convcalc's
report. The facts come from PyTorch itself: tensor shapes, ``p.numel()`` of the parameters and
the batchnorm running_mean/running_var buffers (convcalc's non-trainable count).

A Hypothesis property test then draws random convolution/pooling configurations and builds
them directly in torch.nn (not through the exporter): torch's output shape and weight count
must equal convcalc's, and where torch refuses a configuration convcalc must raise SpecError.
Skipped when torch is absent (pip install 'convcalc[torch]').
"""
from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the PyTorch cross-check needs torch: pip install 'convcalc[torch]'")
from torch import nn  # noqa: E402

from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convcalc import SpecError, analyze, load_spec  # noqa: E402
from convcalc.frameworks.export import torch_layers  # noqa: E402
from convcalc.spec import build_spec  # noqa: E402
from export_checks import run_torch_export, running_stats  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "specs").glob("*.yaml")) + sorted((ROOT / "specs").glob("*.json"))
FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures" / "export").glob("*.yaml"))
ALL_SPECS = SHIPPED + FIXTURES


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# --------------------------------------------------------------------------- running an export


@pytest.mark.parametrize("path", ALL_SPECS, ids=_id)
def test_export_matches_torch_layer_by_layer(path):
    from convcalc.symbolic import spec_symbols, substitute

    spec = load_spec(str(path))
    symbols = spec_symbols(spec)  # a symbolic spec (the homework seed) is checked with every letter set to 12
    report = analyze(substitute(spec, {name: 12 for name in symbols}) if symbols else spec)
    realised, _ = torch_layers(report)
    model, values = run_torch_export(report, f"<export of {report.spec.source}>")
    problems = []
    owned: set[str] = set()
    for layer, item in zip(report.layers, realised):
        want_shape = tuple((1, *shape.in_layout("chw")) for shape in layer.output_shapes)  # a split: each part
        got = values.get(item.ident)
        got_shape = None if got is None else tuple(tuple(part.shape) for part in (got if isinstance(got, tuple) else (got,)))
        if got_shape != want_shape:
            problems.append(f"{layer.name}: torch shape {got_shape}, convcalc {want_shape}")
        modules = [getattr(model, attr) for attr, _ in item.modules]
        owned.update(attr for attr, _ in item.modules)
        params = sum(p.numel() for m in modules for p in m.parameters())
        stats = sum(running_stats(m) for m in modules)
        if (params, stats) != (layer.outcome.trainable, layer.outcome.non_trainable):
            problems.append(
                f"{layer.name}: torch {params} parameters + {stats} running statistics, "
                f"convcalc {layer.outcome.trainable} + {layer.outcome.non_trainable}"
            )
    assert not problems, "\n".join(problems)
    assert {name for name, _ in model.named_children()} == owned, "a module belongs to no spec layer"
    outputs = values["__output__"] if isinstance(values["__output__"], tuple) else (values["__output__"],)
    inference = [o for o in report.outputs if not o.training_only]  # the model runs in eval mode
    assert [tuple(o.shape) for o in outputs] == [(1, *o.shape.in_layout("chw")) for o in inference]
    assert sum(p.numel() for p in model.parameters()) == report.trainable_params
    assert running_stats(model) == report.non_trainable_params


def test_cross_check_sees_the_fixtures():
    # the branching fixtures must be there, or the layer-by-layer test proves less than it says
    assert {p.name for p in FIXTURES} >= {"residual_hwc.yaml", "inception_chw.yaml", "mobile_hwc.yaml"}


# --------------------------------------------------------------------------- property test

SIZE_LIMIT = {1: 14, 2: 8, 3: 6}  # tiny tensors: 500 examples run in seconds
TORCH_REFUSES = (RuntimeError, ValueError)


def _per_axis(draw, rank: int, values):
    """A scalar or one value per axis, as a spec may write it."""
    if draw(st.booleans()):
        return draw(values)
    return [draw(values) for _ in range(rank)]


def _axes(value, rank):
    return tuple(value) if isinstance(value, list) else (value,) * rank


@st.composite
def window_configs(draw):
    kind = draw(st.sampled_from(["conv", "conv_transpose", "maxpool", "avgpool"]))
    rank = draw(st.integers(1, 3))
    layout = draw(st.sampled_from(["hwc", "chw"]))
    spatial = [draw(st.integers(1, SIZE_LIMIT[rank])) for _ in range(rank)]
    args: dict = {"kernel": _per_axis(draw, rank, st.integers(1, 4))}
    if kind in ("conv", "conv_transpose"):
        groups = draw(st.integers(1, 3))
        channels = groups * draw(st.integers(1, 2)) if draw(st.integers(0, 9)) else draw(st.integers(1, 4))
        args["filters"] = groups * draw(st.integers(1, 2)) if draw(st.integers(0, 9)) else draw(st.integers(1, 4))
        args.update(groups=groups, bias=draw(st.booleans()))
        args["stride"] = _per_axis(draw, rank, st.integers(1, 3))
        args["dilation"] = _per_axis(draw, rank, st.integers(1, 3))
        if kind == "conv":
            args["padding"] = draw(st.one_of(st.just("valid"), st.just("same"), st.integers(0, 3),
                                             st.lists(st.integers(0, 3), min_size=rank, max_size=rank)))
            if args["padding"] == "same" and _axes(args["stride"], rank) != (1,) * rank:
                args["stride"] = 1  # torch's padding='same' exists for stride 1 only
        else:
            args["padding"] = _per_axis(draw, rank, st.integers(0, 3))
            args["output_padding"] = _per_axis(draw, rank, st.integers(0, 2))
    else:
        channels = draw(st.integers(1, 3))
        if draw(st.booleans()):
            args["stride"] = _per_axis(draw, rank, st.integers(1, 3))
        # mostly a padding torch accepts (at most half the kernel), sometimes any, to test refusals
        limit = min(_axes(args["kernel"], rank)) // 2 if draw(st.integers(0, 4)) else 2
        args["padding"] = _per_axis(draw, rank, st.integers(0, limit))
        args["ceil_mode"] = draw(st.booleans())
        if kind == "maxpool":
            args["dilation"] = _per_axis(draw, rank, st.integers(1, 3))
        else:
            args["count_include_pad"] = draw(st.booleans())
    return kind, rank, layout, spatial, channels, args


def torch_module(kind, rank, channels, args):
    """The same layer built directly in torch.nn from the spec's arguments."""
    k = _axes(args["kernel"], rank)
    if kind in ("conv", "conv_transpose"):
        common = dict(stride=_axes(args["stride"], rank), dilation=_axes(args["dilation"], rank),
                      groups=args["groups"], bias=args["bias"])
        if kind == "conv":
            padding = args["padding"] if args["padding"] in ("same", "valid") else _axes(args["padding"], rank)
            return getattr(nn, f"Conv{rank}d")(channels, args["filters"], k, padding=padding, **common)
        return getattr(nn, f"ConvTranspose{rank}d")(channels, args["filters"], k, padding=_axes(args["padding"], rank),
                                                    output_padding=_axes(args["output_padding"], rank), **common)
    stride = _axes(args["stride"], rank) if "stride" in args else None
    pool = dict(stride=stride, padding=_axes(args["padding"], rank), ceil_mode=args["ceil_mode"])
    if kind == "maxpool":
        return getattr(nn, f"MaxPool{rank}d")(k, dilation=_axes(args["dilation"], rank), **pool)
    return getattr(nn, f"AvgPool{rank}d")(k, count_include_pad=args["count_include_pad"], **pool)


def convcalc_layer(kind, rank, layout, spatial, channels, args):
    dims = [channels, *spatial] if layout == "chw" else [*spatial, channels]
    document = {"input": dims, "layout": layout, "layers": [{f"{kind}{rank}d": dict(args)}]}
    return analyze(build_spec(document)).layers[0]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(window_configs())
def test_random_windows_match_torch(config):
    kind, rank, layout, spatial, channels, args = config
    try:
        module = torch_module(kind, rank, channels, args)
        with torch.no_grad():
            out = module(torch.zeros(1, channels, *spatial))
        # A transposed convolution may give an empty tensor (size 0) without an error; an empty
        # activation is no usable layer, and convcalc rightly refuses it: count it as a refusal.
        torch_error = None if out.numel() else f"empty output {tuple(out.shape)}"
    except TORCH_REFUSES as exc:
        torch_error = exc
        if kind == "avgpool" and rank == 3 and any(w < k for w, k in zip(spatial, _axes(args["kernel"], rank))):
            # torch's avg_pool3d alone (not 1d/2d, not max_pool3d) wants the *unpadded* input to be
            # at least the kernel: "input image ... smaller than kernel size". A quirk of that one
            # kernel's checks, not a size rule, so convcalc does not copy it.
            return
    try:
        layer = convcalc_layer(kind, rank, layout, spatial, channels, args)
    except SpecError as exc:
        assert torch_error is not None, f"convcalc refused what torch computes: {exc}"
        event(f"{kind}: both refuse")
        return
    event(f"{kind}{rank}d: shapes compared")
    assert torch_error is None, f"torch refused ({torch_error}) but convcalc computed {layer.shape}"
    assert tuple(out.shape[1:]) == layer.shape.in_layout("chw")
    assert sum(p.numel() for p in module.parameters()) == layer.outcome.trainable
