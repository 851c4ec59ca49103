"""MACs, FLOPs and memory (issue 5), each checked against a figure obtained elsewhere.

Sources: torchvision's published GFLOPS (its weights meta ``_ops``, shown in the models docs'
"Table of all available classification weights"), PyTorch's own FlopCounterMode, PyTorch's
autograd and optimizers, and small counts done by hand from the definitions stated in docs/costs.md.
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_cli
from convcalc import summarize
from convcalc.costs import memory_estimate, network_costs

# --------------------------------------------------------------------------- published totals

TORCHVISION_GFLOPS = [
    # (spec, GFLOPS as torchvision publishes them; torchvision's "GFLOPS" are multiply-accumulates)
    ("vgg16", "15.47"),
    ("resnet18", "1.814"),
    ("resnet50", "4.089"),
    ("mobilenet_v2", "0.301"),
    ("googlenet", "1.498"),
    ("densenet121", "2.834"),
    ("squeezenet1_0", "0.819"),
]


@pytest.mark.parametrize(
    "name, published", TORCHVISION_GFLOPS, ids=[f"{n}-torchvision-docs-weights-meta-_ops-{g}" for n, g in TORCHVISION_GFLOPS]
)
def test_total_macs_match_torchvision(name, published):
    """Source: torchvision models docs, "Table of all available classification weights" (GFLOPS column)."""
    path = ROOT / "specs" / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"specs/{name}.yaml is not in this tree")
    total = network_costs(summarize(str(path))).total_macs
    decimals = len(published.split(".")[1])
    assert f"{total / 1e9:.{decimals}f}" == published


PAPER_MMACS = [
    # (spec, millions of multiply-accumulates as published, source)
    ("mobilenet_v1", "569", "Howard et al. 2017, MobileNets, Table 8: 1.0 MobileNet-224, 569 million mult-adds"),
    ("alexnet", "724", "Sze et al. 2017, Efficient Processing of Deep Neural Networks, Table III: AlexNet 724M MACs"),
]


@pytest.mark.parametrize("name, published, source", PAPER_MMACS, ids=[p[0] for p in PAPER_MMACS])
def test_total_macs_match_papers(name, published, source):
    total = network_costs(summarize(str(ROOT / "specs" / f"{name}.yaml"))).total_macs
    assert f"{total / 1e6:.0f}" == published, source


# --------------------------------------------------------------------------- per layer, against PyTorch

# Each row: a network written for convcalc (chw) and the same network in plain torch.nn, layer
# for layer; every layer's MACs must equal FlopCounterMode's count for that module ÷ 2.
PER_LAYER = [
    (
        "conv-bias-stride-pad",
        "input 3x32x32 layout=chw; conv2d 16 kernel=3 stride=2 padding=1; relu; conv2d 8 kernel=5 dilation=2; batchnorm",
        lambda nn: [nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 8, 5, dilation=2), nn.BatchNorm2d(8)],
    ),
    (
        "grouped-and-depthwise",
        "input 16x20x20 layout=chw; conv2d 32 kernel=3 groups=4 padding=1; depthwise_conv2d 3 depth_multiplier=2 stride=2",
        lambda nn: [nn.Conv2d(16, 32, 3, padding=1, groups=4), nn.Conv2d(32, 64, 3, stride=2, groups=32)],
    ),
    (
        "separable",
        "input 8x17x17 layout=chw; separable_conv2d 12 kernel=3 depth_multiplier=2 stride=2 padding=1 bias=false",
        lambda nn: [nn.Sequential(nn.Conv2d(8, 16, 3, 2, 1, groups=8, bias=False), nn.Conv2d(16, 12, 1, bias=False))],
    ),
    (
        "transposed",
        "input 8x9x9 layout=chw; conv_transpose2d 6 kernel=4 stride=2 padding=1; "
        "conv_transpose2d 4 kernel=3 stride=3 output_padding=1 groups=2",
        lambda nn: [nn.ConvTranspose2d(8, 6, 4, 2, 1), nn.ConvTranspose2d(6, 4, 3, 3, output_padding=1, groups=2)],
    ),
    (
        "pools-dense",
        "input 4x12x12 layout=chw; maxpool2d 2; avgpool2d 3 stride=1 padding=1; adaptive_avgpool2d 3; flatten; dense 10",
        lambda nn: [nn.MaxPool2d(2), nn.AvgPool2d(3, 1, 1), nn.AdaptiveAvgPool2d(3), nn.Flatten(), nn.Linear(36, 10)],
    ),
    (
        "1d-and-3d",
        "input 2x50 layout=chw; conv1d 4 kernel=7 stride=3; conv_transpose1d 3 kernel=5 stride=2; maxpool1d 2",
        lambda nn: [nn.Conv1d(2, 4, 7, 3), nn.ConvTranspose1d(4, 3, 5, 2), nn.MaxPool1d(2)],
    ),
    (
        "3d",
        "input 3x6x10x10 layout=chw; conv3d 4 kernel=3 padding=1; conv_transpose3d 2 kernel=2 stride=2",
        lambda nn: [nn.Conv3d(3, 4, 3, padding=1), nn.ConvTranspose3d(4, 2, 2, 2)],
    ),
]


@pytest.mark.parametrize("spec, build", [r[1:] for r in PER_LAYER], ids=[f"{r[0]}-torch-FlopCounterMode" for r in PER_LAYER])
def test_layer_macs_match_torch_flop_counter(spec, build):
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    report = summarize(spec)
    modules = build(torch.nn)
    assert len(modules) == len(report.layers)
    x = torch.randn(1, *report.spec.input_dims)
    for module, layer in zip(modules, report.layers):
        with FlopCounterMode(display=False) as counter:
            x = module(x)
        assert layer.outcome.macs * 2 == counter.get_total_flops(), layer.name
        assert list(x.shape[1:]) == list(layer.shape.in_layout("chw")), layer.name


def test_transposed_conv_is_counted_per_input_position():
    """FlopCounterMode counts a transposed convolution over its input positions, as convcalc does:
    2·(input positions)·C_in·C_out·k², not the output positions (stride² times more)."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    module = torch.nn.ConvTranspose2d(8, 16, 4, stride=2, padding=1, bias=False)
    with FlopCounterMode(display=False) as counter:
        module(torch.randn(1, 8, 16, 16))
    report = summarize("input 8x16x16 layout=chw; conv_transpose2d 16 kernel=4 stride=2 padding=1 bias=false")
    assert counter.get_total_flops() == 2 * report.layers[0].outcome.macs == 2 * 16 * 16 * 8 * 16 * 4 * 4


