"""`convcalc import` from ONNX: the graph and its initializers (weights read for their shapes).

1. A LeNet-5 built by hand with onnx.helper (no exporter): its parameter count is the number of
   values in its initializers, the file's own weights, and its output is (10,).
2. Plain torch.nn rebuilds of tests/test_zoo_torch.py (ResNet-50, MobileNetV2, GoogLeNet) written to ONNX in the test (PyTorch's
   exporter, in training mode so that batch normalisation stays a node with its statistics) give
   torchvision's published parameter counts and GFLOPS, and the running statistics torch holds.
3. An op convcalc cannot represent (LSTM) is exit 2 naming the node and its position.
4. Round trip: every shipped spec (and the export fixtures) exported to PyTorch, written to ONNX by
   PyTorch's exporter and imported gives every layer's parameters and MACs and the network's
   counts and output shapes back; what the exporter or the import cannot do is listed with why.
Skips without onnx (pip install 'convcalc[onnx]'); parts 2 and 4 also without torch.
"""
from __future__ import annotations

import sys

import pytest

onnx = pytest.importorskip("onnx", reason="importing ONNX needs onnx: pip install 'convcalc[onnx]'")
from onnx import TensorProto, helper  # noqa: E402

from conftest import ROOT, run_cli  # noqa: E402

from convcalc import analyze, from_onnx  # noqa: E402


def _weight(name: str, *dims: int):
    count = 1
    for d in dims:
        count *= d
    return helper.make_tensor(name, TensorProto.FLOAT, list(dims), [0.0] * count)


def lenet_onnx(extra=None):
    """LeNet-5 on a 1×32×32 image: conv 6@5×5, pool, conv 16@5×5, pool, fc 120, 84, 10."""
    nodes = [
        helper.make_node("Conv", ["x", "c1.w", "c1.b"], ["c1"], name="/conv1/Conv", kernel_shape=[5, 5]),
        helper.make_node("Relu", ["c1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "c2.w", "c2.b"], ["c2"], name="/conv2/Conv", kernel_shape=[5, 5]),
        helper.make_node("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("MaxPool", ["r2"], ["p2"], name="/pool2/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p2"], ["f"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc1.w", "fc1.b"], ["h1"], name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="/relu3/Relu"),
        helper.make_node("Gemm", ["a1", "fc2.w", "fc2.b"], ["h2"], name="/fc2/Gemm", transB=1),
        helper.make_node("Relu", ["h2"], ["a2"], name="/relu4/Relu"),
        helper.make_node("Gemm", ["a2", "fc3.w", "fc3.b"], ["y"], name="/fc3/Gemm", transB=1),
    ]
    weights = [_weight("c1.w", 6, 1, 5, 5), _weight("c1.b", 6), _weight("c2.w", 16, 6, 5, 5), _weight("c2.b", 16),
               _weight("fc1.w", 120, 400), _weight("fc1.b", 120), _weight("fc2.w", 84, 120), _weight("fc2.b", 84),
               _weight("fc3.w", 10, 84), _weight("fc3.b", 10)]
    if extra:
        nodes, weights = extra(nodes, weights)
    graph = helper.make_graph(nodes, "lenet5", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 32, 32])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], weights)
    model = helper.make_model(graph)
    onnx.checker.check_model(model)
    return model


def test_a_hand_built_graph_reads_with_its_own_weights(tmp_path):
    model = lenet_onnx()
    path = tmp_path / "lenet5.onnx"
    onnx.save(model, str(path))
    own = sum(len(init.float_data) for init in model.graph.initializer)  # the file's own parameter values
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "- {conv2d: {filters: 6, kernel: 5, name: conv1}}" in result.stdout
    report = analyze(from_onnx(str(path)))
    assert report.trainable_params == own == 61_706
    assert report.output_shape.channels == 10 and report.output_shape.rank == 0


def test_an_op_convcalc_cannot_represent_is_named_with_its_place(tmp_path):
    def with_lstm(nodes, weights):
        lstm = helper.make_node("LSTM", ["f", "w", "r"], ["seq"], name="/rnn/LSTM", hidden_size=8)
        return nodes[:7] + [lstm], weights + [_weight("w", 1, 32, 400), _weight("r", 1, 32, 8)]

    def graph(nodes, weights):
        built = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 32, 32])],
                                  [helper.make_tensor_value_info("seq", TensorProto.FLOAT, None)], weights)
        return helper.make_model(built)

    lenet = lenet_onnx().graph
    nodes, weights = with_lstm(list(lenet.node), list(lenet.initializer))
    path = tmp_path / "rnn.onnx"
    onnx.save(graph(nodes, weights), str(path))
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("convcalc: error: node 8 '/rnn/LSTM' (LSTM): convcalc has no layer kind for it; "
                             "if it changes no shape and holds no parameters, read it as identity with --as-identity rnn\n")


