"""Issue 17, familiar spellings: Keras' and PyTorch's argument names, activation=, quoted keywords and
the input written as a tuple or with spaces, each checked against the framework that uses the words.

Every row builds the framework's own layer with the very words the spec uses and compares its output
shape and parameter count (torch.nn and keras.layers, skipped where they are not installed).
"""
from __future__ import annotations

import os

import pytest

from conftest import run_cli, summary_json


def _torch():
    return pytest.importorskip("torch", reason="the PyTorch check needs torch (optional)")


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")  # CI has torch, never TensorFlow
    _torch()
    return pytest.importorskip("keras", reason="the Keras check needs keras (optional)")


# (spec in PyTorch's words, the torch module with the same keyword arguments, its input (C, H, W))
TORCH_ROWS = [
    ("input 3x32x32 layout=chw; conv2d out_channels=8 kernel_size=3 stride=2 bias=false",
     lambda nn: nn.Conv2d(3, out_channels=8, kernel_size=3, stride=2, bias=False), (3, 32, 32)),
    ("input 3x32x32 layout=chw; conv2d out_channels=8 kernel_size=5 padding=2 padding_mode=zeros",
     lambda nn: nn.Conv2d(3, out_channels=8, kernel_size=5, padding=2, padding_mode="zeros"), (3, 32, 32)),
    ("input 3x32x32 layout=chw; maxpool2d kernel_size=3 stride=2",
     lambda nn: nn.MaxPool2d(kernel_size=3, stride=2), (3, 32, 32)),
    ("input 4x8x8 layout=chw; conv_transpose2d out_channels=2 kernel_size=4 stride=2 padding=1",
     lambda nn: nn.ConvTranspose2d(4, out_channels=2, kernel_size=4, stride=2, padding=1), (4, 8, 8)),
    ("input 48 layout=chw; dense out_features=10", lambda nn: nn.Linear(48, out_features=10), (48,)),
    ("input 3x8x8 layout=chw; dropout p=0.25", lambda nn: nn.Dropout(p=0.25), (3, 8, 8)),
    ("input 3x8x8 layout=chw; upsample2d scale_factor=2", lambda nn: nn.Upsample(scale_factor=2), (3, 8, 8)),
    ("input 4x8x8 layout=chw; groupnorm num_groups=2", lambda nn: nn.GroupNorm(num_groups=2, num_channels=4), (4, 8, 8)),
]


@pytest.mark.parametrize("spec, build, shape", TORCH_ROWS, ids=[row[0].split("; ")[1] for row in TORCH_ROWS])
def test_pytorch_argument_names(spec, build, shape):
    torch = _torch()
    module = build(torch.nn).eval()
    layer = summary_json(spec)["layers"][0]
    with torch.no_grad():
        assert layer["output_shape"] == list(module(torch.zeros(1, *shape)).shape[1:])
    assert layer["params"] == sum(p.numel() for p in module.parameters())


# (spec in Keras' words, the keras layers with the same keyword arguments, its input (H, W, C), convcalc's row types)
KERAS_ROWS = [
    ("input 32x32x3; conv2d filters=8 kernel_size=3 strides=2 use_bias=false dilation_rate=1",
     lambda layers: [layers.Conv2D(filters=8, kernel_size=3, strides=2, use_bias=False, dilation_rate=1)], (32, 32, 3),
     ["conv2d"]),
    ("input 32x32x3; conv2d 8 kernel_size=3 activation=relu",
     lambda layers: [layers.Conv2D(8, kernel_size=3, activation="relu")], (32, 32, 3), ["conv2d", "relu"]),
    ("input 32x32x3; maxpool2d pool_size=2 strides=2", lambda layers: [layers.MaxPooling2D(pool_size=2, strides=2)], (32, 32, 3),
     ["maxpool2d"]),
    ("input 32x32x3; flatten; dense units=10 activation=softmax",
     lambda layers: [layers.Flatten(), layers.Dense(units=10, activation="softmax")], (32, 32, 3), ["flatten", "dense", "softmax"]),
    ("input 8x8x4; batchnorm epsilon=0.001", lambda layers: [layers.BatchNormalization(epsilon=0.001)], (8, 8, 4), ["batchnorm"]),
    ("input 8x8x4; reshape target_shape=16x16", lambda layers: [layers.Reshape(target_shape=(16, 16))], (8, 8, 4), ["reshape"]),
    ("input 32x32x3; separable_conv2d 8 kernel_size=3 activation=tanh use_bias=false",
     lambda layers: [layers.SeparableConv2D(8, kernel_size=3, activation="tanh", use_bias=False)], (32, 32, 3),
     ["separable_conv2d", "tanh"]),
]