# --------------------------------------------------------------------------- FLOPs

# Hand counts from the definitions (docs/costs.md, "MACs and FLOPs"), each derivation in the id.
FLOPS = [
    ("input 4x4x1; maxpool2d 2", 12, "4 windows x (4-1) compares"),
    ("input 4x4x1; avgpool2d 2", 16, "4 windows x (3 adds + 1 divide)"),
    ("input 5x5x2; global_avgpool", 50, "2 channels x (24 adds + 1 divide)"),
    ("input 5x5x2; global_maxpool", 48, "2 channels x 24 compares"),
    ("input 5x1; adaptive_avgpool1d 1", 5, "one window of 5: 4 adds + 1 divide"),
    ("input 5x1; adaptive_avgpool1d 2", 6, "PyTorch windows [0,3) and [2,5): 3 + 3"),
    ("input 2x2x3; relu", 12, "12 elements x 1"),
    ("input 2x2x3; sigmoid", 48, "12 elements x 4"),
    ("input 2x2x3; batchnorm", 24, "12 elements x (multiply + add)"),
    ("input 2x2x3; layernorm", 84, "12 elements x (5 + 2 affine)"),
    ("input 2x2x3; relu; relu; add from=relu_1,relu_2,input", 12 + 12 + 24, "relus 12 + 12, add of 3 inputs 2 x 12"),
    ("input 3x3x1; conv2d 1 kernel=3", 2 * 9 + 1, "9 multiplies + 8 adds + 1 bias add"),
    ("input 3x3x1; conv2d 1 kernel=3 bias=false", 18, "2 x 9 MACs"),
    ("input 4; dense 2", 2 * 8 + 2, "2 x 8 MACs + 2 bias adds"),
    ("input 2x2x3; concat from=input,input; flatten; dropout", 0, "data movement only"),
]