def test_missing_onnx_names_the_pip_install(tmp_path, monkeypatch):
    path = tmp_path / "lenet5.onnx"
    onnx.save(lenet_onnx(), str(path))
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if onnx were not installed
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and "pip install 'convcalc[onnx]'" in result.stderr


# --------------------------------------------------------------------------- from the torch rebuilds

PUBLISHED = [
    ("resnet50", 25_557_032, "4.09", "torchvision docs, ResNet50_Weights.IMAGENET1K_V1: num_params, GFLOPS"),
    ("mobilenet_v2", 3_504_872, "0.30", "torchvision docs, MobileNet_V2_Weights.IMAGENET1K_V1: num_params, GFLOPS 0.3"),
    ("googlenet", 6_624_904, "1.50", "torchvision docs, GoogLeNet_Weights.IMAGENET1K_V1: num_params, GFLOPS 1.5"),
]


@pytest.mark.parametrize("name, params, gflops, source", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_onnx_of_the_torch_rebuilds_gives_published_counts(tmp_path, name, params, gflops, source):
    torch = pytest.importorskip("torch", reason="the ONNX files are made from the torch rebuilds")
    import warnings

    sys.path.insert(0, str(ROOT / "tests"))
    import test_zoo_torch

    test_zoo_torch.torch = torch
    factory, shape = test_zoo_torch.models()[name]
    model = factory()
    path = tmp_path / f"{name}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(model, (torch.zeros(1, *shape),), str(path), dynamo=False, do_constant_folding=False,
                              training=torch.onnx.TrainingMode.TRAINING)
        except Exception as exc:  # noqa: BLE001  (an exporter that cannot run here: the hand-built graph above still runs)
            pytest.skip(f"torch.onnx.export cannot run here: {type(exc).__name__}: {exc}")
    report = analyze(from_onnx(str(path)))
    macs = sum(layer.outcome.macs for layer in report.layers)
    stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    assert report.trainable_params == params, source
    assert f"{macs / 1e9:.2f}" == gflops, source
    assert report.non_trainable_params == stats  # torch's own running statistics
    assert report.output_shape.channels == 1000


# --------------------------------------------------------------------------- round trip: spec -> PyTorch -> ONNX -> spec

SHIPPED = sorted((ROOT / "specs").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "export").glob("*.yaml"))
# What PyTorch's exporter cannot write, each with the exporter's own words (asserted: a row that starts to export fails).
EXPORTER_REFUSES = {
    "inception_chw.yaml": "adaptive_avg_pool2d, input size not accessible",  # TorchScript exporter: an adaptive pooling to a size not 1
    "mobile_hwc.yaml": "must be divisible by num_groups",  # its GroupNorm symbolic reads the channels of a channels-last input wrongly
    "shufflenet_v2_x1_0.yaml": "'aten::channel_shuffle' to ONNX",  # no ONNX symbolic for nn.ChannelShuffle in torch 2.13
}
# What the exporter writes that convcalc does not read back, with the node the import names (asserted the same way).
IMPORT_REFUSES = {
    # nn.LocalResponseNorm is Python arithmetic in PyTorch (F.local_response_norm: an If on the rank, pad, avg_pool3d, pow,
    # div): the exporter writes those ops, never ONNX's LRN, and convcalc does not reassemble them.
    "alexnet.yaml": "node 51 '/lrn_1/If' (If): convcalc has no layer kind for it",
    # ChannelLayerNorm (movedim, nn.LayerNorm, movedim back) becomes Transpose, LayerNormalization over the last axis,
    # Transpose, and the exporter fuses each Transpose back with the MoveDim after it: a normalisation over the last axis
    # of a channels-last tensor, where convcalc's layernorm normalises over the channels of its own layout.
    "convnext_tiny.yaml": "node 55 '/stem_norm/LayerNormalization' (LayerNormalization): a layer normalisation over axis -1",
}


def _report(path):
    from convcalc import load_spec
    from convcalc.symbolic import spec_symbols, substitute

    spec = load_spec(str(path))
    symbols = spec_symbols(spec)  # the symbolic homework seed: every letter 12, as the other round trips do
    return analyze(substitute(spec, {name: 12 for name in symbols}) if symbols else spec)


