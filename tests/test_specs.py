"""The shipped specs: golden JSON, rows that add up to the totals, and the published totals."""
from __future__ import annotations

import json

import pytest

from conftest import GOLDEN, SPECS, summary_json


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_golden_json(spec, update_golden):
    """Any change in a shipped spec's output shows here; rerun with --update-golden when it is meant."""
    data = summary_json(str(spec))
    data.pop("convcalc_version")  # the release that wrote it, not the network's figures (tests/test_api.py checks it)
    golden = GOLDEN / f"{spec.stem}.json"
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file for {spec.name}: run pytest --update-golden and review the diff"
    assert text == golden.read_text(encoding="utf-8")


def _int(value):
    return value if isinstance(value, int) else None


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_rows_add_up_to_totals(spec):
    data = summary_json(str(spec))
    layers = data["layers"]
    if not all(_int(layer["params"]) is not None for layer in layers):
        pytest.skip("symbolic spec: totals are formulas")
    assert sum(layer["trainable_params"] for layer in layers) == data["trainable_params"]
    assert sum(layer["non_trainable_params"] for layer in layers) == data["non_trainable_params"]
    assert data["total_params"] == data["trainable_params"] + data["non_trainable_params"]
    for layer in layers:
        assert layer["params"] == layer["trainable_params"] + layer["non_trainable_params"]
        assert all(isinstance(d, int) and d > 0 for d in layer["output_shape"])


PUBLISHED = [
    # (spec, total, trainable, non-trainable, source)
    ("vgg16", 138_357_544, 138_357_544, 0, "torchvision docs, VGG16_Weights.IMAGENET1K_V1 num_params"),
    ("alexnet", 60_965_224, 60_965_224, 0, "Caffe bvlc_alexnet (two-GPU AlexNet with grouped conv2/4/5)"),
    ("lenet5", 61_706, 61_706, 0, "LeNet-5 with full C3 connections as commonly rebuilt (61,706 parameters)"),
    ("mobilenet_v1", 4_253_864, 4_231_976, 21_888, "keras.applications.MobileNet() summary: total/trainable/non-trainable"),
    ("audio_m5", 27_299, 26_915, 384, "PyTorch tutorial 'Speech Command Classification with torchaudio': 26915 parameters"),
]


@pytest.mark.parametrize("name, total, trainable, frozen, source", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_published_totals(name, total, trainable, frozen, source):
    from conftest import ROOT

    data = summary_json(str(ROOT / "specs" / f"{name}.yaml"))
    assert (data["total_params"], data["trainable_params"], data["non_trainable_params"]) == (total, trainable, frozen), source
