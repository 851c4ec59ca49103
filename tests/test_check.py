"""`convcalc check`: answers marked right or wrong, a wrong one named by the classic mistake it matches.

The right values in these sheets are published ones (the source is named in each row's id) and,
where torch can compute them, checked against torch below; a wrong answer is the one a student
gets by the named slip (forgetting the biases, the padding, the input depth, the + 1…), worked
out by hand in the row's comment.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

# --------------------------------------------------------------------------- helpers


def one(shape: str, layer: str, expect: str, name: str = "c", top: str = "") -> str:
    """A sheet with one layer named ``name`` and its answers."""
    layer = layer[:-2] + f"{{name: {name}}}" if layer.endswith("{}") else layer.rstrip("}") + f", name: {name}}}"
    return f"input: {shape}\nlayers:\n  - {layer}\n    expect: {expect}\n" + (f"expect: {top}\n" if top else "")


def _sheet(tmp_path, text: str) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _check(tmp_path, text: str, *args: str):
    return run_cli("check", _sheet(tmp_path, text), *args)


CS231N = one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, stride: 1, padding: 2}", "{answers}", "conv1")
ALEXNET = one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{answers}", "conv1")

VERDICTS = [
    pytest.param(CS231N, "{shape: [32, 32, 10], params: 760}", 0,
                 ["✓ layer 1 'conv1' shape: (32, 32, 10)",
                  "✓ layer 1 'conv1' params: 760", "", "2 of 2 right"],
                 id="CS231n lecture 5: all right"),
    pytest.param(CS231N, "{shape: [32, 32, 10], params: 750}", 1,
                 ["✓ layer 1 'conv1' shape: (32, 32, 10)",
                  "✗ layer 1 'conv1' params: you wrote 750, right is 760",
                  "    You left out the biases: 760 − 750 = 10 = the 10 biases, one per filter.",
                  "    each filter is 5·5·3 = 75 weights, spanning all 3 input channels",
                  "    weights = 5·5·3·10 = 750",
                  "    biases = 10",
                  "    params = 750 + 10 = 760",
                  "", "1 of 2 right, 1 wrong"],
                 id="CS231n lecture 5: biases forgotten (76 per filter, not 75)"),
    pytest.param(CS231N, "{shape: [28, 28, 10]}", 1,
                 ["✗ layer 1 'conv1' shape: you wrote (28, 28, 10), right is (32, 32, 10)",
                  "    You left out the padding: (32 − 5)/1 + 1 = 28, but with P = 2 on each side it is (32 − 5 + 2·2)/1 + 1 = 32.",
                  "    per axis: H2 = 28 ✗ (32), W2 = 28 ✗ (32), D2 = 10 ✓",
                  "    H2 = (32 − 5 + 2·2)/1 + 1 = 32"],
                 id="CS231n lecture 5: padding forgotten ((32-5)/1+1 = 28 is the unpadded size)"),
    pytest.param(ALEXNET, "{shape: [55, 55, 96], weights: 34848, biases: 96, params: '34,944'}", 0,
                 ["✓ layer 1 'conv1' shape: (55, 55, 96)", "✓ layer 1 'conv1' weights: 34,848",
                  "✓ layer 1 'conv1' biases: 96", "✓ layer 1 'conv1' params: 34,944", "", "4 of 4 right"],
                 id="CS231n notes: AlexNet conv1, 34,848 weights + 96 biases"),
    pytest.param(ALEXNET, "{shape: [55, 55, 96], weights: 11616}", 1,
                 ["✓ layer 1 'conv1' shape: (55, 55, 96)",
                  "✗ layer 1 'conv1' weights: you wrote 11,616, right is 34,848",
                  "    You left out the input depth: each filter spans all 3 input channels, so the weights are 11,616 × 3 = 34,848.",
                  "    each filter is 11·11·3 = 363 weights, spanning all 3 input channels",
                  "    weights = 11·11·3·96 = 34,848"],
                 id="CS231n notes: AlexNet conv1 weights without the input depth 3 (seed 000's confusion)"),
]


@pytest.mark.parametrize("template, answers, code, lines", VERDICTS)
def test_verdicts_and_exit_code(tmp_path, template, answers, code, lines):
    result = _check(tmp_path, template.replace("{answers}", answers))
    assert result.exit_code == code, result.stderr
    out = result.stdout.splitlines()
    start = out.index(lines[0])
    assert out[start:start + len(lines)] == lines
    assert result.stderr == ""


# --------------------------------------------------------------------------- the bank of classic mistakes
# (id: the slip and where the numbers come from; sheet; extra options; the verdict's head; the named mistake)

SEED0_CONV2 = "conv2d: {filters: 150, kernel: 5, padding: 2}"  # seed 000: (13, 32, 100) → (13, 32, 150), 375,000 weights
MISTAKES = [
    pytest.param(one("[25, 64, 1]", "conv2d: {filters: 100, kernel: 7, padding: same}", "{params: 4.900}"), (),
                 "✗ layer 1 'c' params: you wrote 4.900, right is 5,000",
                 "You left out the biases: 5,000 − 4,900 = 100 = the 100 biases, one per filter.",
                 id="seed 000: 4.900 (7x7x100) weights, the 100 biases left out of the parameters"),
    pytest.param(one("[13, 32, 100]", SEED0_CONV2, "{params: 3900}"), (),
                 "✗ layer 1 'c' params: you wrote 3,900, right is 375,150",
                 "You left out the input depth: each filter spans all 100 input channels, so the weights are 3,750 × 100 = "
                 "375,000, and with the other 150 parameters 375,150.",
                 id="seed 000: 5x5x150 + 150 leaves out the 100 input channels (accepted answer: 5x5x100x150)"),
    pytest.param(one("[13, 32, 100]", SEED0_CONV2, "{shape: [13, 32, 150, 100]}"), (),
                 "✗ layer 1 'c' shape: you wrote (13, 32, 150, 100), right is (13, 32, 150)",
                 "Each filter spans all 100 input channels and gives one feature map, so 150 filters give depth 150: "
                 "the output is (13, 32, 150), not 4-D (the weights are 4-D: 5·5·100·150).",
                 id="seed 000: 'shouldn't it be 13x32x150x100?' - the 4-D (..., K, C_in) shape"),
    pytest.param(one("[13, 32, 100]", SEED0_CONV2, "{shape: [13, 32, 15000]}"), (),
                 "✗ layer 1 'c' shape: you wrote (13, 32, 15,000), right is (13, 32, 150)",
                 "Each filter spans all 100 input channels and gives one feature map, so the depth is K = 150, not 150·100 = 15,000.",
                 id="seed 001 'Type 1': k1·k2 feature maps after the second layer"),
    pytest.param(one("[13, 32, 100]", SEED0_CONV2, "{shape: [13, 32, 100]}"), (),
                 "✗ layer 1 'c' shape: you wrote (13, 32, 100), right is (13, 32, 150)",
                 "A convolution's output depth is its number of filters K = 150, not the input depth 100.",
                 id="CS231n notes: D2 = K, not the input depth D1"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{weights: 11616}"), (),
                 "✗ layer 1 'c' weights: you wrote 11,616, right is 34,848",
                 "You left out the input depth: each filter spans all 3 input channels, so the weights are 11,616 × 3 = 34,848.",
                 id="CS231n notes, AlexNet conv1: 11·11·96 leaves out the depth 3 (34,848 weights)"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{params: 11616}"), (),
                 "✗ layer 1 'c' params: you wrote 11,616, right is 34,944",
                 "You left out the input depth and the biases: each filter spans all 3 input channels, so the weights are "
                 "11,616 × 3 = 34,848, and 96 biases come on top.",
                 id="CS231n notes, AlexNet conv1: neither depth nor biases (34,944 parameters)"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{weights: 34944}"), (),
                 "✗ layer 1 'c' weights: you wrote 34,944, right is 34,848",
                 "You added the biases: 34,944 − 34,848 = 96 = the biases, which are parameters but not weights.",
                 id="CS231n notes, AlexNet conv1: 34,944 is the parameter count, the weights are 34,848"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{biases: 290400}"), (),
                 "✗ layer 1 'c' biases: you wrote 290,400, right is 96",
                 "One bias is shared by all 3,025 positions of a channel: 290,400 = 3,025 × 96, but there are 96.",
                 id="CS231n notes: one bias per filter, shared across the 55x55 positions"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{params: 290400}"), (),
                 "✗ layer 1 'c' params: you wrote 290,400, right is 34,944",
                 "290,400 is the number of output values (activations), not of parameters: one filter's weights are shared "
                 "by all 3,025 positions.",
                 id="CS231n notes: 55*55*96 = 290,400 neurons, not parameters"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{params: 105705600}"), (),
                 "✗ layer 1 'c' params: you wrote 105,705,600, right is 34,944",
                 "105,705,600 = 3,025 × 34,944 counts a separate set of weights for every output position (no parameter "
                 "sharing, as a locally connected layer); a convolution shares them: 34,944.",
                 id="CS231n notes: 290400 * 364 = 105,705,600 is the count without parameter sharing"),
    pytest.param(one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{shape: [30, 30, 10]}"), (),
                 "✗ layer 1 'c' shape: you wrote (30, 30, 10), right is (32, 32, 10)",
                 "You added the padding once: it goes on both sides, 2P = 4: (32 − 5 + 2·2)/1 + 1 = 32.",
                 id="CS231n lecture 5: (32 - 5 + 2)/1 + 1 = 30 adds the padding of one side only"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{shape: [54, 54, 96]}"), (),
                 "✗ layer 1 'c' shape: you wrote (54, 54, 96), right is (55, 55, 96)",
                 "You left out the + 1: (227 − 11 + 2·0)/4 = 54, and the first window adds 1: 55.",
                 id="CS231n notes, AlexNet conv1: (227 - 11)/4 = 54 without the + 1"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{shape: [217, 217, 96]}"), (),
                 "✗ layer 1 'c' shape: you wrote (217, 217, 96), right is (55, 55, 96)",
                 "You left out the stride S = 4: (227 − 11 + 2·0)/4 + 1 = 55, not (227 − 11 + 2·0)/1 + 1 = 217.",
                 id="CS231n notes, AlexNet conv1: stride 4 left out"),
    pytest.param(one("[10, 10, 1]", "conv2d: {filters: 1, kernel: 3, stride: 2}", "{shape: [5, 5, 1]}"), (),
                 "✗ layer 1 'c' shape: you wrote (5, 5, 1), right is (4, 4, 1)",
                 "You rounded up: (10 − 3 + 2·0)/2 + 1 = 4.5, and PyTorch and Keras round down to 4: the last window does "
                 "not fit (only ceil_mode rounds up).",
                 id="CS231n notes: W=10, F=3, S=2 gives 4.5; PyTorch Conv2d floors it to 4, not 5"),
    pytest.param(one("[112, 112, 64]", "maxpool2d: {kernel: 3, stride: 2, ceil_mode: true}", "{shape: [55, 55, 64]}"), (),
                 "✗ layer 1 'c' shape: you wrote (55, 55, 64), right is (56, 56, 64)",
                 "You rounded down: (112 − 3 + 2·0)/2 + 1 = 55.5, and ceil_mode rounds up to 56.",
                 id="torchvision GoogLeNet maxpool1: MaxPool2d(3, 2, ceil_mode=True) takes 112 to 56, not 55"),
    pytest.param(one("[5, 5, 1]", "maxpool2d: {kernel: 2, stride: 2, padding: 1, ceil_mode: true}", "{shape: [4, 4, 1]}"), (),
                 "✗ layer 1 'c' shape: you wrote (4, 4, 1), right is (3, 3, 1)",
                 "ceil_mode rounds (5 − 2 + 2·1)/2 + 1 = 3.5 up to 4, but that last window would start in the right padding, "
                 "and PyTorch drops it: 3.",
                 id="PyTorch MaxPool2d docs (ceil_mode): windows that would start in the right padding are ignored; 5 -> 3 in torch"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{shape: [96, 55, 55]}"), (),
                 "✗ layer 1 'c' shape: you wrote (96, 55, 55), right is (55, 55, 96)",
                 "You wrote channels first (C, H, W); this sheet's layout is hwc, (H, W, C): (55, 55, 96).",
                 id="CS231n notes: 55x55x96 written PyTorch-style (96, 55, 55) on a channels-last sheet"),
    pytest.param(one("[4, 4, 512]", "conv_transpose2d: {filters: 256, kernel: 4, stride: 2, padding: 1}", "{shape: [2, 2, 256]}"), (),
                 "✗ layer 1 'c' shape: you wrote (2, 2, 256), right is (8, 8, 256)",
                 "You used the forward formula ⌊(4 − 4 + 2·1)/2⌋ + 1 = 2; a transposed convolution runs it backwards: "
                 "(4 − 1)·2 − 2·1 + 4 + output padding = 8.",
                 id="PyTorch DCGAN tutorial: ConvTranspose2d(512, 256, 4, 2, 1) takes 4x4 to 8x8"),
    pytest.param(one("[6, 6, 16]", "conv_transpose2d: {filters: 16, kernel: 3, stride: 2, padding: 1, output_padding: 1}",
                     "{shape: [11, 11, 16]}"), (),
                 "✗ layer 1 'c' shape: you wrote (11, 11, 16), right is (12, 12, 16)",
                 "You left out the output padding: (6 − 1)·2 − 2·1 + 3 = 11, + output padding 1 = 12.",
                 id="PyTorch ConvTranspose2d docs: 6x6 back to 12x12 needs output_padding 1"),
    pytest.param(one("[224, 224, 3]", "conv2d: {filters: 32, kernel: 3, stride: 2, padding: same}", "{shape: [111, 111, 32]}"), (),
                 "✗ layer 1 'c' shape: you wrote (111, 111, 32), right is (112, 112, 32)",
                 'You computed "valid" padding: ⌊(224 − 3)/2⌋ + 1 = 111; "same" pads the input so that the output is ⌈224/2⌉ = 112.',
                 id="TensorFlow 'same' padding: ceil(224/2) = 112 (Keras MobileNet conv1)"),
    pytest.param(one("[9, 9, 1]", "conv2d: {filters: 1, kernel: 3, dilation: 2}", "{shape: [7, 7, 1]}"), (),
                 "✗ layer 1 'c' shape: you wrote (7, 7, 1), right is (5, 5, 1)",
                 "You left out the dilation: a 3-tap kernel with dilation r = 2 spans r·(F − 1) + 1 = 5 pixels, not 3: "
                 "(9 − 5 + 2·0)/1 + 1 = 5.",
                 id="Yu and Koltun 2016: a 3x3 kernel with dilation 2 spans 5x5"),
    pytest.param(one("[224, 224, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{shape: [54.25, 54.25, 96]}"), (),
                 "✗ layer 1 'c' shape: you wrote (54.25, 54.25, 96), right is (54, 54, 96)",
                 "54.25 is not a whole size: PyTorch floors it to 54, CS231n calls the setting invalid (the windows do not fit evenly).",
                 id="CS231n notes: the AlexNet paper's 224 gives (224 - 11)/4 + 1 = 54.25"),
    pytest.param(one("[112, 112, 32]", "batchnorm: {}", "{params: 64}"), (),
                 "✗ layer 1 'c' params: you wrote 64, right is 128",
                 "You counted the trainable parameters only: 128 − 64 = 64 = the moving mean and variance, non-trainable but parameters too.",
                 id="keras.applications.MobileNet summary: conv1_bn has 128 params, 64 non-trainable"),
    pytest.param(one("[27, 27, 96]", "conv2d: {filters: 256, kernel: 5, padding: 2, groups: 2}", "{params: 614656}"), (),
                 "✗ layer 1 'c' params: you wrote 614,656, right is 307,456",
                 "614,656 counts a full convolution (5·5·96·256 weights); with groups each filter sees fewer channels: 307,456.",
                 id="AlexNet paper: conv2's kernels are 5x5x48 (two GPU groups), 307,456 parameters"),
    pytest.param(one("[147, 147, 64]", "separable_conv2d: {filters: 128, kernel: 3, padding: same, bias: false}", "{weights: 73728}"), (),
                 "✗ layer 1 'c' weights: you wrote 73,728, right is 8,768",
                 "73,728 counts a full convolution (3·3·64·128 weights); with a depthwise step each filter sees fewer channels: 8,768.",
                 id="keras.applications.Xception summary: block2_sepconv1 has 8,768 params"),
    pytest.param("input: [6, 6, 256]\nlayers:\n  - flatten\n  - dense: {units: 4096, name: fc6}\n    expect: {params: 151552}\n", (),
                 "✗ layer 2 'fc6' params: you wrote 151,552, right is 37,752,832",
                 "You left out the input depth: each unit sees all 256 channels of every position it reads, so the weights are "
                 "147,456 × 256 = 37,748,736, and with the other 4,096 parameters 37,752,832.",
                 id="torchvision AlexNet: Linear(256 * 6 * 6, 4096); 6*6*4096 + 4096 forgets the 256 channels"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{macs: 210830400}"), (),
                 "✗ layer 1 'c' macs: you wrote 210,830,400, right is 105,415,200",
                 "210,830,400 = 2 × 105,415,200 counts the multiplication and the addition apart (FLOPs); a multiply-add (MAC) is one.",
                 id="AlexNet conv1: 55*55*(11*11*3*96) = 105,415,200 multiply-adds (fvcore counts one per MAC)"),
    pytest.param(one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", "{macs: 34848}"), (),
                 "✗ layer 1 'c' macs: you wrote 34,848, right is 105,415,200",
                 "34,848 is the weights, used once per output position: × 3,025 positions = 105,415,200.",
                 id="AlexNet conv1: each of the 34,848 weights is used at all 55*55 positions"),
    pytest.param(one("[280, 320, 1]", "conv2d: {filters: 1, kernel: [1, 2], bias: false}", "{flops: 267960}"), (),
                 "✗ layer 1 'c' flops: you wrote 267,960, right is 357,280",
                 "267,960 counts FLOPs as n multiplications + n − 1 additions per output, no bias (textbook); this check counts "
                 "2 per multiply-add + 1 per bias (check --flops textbook for the textbook count).",
                 id="Goodfellow et al. ch. 9 edge detector: 319*280*3 = 267,960 is the textbook count, not convcalc's default"),
    pytest.param("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 8, kernel: 3, name: a}\n  - conv2d: {filters: 8, kernel: 3, name: b}\n"
                 "  - conv2d: {filters: 8, kernel: 3, name: c}\n    expect: {receptive_field: 9}\n", (),
                 "✗ layer 3 'c' receptive_field: you wrote 9, right is 7",
                 "9 adds up the window sizes; each layer adds (F − 1) times the product of the strides before it.",
                 id="CS231n notes: three stacked 3x3 CONV layers see 7x7 of the input, not 3+3+3"),
    pytest.param("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 8, kernel: 3, name: a}\n  - conv2d: {filters: 8, kernel: 3, name: b}\n"
                 "    expect: {receptive_field: 3}\n", (),
                 "✗ layer 2 'b' receptive_field: you wrote 3, right is 5",
                 "3 is this layer's own window; through the layers before it one unit sees more of the input.",
                 id="CS231n notes: two stacked 3x3 CONV layers see 5x5 of the input"),
    pytest.param("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 8, kernel: 3, stride: 2, name: a}\n"
                 "  - conv2d: {filters: 8, kernel: 3, name: b}\n    expect: {receptive_field: 5}\n", (),
                 "✗ layer 2 'b' receptive_field: you wrote 5, right is 7",
                 "5 = 1 + Σ(F − 1) leaves out the strides: after a stride-S layer each step of the next window moves S input pixels.",
                 id="Araujo et al. (Distill 2019): r = r + (k - 1)*j; after a stride-2 layer j = 2, so 3 + 2*2 = 7"),
    pytest.param(one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{params: 760}",
                     top="{total_params: 750}"), (),
                 "✗ network total_params: you wrote 750, right is 760",
                 "You left out the biases: 760 − 750 = 10 = every layer's biases.",
                 id="CS231n lecture 5: the network's total without its 10 biases"),
    pytest.param("input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, padding: 2, name: conv1}\n  - maxpool2d: 2\n"
                 "  - flatten\n  - dense: {units: 10, name: fc}\nexpect: {total_params: 25610}\n", (),
                 "✗ network total_params: you wrote 25,610, right is 26,370",
                 "You left out layer 1 'conv1': 26,370 − 25,610 = 760, its parameters.",
                 id="CS231n lecture 5 layer (760) + Linear(16*16*10, 10) (25,610): conv1 left out of the total"),
    pytest.param(one("[10, 10, 1]", "conv2d: {filters: 1, kernel: 3, stride: 2}", "{valid: true}"), (),
                 "✗ layer 1 'c' valid: you wrote true, right is false",
                 "CS231n calls a setting invalid when a size does not come out whole or at least 1, even where PyTorch and Keras "
                 "round it and run.",
                 id="CS231n notes: W=10, P=0, F=3, S=2 'would not fit neatly': an invalid setting of hyperparameters"),
    pytest.param(one("[224, 224, 3]", "conv2d: {filters: 64, kernel: 3, padding: 1}", "{activations: 12845056}"), (),
                 "✗ layer 1 'c' activations: you wrote 12,845,056, right is 3,211,264",
                 "12,845,056 is bytes (4 per value); the count of values is 3,211,264.",
                 id="CS231n notes, VGGNet: CONV3-64 memory 224*224*64 = 3.2M values"),
    pytest.param(one("[224, 224, 3]", "conv2d: {filters: 64, kernel: 3, padding: 1}", "{activation_memory: 3211264}"), (),
                 "✗ layer 1 'c' activation_memory: you wrote 3,211,264, right is 12,845,056",
                 "3,211,264 is the number of values; at 4 bytes each that is 12,845,056 bytes.",
                 id="CS231n notes, VGGNet: 4 bytes per float32 value"),
    pytest.param(one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{shape: [32, 32, 10]}",
                     top="{solve: {in: 32, out: 32, kernel: 5, stride: 1, find: padding, answer: 1}}"), (),
                 "✗ solve 1 padding: you wrote 1, right is 2",
                 "With padding 1 the output is (32 − 5 + 2·1)/1 + 1 = 30, not 32.",
                 id="CS231n notes: P = (F - 1)/2 = 2 keeps 32 with F = 5, S = 1"),
    pytest.param(one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{shape: [30, 32, 10]}"), (),
                 "✗ layer 1 'c' shape: you wrote (30, 32, 10), right is (32, 32, 10)",
                 "You added the padding once: it goes on both sides, 2P = 4: (32 − 5 + 2·2)/1 + 1 = 32.",
                 id="CS231n lecture 5: one axis wrong, the other right (per-axis verdict)"),
]


@pytest.mark.parametrize("sheet, args, head, diagnosis", MISTAKES)
def test_classic_mistakes_are_named(tmp_path, sheet, args, head, diagnosis):
    result = _check(tmp_path, sheet, *args)
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert head in lines, result.stdout
    assert lines[lines.index(head) + 1] == f"    {diagnosis}"


def test_the_mistake_bank_is_large_enough():
    assert len(MISTAKES) >= 30


def test_per_axis_verdicts():
    """CS231n lecture 5: 32 on both axes; the student got H right and W wrong."""
    sheet = one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{shape: [32, 28, 10]}")
    result = run_cli("check", "-", input=sheet)
    assert "    per axis: H2 = 32 ✓, W2 = 28 ✗ (32), D2 = 10 ✓" in result.stdout.splitlines()


@pytest.mark.parametrize("answer, line", [
    # CS231n lecture 5: 5·5·3·10 + 10 = 760; 5·5·4·10 + 10 = 1,010 has 4 where the input depth is 3
    (1010, "Your 1,010 fits 5·5·4·10 + 10: the factor 3 (D1, the input depth) is 4 in yours."),
    # 2,260 = 3 × 750 + 10: any one factor tripled gives it, so no single factor is named
    (2260, "Your 2,260 is 3 × 750 + 10: one factor of 5·5·3·10 is 3 times what it is here."),
])
def test_an_unmatched_count_names_the_factor_that_differs(tmp_path, answer, line):
    result = _check(tmp_path, one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", f"{{params: {answer}}}"))
    assert f"    {line}" in result.stdout.splitlines()


def test_an_unmatched_size_names_the_quantity_that_differs(tmp_path):
    """CS231n lecture 5: (32 − 5 + 2·2)/1 + 1 = 32; a 34 comes from P = 3, or from F = 3."""
    result = _check(tmp_path, one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{shape: [34, 34, 10]}"))
    assert ("    Your 34 fits P = 3 ((32 − 5 + 2·3)/1 + 1 = 34; here P = 2) or F = 3 ((32 − 3 + 2·2)/1 + 1 = 34; here F = 5)."
            in result.stdout.splitlines())


# --------------------------------------------------------------------------- answers as students write them

STYLES = [
    # AlexNet conv1 (CS231n notes): 34,848 weights + 96 biases = 34,944 parameters, output 55x55x96
    ("params", "34944"), ("params", "'34,944'"), ("params", "'34 944'"), ("params", "34_944"), ("params", "34.944"),
    ("params", "'11*11*3*96 + 96'"), ("params", "11x11x3x96 + 96"), ("params", "11×11×3×96 + 96"),
    ("params", "11·11·3·96 + 96"), ("params", "'(11^2·3 + 1)·96'"), ("params", "'(11*11*3 + 1) * 96'"),
    ("weights", "11x11x3x96"), ("weights", "'34,848'"), ("weights", "34.848"), ("biases", "96"),
    ("shape", "[55, 55, 96]"), ("shape", "55x55x96"), ("shape", "'(55, 55, 96)'"), ("shape", "55 × 55 × 96"),
    ("shape", "'[(227 - 11)/4 + 1, (227 − 11 + 2·0)/4 + 1, 96]'"), ("shape", "['floor((227-11)/4)+1', '⌊216/4⌋ + 1', 96]"),
    ("shape", "[55.0, 55, 96]"), ("shape", "'55,55,96'"),
    ("macs", "105415200"), ("macs", "'55*55*11*11*3*96'"), ("macs", "'105.415.200'"),
    ("activations", "290400"), ("activations", "55x55x96"), ("activation_memory", "'290400 * 4'"),
    ("receptive_field", "11"), ("receptive_field", "11x11"), ("receptive_field", "[11, 11]"),
    ("valid", "true"), ("valid", "yes"), ("valid", "valid"),
    # rounded as written: within half a unit of the last digit (CS231n's VGGNet table writes "3.2M", "138M")
    ("params", "35K"), ("params", "'~35k'"), ("macs", "105M"), ("macs", "'105.4 million'"), ("activations", "290.4K"),
    ("activation_memory", "1.16MB"), ("activation_memory", "'1.1 MiB'"),
]


@pytest.mark.parametrize("key, answer", STYLES, ids=[f"{k}: {a}" for k, a in STYLES])
def test_right_answers_in_every_style_are_right(tmp_path, key, answer):
    result = _check(tmp_path, one("[227, 227, 3]", "conv2d: {filters: 96, kernel: 11, stride: 4}", f"{{{key}: {answer}}}"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 of 1 right"


SEED_STYLES = [  # seed 000 writes its counts with a dot between thousands: 4.900 and 375.000
    ("[25, 64, 1]", "conv2d: {filters: 100, kernel: 7, padding: same}", "{weights: 4.900, shape: 25x64x100}"),
    ("[13, 32, 100]", SEED0_CONV2, "{weights: 375.000, params: '5x5x100x150 + 150', shape: '(13, 32, 150)'}"),
    ("[25, 64, 100]", "maxpool2d: {kernel: 2, padding: same}", "{shape: 13x32x100, params: 0}"),
]


@pytest.mark.parametrize("shape, layer, expect", SEED_STYLES)
def test_the_seed_questions_own_style(tmp_path, shape, layer, expect):
    result = _check(tmp_path, one(shape, layer, expect))
    assert result.exit_code == 0, result.stdout + result.stderr
    if "4.900" in expect:
        assert "    4.900 read as 4,900 (a dot between thousands)" in result.stdout.splitlines()


ROUNDED = [
    # (answer, right?, a line of the verdict): CS231n notes, VGGNet: CONV3-64 memory 224*224*64 = 3.2M values
    ("3.2M", True, "    3.2M read as about 3,200,000"),
    ("3.21M", True, "    3.21M read as about 3,210,000"),
    ("3.3M", False, "✗ layer 1 'c' activations: you wrote 3.3M, right is 3,211,264"),
    ("12.8M", False, "    12,845,056 is bytes (4 per value); the count of values is 3,211,264."),
]


@pytest.mark.parametrize("answer, right, line", ROUNDED)
def test_rounded_answers(tmp_path, answer, right, line):
    """A count rounded as written (3.2M) is right when the exact count rounds to it; a wrong one is still named."""
    result = _check(tmp_path, one("[224, 224, 3]", "conv2d: {filters: 64, kernel: 3, padding: 1}", f"{{activations: {answer}}}"))
    assert result.exit_code == (0 if right else 1), result.stdout
    assert line in result.stdout.splitlines()


def test_vgg16_total_rounded_as_cs231n_writes_it():
    """CS231n notes, VGGNet: 'TOTAL params: 138M parameters'; torchvision: VGG16 has 138,357,544."""
    sheet = (ROOT / "specs" / "vgg16.yaml").read_text(encoding="utf-8") + "\nexpect: {total_params: 138M}\n"
    result = run_cli("check", "-", input=sheet)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "✓ network total_params: 138M" in result.stdout


def test_flops_textbook_convention(tmp_path):
    """Goodfellow et al. ch. 9: the edge detector on a 320×280 image costs 319·280·3 = 267,960 FLOPs
    (two multiplications and one addition per output pixel)."""
    sheet = one("[280, 320, 1]", "conv2d: {filters: 1, kernel: [1, 2], bias: false}", "{flops: 267960, shape: [280, 319, 1]}")
    result = _check(tmp_path, sheet, "--flops", "textbook")
    assert result.exit_code == 0, result.stdout
    result = _check(tmp_path, sheet.replace("267960", "'267,961'"), "--flops", "textbook")
    assert "    FLOPs = 89,320 outputs × (2 multiplications + 1 additions) = 89,320·3 = 267,960 (n multiplications + n − 1 " \
           "additions per output, no bias (textbook))" in result.stdout.splitlines()


def test_one_unreadable_answer_leaves_the_rest_marked(tmp_path):
    sheet = one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}",
                "{params: 'seven hundred', weights: true, shape: [32, 32, 10], biases: 10}")
    result = _check(tmp_path, sheet)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "? layer 1 'c' params: seven hundred — cannot read it: cannot read 'seven hundred' as a number or a formula",
        "? layer 1 'c' weights: true — cannot read it: true is not a number",
        "✓ layer 1 'c' shape: (32, 32, 10)",
        "✓ layer 1 'c' biases: 10",
        "",
        "2 of 4 right, 2 unreadable",
    ]


# Issue 12: digits other than 0-9 in an answer, read by the spec's own rule for sizes (docs/spec-format.md:
# "digits other than 0-9 (٣, ３, ²) are refused"): unreadable, the digit named by its Unicode name
# (unicodedata), and the answer in 0-9 shown when every such digit is a decimal digit. '٣.٢M' was
# marked as about 3,200,000 and '٣٤٩٤٤' said only "cannot read".
FOREIGN_DIGITS = [
    ("params", "'٣٤٩٤٤'", "? layer 1 'c' params: ٣٤٩٤٤ — cannot read it: '٣' (ARABIC-INDIC DIGIT THREE) is not one of the digits "
                          "0-9: write answers with 0-9, as in 34944"),
    ("params", "'٣.٢M'", "? layer 1 'c' params: ٣.٢M — cannot read it: '٣' (ARABIC-INDIC DIGIT THREE) is not one of the digits "
                         "0-9: write answers with 0-9, as in 3.2M"),
    ("weights", "'７,５００'", "? layer 1 'c' weights: ７,５００ — cannot read it: '７' (FULLWIDTH DIGIT SEVEN) is not one of the "
                             "digits 0-9: write answers with 0-9, as in 7,500"),
    ("weights", "'५²'", "? layer 1 'c' weights: ५² — cannot read it: '५' (DEVANAGARI DIGIT FIVE) is not one of the digits 0-9: "
                        "write answers with 0-9"),
    ("shape", "[٣٢, 32, 10]", "? layer 1 'c' shape: (٣٢, 32, 10) — cannot read it: '٣' (ARABIC-INDIC DIGIT THREE) is not one of "
                             "the digits 0-9: write answers with 0-9, as in (32, 32, 10)"),
    ("shape", "'32x32xM١'", "? layer 1 'c' shape: 32x32xM١ — cannot read it: '١' (ARABIC-INDIC DIGIT ONE) is not one of "
                            "the digits 0-9: write answers with 0-9, as in 32x32xM1"),
    ("biases", "'1⁰'", "? layer 1 'c' biases: 1⁰ — cannot read it: '⁰' (SUPERSCRIPT ZERO) is not one of the digits 0-9: "
                       "write answers with 0-9"),
]


@pytest.mark.parametrize("key, answer, line", FOREIGN_DIGITS, ids=[a for _, a, _ in FOREIGN_DIGITS])
def test_digits_other_than_0_to_9_are_unreadable_and_named(tmp_path, key, answer, line):
    result = _check(tmp_path, one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", f"{{{key}: {answer}}}"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == line


def test_a_letter_the_spec_does_not_have_is_unreadable_with_or_without_sympy(tmp_path):
    sheet = one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{params: 'k*76'}")
    result = _check(tmp_path, sheet)
    assert "? layer 1 'c' params: k*76 — cannot read it: k is not a size of this spec (every size in it is a number)" in result.stdout


def test_numeric_arithmetic_needs_no_sympy(tmp_path):
    """After a plain `pip install .` (no SymPy): '5*5*3*6 + 6' is still read (seed 002: six 5×5×3 filters)."""
    sheet = _sheet(tmp_path, one("[32, 32, 3]", "conv2d: {filters: 6, kernel: 5}", "{params: '5*5*3*6 + 6', shape: 28x28x6}"))
    code = ("import sys; sys.modules['sympy'] = None\n"
            "from click.testing import CliRunner\nfrom convcalc.cli import main\n"
            "r = CliRunner().invoke(main, ['check', sys.argv[1]])\nprint(r.exit_code); print(r.output)\n")
    out = subprocess.run([sys.executable, "-c", code, sheet], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.splitlines()[0] == "0", out.stdout + out.stderr
    assert "2 of 2 right" in out.stdout


def test_invalid_layer_answers_valid_false_and_leaves_the_rest_unmarked(tmp_path):
    """A 7×7 kernel on a 5×5 input cannot be computed (PyTorch: 'Kernel size can't be greater than actual input size')."""
    sheet = ("input: [5, 5, 1]\nlayers:\n  - conv2d: {filters: 1, kernel: 3, name: a}\n    expect: {shape: [3, 3, 1]}\n"
             "  - conv2d: {filters: 1, kernel: 7, name: b}\n    expect: {valid: false, shape: [1, 1, 1]}\n"
             "  - relu: {name: r}\n    expect: {shape: [1, 1, 1]}\nexpect: {valid: false}\n")
    result = _check(tmp_path, sheet)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:6] == [
        "✓ layer 1 'a' shape: (3, 3, 1)",
        "✓ layer 2 'b' valid: false",
        "    (kernel 7 is larger than the padded input on axis H: 3 + 0 + 0 = 3; use a smaller kernel, add padding, or padding: same)",
        "– layer 2 'b' shape: [1, 1, 1] — cannot be marked: kernel 7 is larger than the padded input on axis H: 3 + 0 + 0 = 3; "
        "use a smaller kernel, add padding, or padding: same".replace("[1, 1, 1]", "(1, 1, 1)"),
        "– layer 3 'r' shape: (1, 1, 1) — cannot be marked: layer 2 cannot be computed",
        "✓ network valid: false",
    ]


