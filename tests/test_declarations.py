"""A layer kind is one declaration: a toy kind added in one class here works in every command, and a
walk of the registry checks every kind's PyTorch and Keras counterparts.

The facts come from the frameworks themselves: the exported modules are run under torch (and Keras
on its torch backend, when installed) and their output shapes and parameter counts are compared
with convcalc's; the toy's MACs with torch's FlopCounterMode (which counts 2 FLOPs per
multiply-accumulate).
"""
from __future__ import annotations

import json
import re

import pytest
from conftest import run_cli
from export_checks import keras_mismatches, need_torch, torch_mismatches

from convcalc import analyze, load_spec
from convcalc.arith import dot
from convcalc.layers import (
    KINDS,
    Arg,
    LayerKind,
    Outcome,
    flag,
    positive,
    register,
    sliding_window,
)
from convcalc.layers import registry as registry_module
from convcalc.layers.counterparts import (
    ALWAYS,
    FACTS,
    Counterpart,
    NoCounterpart,
    Param,
    PerRank,
    counterpart,
    for_rank,
    framework_names,
)
from convcalc.shapes import Shape


class ToyPatchify2D(LayerKind):
    """A vision transformer's patch embedding: non-overlapping p×p patches, each projected to dim channels."""

    name, rank = "toy_patchify2d", 2
    aliases = ("toypatchembed",)
    category, window_reach = "conv", "all"
    primary = "dim"
    args = (Arg("dim", positive, doc="channels of each patch's embedding"), Arg("patch", positive, 4, "patch side p"),
            Arg("bias", flag, True, "one bias per channel"))
    summary = "patch embedding: p×p patches, each a dim-vector (a convolution with kernel = stride = p)"
    rule = "out = ⌊W/p⌋ per axis; depth = dim; weights = p·p·C·dim, biases = dim"
    pytorch = counterpart("nn.Conv2d", Param("in_channels", "in.channels", positional=True), Param("out_channels", "dim", positional=True),
                          Param("kernel_size", "patch"), Param("stride", "patch"), Param("bias", "bias", True))
    keras = counterpart("Conv2D", Param("filters", "dim", positional=True), Param("kernel_size", "patch", positional=True),
                        Param("strides", "patch"), Param("use_bias", "bias", True))
    onnx = ("Conv",)
    macs_rule, receptive_field = "output positions × p·p·C·dim", "window"  # FLOPs: the default, 2·MACs + bias adds

    def infer(self, args, inputs, ctx):
        shape = self.check_inputs(inputs, ctx)
        p, dim = args["patch"], args["dim"]
        steps = sliding_window(shape, {"kernel": p, "stride": p, "padding": 0}, ctx)
        out = Shape(tuple(s.size_out for s in steps), dim)
        weights = p * p * shape.channels * dim
        biases = dim if args["bias"] else 0
        terms = dot(p, p, shape.channels, dim)
        return Outcome(out, weights, biases, param_terms=f"{terms} + {dim}" if biases else terms, axes=steps,
                       notes=(f"D = dim = {dim}",), macs=out.spatial_numel() * weights, weight_terms=terms)


@pytest.fixture
def toy_kind():
    """Registers the toy kind for one test and takes it out again."""
    saved = (dict(KINDS), dict(registry_module._LOOKUP), {k: dict(v) for k, v in registry_module._FAMILIES.items()})
    register(ToyPatchify2D)
    yield KINDS["toy_patchify2d"]
    KINDS.clear(), KINDS.update(saved[0])
    registry_module._LOOKUP.clear(), registry_module._LOOKUP.update(saved[1])
    registry_module._FAMILIES.clear(), registry_module._FAMILIES.update(saved[2])


TOY = "input 32x32x3; toy_patchify2d 16; relu; toypatchembed 8 patch=2 bias=false"


# --------------------------------------------------------------------------- the toy kind, everywhere


