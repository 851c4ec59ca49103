"""`convcalc import` from Keras JSON: no Keras needed to read it; round trips through export.

1. A model's JSON read without Keras: the "Simple MNIST convnet" of the Keras examples
   (https://keras.io/examples/vision/mnist_convnet/), written as tf.keras 2 writes model.to_json(),
   gives the model.summary() published there: 320, 18,496 and 16,010 parameters, 34,826 in all,
   output (None, 10). The same model as a Keras 3 functional .keras archive (config.json) too.
2. Round trip (needs Keras 3 on its torch backend): every shipped spec (and the branching export
   fixtures) written by `convcalc export -f keras`, built, saved with model.to_json() and imported:
   every original layer has the imported layers named after it (its own, and the pads, flatten or
   reshape export put before it, or the layer a crop after it folded into), with equal output shape,
   parameters, non-trainable parameters and MACs.
3. What convcalc cannot represent (a Lambda) is exit 2, naming the layer and its position.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, summary_json

from convcalc import analyze, from_keras, load_spec
from convcalc.frameworks.export import identifiers, to_keras
from convcalc.frameworks.importers import import_keras

MNIST = ROOT / "tests" / "fixtures" / "import" / "mnist_convnet_keras2.json"
SHIPPED = sorted((ROOT / "specs").glob("*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "export").glob("*.yaml"))

# model.summary() of https://keras.io/examples/vision/mnist_convnet/
MNIST_SUMMARY = [("conv2d", [26, 26, 32], 320), ("max_pooling2d", [13, 13, 32], 0), ("conv2d_1", [11, 11, 64], 18_496),
                 ("max_pooling2d_1", [5, 5, 64], 0), ("flatten", [1600], 0), ("dropout", [1600], 0), ("dense", [10], 16_010)]


def _by_name(data: dict) -> dict:
    return {layer["name"]: layer for layer in data["layers"]}


def test_keras2_json_reads_without_keras(tmp_path):
    out = tmp_path / "mnist.yaml"
    result = run_cli("import", str(MNIST), "-o", str(out))
    assert result.exit_code == 0 and result.stdout == "", result.stderr
    data = summary_json(str(out))
    layers = _by_name(data)
    for name, shape, params in MNIST_SUMMARY:  # Keras' conv2d holds its relu: its name means the activation's output
        layer = layers.get(f"{name}_relu") or layers.get(f"{name}_softmax") or layers[name]
        assert (layer["output_shape"], layers[name]["params"]) == (shape, params), name
    assert data["total_params"] == 34_826 and data["output_shape"] == [10]
    assert "activation: relu" in out.read_text(encoding="utf-8")


def _keras3_functional(config: dict) -> dict:
    """The Sequential model as Keras 3 writes a functional model: inbound_nodes with __keras_tensor__ records."""
    layers = config["config"]["layers"]
    out, previous = [], None
    for layer in layers:
        item = {"class_name": layer["class_name"], "config": dict(layer["config"]), "name": layer["config"]["name"]}
        if layer["class_name"] == "InputLayer":
            item["config"]["batch_shape"] = item["config"].pop("batch_input_shape")
            item["inbound_nodes"] = []
        else:
            tensor = {"class_name": "__keras_tensor__", "config": {"shape": None, "dtype": "float32", "keras_history": [previous, 0, 0]}}
            item["inbound_nodes"] = [{"args": [tensor], "kwargs": {}}]
        out.append(item)
        previous = item["name"]
    return {"class_name": "Functional", "config": {"name": "mnist_convnet", "layers": out, "input_layers": [[layers[0]["config"]["name"], 0, 0]],
                                                    "output_layers": [[previous, 0, 0]]}}


def test_keras3_archive_reads_its_config_json(tmp_path):
    archive = tmp_path / "mnist.keras"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("config.json", json.dumps(_keras3_functional(json.loads(MNIST.read_text(encoding="utf-8")))))
        handle.writestr("metadata.json", "{}")
    report = analyze(from_keras(str(archive)))
    assert report.total_params == 34_826  # keras.io mnist_convnet model.summary()
    assert [layer.name for layer in report.layers][:2] == ["conv2d", "conv2d_relu"]


def test_a_lambda_layer_is_named_with_its_place(tmp_path):
    config = json.loads(MNIST.read_text(encoding="utf-8"))
    config["config"]["layers"].insert(3, {"class_name": "Lambda", "config": {"name": "scale", "function": ["4wEAAAA=", None, None]}})
    path = tmp_path / "lambda.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("convcalc: error: layer 4 'scale' (Lambda): convcalc has no layer kind for it; "
                             "if it changes no shape and holds no parameters, read it as identity with --as-identity scale\n")
    fixed = run_cli("import", str(path), "--as-identity", "scale")
    assert fixed.exit_code == 0 and "{identity: {name: scale}}" in fixed.stdout


@pytest.mark.parametrize("function", [
    {"module": "builtins", "class_name": "function", "config": "my_scale", "registered_name": "function"},  # Keras 3, a named function
    {"class_name": "__lambda__", "config": {"code": "4wEAAAA=", "defaults": None, "closure": None}},  # Keras 3, a lambda
])
def test_a_lambda_around_another_function_is_refused(tmp_path, function):
    """Only a Lambda around the functions convcalc's export defines (convcalc_split, convcalc_slice) is read."""
    config = json.loads(MNIST.read_text(encoding="utf-8"))
    config["config"]["layers"].insert(3, {"class_name": "Lambda", "config": {"name": "scale", "function": function,
                                                                             "arguments": {"sections": 2}}})
    path = tmp_path / "lambda.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("convcalc: error: layer 4 'scale' (Lambda): convcalc has no layer kind for it")