SOLVE_QUESTIONS = [
    # (question, right?) — CS231n notes: F = 5, S = 1 needs P = 2; 7x7 input, 3x3 filter, stride 2 -> 3x3;
    # AlexNet conv1 F = 11, S = 4 from 227 to 55 (228 to 230 floor to 55 too, PyTorch Conv2d)
    ("{in: 32, out: 32, kernel: 5, stride: 1, find: padding, answer: 2}", True),
    ("{in: 7, kernel: 3, stride: 2, answer: 3}", True),
    ("{in: 7, kernel: 3, stride: 2, answer: 2}", False),
    ("{out: 55, kernel: 11, stride: 4, answer: 227}", True),
    ("{out: 55, kernel: 11, stride: 4, answer: 229}", True),
    ("{in: 32, out: 16, kernel: 2, find: stride, answer: 2}", True),
    ("{op: transposed, in: 4, kernel: 4, stride: 2, padding: 1, answer: 8}", True),
    ("{in: 224, out: 112, padding: same, find: stride, answer: 2}", True),
]


@pytest.mark.parametrize("question, right", SOLVE_QUESTIONS)
def test_solve_questions_in_a_sheet(tmp_path, question, right):
    sheet = one("[32, 32, 3]", "conv2d: {filters: 10, kernel: 5, padding: 2}", "{params: 760}", top=f"{{solve: [{question}]}}")
    result = _check(tmp_path, sheet)
    assert result.exit_code == (0 if right else 1), result.stdout + result.stderr


