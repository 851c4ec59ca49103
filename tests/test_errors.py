"""Invalid specs: exit code 2, one message on stderr naming the layer, nothing on stdout.

Each row: the spec (inline text, or YAML written to a file) and the exact message expected.
"""
from __future__ import annotations

import pytest

from conftest import run_cli

E = "convcalc: error: "

INLINE_ROWS = [
    ("input 32x32x3; conv2dd 10 kernel=5",
     "layer 1: unknown layer type 'conv2dd'; did you mean 'conv2d'?"),
    ("input 32x32x3; conv2d 10 kernel=5 strid=2",
     "layer 1 'conv2d_1' (conv2d): unknown argument 'strid'; did you mean 'stride'?"),
    ("input 32x32x3; conv2d kernel=5",
     "layer 1 'conv2d_1' (conv2d): missing required argument 'filters'; e.g. {conv2d: {filters: 3}}"),
    ("input 32x32x3; conv2d -4 kernel=5",
     "layer 1 'conv2d_1' (conv2d): filters must be an integer ≥ 1, got -4"),
    ("input 32x32x3; conv2d 0 kernel=5",
     "layer 1 'conv2d_1' (conv2d): filters must be an integer ≥ 1, got 0"),
    ("input 32x32x3; conv2d 4 kernel=2.5",
     "layer 1 'conv2d_1' (conv2d): kernel must be an integer ≥ 1, got 2.5"),
    ("input 32x32x3; conv2d 4 kernel=3 bias=maybe",
     "layer 1 'conv2d_1' (conv2d): bias must be true or false, got 'maybe'"),
    ("input 8x8x3; conv2d 4 kernel=11",
     "layer 1 'conv2d_1' (conv2d): kernel 11 is larger than the padded input on axis H: 8 + 0 + 0 = 8; "
     "use a smaller kernel, add padding, or padding: same"),
    ("input 8x8x3; conv2d 4 kernel=3 groups=2",
     "layer 1 'conv2d_1' (conv2d): groups 2 does not divide the 3 input channels; choose groups among the divisors of 3"),
    ("input 8x8x4; conv2d 5 kernel=3 groups=2",
     "layer 1 'conv2d_1' (conv2d): groups 2 does not divide the 5 filters; choose groups among the divisors of 5"),
    ("input 8x8x4; conv2d 4 kernel=3x3x3",
     "layer 1 'conv2d_1' (conv2d): kernel has 3 values but the input has 2 spatial axes (H, W); give one value, or 2"),
    ("input 8x8x4; flatten; conv2d 4 kernel=3",
     "layer 2 'conv2d_1' (conv2d): needs an input with 2 spatial axes and channels, such as (H, W, C); its input is (256,); "
     "it comes after a flatten or dense layer; move it before them, or reshape the vector"),
    ("input 100x4; conv2d 4 kernel=3",
     "layer 1 'conv2d_1' (conv2d): needs an input with 2 spatial axes and channels, such as (H, W, C); its input is (100, 4); "
     "add the channel axis: input 100x4x1 (in YAML: input: [100, 4, 1]) for a single channel, or use conv1d for an input with 1 spatial axis"),
    ("input 8x8x4; maxpool2d 3 padding=2",
     "layer 1 'maxpool2d_1' (maxpool2d): padding 2 is more than half the kernel 3 on axis H; "
     "PyTorch allows pooling padding of at most half the kernel; use a smaller padding"),
    ("input 4x4x1; conv_transpose2d 1 kernel=1 padding=3",
     "layer 1 'conv_transpose2d_1' (conv_transpose2d): output size on axis H shrinks to -2: "
     "(4 − 1)·1 − 2·3 + (1 − 1) + 1 = -2; use less padding"),
    ("input 8x8x4; conv_transpose2d 4 kernel=3 stride=2 output_padding=2",
     "layer 1 'conv_transpose2d_1' (conv_transpose2d): output_padding 2 on axis H must be smaller than the stride 2 "
     "or the dilation 1; use an output_padding below the stride"),
    ("input 8x8x4; dropout 1.5",
     "layer 1 'dropout_1' (dropout): rate must be a number from 0 up to (not including) 1, got 1.5"),
    ("input 8x8x4; relu 3",
     "layer 1 'relu_1' (relu): relu takes no value (got 3); write just 'relu'"),
    ("input 8x8x4; conv2d 4 3 kernel=3",
     "layer 1 'conv2d_1' (conv2d): more than one value without a key: 4 3; give the first value alone and the others as key=value, "
     "e.g. 'conv2d 10 kernel=5'"),
    ("input 8x8x4; reshape 3x3",
     "layer 1 'reshape_1' (reshape): cannot reshape (8, 8, 4) (256 values) into (3, 3) (9 values); "
     "the product of the sizes must stay the same"),
    ("input 8x8x4; conv2d 4 kernel=1 name=a; add from=a,b",
     "layer 2 'add_1' (add): from 'b' names no layer; known names: input, a"),
    ("input 8x8x4; add from=input,later; conv2d 4 kernel=1 name=later",
     "layer 1 'add_1' (add): from 'later' names layer 2, which comes later; a layer reads only from layers above it"),
    ("input 8x8x4; conv2d 4 kernel=1 name=a; conv2d 4 kernel=1 name=a",
     "layer 2 'a' (conv2d): the name 'a' is already used by layer 1; give each layer its own name"),
    ("input 8x8x4; conv2d 8 kernel=1 name=a; add from=a,input",
     "layer 2 'add_1' (add): shapes differ: a (8, 8, 8) vs input (8, 8, 4), 8 vs 4 on axis C; "
     "element-wise merges need each axis equal, or 1 to broadcast (the NumPy/PyTorch rule, axes aligned from the last)"),
    ("input 8x8x4; conv2d 8 kernel=1 stride=2 name=a; concat from=a,input",
     "layer 2 'concat_1' (concat): shapes differ outside the concat axis: a (4, 4, 8) vs input (8, 8, 4); "
     "all inputs must agree on every axis but the one joined"),
    ("input 8x8x4; add",
     "layer 1 'add_1' (add): add needs at least 2 inputs, got 1; list them with from: [a, b]"),
    ("input 0x8x4; relu",
     "input: every input size must be an integer ≥ 1, got 0; write e.g. 'input: [227, 227, 3]' (one sample, no batch axis)"),
    ("input 8x8x4 layout=nhwc; relu",
     "layout: layout must be 'hwc' or 'chw', got 'nhwc'; hwc = [H, W, C] (Keras), chw = [C, H, W] (PyTorch)"),
]