@pytest.mark.parametrize("spec, flops, how", FLOPS, ids=[f[2] for f in FLOPS])
def test_flops_hand_counts(spec, flops, how):
    assert network_costs(summarize(spec)).total_flops == flops, how


def test_conv_flops_without_bias_equal_torch_flop_counter():
    """Without bias, convcalc's FLOPs of a convolution are exactly PyTorch FlopCounterMode's."""
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    module = torch.nn.Conv2d(3, 8, 5, stride=2, padding=2, bias=False)
    with FlopCounterMode(display=False) as counter:
        module(torch.randn(1, 3, 31, 31))
    report = summarize("input 3x31x31 layout=chw; conv2d 8 kernel=5 stride=2 padding=2 bias=false")
    assert network_costs(report).total_flops == counter.get_total_flops()


# --------------------------------------------------------------------------- memory, against PyTorch

MEMORY_NET = "input 3x16x16 layout=chw; conv2d 8 kernel=3 padding=1; batchnorm; relu; maxpool2d 2; flatten; dense 5"


def _torch_net(nn):
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 5))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int8"])
def test_bytes_per_element_match_torch(dtype):
    torch = pytest.importorskip("torch")
    width = torch.empty(0, dtype=getattr(torch, dtype)).element_size()
    assert memory_estimate(summarize(MEMORY_NET), dtype=dtype).bytes_per_element == width


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_parameter_and_activation_bytes_match_torch(dtype):
    """Parameters and floating buffers (BatchNorm's running mean and variance) as PyTorch stores
    them, and every layer's output for a batch of 3, as PyTorch's forward pass produces it."""
    torch = pytest.importorskip("torch")
    net = _torch_net(torch.nn).to(getattr(torch, dtype))
    stored = sum(p.numel() * p.element_size() for p in net.parameters())
    stored += sum(b.numel() * b.element_size() for b in net.buffers() if b.is_floating_point())
    outputs = []
    for module in net:
        module.register_forward_hook(lambda m, i, o: outputs.append(o.numel() * o.element_size()))
    x = torch.randn(3, 3, 16, 16, dtype=getattr(torch, dtype))
    with torch.no_grad():
        net.eval()(x)
    memory = memory_estimate(summarize(MEMORY_NET), dtype=dtype, batch=3)
    assert memory.parameter_bytes == stored
    assert memory.activation_bytes == sum(outputs)
    assert memory.input_bytes == x.numel() * x.element_size()