# --------------------------------------------------------------------------- symbolic answers

SEED = """
input: [n, m, 1]
layers:
  - conv2d: {{filters: k1, kernel: 3, padding: 1}}
    expect: {{shape: [n, m, k1], params: "3*3*k1 + k1"}}
  - conv2d: {{filters: k2, kernel: 5, padding: 2}}
    expect: {{shape: [n, m, k2], params: "5·5·k2·k1 + k2"}}
expect: {{total_params: "{total}"}}
"""


@pytest.mark.parametrize(
    "total, code, last",
    [
        pytest.param("3*3*k1 + k1 + 5*5*k2*k1 + k2", 0, "5 of 5 right", id="seed 001 accepted answer (corrected)"),
        pytest.param("k1*3*3 + k2*5*5", 1, "4 of 5 right, 1 wrong", id="seed 001 the asker's Type 1 count"),
    ],
)
def test_symbolic_answers(tmp_path, total, code, last):
    result = _check(tmp_path, SEED.format(total=total))
    assert result.exit_code == code, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == last
    if code:
        assert f"✗ network total_params: you wrote {total}, right is 25·k1·k2 + 10·k1 + k2" in result.stdout


def test_set_substitutes_before_checking(tmp_path):
    """k1 = 32, k2 = 64: 3·3·32 + 32 = 320 and 5·5·64·32 + 64 = 51,264 (seed 001's formulas with numbers)."""
    sheet = ("input: [n, m, 1]\nlayers:\n"
             "  - conv2d: {filters: k1, kernel: 3, padding: 1}\n    expect: {params: 320}\n"
             "  - conv2d: {filters: k2, kernel: 5, padding: 2}\n    expect: {params: 51264, shape: [n, m, 64]}\n")
    result = run_cli("check", _sheet(tmp_path, sheet), "--set", "k1=32", "--set", "k2=64")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_shipped_answers_sheet():
    """specs/homework_cs231n_answers.yaml: the AlexNet conv1 answers are right, conv2's are wrong on purpose."""
    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"))
    assert result.exit_code == 1
    assert "✓ layer 1 'conv1' params: 34944" in result.stdout or "✓ layer 1 'conv1' params: 34,944" in result.stdout  # CS231n notes
    assert "✓ layer 2 'pool1' shape: (27, 27, 96)" in result.stdout  # AlexNet: overlapping pooling 3/2 on 55 -> 27
    assert "✗ layer 3 'conv2' weights: you wrote 250, right is 24,000" in result.stdout
    assert ("    You left out the input depth: each filter spans all 96 input channels, so the weights are 250 × 96 = 24,000."
            in result.stdout.splitlines())