def test_toy_kind_in_summary_json_matches_torch(toy_kind):
    torch = need_torch()
    from torch.utils.flop_counter import FlopCounterMode

    data = json.loads(run_cli("summary", TOY, "--format", "json").stdout)
    modules = [torch.nn.Conv2d(3, 16, kernel_size=4, stride=4), torch.nn.ReLU(), torch.nn.Conv2d(16, 8, 2, stride=2, bias=False)]
    x = torch.zeros(1, 3, 32, 32)
    for module, layer in zip(modules, data["layers"]):
        with FlopCounterMode(display=False) as counter:
            x = module(x)
        assert layer["output_shape"] == [x.shape[2], x.shape[3], x.shape[1]]  # hwc
        assert layer["params"] == sum(p.numel() for p in module.parameters())
        assert 2 * layer["macs"] == counter.get_total_flops()
    assert [layer["type"] for layer in data["layers"]] == ["toy_patchify2d", "relu", "toy_patchify2d"]
    # without a bias, the declared default FLOPs (2·MACs) are FlopCounterMode's count itself
    assert data["layers"][2]["flops"] == counter.get_total_flops()
    # a window of 4 then 2 (stride 4 then 2): every unit sees its own 8×8 patch of the input
    assert [(f["size"], f["jump"], f["start"]) for f in data["layers"][2]["receptive_field"]] == [(8, 8, 0)] * 2


def test_toy_kind_in_the_table_and_explain(toy_kind):
    table = run_cli("summary", TOY)
    assert table.exit_code == 0, table.stderr
    assert "toy_patchify2d_1" in table.stdout and "(8, 8, 16)" in table.stdout
    explained = run_cli("explain", TOY)
    assert explained.exit_code == 0, explained.stderr
    # the toy's own rule, and the sliding-window arithmetic of CS231n's notes: (32 − 4)/4 + 1 = 8
    assert f"rule: {ToyPatchify2D.rule}" in explained.stdout
    assert "H2 = (32 − 4 + 2·0)/4 + 1 = 8" in explained.stdout


def test_toy_kind_is_drawn(toy_kind, tmp_path):
    pytest.importorskip("drawsvg", reason="draw is an optional extra")
    result = run_cli("draw", TOY)
    assert result.exit_code == 0, result.stderr
    assert "toy_patchify2d_1" in result.stdout and result.stdout.lstrip().startswith("<")


def test_toy_kind_exports_to_pytorch_and_runs(toy_kind):
    assert torch_mismatches(analyze(load_spec(TOY))) == []


def test_toy_kind_exports_to_keras_and_builds(toy_kind):
    assert keras_mismatches(analyze(load_spec(TOY))) == []


# --------------------------------------------------------------------------- the registry walk


def _declarations(kind, framework):
    declared = getattr(kind, framework)
    if isinstance(declared, PerRank):
        return [c for _, c in declared.by_rank] + [declared.otherwise]
    return [declared]


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_declares_its_counterpart(name, framework):
    """A counterpart, or an explicit 'no counterpart' with its reason; every argument read from
    somewhere real: an argument of the kind, a fact, or a value one of its adapters sets."""
    from convcalc.frameworks.adapters import ADAPTERS, SETS
    from convcalc.frameworks.draft import FORMS

    kind = KINDS[name]
    for declared in _declarations(kind, framework):
        assert isinstance(declared, (Counterpart, NoCounterpart)), f"{name} declares no {framework} counterpart"
        if isinstance(declared, NoCounterpart):
            assert declared.reason
            continue
        assert declared.modules or declared.call != "{chain}" or declared.adapters or declared.function, "writes nothing"
        if framework == "keras" and declared.function:  # a Lambda around a function the exported code defines
            from convcalc.frameworks.adapters_blocks import KERAS_FUNCTIONS

            assert f"def {declared.function}(" in KERAS_FUNCTIONS[declared.function]
        assert set(declared.adapters) <= set(ADAPTERS[framework]), "an adapter that does not exist"
        known = {a.name for a in kind.args} | set(FACTS) | {v for a in declared.adapters for v in SETS[framework][a]}
        params = [p for m in declared.modules for p in m.params] + list(declared.params)
        for param in params:
            assert param.form in FORMS, param
            assert param.source or param.literal is not None, param
            assert all(part in known for part in param.source.split("*") if param.source), f"{param.name}: unknown source {param.source}"
        for need in declared.requires:
            assert need.source in known and need.reason


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_declares_its_costs(name):
    """FLOPs rule in words and a receptive-field behaviour costs.py knows; the docs' table has the kind once."""
    from convcalc.costs import FIELD_RULES, FLOP_RULES

    kind = KINDS[name]
    assert kind.receptive_field in FIELD_RULES
    assert kind.macs_rule and kind.flops_text
    rows = [row for row in FLOP_RULES if row[1:] == (kind.macs_rule, kind.flops_text)]
    assert len(rows) == 1