@pytest.mark.parametrize("spec, build, shape, types", KERAS_ROWS, ids=[row[0].split("; ")[-1] for row in KERAS_ROWS])
def test_keras_argument_names(spec, build, shape, types):
    keras = _keras()
    inputs = keras.Input(shape)
    outputs = inputs
    for layer in build(keras.layers):
        outputs = layer(outputs)
    model = keras.Model(inputs, outputs)
    data = summary_json(spec)
    assert [layer["type"] for layer in data["layers"]] == types  # activation= is a layer of its own, shown as such
    assert data["output_shape"] == list(model.output.shape[1:])
    assert data["total_params"] == model.count_params()


def test_activation_names_the_layer_keras_means():
    """Keras' Conv2D(name='c1', activation='relu'): the output of c1 is after the relu, so from: c1 reads it."""
    data = summary_json("input 8x8x4; conv2d 4 kernel=3 padding=1 name=c1 activation=relu; conv2d 4 kernel=1; add from=c1,conv2d_1")
    assert [(layer["name"], layer["inputs"]) for layer in data["layers"]] == [
        ("c1", ["input"]), ("c1_relu", ["c1"]), ("conv2d_1", ["c1_relu"]), ("add_1", ["c1_relu", "conv2d_1"])]


def test_activation_is_a_row_in_the_table():
    result = run_cli("summary", "input 32x32x3; conv2d 8 kernel=3 activation=relu", "--columns", "name,type,shape")
    assert result.exit_code == 0, result.stderr
    assert "conv2d_1_relu" in result.stdout and "│ relu" in result.stdout


# Seed 000 (Data Science Stack Exchange): "Input (25, 64, 1); Conv2D(7x7, 1, 100) (25, 64, 100) 4.900 (7x7x100);
# MaxPool2D (13, 32, 100); Conv2D(5x5, 1, 150) (13, 32, 150) 375.000 (5x5x150x100)": the shapes of Keras' padding="same".
SEED_LAYERS = "conv2d 100 kernel=7 padding='same' bias=false; maxpool2d 2 padding=\"same\"; conv2d 150 kernel=5 padding=same bias=false"


@pytest.mark.parametrize("written", ["input (25, 64, 1)", "input 25 x 64 x 1", "input [25, 64, 1]", "input: 25x64x1", "input 25×64×1"])
def test_the_input_as_people_write_it(written):
    data = summary_json(f"{written}; {SEED_LAYERS}")
    assert [layer["output_shape"] for layer in data["layers"]] == [[25, 64, 100], [13, 32, 100], [13, 32, 150]]  # seed 000
    assert [layer["weights"] for layer in data["layers"]] == [4_900, 0, 375_000]  # seed 000: 7x7x100, 5x5x150x100


@pytest.mark.parametrize(
    "spec, message",
    [
        ("input 28x28; conv2d 8 kernel=3",
         "layer 1 'conv2d_1' (conv2d): needs an input with 2 spatial axes and channels, such as (H, W, C); its input is (28, 28); "
         "add the channel axis: input 28x28x1 (in YAML: input: [28, 28, 1]) for a single channel, or use conv1d for an input "
         "with 1 spatial axis"),
        ("input 32x32x3; conv2d 8 kernel=3 activation=relu6x",
         "layer 1 'conv2d_1' (conv2d): activation 'relu6x' is not an activation; did you mean 'relu6'?"),
        ("input 32x32x3; maxpool2d 2 activation=relu",
         "layer 1 'maxpool2d_1' (maxpool2d): unknown argument 'activation'; activation= is taken by conv and dense layers; "
         "for a maxpool2d, write the activation as a layer of its own after it (e.g. '- relu')"),
        ("input 32x32x3; conv2d 8 kernel=3 strides=2 stride=2",
         "layer 1 'conv2d_1' (conv2d): strides and stride are both given; they are the same argument (strides is its Keras/PyTorch "
         "name): give one"),
        ("input 32x32x3; conv2d 8 kernel=3 in_channels=3",
         "layer 1 'conv2d_1' (conv2d): unknown argument 'in_channels'; convcalc reads the input channels from the layer before; "
         "leave in_channels out"),
        ("input 32x32x3; conv2d 8 kernel=3 data_format=channels_first",
         "layer 1 'conv2d_1' (conv2d): unknown argument 'data_format'; the layout is set for the whole spec: 'layout: chw' "
         "(channels first) or 'layout: hwc'; leave data_format out"),
        ("input 32x32x3; flatten; dense units=10 out_channels=3",
         "layer 2 'dense_1' (dense): unknown argument 'out_channels'; out_channels is the Keras/PyTorch name of filters, which "
         "dense does not take; dense takes: axis, bias, units"),
    ],
)
def test_a_framework_word_that_does_not_fit_names_convcalcs(spec, message):
    result = run_cli("summary", spec)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"convcalc: error: {message}\n")