def test_shipped_answers_sheet_right_values_match_torch():
    torch = pytest.importorskip("torch")
    conv1 = torch.nn.Conv2d(3, 96, 11, stride=4)
    conv2 = torch.nn.Conv2d(96, 10, 5, padding=2)
    pool = torch.nn.MaxPool2d(3, stride=2)
    out = conv2(pool(conv1(torch.zeros(1, 3, 227, 227))))
    assert tuple(out.shape[1:]) == (10, 27, 27)
    weights = conv2.weight.numel()
    total = sum(p.numel() for p in conv1.parameters()) + sum(p.numel() for p in conv2.parameters())
    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"))
    assert f"right is {weights:,}" in result.stdout
    assert f"✗ network total_params: you wrote 35,204, right is {total:,}" in result.stdout


MISTAKE_TORCH = [
    # (module, input (C, H, W), right shape (C, H, W), right parameter count): the right values of the bank above
    ("Conv2d(100, 150, 5, padding=2)", (100, 13, 32), (150, 13, 32), 375_150),
    ("Conv2d(3, 96, 11, stride=4)", (3, 227, 227), (96, 55, 55), 34_944),
    ("Conv2d(3, 10, 5, padding=2)", (3, 32, 32), (10, 32, 32), 760),
    ("Conv2d(1, 1, 3, stride=2)", (1, 10, 10), (1, 4, 4), 10),
    ("MaxPool2d(3, 2, ceil_mode=True)", (64, 112, 112), (64, 56, 56), 0),
    ("MaxPool2d(2, 2, padding=1, ceil_mode=True)", (1, 5, 5), (1, 3, 3), 0),
    ("ConvTranspose2d(512, 256, 4, 2, 1)", (512, 4, 4), (256, 8, 8), 512 * 256 * 16 + 256),
    ("ConvTranspose2d(16, 16, 3, 2, 1, output_padding=1)", (16, 6, 6), (16, 12, 12), 16 * 16 * 9 + 16),
    ("Conv2d(1, 1, 3, dilation=2)", (1, 9, 9), (1, 5, 5), 10),
    ("Conv2d(3, 96, 11, stride=4)", (3, 224, 224), (96, 54, 54), 34_944),
    ("Conv2d(96, 256, 5, padding=2, groups=2)", (96, 27, 27), (256, 27, 27), 307_456),
    ("Conv2d(3, 64, 3, padding=1)", (3, 224, 224), (64, 224, 224), 1_792),
]


