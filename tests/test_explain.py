"""--explain: each layer's arithmetic written out, checked against published worked examples.

Each row: the source of the worked example, an inline spec, the layer whose explanation is
checked, and lines that must appear in that explanation in this order. The numbers in the lines
are the published ones (the substituted formula as the source writes it).
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import ROOT, run_cli
from convcalc import analyze, spec_from_text
from convcalc.render.explain import explain_layer
from convcalc.layers import KINDS

ROWS = [
    pytest.param(
        "input 227x227x3; conv2d 96 kernel=11 stride=4", 1,
        ["H = (227 − 11 + 2·0)/4 + 1 = 55", "W = (227 − 11 + 2·0)/4 + 1 = 55", "D = K = 96",
         "weights = 11·11·3·96 = 34,848", "biases = 96", "params = 34,848 + 96 = 34,944"],
        id="CS231n notes, Real-world example: AlexNet conv1 (227-11)/4+1 = 55, 96*11*11*3 = 34,848 weights, 34,944 params",
    ),
    pytest.param(
        "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2", 1,
        ["H = (32 − 5 + 2·2)/1 + 1 = 32", "D = K = 10", "weights = 5·5·3·10 = 750", "biases = 10",
         "params = 750 + 10 = 760"],
        id="CS231n lecture 5: 32x32x3, ten 5x5 filters, stride 1, pad 2 -> 32x32x10; 5*5*3+1 = 76 per filter, 760",
    ),
    pytest.param(
        "input 32x32x3; conv2d 6 kernel=5", 1,
        ["H = (32 − 5 + 2·0)/1 + 1 = 28", "D = K = 6", "weights = 5·5·3·6 = 450"],
        id="seed 002 (blog): (N-F)/S + 1 = (32-5)/1 + 1 = 28; a 5x5x3 filter has 75 weights, 6 activation maps",
    ),
    pytest.param(
        "input 7x7x1; conv2d 1 kernel=3 padding=1", 1,
        ["H = (7 − 3 + 2·1)/1 + 1 = 7"],
        id="seed 002 (blog): a 7x7 image padded by 1 with a 3x3 filter: (9-3)/1 + 1 = 7, same as the input",
    ),
    pytest.param(
        "input 10x10x1; conv2d 1 kernel=3 stride=2", 1,
        ["H = (10 − 3 + 2·0)/2 + 1 = 4.5 → 4 (rounded down: the last window does not fit)"],
        id="CS231n notes: W=10, P=0, F=3, S=2 gives (10-3+0)/2+1 = 4.5, not an integer; PyTorch Conv2d docs floor it",
    ),
    pytest.param(
        "input 224x224x64; maxpool2d 2 stride=2", 1,
        ["H = (224 − 2 + 2·0)/2 + 1 = 112", "D = 64 (pooling keeps the depth)", "params = 0"],
        id="CS231n notes, pooling: 224x224x64 with a 2x2 filter, stride 2 -> 112x112x64",
    ),
    pytest.param(
        "input 112x112x64; maxpool2d 3 stride=2 ceil_mode=true", 1,
        ["H = (112 − 3 + 2·0)/2 + 1 = 55.5 → 56 (rounded up: ceil_mode)"],
        id="torchvision GoogLeNet maxpool1: MaxPool2d(3, stride=2, ceil_mode=True) takes 112 to 56",
    ),
    pytest.param(
        "input 9x9x1; conv2d 1 kernel=3 dilation=2", 1,
        ["H = (9 − (2·(3 − 1) + 1) + 2·0)/1 + 1 = 5"],
        id="Yu and Koltun 2016: a 3x3 kernel with dilation 2 has a 5x5 receptive field",
    ),
    pytest.param(
        "input 6x6x16; conv_transpose2d 16 kernel=3 stride=2 padding=1 output_padding=1", 1,
        ["H = (6 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 12", "D = K = 16"],
        id="PyTorch ConvTranspose2d docs example: 6x6 back to 12x12 with stride 2, padding 1 (output_size 12)",
    ),
    pytest.param(
        "input 224x224x3; conv2d 32 kernel=3 stride=2 padding=same bias=false", 1,
        ['H = 224/2 = 112 ("same": padding 0 + 1)', "weights = 3·3·3·32 = 864", "biases = 0", "params = 864"],
        id="TensorFlow 'same' padding: out = ceil(224/2) = 112, pad_along = 1, pad_top = 0, pad_bottom = 1; Keras MobileNet conv1 864",
    ),
    pytest.param(
        "input 15x15x1; maxpool2d 2 stride=2 padding=same", 1,
        ['H = ⌈15/2⌉ = ⌈7.5⌉ = 8 ("same": padding 0 + 1) (rounded up)'],
        id="TensorFlow 'same' padding: out = ceil(15/2) = 8",
    ),
    pytest.param(
        "input 27x27x96; conv2d 256 kernel=5 padding=2 groups=2", 1,
        ["H = (27 − 5 + 2·2)/1 + 1 = 27", "groups = 2: each filter sees 48 of the 96 input channels",
         "weights = 5·5·(96/2)·256 = 307,200", "params = 307,200 + 256 = 307,456"],
        id="AlexNet paper: conv2 has 256 kernels of 5x5x48, connected to the kernel maps on the same GPU",
    ),
    pytest.param(
        "input 6x6x256; flatten; dense 4096", 2,
        ["weights = 9216·4096 = 37,748,736", "biases = 4,096", "params = 37,748,736 + 4,096 = 37,752,832"],
        id="torchvision AlexNet classifier: Linear(256 * 6 * 6, 4096)",
    ),
    pytest.param(
        "input 6x6x256; dense 4096", 1,
        ["inputs = 6 × 6 × 256 = 9,216 (flattened)", "out = units = 4096"],
        id="torchvision AlexNet classifier: 256*6*6 = 9216 inputs to fc6",
    ),
    pytest.param(
        "input 112x112x32; batchnorm", 1,
        ["out = in = (112, 112, 32)", "params = 32 + 32 (γ, β) + 32 + 32 (moving mean, variance) = 128",
         "trainable = 64, non-trainable = 64"],
        id="keras.applications.MobileNet summary: conv1_bn on 32 channels has 128 params, 64 of them non-trainable",
    ),
    pytest.param(
        "input 112x112x32; depthwise_conv2d 3 padding=same bias=false", 1,
        ["D = C·M = 32·1 = 32", "weights = 3·3·32·1 = 288"],
        id="keras.applications.MobileNet summary: conv_dw_1 has 288 params",
    ),
    pytest.param(
        "input 147x147x64; separable_conv2d 128 kernel=3 padding=same bias=false", 1,
        ["weights = 3·3·64·1 + 64·1·128 = 8,768"],
        id="keras.applications.Xception summary: block2_sepconv1 has 8,768 params",
    ),
]


def _explained(spec: str, index: int) -> list[str]:
    report = analyze(spec_from_text(spec))
    return list(explain_layer(report.layers[index - 1], report.layout).lines)


@pytest.mark.parametrize("spec, index, expected", ROWS)
def test_explained_lines(spec, index, expected):
    lines = _explained(spec, index)
    positions = []
    for line in expected:
        assert line in lines, f"missing {line!r} in {lines}"
        positions.append(lines.index(line))
    assert positions == sorted(positions), "the lines are out of textbook order"


def _registry_spec(kind) -> str:
    """A small YAML spec that uses one kind of the registry, with plain values for its required arguments."""
    samples = {"filters": 4, "kernel": 1, "units": 3, "groups": 2, "output_size": 1, "shape": [-1], "size": 3}
    rank = kind.rank if kind.rank is not None else 2
    dims = [4] * rank + [4]
    args = {a.name: samples[a.name] for a in kind.args if a.required}
    if kind.min_inputs >= 2:
        return json.dumps({"input": dims, "layers": [{"relu": None, "name": "a"}, {kind.name: args or None, "from": ["input", "a"]}]})
    return json.dumps({"input": dims, "layers": [{kind.name: args or None}]})


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_explains_its_rule(name):
    """Walks the registry: every kind writes its rule, how the shape comes out, and its parameters."""
    kind = KINDS[name]
    report = analyze(spec_from_text(_registry_spec(kind), "registry.json"))
    layer = report.layers[-1]
    explained = explain_layer(layer, report.layout)
    assert explained.lines[0] == f"rule: {kind.rule}"
    assert explained.shape_lines and all(line.strip() for line in explained.shape_lines)
    assert explained.param_lines[-1].startswith("params = ") or explained.param_lines[-1].startswith("trainable = ")


def test_table_prints_the_explanation_after_the_table():
    result = run_cli("summary", "input 227x227x3; conv2d 96 kernel=11 stride=4", "--explain")
    assert result.exit_code == 0, result.stderr
    assert "1 conv2d_1 (conv2d): (227, 227, 3) → (55, 55, 96)" in result.stdout
    assert "    H = (227 − 11 + 2·0)/4 + 1 = 55" in result.stdout  # CS231n notes
    assert "    params = 34,848 + 96 = 34,944" in result.stdout


def test_explain_command_is_summary_explain():
    spec = "input 32x32x3; conv2d 10 kernel=5 padding=2"
    assert run_cli("explain", spec).stdout == run_cli("summary", spec, "--explain").stdout


def test_json_has_an_explain_list_per_layer():
    result = run_cli("explain", "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2", "--format", "json")
    data = json.loads(result.stdout)
    assert data["layers"][0]["explain"][1:] == [  # CS231n lecture 5: 32x32x10, 760 params
        "H = (32 − 5 + 2·2)/1 + 1 = 32",
        "W = (32 − 5 + 2·2)/1 + 1 = 32",
        "D = K = 10",
        "weights = 5·5·3·10 = 750",
        "biases = 10",
        "params = 750 + 10 = 760",
    ]
    assert data["layers"][1]["explain"][1] == "H = (32 − 2 + 2·0)/2 + 1 = 16"
    assert data["total_params"] == 760


def test_markdown_lists_the_lines():
    result = run_cli("summary", "input 227x227x3; conv2d 96 kernel=11 stride=4", "--explain", "-f", "markdown")
    assert "**1 conv2d_1 (conv2d): (227, 227, 3) → (55, 55, 96)**" in result.stdout
    assert "- weights = 11·11·3·96 = 34,848" in result.stdout  # CS231n notes


def test_csv_has_an_explain_column():
    result = run_cli("summary", "input 32x32x3; conv2d 10 kernel=5 padding=2", "--explain", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "weights = 5·5·3·10 = 750; biases = 10; params = 750 + 10 = 760" in rows[1]["explain"]


def test_summary_without_explain_is_unchanged():
    result = run_cli("summary", "input 32x32x3; conv2d 10 kernel=5 padding=2", "--format", "json")
    assert "explain" not in json.loads(result.stdout)["layers"][0]


def test_explain_keeps_the_columns_and_cost_options():
    """--explain adds the arithmetic to the output the other options chose; it drops none of them."""
    spec = str(ROOT / "specs" / "lenet5.yaml")
    rows = list(csv.DictReader(io.StringIO(run_cli("summary", spec, "--explain", "-f", "csv", "-c", "name,macs").stdout)))
    assert list(rows[0]) == ["name", "macs", "explain"]
    plain = json.loads(run_cli("summary", spec, "--json").stdout)
    assert [int(r["macs"]) for r in rows[1:]] == [layer["macs"] for layer in plain["layers"]]
    assert rows[1]["explain"].startswith("rule: out = ⌊(W − F_eff + 2P)/S⌋ + 1")
    batch8 = json.loads(run_cli("explain", spec, "-f", "json", "--batch", "8").stdout)
    assert batch8["memory"]["batch"] == 8
    assert [layer["activation_bytes"] for layer in batch8["layers"]] == [8 * layer["activation_bytes"] for layer in plain["layers"]]
    table = run_cli("explain", spec, "-c", "name,shape,memory", "--batch", "8").stdout
    assert "Activations" in table and "Memory (float32, 4 B per value, batch 8):" in table