@pytest.mark.parametrize("text, message", [
    ("not json", "not Keras model JSON"),
    ('{"layers": []}', "not a Keras model config"),
])
def test_what_is_no_keras_model_is_one_line(tmp_path, text, message):
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- round trip through Keras

def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")  # CI has torch, never TensorFlow
    return pytest.importorskip("keras", reason="the Keras round trip needs keras (optional)")


def _report(path: Path):
    from convcalc.symbolic import spec_symbols, substitute

    spec = load_spec(str(path))
    symbols = spec_symbols(spec)
    return analyze(substitute(spec, {name: 12 for name in symbols}) if symbols else spec)


# What the Keras round trip cannot cover, each with its reason; export must refuse exactly these (a spec
# it starts to export is then round-tripped: remove its row). Any other refusal fails the test.
KERAS_REFUSES = {
    "convnext_tiny.yaml": "keras.layers has no LayerScale",  # ConvNeXt's layer scale (keras_hub and keras_cv have their own)
    "unet_1d3d.yaml": "Keras transposed convolutions have no groups",  # a fixture's grouped transposed convolution
}
# Keras has no local response normalisation: export writes a Lambda around tf.nn.local_response_normalization,
# which needs TensorFlow (CI runs Keras on torch). With a stand-in tf (the Lambda returns its input) the model
# builds; a Lambda is opaque to any reader of the JSON, so it is read with --as-identity: its shape, its 0
# parameters and 0 MACs (convcalc's LRN has none either) are compared like every other layer's.
LAMBDA_AS_IDENTITY = {"alexnet.yaml": ("lrn_1", "lrn_2")}


def _stand_in_tensorflow() -> object:
    """What the exported code's 'tf' is given in place of TensorFlow (Keras itself must not see a fake one)."""
    import types

    return types.SimpleNamespace(nn=types.SimpleNamespace(local_response_normalization=lambda t, **_: t))  # shape-neutral, as LRN is


# Shipped specs the importer cannot read back yet, each with the reason (strict: remove the row once it passes).
NOT_YET: dict[str, str] = {}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(reason=NOT_YET[p.name], strict=True))
                                  if p.name in NOT_YET else p for p in SHIPPED + FIXTURES],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_to_keras_then_import_gives_every_layer_back(path):
    _keras()
    from convcalc import SpecError

    original = _report(path)
    if path.name in KERAS_REFUSES:
        with pytest.raises(SpecError) as refused:
            to_keras(original)
        assert KERAS_REFUSES[path.name] in str(refused.value)
        return
    code = to_keras(original)
    identity = LAMBDA_AS_IDENTITY.get(path.name, ())
    assert ("import tensorflow" in code) == bool(identity), "a Keras export that needs TensorFlow: add it to LAMBDA_AS_IDENTITY"
    namespace: dict = {"__name__": "convcalc_keras_round_trip"}
    if identity:
        code = code.replace("import tensorflow as tf\n", "")
        namespace["tf"] = _stand_in_tensorflow()
    exec(compile(code, "<exported>", "exec"), namespace)
    imported = analyze(import_keras(namespace["build_model"]().to_json(), as_identity=identity).spec())
    idents = identifiers(original)
    pending: list = []
    groups: dict[str, list] = {}
    wanted = set(idents.values())
    for layer in imported.layers:
        pending.append(layer)
        if layer.name in wanted:
            groups[layer.name], pending = pending, []
    assert not pending, f"imported layers after the last original one: {[p.name for p in pending]}"
    problems = []
    for layer in original.layers:
        group = groups.get(idents[layer.name])
        if not group:
            problems.append(f"{layer.name}: no imported layer of that name")
            continue
        got = (group[-1].shape, sum(g.outcome.trainable for g in group), sum(g.outcome.non_trainable for g in group),
               sum(g.outcome.macs for g in group))
        want = (layer.shape, layer.outcome.trainable, layer.outcome.non_trainable, layer.outcome.macs)
        if got != want:
            problems.append(f"{layer.name}: imported {got}, original {want}")
    assert not problems, "\n".join(problems)


