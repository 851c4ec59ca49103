"""`convcalc export`: golden PyTorch and Keras modules, the CLI's errors, and the rows for the two
PyTorch mismatches the cross-check found in convcalc's pooling rules.

The golden files are the exporter's text; whether that text really builds the network is proven
elsewhere: by test_torch_crosscheck.py (runs every PyTorch export in torch) and, when Keras is
installed, by test_keras_exports_build_what_convcalc_computes below. Regenerate the golden files
with CONVCALC_REGEN_GOLDEN=1 (or pytest --update-golden) and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import GOLDEN, ROOT, run_cli
from convcalc import analyze, load_spec
from convcalc.frameworks.export import identifier, identifiers, to_keras

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "export"
EXPORT_GOLDEN = GOLDEN / "export"
E = "convcalc: error: "

# (spec path relative to the repository, target)
GOLDEN_ROWS = [
    ("specs/lenet5.yaml", "pytorch"),
    ("specs/mobilenet_v1.yaml", "pytorch"),
    ("tests/fixtures/export/residual_hwc.yaml", "pytorch"),
    ("tests/fixtures/export/inception_chw.yaml", "pytorch"),
    ("tests/fixtures/export/unet_1d3d.yaml", "pytorch"),
    ("specs/lenet5.yaml", "keras"),
    ("specs/mobilenet_v1.yaml", "keras"),
    ("specs/audio_m5.yaml", "keras"),
    ("specs/seed_keras_same.yaml", "keras"),
    ("tests/fixtures/export/residual_hwc.yaml", "keras"),
    ("tests/fixtures/export/inception_chw.yaml", "keras"),
    ("tests/fixtures/export/mobile_hwc.yaml", "keras"),
    ("tests/fixtures/export/video_hwc.yaml", "keras"),
]


def _golden_path(spec: str, target: str) -> Path:
    return EXPORT_GOLDEN / f"{Path(spec).stem}_{target}.py"


@pytest.mark.parametrize("spec, target", GOLDEN_ROWS, ids=[f"{Path(s).stem}-{t}" for s, t in GOLDEN_ROWS])
def test_golden_export(spec, target, update_golden, monkeypatch):
    monkeypatch.chdir(ROOT)  # the module's docstring names the spec path as given
    result = run_cli("export", spec, "--to", target)
    assert result.exit_code == 0, result.stderr
    golden = _golden_path(spec, target)
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"no golden file for {spec} ({target}): run with CONVCALC_REGEN_GOLDEN=1 and review it"
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_output_file_holds_what_stdout_prints(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "lenet.py"
    written = run_cli("export", "specs/lenet5.yaml", "--to", "pytorch", "-o", str(target))
    printed = run_cli("export", "specs/lenet5.yaml", "--to", "pytorch")
    assert (written.exit_code, written.stdout, written.stderr) == (0, "", "")
    assert target.read_text(encoding="utf-8") == printed.stdout


# --------------------------------------------------------------------------- errors

ERROR_ROWS = [
    # (argv, stderr after "convcalc: error: ")
    (["export", "tests/fixtures/export/unet_1d3d.yaml", "--to", "keras"],
     "layer 8 'up1' (conv_transpose1d): Keras transposed convolutions have no groups; export to PyTorch, or use groups: 1"),
    (["export", "input 8x8x1; maxpool2d 2 dilation=2", "--to", "keras"],
     "layer 1 'maxpool2d_1' (maxpool2d): Keras pooling layers have no dilation; export to PyTorch, or drop the dilation"),
    (["export", "input 7x7x1; adaptive_avgpool2d 2", "--to", "keras"],
     "layer 1 'adaptive_avgpool2d_1' (adaptive_avgpool2d): Keras has no adaptive pooling, and (7, 7) does not divide "
     "into (2, 2); use a pooling with a fixed kernel, or export to PyTorch"),
    (["export", "input nxnx3; conv2d 4 kernel=3", "--to", "pytorch"],
     "layer 1 'conv2d_1' (conv2d): export needs numbers, but this layer's size is symbolic (n - 2); "
     "give its symbols numbers: --set n=N"),
    (["export", "input 8x8x3; conv2d 4 kernel=9", "--to", "pytorch"],
     "layer 1 'conv2d_1' (conv2d): kernel 9 is larger than the padded input on axis H: 8 + 0 + 0 = 8; "
     "use a smaller kernel, add padding, or padding: same"),
    (["export", "input 8x8x3; relu", "--to", "pytorch", "-o", "/nonexistent-dir/x.py"],
     "cannot write '/nonexistent-dir/x.py': No such file or directory; check that the folder exists and is writable"),
]


@pytest.mark.parametrize("argv, message", ERROR_ROWS, ids=[" ".join(r[0][1:3]) for r in ERROR_ROWS])
def test_export_error(argv, message):
    result = run_cli(*argv)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


def test_unknown_target_is_a_usage_error():
    result = run_cli("export", "input 8x8x3; relu", "--to", "tensorflow")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "'tensorflow' is not one of 'pytorch', 'keras'" in result.stderr


# --------------------------------------------------------------------------- names

NAME_ROWS = [
    ("conv1", "conv1"),
    ("block1.conv1", "block1_conv1"),  # dots are not allowed in attribute names nor in Keras-on-torch names
    ("conv-2a", "conv_2a"),
    ("2a", "layer_2a"),
    ("class", "class_"),  # a Python keyword
    ("forward", "forward_"),  # would replace nn.Module.forward
    ("training", "training_"),  # nn.Module attribute
    ("x", "x_"),  # the forward's input
    ("_hidden", "layer_hidden"),  # nn.Module keeps private state in _names
]


@pytest.mark.parametrize("name, expected", NAME_ROWS, ids=[r[0] for r in NAME_ROWS])
def test_identifier(name, expected):
    assert identifier(name) == expected


def test_identifiers_stay_unique():
    report = analyze(load_spec("input 4x4x1; relu name=a-b; relu name=a_b"))
    assert identifiers(report) == {"a-b": "a_b", "a_b": "a_b_2"}


# --------------------------------------------------------------------------- regressions found by the cross-check

# Facts measured with torch 2.13.0 (CPU): the output shape PyTorch gives, or the error it raises.
REGRESSION_ROWS = [
    # AvgPool1d(2, ceil_mode=True) on a length-1 input: torch gives length 1 (the window may hang past the end);
    # convcalc used to refuse "kernel 2 is larger than the padded input".
    ("input 1x1 layout=chw; avgpool1d 2 ceil_mode=true", [1, 1]),
    # MaxPool2d(2, ceil_mode=True) on 1x3: torch gives 1x2.
    ("input 1x3x1; maxpool2d 2 ceil_mode=true", [1, 2, 1]),
    # MaxPool2d(3, dilation=2, padding=1) on 5x5: torch gives 1x1.
    ("input 5x5x1; maxpool2d 3 dilation=2 padding=1", [1, 1, 1]),
]


@pytest.mark.parametrize("spec, shape", REGRESSION_ROWS, ids=[r[0] for r in REGRESSION_ROWS])
def test_pooling_shapes_torch_gives(spec, shape):
    report = analyze(load_spec(spec))
    assert list(report.output_shape.in_layout(report.layout)) == shape


def test_pool_padding_limit_is_half_the_kernel_not_the_dilated_window():
    # torch 2.13.0: MaxPool2d(3, dilation=2, padding=2) raises "pad should be smaller than or equal to half of
    # kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3"; convcalc used to accept it (half of 5).
    result = run_cli("summary", "input 5x5x1; maxpool2d 3 dilation=2 padding=2", "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", E + "layer 1 'maxpool2d_1' (maxpool2d): padding 2 is more than half the kernel 3 on axis H; "
        "PyTorch allows pooling padding of at most half the kernel; use a smaller padding\n")


# --------------------------------------------------------------------------- Keras, run when installed

KERAS_SPECS = sorted({spec for spec, target in GOLDEN_ROWS if target == "keras"} | {"specs/vgg16.yaml", "specs/video_c3d.yaml"})


@pytest.mark.parametrize("spec", KERAS_SPECS)
def test_keras_exports_build_what_convcalc_computes(spec):
    """Keras's own output shapes and weight counts, layer by layer (skipped without Keras)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")  # CI has torch, never TensorFlow
    pytest.importorskip("torch", reason="Keras runs here on its torch backend")
    keras = pytest.importorskip("keras", reason="the Keras check needs keras (optional)")
    from math import prod

    report = analyze(load_spec(str(ROOT / spec)))
    namespace: dict = {"__name__": "convcalc_keras_export_under_test"}
    exec(compile(to_keras(report), spec, "exec"), namespace)
    model = namespace["build_model"]()
    names = identifiers(report)
    problems = []
    for layer in report.layers:
        built = model.get_layer(names[layer.name])
        shape = tuple(built.output.shape)
        # a transposed convolution cropped afterwards keeps its weights in '<name>_full'
        owners = [built] + [l for l in model.layers if l.name == names[layer.name] + "_full"]
        counts = (sum(prod(w.shape) for o in owners for w in o.trainable_weights),
                  sum(prod(w.shape) for o in owners for w in o.non_trainable_weights))
        if shape != (None, *layer.shape.in_layout("hwc")) or counts != (layer.outcome.trainable, layer.outcome.non_trainable):
            problems.append(f"{layer.name}: keras {shape} {counts}, convcalc {layer.shape} "
                            f"{(layer.outcome.trainable, layer.outcome.non_trainable)}")
    assert not problems, "\n".join(problems)
    assert model.count_params() == report.total_params
    assert keras.__version__