YAML_ROWS = [
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, filters: 8, kernel: 3}\n",
     "spec.yaml:3:26: the key 'filters' is given twice in one mapping; keep one of them"),
    ('input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, name: "conv\\n1"}\n',
     "layer 1 'conv\\n1' (conv2d): the name 'conv\\n1' holds an invisible or control character (U+000A); "
     "write a name as one line of visible text, e.g. conv1"),
    ('name: "net\\u202e"\ninput: [8, 8, 3]\nlayers: [relu]\n',
     "name: the network's name 'net\\u202e' holds an invisible or control character (U+202E); "
     "write the name as one line of visible text"),
    ("", "spec.yaml is empty; write a spec with input: and layers:, or an inline spec such as "
         "\"input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10\""),
    ("# only a comment\n", "spec.yaml is empty; write a spec with input: and layers:, or an inline spec such as "
                           "\"input 32x32x3; conv2d 10 kernel=5 padding=2; maxpool2d 2; flatten; dense 10\""),
    ("input: [1, 2\nlayers: []\n",
     "spec.yaml:2:7: YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'; "
     "check the indentation and the brackets there"),
    ("- conv2d: 3\n", "spec.yaml: a spec must be a mapping with input: and layers:, not a list; "
                      "start the file with 'input: [H, W, C]' and a 'layers:' list"),
    ("input: [8, 8, 3]\nlayer:\n  - relu\n", "spec.yaml: unknown top-level key 'layer'; did you mean 'layers'?"),
    ("input: [8, 8, 3]\n", "layers: the spec has no layers; add a 'layers:' list, e.g. '- conv2d: {filters: 10, kernel: 5}'"),
    ("layers: [relu]\n", "spec.yaml: the spec has no input; add e.g. 'input: [32, 32, 3]'"),
    ("input: [8, 8, 3]\nlayers:\n  - 42\n", "layer 1: a layer must be a type name or a mapping, not a number (42); "
                                          "write e.g. '- relu' or '- conv2d: {filters: 10, kernel: 5}'"),
    ("input: [8, 8, 3]\nlayers:\n  - {conv2d: 4, relu: null}\n",
     "layer 1: a layer mapping needs exactly one layer type as its key, found conv2d, relu; write e.g. "
     "'- conv2d: {filters: 10, kernel: 5}' or '- {type: conv2d, filters: 10, kernel: 5}'"),
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: [3, 3], stride: same}\n",
     "layer 1 'conv2d_1' (conv2d): stride must be an integer ≥ 1, got 'same'; 'same' is a value of padding"),
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, padding: -1}\n",
     "layer 1 'conv2d_1' (conv2d): padding must be 'same', 'valid', 'full', an integer ≥ 0, one per axis, or [before, after] pairs; got -1"),
    ("input: [8, 8, 3]\nlayers:\n  - !!python/object/apply:os.system [echo hi]\n",
     "spec.yaml:3:5: the tag !!python/object/apply:os.system is not allowed: convcalc never builds Python objects "
     "or runs code from a spec; remove the tag and write plain numbers, names, lists and mappings"),
    # found by tests/test_fuzz.py: this was an AttributeError traceback
    ("input: [8, 8, 3]\nlayers:\n  - relu: {from: [false]}\n",
     "layer 1 'relu_1' (relu): from must name a layer or list layers, got [False]; e.g. from: conv1 or from: [a, b]"),
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - relu: {from: [conv2d_1, 7.5]}\n",
     "layer 2 'relu_1' (relu): from must name a layer or list layers, got ['conv2d_1', 7.5]; e.g. from: conv1 or from: [a, b]"),
    # a 'type' key inside the arguments is an unknown argument of the layer it is under
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {type: relu, filters: 4, kernel: 3}\n",
     "layer 1 'conv2d_1' (conv2d): unknown argument 'type'; conv2d takes: bias, dilation, filters, groups, kernel, padding, stride"),
]