def _figures(layers) -> tuple[int, int, int]:
    return (sum(layer.outcome.trainable for layer in layers), sum(layer.outcome.non_trainable for layer in layers),
            sum(layer.outcome.macs for layer in layers))


@pytest.mark.parametrize("path", SHIPPED + FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_to_pytorch_then_onnx_then_import_gives_the_same_counts(path, tmp_path):
    """Every spec exported to PyTorch, the module written to ONNX by PyTorch's own exporter (eval mode, no constant
    folding: batch normalisation stays a node with its statistics) and imported: every layer that holds parameters or
    MACs has them again under its own module name (ONNX node names carry it: /layer1_0_conv1/Conv), and the network's
    parameters, running statistics, MACs and output shapes are the original's. In eval mode a training-only head is not
    in the graph (Inception-v3's auxiliary classifier): the original's inference part is compared."""
    torch = pytest.importorskip("torch", reason="the ONNX files are made from the exported PyTorch modules")
    import warnings

    from convcalc import SpecError
    from convcalc.frameworks.export import class_name, identifiers, to_pytorch

    original = _report(path)
    namespace: dict = {"__name__": "convcalc_onnx_round_trip"}
    exec(compile(to_pytorch(original), "<exported>", "exec"), namespace)
    model = namespace[class_name(original)]().eval()
    onnx_path = tmp_path / f"{path.stem}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(model, (torch.zeros(1, *namespace["INPUT_SHAPE"]),), str(onnx_path), dynamo=False,
                              do_constant_folding=False, training=torch.onnx.TrainingMode.EVAL)
        except Exception as exc:  # noqa: BLE001  (the exporter's own limits, each named in EXPORTER_REFUSES)
            assert path.name in EXPORTER_REFUSES and EXPORTER_REFUSES[path.name] in str(exc), f"{type(exc).__name__}: {exc}"
            return
    assert path.name not in EXPORTER_REFUSES, "the exporter writes it now: remove its row"
    if path.name in IMPORT_REFUSES:
        with pytest.raises(SpecError) as refused:
            from_onnx(str(onnx_path))
        assert IMPORT_REFUSES[path.name] in str(refused.value)
        return
    imported = analyze(from_onnx(str(onnx_path)))
    training_only = original.training_only_layers()
    inference = [layer for layer in original.layers if layer.name not in training_only]
    idents = identifiers(original)
    owners = {ident: name for name, ident in idents.items()}
    by_owner: dict[str, list] = {}
    for layer in imported.layers:  # 'layer1_0_conv1', or 'stage1_0_pwconv1.matmul' for a module written as several nodes
        head = layer.name if layer.name in owners else layer.name.split(".")[0]
        by_owner.setdefault(head, []).append(layer)
    problems = []
    for layer in inference:
        want = _figures([layer])
        if want == (0, 0, 0):
            continue  # a layer without parameters or MACs may be no node of its own (a dropout in eval mode)
        got = by_owner.get(idents[layer.name], [])
        if _figures(got) != want or got[-1].shape != layer.shape:
            problems.append(f"{layer.name}: imported {[(g.name, g.shape, _figures([g])) for g in got]}, original {layer.shape} {want}")
    assert not problems, "\n".join(problems)
    assert _figures(imported.layers) == _figures(inference)
    outputs = [o.shape for o in original.outputs if not o.training_only] if original.outputs else [original.output_shape]
    assert sorted(map(str, [o.shape for o in imported.outputs] if imported.outputs else [imported.output_shape])) == sorted(map(str, outputs))


def test_a_learnt_scale_per_channel_is_a_layer_scale(tmp_path):
    """x * gamma.view(-1, 1, 1) (ConvNeXt's layer scale), written by PyTorch's exporter as a Reshape of the
    initializer and a Mul: one layer_scale holding C parameters, torch's own count."""
    torch = pytest.importorskip("torch", reason="the ONNX file is made from a torch module")
    import warnings

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3)
            self.gamma = torch.nn.Parameter(torch.full((8,), 1e-6))

        def forward(self, x):
            return self.conv(x) * self.gamma.view(-1, 1, 1)

    model = Net().eval()
    path = tmp_path / "scale.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 3, 8, 8),), str(path), dynamo=False, do_constant_folding=False)
    report = analyze(from_onnx(str(path)))
    assert [layer.type for layer in report.layers] == ["conv2d", "layer_scale"]
    assert report.trainable_params == sum(p.numel() for p in model.parameters())  # torch's own count: 224 + 8