@pytest.mark.parametrize("module, shape_in, shape_out, params", MISTAKE_TORCH)
def test_the_banks_right_values_are_torchs(module, shape_in, shape_out, params):
    torch = pytest.importorskip("torch")
    layer = eval(f"torch.nn.{module}")
    with torch.no_grad():
        out = layer(torch.zeros(1, *shape_in))
    assert tuple(out.shape[1:]) == shape_out
    assert sum(p.numel() for p in layer.parameters()) == params


def test_summary_ignores_expect():
    result = run_cli("summary", str(ROOT / "specs" / "homework_cs231n_answers.yaml"), "--format", "json")
    assert result.exit_code == 0, result.stderr


INVALID = [
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5, name: conv1}\n    expect: {parms: 760}\n",
        "convcalc: error: layer 1 'conv1' (conv2d): unknown expect key 'parms'; did you mean 'params'?\n",
        id="misspelt layer expect key",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5}\nexpect: {total: 760}\n",
        "convcalc: error: expect: unknown expect key 'total'; did you mean 'total_macs'?\n",
        id="unknown top-level expect key",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5}\n",
        "convcalc: error: {path} holds no answers to check; add e.g. 'expect: {{shape: [55, 55, 96], params: 34944}}' "
        "to a layer, or 'expect: {{total_params: …}}' at the top\n",
        id="no answers at all",
    ),
    pytest.param(
        "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 10, kernel: 5}\nexpect: {solve: {in: 32, kernel: 5, answer: 28, strides: 1}}\n",
        "convcalc: error: expect: solve 1: unknown key 'strides'; a solve question takes: in, out, op, kernel, stride, padding, "
        "dilation, output_padding, ceil_mode, find, answer\n",
        id="misspelt solve question key",
    ),
]