@pytest.mark.parametrize(
    "optimizer, make",
    [
        ("sgd", lambda torch, p: torch.optim.SGD(p, lr=0.1)),
        ("momentum", lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        ("adam", lambda torch, p: torch.optim.Adam(p)),
    ],
    ids=["torch.optim.SGD", "torch.optim.SGD-momentum", "torch.optim.Adam"],
)
def test_gradient_and_optimizer_bytes_match_torch(optimizer, make):
    """Gradients as autograd allocates them and the per-parameter state the optimizer keeps
    after one step (Adam's scalar step counters left out: one number per tensor)."""
    torch = pytest.importorskip("torch")
    net = _torch_net(torch.nn)
    opt = make(torch, net.parameters())
    net(torch.randn(2, 3, 16, 16)).sum().backward()
    opt.step()
    gradients = sum(p.grad.numel() * p.grad.element_size() for p in net.parameters())
    state = sum(
        t.numel() * t.element_size()
        for p, s in opt.state.items()
        for t in s.values()
        if torch.is_tensor(t) and t.shape == p.shape
    )
    memory = memory_estimate(summarize(MEMORY_NET), optimizer=optimizer)
    assert memory.gradient_bytes == gradients
    assert memory.optimizer_state_bytes == state


PEAK = [
    # (spec, peak live elements, hand count)
    ("input 10; dense 20; dense 5", 30, "dense_1 reads input (10) and writes 20; dense_2 holds 20 + 5"),
    ("input 8; dense 8; dense 8; add from=input,dense_2", 24, "input lives until the add: 8 + 8 + 8"),
]


@pytest.mark.parametrize("spec, elements, how", PEAK, ids=[p[2] for p in PEAK])
def test_inference_peak_hand_counts(spec, elements, how):
    assert memory_estimate(summarize(spec)).inference_peak_bytes == 4 * elements, how


# --------------------------------------------------------------------------- the command line


def test_resnet50_columns_prints_gmacs_and_fields():
    path = ROOT / "specs" / "resnet50.yaml"
    if not path.exists():
        pytest.skip("specs/resnet50.yaml is not in this tree")
    result = run_cli("summary", str(path), "--columns", "name,shape,params,macs,rf")
    assert result.exit_code == 0, result.stderr
    assert "Total MACs: 4,089,184,256 (4.09 GMACs)" in result.stdout
    assert "RF (size, jump, start)" in result.stdout


VGG_INLINE = (
    "input 3x224x224 layout=chw; " + "; ".join(
        f"conv2d {c} kernel=3 padding=1" if c else "maxpool2d 2"
        for c in [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]
    )
)


def test_columns_choose_the_table():
    result = run_cli("summary", VGG_INLINE, "--columns", "name,macs,rf")
    assert result.exit_code == 0
    header = next(line for line in result.stdout.splitlines() if "Layer" in line)
    assert "MACs" in header and "RF (size, jump, start)" in header and "Params" not in header
    last = [line for line in result.stdout.splitlines() if "maxpool2d_5" in line][0]
    assert "212, 32, −90" in last  # google-research receptive_field table: vgg_16 pool5


ERRORS = [
    (("--columns", "name,macz"), "convcalc: error: --columns: unknown column 'macz'; did you mean 'macs'? the columns are: "
     "index, name, type, inputs, shape, params, formula, macs, flops, memory, param_memory, rf\n"),
    (("--columns", " , "), "convcalc: error: --columns: no columns given; choose from: "
     "index, name, type, inputs, shape, params, formula, macs, flops, memory, param_memory, rf\n"),
]


@pytest.mark.parametrize("args, message", ERRORS, ids=["unknown-column", "empty-columns"])
def test_column_errors(args, message):
    result = run_cli("summary", "input 8x8x3; relu", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_bad_batch_is_a_usage_error():
    result = run_cli("summary", "input 8x8x3; relu", "--batch", "0")
    assert result.exit_code == 2 and result.stdout == "" and "--batch" in result.stderr


OLD_KEYS = ["index", "name", "type", "inputs", "path", "input_shape", "output_shape", "params", "trainable_params",
            "non_trainable_params", "weights", "biases", "formula", "macs", "warnings"]
NEW_KEYS = ["flops", "activation_elements", "activation_bytes", "parameter_bytes", "receptive_field"]


def test_json_carries_every_figure():
    result = run_cli("summary", VGG_INLINE + "; flatten; dense 10", "--json", "--batch", "2",
                     "--dtype", "float16", "--optimizer", "sgd")
    data = json.loads(result.stdout)
    for layer in data["layers"]:
        assert set(OLD_KEYS + NEW_KEYS) <= set(layer)
    assert data["layers"][-1]["receptive_field"] is None
    pool5 = data["layers"][-3]["receptive_field"][0]
    assert (pool5["size"], pool5["jump"], pool5["effective_padding"]) == (212, 32, 90)
    memory = data["memory"]
    assert (memory["dtype"], memory["bytes_per_element"], memory["batch"], memory["optimizer"]) == ("float16", 2, 2, "sgd")
    assert memory["input_bytes"] == 2 * 3 * 224 * 224 * 2
    assert memory["optimizer_state_bytes"] == 0
    assert {"total_macs", "total_flops", "total_params"} <= set(data)
    assert all(isinstance(layer["macs"], int) and isinstance(layer["activation_bytes"], int) for layer in data["layers"])


def test_markdown_follows_the_columns():
    result = run_cli("summary", "input 8x8x3; conv2d 4 kernel=3", "--format", "markdown", "--columns", "name,macs")
    assert result.stdout.splitlines()[:4] == ["| Layer | MACs |", "|:---|---:|", "| input |  |", "| conv2d_1 | 3.89 K |"]
    # 6·6 output positions × 3·3·3 weights per filter × 4 filters = 3,888, counted by hand
