"""`convcalc import` from ONNX: the graph and its initializers (weights read for their shapes).

1. A LeNet-5 built by hand with onnx.helper (no exporter): its parameter count is the number of
   values in its initializers, the file's own weights, and its output is (10,).
2. Plain torch.nn rebuilds of tests/test_zoo_torch.py (ResNet-50, MobileNetV2, GoogLeNet) written to ONNX in the test (PyTorch's
   exporter, in training mode so that batch normalisation stays a node with its statistics) give
   torchvision's published parameter counts and GFLOPS, and the running statistics torch holds.
3. An op convcalc cannot represent (LSTM) is exit 2 naming the node and its position.
Skips without onnx (pip install 'convcalc[onnx]'); part 2 also without torch.
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