@pytest.mark.parametrize("text, message", INVALID)
def test_invalid_sheet_exits_2(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message.format(path=path)


def test_expect_in_every_entry_form(tmp_path):
    """expect: inside the arguments, in the {type: …} form, and next to a rank-free type name."""
    sheet = ("input: [32, 32, 3]\nlayers:\n"
             "  - conv2d: {filters: 10, kernel: 5, padding: 2, expect: {params: 760}}\n"  # CS231n lecture 5
             "  - {type: maxpool2d, kernel: 2, expect: {shape: [16, 16, 10]}}\n"  # CS231n notes: 2x2/2 pooling halves
             "  - conv: {filters: 4, kernel: 1}\n    expect: {biases: 4}\n")  # one bias per filter (CS231n: + K biases)
    result = _check(tmp_path, sheet)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "3 of 3 right"


def test_expect_inside_a_residual_block(tmp_path):
    """torchvision resnet18 layer1.0: conv1 and conv2 are 3x3, 64 -> 64, bias=False: 36,864 weights each."""
    sheet = ("input: [56, 56, 64]\nlayers:\n"
             "  - residual:\n      name: block1\n      main:\n"
             "        - conv2d: {filters: 64, kernel: 3, padding: 1, bias: false, name: conv1}\n"
             "          expect: {params: 36864, shape: [56, 56, 64]}\n"
             "        - relu\n"
             "        - conv2d: {filters: 64, kernel: 3, padding: 1, bias: false, name: conv2, expect: {weights: 36864}}\n"
             "expect: {total_params: 73728}\n")
    result = _check(tmp_path, sheet)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "✓ layer 1 'block1.conv1' params: 36,864"
    assert result.stdout.splitlines()[-1] == "4 of 4 right"


# The shipped sheet's answers and right values. Sources: CS231n notes (AlexNet conv1 on 227x227x3:
# 55x55x96, 34,848 weights + 96 biases = 34,944; 3x3/2 pooling to 27x27x96); nn.Conv2d(96, 10, 5,
# padding=2) in PyTorch 2.13: 24,000 weights, 24,010 parameters, output (10, 27, 27).
SHEET_JSON = [
    # (layer_index, layer_name, what, answer as written, correct, right)
    (1, "conv1", "shape", [55, 55, 96], [55, 55, 96], True),
    (1, "conv1", "weights", 34848, 34848, True),
    (1, "conv1", "biases", 96, 96, True),
    (1, "conv1", "params", 34944, 34944, True),
    (2, "pool1", "shape", [27, 27, 96], [27, 27, 96], True),
    (2, "pool1", "params", 0, 0, True),
    (3, "conv2", "shape", [27, 27, 10], [27, 27, 10], True),
    (3, "conv2", "weights", 250, 24000, False),  # 5·5·10: the input depth 96 left out
    (3, "conv2", "params", 260, 24010, False),
    (None, None, "output_shape", [27, 27, 10], [27, 27, 10], True),
    (None, None, "total_params", 35204, 34944 + 24010, False),
]


def test_check_json_for_a_grading_script():
    result = run_cli("check", str(ROOT / "specs" / "homework_cs231n_answers.yaml"), "--json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert (data["right"], data["wrong"], data["unreadable"]) == (8, 3, 0)
    got = [(a["layer_index"], a["layer_name"], a["what"], a["answer"], a["correct"], a["right"]) for a in data["answers"]]
    assert got == SHEET_JSON
    wrong_weights = data["answers"][7]
    assert wrong_weights["status"] == "wrong"
    assert wrong_weights["diagnosis"].startswith("You left out the input depth")
    assert wrong_weights["derivation"][-3] == "weights = 5·5·96·10 = 24,000"  # the same lines as the text verdict


def test_check_json_keeps_formulas_as_text(tmp_path):
    """An answer written as a formula stays the text the student wrote; the right value is SymPy's text."""
    sheet = ("input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: conv1}\n"
             "    expect: {weights: 9*k1, params: '10*k1'}\n")  # seed 001: a 3x3 conv with k1 filters on one channel
    result = run_cli("check", _sheet(tmp_path, sheet), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert [(a["answer"], a["correct"], a["right"]) for a in answers] == [("9*k1", "9*k1", True), ("10*k1", "10*k1", True)]


@pytest.mark.parametrize("command", [
    ["check", "specs/homework_cs231n_answers.yaml"],
    ["export", "specs/lenet5.yaml", "--to", "pytorch"],
    ["draw", "specs/lenet5.yaml"],
])
def test_every_spec_command_takes_limit(command):
    """The safety limits apply to every command that reads a spec, and --limit raises them (docs/errors.md)."""
    result = run_cli(*command, "--limit", "layers=2")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"convcalc: error: {command[1]}:")
    assert result.stderr.endswith(
        "a list has too many entries: over the layers limit of 2 layers; "
        "if the spec is really meant to be this large, raise it with --limit layers=N\n"
    )
    assert run_cli(*command, "--limit", "layers=1000").exit_code in (0, 1)  # check: 1, some answers are wrong


ESCAPE = ("[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'catch_warnings'][0]()"
          "._module.__builtins__['__import__']('os').system('touch {marker}')")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        # an answer is read, never run: this one once created the marker file through SymPy's sympify (eval)
        (ESCAPE, "cannot read it: "),
        ("__import__('os').system('touch {marker}')", "__import__ is not a size of this spec (its letters are k1, m, n)"),
        ("k1.__class__", "holds something an answer cannot (Attribute)"),
        ("lambda: 1", "cannot read 'lambda: 1': an answer holds numbers, + − × / ^, brackets, floor() and ceil()"),
        ("'10*k1'", "an answer holds numbers, + − × / ^, brackets, floor() and ceil()"),
        # 9^9^9 has 369 million digits: refused at once instead of computed for minutes
        ("9^9^9", "raises to the power 387420489: powers are whole numbers up to 64"),
        ("k1^(1/2)", "raises to the power 1/2; an answer's powers are whole numbers up to 64, such as k1^2"),
        ("k1 + " * 300 + "k1", "the answer has 1,502 characters, more than 1,000"),
        ("10*k1 +", "cannot read '10*k1 +' as a number or a formula"),
        ("k1/0", "divides by zero"),
        # degree 64^5: compared at sizes up to 10^9, a number of 10^10 digits (minutes before the degree was bounded)
        ("((((k1^64)^64)^64)^64)^64", "has a degree of more than 64 in its letters"),
        ("224 + floor(k1/2^k1)", "raises to a power with letters in it"),  # 0 up to 24; 2^(10^9) has 300 million digits
    ],
    ids=["sandbox escape", "import", "attribute", "lambda", "string", "power tower", "root", "too long", "syntax", "zero",
         "degree tower", "letters in a power"],
)
def test_an_answer_is_read_never_run(tmp_path, answer, message):
    """A hostile answer is marked unreadable in place (exit 1): nothing in it runs."""
    marker = tmp_path / "ran"
    answer = answer.replace("{marker}", str(marker))
    sheet = ("input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: c1}\n"
             f"    expect: {{params: {json.dumps(answer)}, weights: 9*k1}}\n")
    result = _check(tmp_path, sheet)
    assert not marker.exists()
    assert result.exit_code == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("? layer 1 'c1' params: ")
    assert message in lines[0]
    assert lines[1] == "✓ layer 1 'c1' weights: 9*k1"


