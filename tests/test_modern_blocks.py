"""The features modern blocks need: templates that see their input, a split's several outputs,
a network's several outputs (a training-only head left out of inference), dense on an axis.

Figures come from the frameworks' documentation or from a second spec written without the
feature (the same network by hand), never from convcalc's own formulas.
"""
from __future__ import annotations

import json

import pytest

from conftest import run_cli

E = "convcalc: error: "


def run(tmp_path, text: str, *options: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return run_cli("summary", str(path), *options)


def data(tmp_path, text: str) -> dict:
    result = run(tmp_path, text, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --------------------------------------------------------------------------- $in: a template sees its input

SE_BY_HAND = """
input: [3, 32, 32]
layout: chw
layers:
  - conv2d: {filters: 16, kernel: 3, padding: 1}
  - conv2d: {filters: 64, kernel: 1, name: expand}
  - adaptive_avgpool2d: 1
  - conv2d: {filters: 4, kernel: 1}
  - relu
  - conv2d: {filters: 64, kernel: 1}
  - sigmoid: {name: gate}
  - multiply: {from: [gate, expand]}
  - conv2d: {filters: 16, kernel: 1, name: project}
  - add: {from: [project, conv2d_1]}
"""

SE_WITH_IN = """
input: [3, 32, 32]
layout: chw
blocks:
  se:
    params: [squeeze]
    layers:
      - adaptive_avgpool2d: 1
      - conv2d: {filters: $squeeze, kernel: 1}
      - relu
      - conv2d: {filters: $in.channels, kernel: 1}
      - sigmoid: {name: gate}
      - multiply: {from: [gate, input]}
  mbconv:                       # EfficientNet's MBConv: expand, squeeze to max(1, in // 4), project
    params: [out, expand: 4]
    layers:
      - conv2d: {filters: '$(in.channels * expand)', kernel: 1}
      - se: {squeeze: '$(max(1, in.channels // 4))'}
      - conv2d: {filters: $out, kernel: 1, name: project}
      - {add: {from: [project, input]}, if: '$(in.channels == out)'}
layers:
  - conv2d: {filters: 16, kernel: 3, padding: 1}
  - mbconv: {out: 16}
"""


def test_a_template_reading_its_input_builds_the_network_written_by_hand(tmp_path):
    by_hand, with_in = data(tmp_path, SE_BY_HAND), data(tmp_path, SE_WITH_IN)
    assert [layer["output_shape"] for layer in with_in["layers"]] == [layer["output_shape"] for layer in by_hand["layers"]]
    assert with_in["total_params"] == by_hand["total_params"]


def test_in_sees_spatial_sizes_and_the_shape_in_the_layout(tmp_path):
    text = ("input: [5, 24, 40]\nlayout: chw\nblocks:\n  b:\n    layers:\n"
            "      - conv2d: {filters: '$(in.height + in.width + in.shape[0] + in.rank)', kernel: 1}\n"
            "layers:\n  - b\n")
    assert data(tmp_path, text)["output_shape"] == [24 + 40 + 5 + 2, 24, 40]


IN_ERRORS = [
    ("an unknown fact",
     "input: [8, 8, 4]\nblocks:\n  b:\n    layers: [conv2d: {filters: $in.size, kernel: 1}]\nlayers:\n  - b\n",
     "layer 1 'b_1' (conv2d): 'in.size' is not something block 'b' knows of its input; its input has: in.channels, "
     "in.height, in.width, in.depth, in.length, in.spatial, in.shape, in.rank"),
    ("an axis the input does not have",
     "input: [8, 8, 4]\nblocks:\n  b:\n    layers: [conv2d: {filters: $in.depth, kernel: 1}]\nlayers:\n  - b\n",
     "layer 1 'b_1' (conv2d): 'in.depth': the input of block 'b' is (8, 8, 4), with no such axis; its spatial axes: H, W"),
    ("$in outside a template",
     "input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: $in.channels, kernel: 1}\n",
     "layer 1 'conv2d_1' (conv2d): 'in.channels' is used outside a block template; $in stands for a template's input: "
     "write it inside blocks:"),
    ("$in alone",
     "input: [8, 8, 4]\nblocks:\n  b:\n    layers: [conv2d: {filters: $in, kernel: 1}]\nlayers:\n  - b\n",
     "layer 1 'b_1' (conv2d): '$in' is the template's input: write one of its facts; e.g. $in.channels, $in.height, $in.width"),
]


@pytest.mark.parametrize("text, message", [e[1:] for e in IN_ERRORS], ids=[e[0] for e in IN_ERRORS])
def test_in_errors(tmp_path, text, message):
    result = run(tmp_path, text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


# --------------------------------------------------------------------------- a split's outputs

SHUFFLE_UNIT = """
input: [116, 28, 28]
layout: chw
layers:
  - split: {name: s}
  - conv2d: {filters: 58, kernel: 1, from: s.1, name: c}
  - concat: {from: [s.0, c]}
  - channel_shuffle: 2
"""


def test_a_split_has_two_outputs_named_by_index(tmp_path):
    # torchvision ShuffleNetV2 InvertedResidual (stride 1): x1, x2 = x.chunk(2, dim=1); cat((x1, branch2(x2)), 1)
    got = data(tmp_path, SHUFFLE_UNIT)
    split, conv, concat = got["layers"][:3]
    assert split["output_shapes"] == [[58, 28, 28], [58, 28, 28]]
    assert conv["inputs"] == ["s.1"] and conv["input_shape"] == [58, 28, 28]
    assert concat["inputs"] == ["s.0", "c"] and concat["output_shape"] == [116, 28, 28]


def test_the_table_shows_every_output_of_a_split(tmp_path):
    out = run(tmp_path, SHUFFLE_UNIT, "-c", "name,type,shape").stdout
    assert "2 × (58, 28, 28)" in out and "concat ← s.0, c" in out


SPLIT_ERRORS = [
    ("the split named without an output", "input: [8, 8, 4]\nlayers:\n  - split: {name: s}\n  - relu: {from: s}\n",
     "layer 2 'relu_1' (relu): from 's' names a layer with 2 outputs; name one of them: from: s.0 or s.1"),
    ("an output past the last", "input: [8, 8, 4]\nlayers:\n  - split: {name: s}\n  - relu: {from: s.2}\n",
     "layer 2 'relu_1' (relu): from 's.2' names output 2, but 's' has outputs 0 to 1; write from: s.1 for the last"),
    ("an output of a one-output layer", "input: [8, 8, 4]\nlayers:\n  - relu: {name: r}\n  - relu: {from: r.0}\n",
     "layer 2 'relu_1' (relu): from 'r.0' names an output of 'r', which has one output; write from: r"),
    ("unequal parts", "input: [8, 8, 6]\nlayers:\n  - split: {sections: 4}\n",
     "layer 1 'split_1' (split): C = 6 does not split into 4 equal parts; give the size of each part as a list, "
     "e.g. sections: [2, 2, 1, 1]"),
    ("parts that do not add up", "input: [8, 8, 6]\nlayers:\n  - split: {sections: [2, 3]}\n",
     "layer 1 'split_1' (split): the parts 2 + 3 = 5 do not add up to C = 6; give parts that add up to the size, "
     "or a number of equal parts"),
]


@pytest.mark.parametrize("text, message", [e[1:] for e in SPLIT_ERRORS], ids=[e[0] for e in SPLIT_ERRORS])
def test_split_errors(tmp_path, text, message):
    result = run(tmp_path, text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


# --------------------------------------------------------------------------- the network's outputs

AUX = """
input: [3, 32, 32]
layout: chw
layers:
  - conv2d: {filters: 8, kernel: 3, name: c1}
  - conv2d: {filters: 8, kernel: 3, name: c2}
  - adaptive_avgpool2d: {output_size: 1, from: c1, name: aux_pool}
  - flatten
  - dense: {units: 10, name: aux_fc}
  - global_avgpool: {from: c2}
  - dense: {units: 10, name: fc}
outputs: [fc, {from: aux_fc, training_only: true}]
"""

MAIN_ONLY = """
input: [3, 32, 32]
layout: chw
layers:
  - conv2d: {filters: 8, kernel: 3, name: c1}
  - conv2d: {filters: 8, kernel: 3, name: c2}
  - global_avgpool
  - dense: {units: 10, name: fc}
"""


def test_json_lists_each_output(tmp_path):
    got = data(tmp_path, AUX)
    assert got["outputs"] == [{"name": "fc", "shape": [10], "training_only": False},
                              {"name": "aux_fc", "shape": [10], "training_only": True}]
    assert got["output_shape"] == [10]  # the first output, as before
    assert [layer["name"] for layer in got["layers"] if layer.get("training_only")] == ["aux_pool", "flatten_1", "aux_fc"]


def test_a_training_only_head_is_left_out_of_inference_macs_and_memory_but_its_parameters_count(tmp_path):
    with_aux, main = data(tmp_path, AUX), data(tmp_path, MAIN_ONLY)
    assert with_aux["total_macs"] == main["total_macs"]
    assert with_aux["total_flops"] == main["total_flops"]
    assert with_aux["memory"]["inference_peak_activation_bytes"] == main["memory"]["inference_peak_activation_bytes"]
    assert with_aux["training_only_macs"] == 8 * 10  # the aux Linear(8, 10): 80 multiply-accumulates
    assert with_aux["total_params"] == main["total_params"] + 8 * 10 + 10


def test_every_format_shows_each_output(tmp_path):
    table = run(tmp_path, AUX).stdout
    assert "Outputs: fc (10,); aux_fc (10,) (training only)" in table
    assert "left out of the MACs, FLOPs and inference memory" in table
    markdown = run(tmp_path, AUX, "--format", "markdown").stdout
    assert "Outputs: fc (10,); aux_fc (10,) (training only)" in markdown
    csv = run(tmp_path, AUX, "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",network_output") and csv[6].endswith(",aux_fc (training only)") and csv[8].endswith(",fc")


def test_a_spec_without_outputs_has_its_last_layer_as_output(tmp_path):
    got = data(tmp_path, MAIN_ONLY)
    assert got["outputs"] == [{"name": "fc", "shape": [10], "training_only": False}]
    assert "training_only_macs" not in got and "Outputs:" not in run(tmp_path, MAIN_ONLY).stdout


OUTPUT_ERRORS = [
    ("an unknown layer", AUX.replace("outputs: [fc,", "outputs: [fcc,"),
     "outputs[1]: output 'fcc' names no layer; did you mean 'fc'?"),
    ("an unknown key", AUX.replace("training_only: true", "training: true"),
     "outputs[2]: unknown key 'training'; did you mean 'training_only'?"),
    ("not a flag", AUX.replace("training_only: true", "training_only: 3"),
     "outputs[2]: training_only must be true or false, got 3"),
    ("every output training-only", AUX.replace("outputs: [fc,", "outputs: [{from: fc, training_only: true},"),
     "outputs: every output is training-only; mark only the auxiliary heads training_only: true"),
    ("listed twice", AUX.replace("outputs: [fc,", "outputs: [fc, fc,"),
     "outputs[2]: output 'fc' is listed twice; list each output once"),
    ("not a list", AUX.replace("outputs: [fc, {from: aux_fc, training_only: true}]", "outputs: fc"),
     "outputs: outputs must be a list of layer names, got 'fc'; write e.g. 'outputs: [fc, {from: aux.fc, training_only: true}]'"),
    ("a split without its index", "input: [8, 8, 4]\nlayers:\n  - split: {name: s}\noutputs: [s]\n",
     "outputs[1]: output 's' is a layer with 2 outputs; name one of them: s.0 or s.1"),
]


@pytest.mark.parametrize("text, message", [e[1:] for e in OUTPUT_ERRORS], ids=[e[0] for e in OUTPUT_ERRORS])
def test_output_errors(tmp_path, text, message):
    result = run(tmp_path, text)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")


def test_a_block_name_as_output_means_its_last_layer(tmp_path):
    text = ("input: [8, 8, 4]\nlayers:\n  - residual: {name: r, main: [relu], after: [relu: {name: last}]}\n"
            "  - relu: {name: tail}\noutputs: [tail, r]\n")
    assert [o["name"] for o in data(tmp_path, text)["outputs"]] == ["tail", "r.last"]


# --------------------------------------------------------------------------- dense says when it flattens

def test_dense_says_it_flattens_in_the_table_and_json(tmp_path):
    # CS231n notes: the 7x7x512 volume flattened gives 25,088 numbers (VGG's first FC layer)
    text = "input: [7, 7, 512]\nlayers:\n  - dense: {units: 4096, name: fc}\n"
    assert data(tmp_path, text)["layers"][0]["remarks"] == ["flattens 7·7·512 = 25,088 inputs"]
    assert "layer 1 'fc' (dense): flattens 7·7·512 = 25,088 inputs" in run(tmp_path, text).stdout
    on_axis = "input: [7, 7, 512]\nlayers:\n  - dense: {units: 16, axis: channels}\n"
    assert "remarks" not in data(tmp_path, on_axis)["layers"][0]


# --------------------------------------------------------------------------- what Keras cannot express

KERAS_REFUSALS = [
    # keras.io's layer list (Keras 3): no LayerScale, no LocallyConnected (removed from Keras 2), Resizing is 2D
    # and has no align_corners, UpSampling3D has no trilinear mode, Dense acts on the last axis
    ("layer scale", "input 8x6x6 layout=chw; layer_scale",
     "layer 1 'layer_scale_1' (layer_scale): cannot export to Keras: keras.layers has no LayerScale (keras_hub and "
     "keras_cv have their own); export to PyTorch"),
    ("locally connected", "input 8x8x3; locally_connected2d 4 kernel=3",
     "layer 1 'locally_connected2d_1' (locally_connected2d): cannot export to Keras: Keras 3 removed LocallyConnected1D/2D "
     "(Keras 2.x had them); export the network without it, or use Keras 2's LocallyConnected layers by hand"),
    ("resize to a size in 1D", "input 4x6 layout=chw; upsample1d size=9",
     "layer 1 'upsample1d_1' (upsample1d): cannot export to Keras: it resizes to a size in 2D only (Resizing); this input "
     "has 1 spatial axis; give a scale instead, or export to PyTorch"),
    ("align_corners", "input 4x5x5 layout=chw; resize size=9 mode=bilinear align_corners=true",
     "layer 1 'resize_1' (upsample2d): cannot export to Keras: it has no align_corners (TensorFlow resizes with "
     "half-pixel centres); drop align_corners, or export to PyTorch"),
    ("trilinear", "input 2x4x4x4 layout=chw; upsample3d 2 mode=trilinear",
     "layer 1 'upsample3d_1' (upsample3d): cannot export to Keras: its resizing layers have no trilinear mode; use "
     "bilinear or nearest"),
    ("dense on W", "input 8x6x6 layout=chw; dense 16 axis=-1",
     "layer 1 'dense_1' (dense): cannot export to Keras: Dense acts on the last axis (the channels, channels last), "
     "not on W; permute the axis last first, or export to PyTorch"),
]


@pytest.mark.parametrize("spec, message", [r[1:] for r in KERAS_REFUSALS], ids=[r[0] for r in KERAS_REFUSALS])
def test_what_keras_cannot_express_is_refused_with_the_reason(spec, message):
    result = run_cli("export", spec, "--to", "keras")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", E + message + "\n")