def test_the_spec_can_be_written_as_json(tmp_path):
    out = tmp_path / "mnist.json"
    result = run_cli("import", str(MNIST), "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["layout"] == "hwc"
    assert summary_json(str(out))["total_params"] == 34_826  # keras.io mnist_convnet model.summary()


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c["config"].__setitem__("layers", 7), "cannot read it (TypeError"),
    (lambda c: c["config"]["layers"][1]["config"].__setitem__("kernel_size", "big"), "layer 2 'conv2d' (Conv2D): kernel"),
    (lambda c: c["config"]["layers"][1].__setitem__("config", None), "odd.json: cannot read it (AttributeError"),
])
def test_a_config_of_an_odd_structure_is_one_line(tmp_path, mutate, message):
    config = json.loads(MNIST.read_text(encoding="utf-8"))
    mutate(config)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code == 2 and result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert message in result.stderr, result.stderr


def test_reading_keras_json_imports_no_framework():
    """The Keras importer reads JSON: `convcalc import model.json` loads neither torch, onnx, keras nor
    TensorFlow (each heavy package is imported only by the importer that needs it)."""
    import subprocess
    import sys

    code = ("import sys; from convcalc.cli import main\n"
            "try:\n    main(['import', sys.argv[1]])\n"
            "except SystemExit as done:\n    assert not done.code, done.code\n"
            "sys.stderr.write(' '.join(m for m in ('torch', 'onnx', 'keras', 'tensorflow', 'numpy') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code, str(MNIST)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("# Imported by convcalc"), result.stderr
    assert result.stderr == ""


# Splits and slices no shipped spec has (ShuffleNetV2's is an even split of the channels): export writes each as a
# Lambda around a function its code defines (convcalc_split, convcalc_slice), whose name and arguments Keras' JSON
# holds; import reads them back. Each layer's shape is checked against the shape Keras itself gives it.
SPLITS_AND_SLICES = [
    ("input: [8, 8, 6]\nlayout: hwc\nlayers:\n  - conv2d: {filters: 6, kernel: 1, name: c}\n  - split: {name: sp}\n"
     "  - slice: {start: 1, name: sl, from: sp.1}\n  - concat: {from: [sp.0, sl], name: cat}\n"),
    ("input: [9, 7, 4]\nlayout: hwc\nlayers:\n  - slice: {start: -5, stop: -1, axis: 0, name: rows}\n"
     "  - slice: {start: 2, axis: 1, name: cols}\n  - conv2d: {filters: 3, kernel: 2, name: c}\n"),
    ("input: [6, 5, 7]\nlayout: chw\nlayers:\n  - split: {sections: [1, 2, 4], axis: 2, name: sp}\n"
     "  - conv2d: {filters: 6, kernel: 1, from: sp.2, name: c}\n  - slice: {stop: 1, axis: 2, from: sp.0, name: sl}\n"
     "  - concat: {from: [sl, sp.1, sp.0], axis: 2, name: cat}\n  - add: {from: [cat, c], name: sum}\n"),
]


@pytest.mark.parametrize("text", SPLITS_AND_SLICES, ids=["channels", "spatial_negative", "sizes_on_an_axis"])
def test_splits_and_slices_round_trip_through_keras(text, tmp_path):
    keras = _keras()
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    original = _report(path)
    code = to_keras(original)
    assert "lambda" not in code and "layers.Lambda(convcalc_" in code
    namespace: dict = {"__name__": "convcalc_keras_round_trip"}
    exec(compile(code, "<exported>", "exec"), namespace)
    model = namespace["build_model"]()
    assert isinstance(model, keras.Model)
    config = json.loads(model.to_json())
    lambdas = [layer["config"] for layer in config["config"]["layers"] if layer["class_name"] == "Lambda"]
    assert lambdas and all(isinstance(c["arguments"], dict) for c in lambdas)
    report = analyze(import_keras(model.to_json()).spec())
    imported = {layer.name: layer for layer in report.layers}
    idents = identifiers(original)
    for layer in original.layers:
        name = idents[layer.name]
        keras_shape = model.get_layer(name).output
        keras_shape = keras_shape[0] if isinstance(keras_shape, (list, tuple)) else keras_shape
        assert tuple(keras_shape.shape[1:]) == layer.shape.in_layout("hwc"), name  # Keras' own shape
        got = imported[name]
        assert (got.type, got.shape, got.outcome.params, got.outcome.macs) == (layer.type, layer.shape, layer.outcome.params,
                                                                               layer.outcome.macs), name
