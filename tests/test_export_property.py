"""Export validity, by property: random valid networks exported to PyTorch and Keras either run
with convcalc's shape and counts at every layer, or are refused with a message naming the layer.

The facts come from the frameworks (see export_checks.py). Fast by default (a few dozen
networks); CONVCALC_FUZZ_EXAMPLES=N runs N of them for a longer hunt.
"""
from __future__ import annotations

import importlib.util
import os
import re

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from convcalc import SpecError, analyze
from convcalc.arith import is_int
from convcalc.frameworks.export import export
from convcalc.layers import KINDS
from convcalc.spec import build_spec
from export_checks import keras_mismatches, need_keras, need_torch, torch_mismatches

EXAMPLES = int(os.environ.get("CONVCALC_FUZZ_EXAMPLES", "0")) or 40
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
REFUSALS = re.compile(r"cannot export to (PyTorch|Keras)|Keras (has no|pooling layers have no|transposed convolutions have no)")

# Plausible values per argument checker (by its function's name), then per argument name.
BY_CHECKER = {
    "positive": st.integers(1, 4),
    "sizes": st.one_of(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=1, max_size=3)),
    "offsets": st.one_of(st.integers(0, 1), st.lists(st.integers(0, 1), min_size=1, max_size=3)),
    "padding": st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid"]), st.lists(st.integers(0, 2), min_size=1, max_size=3),
                         st.lists(st.lists(st.integers(0, 2), min_size=2, max_size=2), min_size=1, max_size=3)),
    "flag": st.booleans(),
    "rate": st.sampled_from([0.0, 0.25, 0.5]),
    "number": st.sampled_from([0.001, 0.1, 0.5, 1.0, 2.0]),
    "non_negative_number": st.sampled_from([0.0, 1e-5, 0.001, 0.1]),
    "proportion": st.sampled_from([0.0, 0.01, 0.1, 0.9, 1.0]),
    "integer": st.integers(-4, 3),
    "optional_integer": st.one_of(st.none(), st.integers(-4, 3)),
    "dims": st.just([-1]),
    "axis_or_channels": st.one_of(st.none(), st.just("channels"), st.integers(-3, 2)),
    "axis_order": st.permutations([0, 1, 2]),
    "interpolation": st.sampled_from(["nearest", "linear", "bilinear", "bicubic", "area"]),
    "layer_name": st.just("input"),
}
BY_NAME = {
    "groups": st.sampled_from([1, 1, 2]),
    "filters": st.sampled_from([2, 4, 6]),
    "output_size": st.one_of(st.integers(1, 3), st.lists(st.integers(1, 3), min_size=1, max_size=3)),
    "scale": st.one_of(st.integers(1, 3), st.lists(st.integers(1, 2), min_size=1, max_size=3)),
}
RANK_AFTER = {"flatten": 0, "dense": 0, "global_avgpool": 0, "global_maxpool": 0, "reshape": 0}


@st.composite
def exportable_networks(draw):
    rank = draw(st.integers(0, 3))
    spatial = [draw(st.integers(4, 10 if rank < 3 else 6)) for _ in range(rank)]
    channels = draw(st.sampled_from([1, 2, 4, 6]))
    layout = draw(st.sampled_from(["hwc", "chw"]))
    names, layers = ["input"], []
    for index in range(draw(st.integers(1, 7))):
        usable = sorted(name for name, kind in KINDS.items() if kind.rank in (None, rank))
        kind = KINDS[draw(st.sampled_from(usable))]
        args = {}
        for arg in kind.args:
            if arg.required or draw(st.booleans()):
                args[arg.name] = draw(BY_NAME[arg.name] if arg.name in BY_NAME else BY_CHECKER[arg.parse.__name__])
        entry = {kind.name: args or None, "name": f"l{index}"}
        if kind.min_inputs > 1:
            entry["from"] = [names[-1], draw(st.sampled_from(names))]
        elif len(names) > 2 and draw(st.integers(0, 4)) == 0:  # a branch from an earlier layer
            entry["from"] = [draw(st.sampled_from(names[:-1]))]
        layers.append(entry)
        names.append(f"l{index}")
        rank = RANK_AFTER.get(kind.name, rank)
    dims = [channels, *spatial] if layout == "chw" else [*spatial, channels]
    return {"input": dims, "layout": layout, "layers": layers}


def _valid_report(document):
    try:
        report = analyze(build_spec(document))
    except SpecError:
        assume(False)
    assume(all(is_int(layer.outcome.params) for layer in report.layers))
    return report


def _exported_or_refused(report, target: str) -> bool:
    try:
        code = export(report, target)
    except SpecError as error:
        assert REFUSALS.search(str(error)), f"export to {target} failed with an unexpected message: {error}"
        event(f"{target}: refused")
        return False
    if "import tensorflow" in code and importlib.util.find_spec("tensorflow") is None:
        event(f"{target}: needs TensorFlow, not installed")
        return False
    return True


@SETTINGS
@given(exportable_networks())
def test_random_networks_export_to_pytorch_and_run(document):
    need_torch()
    report = _valid_report(document)
    if _exported_or_refused(report, "pytorch"):
        event("pytorch: ran")
        assert torch_mismatches(report) == [], document


@SETTINGS
@given(exportable_networks())
def test_random_networks_export_to_keras_and_build(document):
    need_keras()
    report = _valid_report(document)
    if _exported_or_refused(report, "keras"):
        event("keras: built")
        assert keras_mismatches(report) == [], document