@pytest.mark.parametrize(
    "answer",
    ["10*k1", "10·k1", "k1·10", "(3^2 + 1)·k1", "3*3*k1 + k1", "max(10*k1, 0)", "3x3xk1 + k1"],
)
def test_formula_answers_in_every_written_form(tmp_path, answer):
    """Seed 001: a 3×3 convolution with k1 filters on one channel holds 9·k1 weights + k1 biases = 10·k1."""
    sheet = ("input: [n, m, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, padding: 1, name: c1}\n"
             f"    expect: {{params: {json.dumps(answer)}}}\n")
    result = _check(tmp_path, sheet)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_a_shape_answer_copied_from_convcalc_output(tmp_path):
    """The table writes ⌊(n − 3)/2⌋ + 1 for a 3-wide, stride-2 window (PyTorch Conv2d: floor((n − 3)/2) + 1);
    a student may paste it back as the answer."""
    sheet = ("input: [n, n, 1]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, stride: 2, name: c1}\n"
             f"    expect: {{shape: [{json.dumps('⌊(n − 3)/2⌋ + 1')}, 'floor((n-3)/2) + 1', 4]}}\n")
    result = _check(tmp_path, sheet)
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("answer", "exit_code"),
    [
        # PyTorch Conv2d, kernel 3, stride 2: floor((n − 3)/2) + 1; (n − 2)/2 differs for every even n
        ("floor((n - 3)/2) + 1", 0),
        ("floor((n - 2)/2) + 1", 1),
        ("ceil((n - 4)/2) + 1", 0),  # ⌈(n − 4)/2⌉ = ⌊(n − 3)/2⌋ for every integer n
        ("(n - 1)/2", 1),  # right for odd n only
        # once expanded by SymPy's simplify for minutes: a huge wrong answer is now decided at once
        ("(n + k1 + 1)^64", 1),
    ],
)
def test_formula_answers_are_compared_for_every_size(tmp_path, answer, exit_code):
    sheet = ("input: [n, n, 1]\nlayers:\n  - conv2d: {filters: k1, kernel: 3, stride: 2, name: c1}\n"
             f"    expect: {{shape: [{json.dumps(answer)}, 'floor((n-3)/2) + 1', k1]}}\n")
    result = _check(tmp_path, sheet)
    assert result.exit_code == exit_code, result.stdout + result.stderr