@pytest.mark.parametrize("spec, message", INLINE_ROWS, ids=[r[0] for r in INLINE_ROWS])
def test_inline_error(spec, message):
    result = run_cli("summary", spec, "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


@pytest.mark.parametrize("text, message", YAML_ROWS, ids=[r[0][:40] or "empty" for r in YAML_ROWS])
def test_yaml_error(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    result = run_cli("summary", "spec.yaml", "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


def test_directory_and_binary_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    result = run_cli("summary", "d")
    assert (result.exit_code, result.stderr) == (2, E + "'d' is a directory, not a spec file; give the path of a .yaml or .json file\n")
    (tmp_path / "b.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = run_cli("summary", "b.yaml")
    assert (result.exit_code, result.stderr) == (2, E + "b.yaml is not UTF-8 text (byte 0 is 0xff); save the spec as UTF-8 YAML or JSON\n")
    # after a byte-order mark the bad byte is still named by its offset in the file: 0xff at byte 5
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfab\xffc")
    result = run_cli("summary", "bom.yaml")
    assert (result.exit_code, result.stderr) == (2, E + "bom.yaml is not UTF-8 text (byte 5 is 0xff); save the spec as UTF-8 YAML or JSON\n")


def test_a_pasted_megabyte_stays_a_readable_message(tmp_path):
    """A 1 MB name or type is cut in the message (80 characters of a name, 400 of a problem)."""
    path = tmp_path / "long.yaml"
    path.write_text("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, kernal: 1, name: " + "x" * 1_000_000 + "}\n")
    result = run_cli("summary", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (E + "layer 1 '" + "x" * 80 + " …' (conv2d): the name '" + "x" * 60 + "…' is 1,000,000 characters long; "
                             "a name, with the names of the blocks around it joined by dots, has at most 1,000 characters\n")
    path.write_text("input: [8, 8, 3]\nlayers:\n  - " + "conv" * 250_000 + "\n")
    result = run_cli("summary", str(path))
    assert result.exit_code == 2 and len(result.stderr) < 1000
    assert result.stderr.startswith(E + "layer 1: unknown layer type 'convconv")


def test_did_you_mean_among_a_hundred_thousand_names():
    """A misspelt from: in a 100,000-layer spec: the suggestion is still the close name (difflib
    over every name took seconds; only the names sharing the most start and end are compared)."""
    from convcalc.errors import did_you_mean

    names = [f"layer_number_{i}" for i in range(100_000)]
    assert did_you_mean("layer_nmber_77", names) == "did you mean 'layer_number_77'?"
    assert did_you_mean("layer_number_99999x", names) == "did you mean 'layer_number_99999'?"