def test_set_gives_a_symbolic_spec_numbers_to_export():
    """Seed 001 with n = m = 28, k1 = 32, k2 = 64: PyTorch 2.13 counts nn.Conv2d(1, 32, 3) = 320 and
    nn.Conv2d(32, 64, 5) = 51,264 parameters, 51,584 in all, output (1, 64, 28, 28) with padding."""
    pytest.importorskip("torch", reason="runs the exported module")
    import subprocess
    import sys

    result = run_cli("export", "specs/homework_symbolic.yaml", "--to", "pytorch",
                     "--set", "n=28", "--set", "m=28", "--set", "k1=32", "--set", "k2=64")
    assert result.exit_code == 0, result.stderr
    ran = subprocess.run([sys.executable, "-"], input=result.stdout, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["output shape: (1, 64, 28, 28)", "trainable parameters: 51584"]


INJECTION = "getattr(__import__('os'), 'system')('touch {marker}')"


@pytest.mark.parametrize("target", ["pytorch", "keras"])
def test_names_and_paths_never_become_code(tmp_path, target):
    """The code is meant to be run (`export SPEC | python -`): a name or file name with quotes in it
    once closed the generated docstring, and the rest of it ran as code."""
    import ast
    import json

    marker = tmp_path / "ran"
    payload = INJECTION.format(marker=marker)
    spec = {
        "name": f'net""" ; {payload} ; """',
        "input": [8, 8, 3],
        "layers": [{"conv2d": {"filters": 4, "kernel": 3, "name": f"a\\\\\" + str({payload}) + \"'"}}, "relu"],
    }
    path = tmp_path / f'z"""; x = 1; """\\.json'
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = run_cli("export", str(path), "--to", target)
    assert result.exit_code == 0, result.stderr
    tree = ast.parse(result.stdout)
    assert ast.get_docstring(tree).startswith(f'net""" ; {payload} ; """: written by convcalc from {path}.')
    statements = [*tree.body, *(node for cls in tree.body if isinstance(cls, ast.ClassDef) for node in cls.body)]
    strays = [ast.dump(node) for node in statements if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant)]
    assert strays == []  # nothing but docstrings stands alone: no name turned into a call
    assert "getattr" not in [node.id for node in ast.walk(tree) if isinstance(node, ast.Name)]
    assert not marker.exists()


def test_keras_keeps_a_side_branch():
    """Keras 3 builds a Model from the layers that lead to its outputs: a branch that ends elsewhere
    (here 'side') is made an output too, so Keras counts its 112 weights as convcalc does
    (found by tests/test_export_property.py)."""
    from export_checks import keras_mismatches

    report = analyze(load_spec("input 8x8x3; conv2d 4 kernel=3 name=side; conv2d 2 kernel=1 from=input name=main"))
    assert keras_mismatches(report) == []