@pytest.mark.parametrize("framework", ["pytorch", "keras"])
def test_plain_declarations_read_backwards(framework):
    """The importer's view: each constructor or function name (rank filled in) leads back to the kind."""
    table = framework_names(framework)
    for name, kind in KINDS.items():
        for rank in [kind.rank] if kind.rank is not None else [0, 1, 2, 3]:
            declared = for_rank(getattr(kind, framework), rank)
            if not isinstance(declared, Counterpart) or (declared.ranks and rank not in declared.ranks):
                continue
            if declared.modules:
                text = declared.modules[0].name.replace("{rank}", str(rank))
            elif declared.function:
                text = declared.function
            else:
                continue  # written by adapters alone (the Keras Lambda of LRN): nothing to read back
            assert name in [kind_name for kind_name, _ in table.get(text, [])], (name, rank, text)


SAMPLES = {"filters": 4, "kernel": 3, "units": 3, "groups": 2, "output_size": 2, "shape": [-1], "size": 3, "order": [1, 0, 2]}


def _walk_spec(kind) -> dict:
    rank = kind.rank if kind.rank is not None else 2
    dims = [8] * rank + [4]
    args = {a.name: SAMPLES[a.name] for a in kind.args if a.required}
    if kind.min_inputs >= 2:
        return {"input": dims, "layers": [{"relu": None, "name": "a"}, {kind.name: args or None, "from": ["input", "a"]}]}
    return {"input": dims, "layers": [{kind.name: args or None}]}


def _report(kind):
    from convcalc.spec import build_spec

    return analyze(build_spec(_walk_spec(kind)))


def _refused(target: str, report) -> str | None:
    """The refusal's message when export declines this layer, else None."""
    from convcalc import SpecError
    from convcalc.frameworks.export import export

    try:
        export(report, target)
    except SpecError as error:
        return str(error)
    return None


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_exports_to_pytorch_and_runs(name):
    report = _report(KINDS[name])
    refusal = _refused("pytorch", report)
    if refusal is not None:
        assert "cannot export to PyTorch" in refusal
        return
    assert torch_mismatches(report) == []


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_exports_to_keras_and_builds(name):
    report = _report(KINDS[name])
    refusal = _refused("keras", report)
    if refusal is not None:
        assert re.search("cannot export to Keras|Keras has no", refusal), refusal
        return
    assert keras_mismatches(report) == []


def test_no_counterpart_refuses_naming_the_layer(toy_kind, monkeypatch):
    monkeypatch.setattr(ToyPatchify2D, "keras", NoCounterpart("Keras has no patch embedding layer", "export to PyTorch"))
    result = run_cli("export", TOY, "--to", "keras")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("convcalc: error: layer 1 'toy_patchify2d_1' (toy_patchify2d): cannot export to Keras: "
                             "Keras has no patch embedding layer; export to PyTorch\n")


def test_always_is_a_sentinel_that_prints_its_name():
    assert repr(ALWAYS) == "ALWAYS" and Param("p").default is ALWAYS
