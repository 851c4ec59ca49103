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
        ["legend: H1×W1×D1 = 227×227×3 input; K = 96 filters; F = 11 filter size; S = 4 stride; P = 0 padding",
         "H2 = (227 − 11 + 2·0)/4 + 1 = 55", "W2 = (227 − 11 + 2·0)/4 + 1 = 55",
         "D2 = K = 96: one feature map per filter, each summed over all 3 input channels",
         "each filter is 11·11·3 = 363 weights, spanning all 3 input channels",
         "weights = 11·11·3·96 = 34,848", "biases = 96", "params = 34,848 + 96 = 34,944"],
        id="CS231n notes, Real-world example: AlexNet conv1 (227-11)/4+1 = 55, 11*11*3 = 363 weights per neuron, 34,944 params",
    ),
    pytest.param(
        "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2", 1,
        ["H2 = (32 − 5 + 2·2)/1 + 1 = 32", "D2 = K = 10: one feature map per filter, each summed over all 3 input channels",
         "each filter is 5·5·3 = 75 weights, spanning all 3 input channels",
         "weights = 5·5·3·10 = 750", "biases = 10", "params = 750 + 10 = 760"],
        id="CS231n lecture 5: 32x32x3, ten 5x5 filters, stride 1, pad 2 -> 32x32x10; 5*5*3+1 = 76 per filter, 760",
    ),
    pytest.param(
        "input 16x16x20; conv2d 8 kernel=3", 1,
        ["each filter is 3·3·20 = 180 weights, spanning all 20 input channels"],
        id="CS231n notes, Example 2: a 16x16x20 input and a 3x3 receptive field: 3*3*20 = 180 connections per neuron",
    ),
    pytest.param(
        "input 32x32x3; conv2d 6 kernel=5", 1,
        ["H2 = (32 − 5 + 2·0)/1 + 1 = 28", "D2 = K = 6: one feature map per filter, each summed over all 3 input channels",
         "each filter is 5·5·3 = 75 weights, spanning all 3 input channels", "weights = 5·5·3·6 = 450"],
        id="seed 002 (blog): (N-F)/S + 1 = (32-5)/1 + 1 = 28; a 5x5x3 filter has 75 weights, 6 activation maps",
    ),
    pytest.param(
        "input 7x7x1; conv2d 1 kernel=3 padding=1", 1,
        ["H2 = (7 − 3 + 2·1)/1 + 1 = 7"],
        id="seed 002 (blog): a 7x7 image padded by 1 with a 3x3 filter: (9-3)/1 + 1 = 7, same as the input",
    ),
    pytest.param(
        "input 10x10x1; conv2d 1 kernel=3 stride=2", 1,
        ["H2 = (10 − 3 + 2·0)/2 + 1 = 4.5 → 4 (rounded down: the last window does not fit)"],
        id="CS231n notes: W=10, P=0, F=3, S=2 gives (10-3+0)/2+1 = 4.5, not an integer; PyTorch Conv2d docs floor it",
    ),
    pytest.param(
        "input 7x7x1; conv2d 1 kernel=3 stride=3", 1,
        ["H2 = (7 − 3 + 2·0)/3 + 1 = 4/3 + 1 ≈ 2.33 → 2 (rounded down: the last window does not fit)"],
        id="PyTorch Conv2d: floor((7 - 3)/3 + 1) = 2; the exact step is 4/3 + 1, not 7/3 read as input over stride",
    ),
    pytest.param(
        "input 224x224x64; maxpool2d 2 stride=2", 1,
        ["legend: H1×W1×D1 = 224×224×64 input; F = 2 window size; S = 2 stride; P = 0 padding",
         "H2 = (224 − 2 + 2·0)/2 + 1 = 112", "D2 = D1 = 64: pooling works on each channel alone", "params = 0"],
        id="CS231n notes, pooling: 224x224x64 with a 2x2 filter, stride 2 -> 112x112x64, depth preserved",
    ),
    pytest.param(
        "input 112x112x64; maxpool2d 3 stride=2 ceil_mode=true", 1,
        ["H2 = (112 − 3 + 2·0)/2 + 1 = 55.5 → 56 (rounded up: ceil_mode)"],
        id="torchvision GoogLeNet maxpool1: MaxPool2d(3, stride=2, ceil_mode=True) takes 112 to 56",
    ),
    pytest.param(
        "input 5x5x1; maxpool2d 2 stride=2 padding=1 ceil_mode=true", 1,
        ["H2 = (5 − 2 + 2·1)/2 + 1 = 3.5 → 3 (ceil_mode rounds 3.5 up, but that last window would start in the right "
         "padding: PyTorch drops it)"],
        id="PyTorch MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5: 3, not 4 (a window starting in the right padding is ignored)",
    ),
    pytest.param(
        "input 9x9x1; conv2d 1 kernel=3 dilation=2", 1,
        ["legend: H1×W1×D1 = 9×9×1 input; K = 1 filters; F = 3 filter size; S = 1 stride; P = 0 padding; r = 2 dilation",
         "H2 = (9 − (2·(3 − 1) + 1) + 2·0)/1 + 1 = 5"],
        id="Yu and Koltun 2016: a 3x3 kernel with dilation 2 has a 5x5 receptive field",
    ),
    pytest.param(
        "input 6x6x16; conv_transpose2d 16 kernel=3 stride=2 padding=1 output_padding=1", 1,
        ["legend: H1×W1×D1 = 6×6×16 input; K = 16 filters; F = 3 filter size; S = 2 stride; P = 1 padding; a = 1 output padding",
         "H2 = (6 − 1)·2 − 2·1 + (3 − 1) + 1 (output padding) + 1 = 12",
         "D2 = K = 16: one feature map per filter, each summed over all 16 input channels"],
        id="PyTorch ConvTranspose2d docs example: 6x6 back to 12x12 with stride 2, padding 1, output_padding 1",
    ),
    pytest.param(
        "input 224x224x3; conv2d 32 kernel=3 stride=2 padding=same bias=false", 1,
        ['H2 = 224/2 = 112 ("same": padding 0 + 1)', "weights = 3·3·3·32 = 864", "biases = 0", "params = 864"],
        id="TensorFlow 'same' padding: out = ceil(224/2) = 112, pad_along = 1, pad_top = 0, pad_bottom = 1; Keras MobileNet conv1 864",
    ),
    pytest.param(
        "input 15x15x1; maxpool2d 2 stride=2 padding=same", 1,
        ['H2 = ⌈15/2⌉ = ⌈7.5⌉ = 8 ("same": padding 0 + 1)'],
        id="TensorFlow 'same' padding: out = ceil(15/2) = 8",
    ),
    pytest.param(
        "input 27x27x96; conv2d 256 kernel=5 padding=2 groups=2", 1,
        ["H2 = (27 − 5 + 2·2)/1 + 1 = 27",
         "D2 = K = 256: one feature map per filter, each summed over 48 of the 96 input channels",
         "each filter is 5·5·48 = 1,200 weights, spanning 48 of the 96 input channels (groups g = 2)",
         "weights = 5·5·(96/2)·256 = 307,200", "params = 307,200 + 256 = 307,456"],
        id="AlexNet paper: conv2 has 256 kernels of 5x5x48, connected to the kernel maps on the same GPU",
    ),
    pytest.param(
        "input 6x6x256; flatten; dense 4096", 2,
        ["legend: N1 = 9,216 inputs; N2 = 4,096 units",
         "weights = 9216·4096 = 37,748,736", "biases = 4,096", "params = 37,748,736 + 4,096 = 37,752,832"],
        id="torchvision AlexNet classifier: Linear(256 * 6 * 6, 4096)",
    ),
    pytest.param(
        "input 6x6x256; dense 4096", 1,
        ["N1 = 6 × 6 × 256 = 9,216 inputs (flattened)", "N2 = units = 4,096"],
        id="torchvision AlexNet classifier: 256*6*6 = 9216 inputs to fc6",
    ),
    pytest.param(
        "input 96x56x56 layout=chw; dense 384 axis=channels", 1,
        ["legend: D1×H1×W1 = 96×56×56 input; N2 = 384 units", "D1 = 96 → D2 = units = 384 at each of 3,136 positions",
         "weights = 96·384 = 36,864", "params = 36,864 + 384 = 37,248"],
        id="torchvision ConvNeXt CNBlock: nn.Linear(96, 384) on the channels at each of 56x56 positions, 37,248 parameters",
    ),
    pytest.param(
        "input 112x112x32; batchnorm", 1,
        ["out = in = (112, 112, 32)", "params = 32 + 32 (γ, β) + 32 + 32 (moving mean, variance) = 128",
         "trainable = 64, non-trainable = 64"],
        id="keras.applications.MobileNet summary: conv1_bn on 32 channels has 128 params, 64 of them non-trainable",
    ),
    pytest.param(
        "input 112x112x32; depthwise_conv2d 3 padding=same bias=false", 1,
        ["D2 = D1·M = 32·1 = 32: 1 feature map per input channel", "each filter is 3·3 = 9 weights, on one input channel",
         "weights = 3·3·32·1 = 288"],
        id="keras.applications.MobileNet summary: conv_dw_1 has 288 params",
    ),
    pytest.param(
        "input 147x147x64; separable_conv2d 128 kernel=3 padding=same bias=false", 1,
        ["weights = 3·3·64·1 + 64·1·128 = 8,768"],
        id="keras.applications.Xception summary: block2_sepconv1 has 8,768 params",
    ),
    pytest.param(
        "input 227x227x3; locally_connected2d 96 kernel=11 stride=4", 1,
        ["H2 = (227 − 11 + 2·0)/4 + 1 = 55",
         "no parameter sharing: each of the 55·55 = 3,025 output positions has its own 11·11·3·96 = 34,848 weights and 96 biases",
         "weights = 55·55·11·11·3·96 = 105,415,200", "biases = 290,400", "params = 105,415,200 + 290,400 = 105,705,600"],
        id="CS231n notes: without parameter sharing AlexNet conv1 has 290400 * 364 = 105,705,600 parameters",
    ),
    pytest.param(
        "input 16x112x112x3; conv3d 64 kernel=3 padding=1", 1,
        ["legend: T1×H1×W1×D1 = 16×112×112×3 input; K = 64 filters; F = 3 filter size; S = 1 stride; P = 1 padding",
         "T2 = (16 − 3 + 2·1)/1 + 1 = 16", "H2 = (112 − 3 + 2·1)/1 + 1 = 112",
         "each filter is 3·3·3·3 = 81 weights, spanning all 3 input channels"],
        id="C3D (Tran et al. 2015) conv1a: 3x3x3 kernels, 64 filters on 16 frames of 112x112; T for frames, D for depth",
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
    samples = {"filters": 4, "kernel": 1, "units": 3, "groups": 2, "output_size": 1, "shape": [-1], "size": 3, "order": [1, 0, 2]}
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
    if explained.legend:
        assert explained.lines[1] == f"legend: {explained.legend}"
    assert explained.shape_lines and all(line.strip() for line in explained.shape_lines)
    assert explained.param_lines[-1].startswith("params = ") or explained.param_lines[-1].startswith("trainable = ")


def test_table_prints_the_explanation_after_the_table():
    result = run_cli("summary", "input 227x227x3; conv2d 96 kernel=11 stride=4", "--explain")
    assert result.exit_code == 0, result.stderr
    assert "1 conv2d_1 (conv2d): (227, 227, 3) → (55, 55, 96)" in result.stdout
    assert "    H2 = (227 − 11 + 2·0)/4 + 1 = 55" in result.stdout  # CS231n notes
    assert "    params = 34,848 + 96 = 34,944" in result.stdout


def test_explain_command_is_summary_explain():
    spec = "input 32x32x3; conv2d 10 kernel=5 padding=2"
    assert run_cli("explain", spec).stdout == run_cli("summary", spec, "--explain").stdout


def test_json_has_an_explain_list_per_layer():
    result = run_cli("explain", "input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2", "--format", "json")
    data = json.loads(result.stdout)
    assert data["layers"][0]["explain"][2:] == [  # CS231n lecture 5: 32x32x10, 760 params
        "H2 = (32 − 5 + 2·2)/1 + 1 = 32",
        "W2 = (32 − 5 + 2·2)/1 + 1 = 32",
        "D2 = K = 10: one feature map per filter, each summed over all 3 input channels",
        "each filter is 5·5·3 = 75 weights, spanning all 3 input channels",
        "weights = 5·5·3·10 = 750",
        "biases = 10",
        "params = 750 + 10 = 760",
    ]
    assert data["layers"][1]["explain"][2] == "H2 = (32 − 2 + 2·0)/2 + 1 = 16"
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
    assert rows[1]["explain"].startswith("rule: H2 = ⌊(H1 − F + 2P)/S⌋ + 1")
    batch8 = json.loads(run_cli("explain", spec, "-f", "json", "--batch", "8").stdout)
    assert batch8["memory"]["batch"] == 8
    assert [layer["activation_bytes"] for layer in batch8["layers"]] == [8 * layer["activation_bytes"] for layer in plain["layers"]]
    table = run_cli("explain", spec, "-c", "name,shape,memory", "--batch", "8").stdout
    assert "Activations" in table and "Memory (float32, 4 B per value, batch 8):" in table


# --------------------------------------------------------------------------- one meaning per letter

_BARE = __import__("re").compile(r"(?<![\w₁₂])[DWHC](?![\w₁₂])")


@pytest.mark.parametrize("name", sorted(KINDS))
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_one_meaning_per_letter(name, rank):
    """CS231n's W1/H1/D1 for the input, W2/H2/D2 for the output, T for a 3-D input's frames: no bare D, W or H
    that could be the dilation, the depth, an input size or an output size, and each legend letter once."""
    kind = KINDS[name]
    if kind.rank is not None and kind.rank != rank:
        pytest.skip("this kind takes another rank")
    samples = {"filters": 4, "kernel": 1, "units": 3, "groups": 2, "output_size": 1, "shape": [-1], "size": 3,
               "order": list(range(rank + 1))[::-1]}
    args = {a.name: samples[a.name] for a in kind.args if a.required}
    dims = [4] * rank + [4]
    layers = ([{"relu": None, "name": "a"}, {kind.name: args or None, "from": ["input", "a"]}] if kind.min_inputs >= 2
              else [{kind.name: args or None}])
    report = analyze(spec_from_text(json.dumps({"input": dims, "layers": layers}), "letters.json"))
    explained = explain_layer(report.layers[-1], report.layout)
    for line in explained.lines[1:]:  # the rule may name C for channels of a normalisation
        assert not _BARE.search(line.replace("(C, H, W)", "")), line
    symbols = [part.split(" = ")[0] for part in explained.legend.split("; ") if " = " in part]
    assert len(symbols) == len(set(symbols)), explained.legend
    if rank == 3 and explained.shape_lines and kind.rank == 3 and report.layers[-1].outcome.axes:
        assert explained.shape_lines[0].startswith("T2 = ")


# --------------------------------------------------------------------------- the seed questions, explained

SEEDS = [
    pytest.param(
        "input 25x64x1; conv2d 100 kernel=7 padding=same; maxpool2d 2 padding=same; conv2d 150 kernel=5 padding=same", 3,
        ["3 conv2d_2 (conv2d): (13, 32, 100) → (13, 32, 150)",
         "    D2 = K = 150: one feature map per filter, each summed over all 100 input channels",
         "    each filter is 5·5·100 = 2,500 weights, spanning all 100 input channels",
         "    weights = 5·5·100·150 = 375,000"],
        id="seed 000: the kernel spans the whole input depth, so the output is (13, 32, 150), not 4-D; 5x5x150x100 weights",
    ),
    pytest.param(
        "input 25x64x1; conv2d 100 kernel=7 padding=same", 1,
        ["1 conv2d_1 (conv2d): (25, 64, 1) → (25, 64, 100)", "    each filter is 7·7·1 = 49 weights, on the 1 input channel",
         "    weights = 7·7·1·100 = 4,900", "    biases = 100"],
        id="seed 000 (accepted answer): the first kernel is 7x7x1x100, 4,900 weights, and 100 biases on top",
    ),
    pytest.param(
        str(ROOT / "specs" / "homework_symbolic.yaml"), 2,
        ["2 conv2 (conv2d): (n, m, k1) → (n, m, k2)",
         "    D2 = K = k2: one feature map per filter, each summed over all k1 input channels",
         "    each filter is 5·5·k1 = 25·k1 weights, spanning all k1 input channels",
         "    params = 25·k1·k2 + k2"],
        id="seed 001 (accepted answer): the second layer's kernels are 5x5xk1, k2 of them: k2 feature maps, 5*5*k1*k2 + k2",
    ),
    pytest.param(
        "input 32x32x3; conv2d 6 kernel=5; conv2d 6 kernel=5", 2,
        ["    H2 = (28 − 5 + 2·0)/1 + 1 = 24"],
        id="seed 002 (blog): a second 5x5 convolution on the 28x28 output gives 24",
    ),
    pytest.param(
        "input 1x5x5 layout=chw; conv2d 1 kernel=3", 1,
        ["1 conv2d_1 (conv2d): (1, 5, 5) → (1, 3, 3)", "    legend: D1×H1×W1 = 1×5×5 input; K = 1 filters; F = 3 filter size; "
         "S = 1 stride; P = 0 padding"],
        id="seed 003: a 5x5 one-channel input and one 3x3 filter: input (1, 5, 5), output (3, 3) per filter",
    ),
]


@pytest.mark.parametrize("spec, index, expected", SEEDS)
def test_the_seed_questions_read_as_their_answers_explain_them(spec, index, expected):
    result = run_cli("explain", spec)
    assert result.exit_code == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    block = next(b for b in blocks if b.startswith(f"{index} ")).splitlines()
    for line in expected:
        assert line in block, f"missing {line!r} in {block}"


# --------------------------------------------------------------------------- FLOPs conventions


def test_flops_convention_is_said_where_flops_are_printed():
    spec = "input 227x227x3; conv2d 96 kernel=11 stride=4"  # AlexNet conv1: 105,415,200 MACs, 290,400 bias adds
    table = run_cli("summary", spec).stdout
    assert "Total FLOPs: 211,120,800 (211 MFLOPs; 2 per multiply-add + 1 per bias)" in table
    data = json.loads(run_cli("summary", spec, "-f", "json").stdout)
    assert data["flops_convention"] == "2 per multiply-add + 1 per bias"
    markdown = run_cli("summary", spec, "-f", "markdown", "-c", "name,flops").stdout
    assert "(211 MFLOPs; 2 per multiply-add + 1 per bias)" in markdown


def test_textbook_flops():
    """Goodfellow et al. ch. 9: the edge detector (a 2-tap kernel on a 320-wide, 280-tall image) takes
    319 × 280 × 3 = 267,960 floating point operations: two multiplications and one addition per output pixel."""
    result = run_cli("summary", "input 280x320x1; conv2d 1 kernel=1x2 bias=false", "--flops", "textbook", "-f", "json")
    data = json.loads(result.stdout)
    assert data["output_shape"] == [280, 319, 1]
    assert data["total_flops"] == 319 * 280 * 3
    assert data["flops_convention"] == "n multiplications + n − 1 additions per output, no bias (textbook)"
