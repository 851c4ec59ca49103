"""A bank of homework and exam questions, each answered through the command a student would use.

Every row: the source of the question and its published answer (CS231n notes, lecture slides and
assignment 2; Dive into Deep Learning ch. 7; Goodfellow, Bengio and Courville ch. 9; typical exam
questions; the seed questions in ../shared/seeds), the convcalc command, where the answer is read
in its output, and the answer as the source gives it (worked out by hand where the source leaves
the arithmetic to the reader). No arithmetic happens outside convcalc: the test only reads the
answer off the output. Where torch can compute the same fact, ``TORCH`` computes it and the test
checks that the published answer is torch's too.
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_cli


def _json(result):
    return json.loads(result.stdout)


def _get(data, path: str):
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def ask(how: str, result):
    """The answer as read off the output: 'json:<path>' (summary/solve --json), 'line' (a line of text), 'exit'."""
    if how.startswith("json:"):
        return _get(_json(result), how[5:])
    if how == "lines":
        return [line.strip() for line in result.stdout.splitlines()]
    if how == "exit":
        return result.exit_code
    raise AssertionError(how)


S = "summary"
BANK = [
    # ---------------------------------------------------------------- CS231n (cs231n.github.io/convolutional-networks, lecture 5, assignment 2)
    ("cs231n-l5-shape", "CS231n lecture 5: 32x32x3 input, ten 5x5 filters, stride 1, pad 2: output volume 32x32x10",
     [S, "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2", "-f", "json"], "json:output_shape", [32, 32, 10]),
    ("cs231n-l5-params", "CS231n lecture 5: the same layer has 5*5*3 + 1 = 76 parameters per filter, 760 in all",
     [S, "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2", "-f", "json"], "json:total_params", 760),
    ("alexnet-shape", "CS231n notes, Real-world example: AlexNet conv1 on 227x227x3, F=11, S=4, P=0, K=96: 55x55x96",
     [S, "input 227x227x3; conv2d 96 kernel=11 stride=4", "-f", "json"], "json:output_shape", [55, 55, 96]),
    ("alexnet-params", "CS231n notes: 96*11*11*3 = 34,848 weights and 96 biases",
     [S, "input 227x227x3; conv2d 96 kernel=11 stride=4", "-f", "json"], "json:layers.0.params", 34_944),
    ("cs231n-no-sharing", "CS231n notes: without parameter sharing, 55*55*96 = 290,400 neurons with 11*11*3 + 1 = 364 "
     "parameters each: 105,705,600 on the first layer alone",
     [S, "input 227x227x3; locally_connected2d 96 kernel=11 stride=4", "-f", "json"], "json:total_params", 105_705_600),
    ("cs231n-7x7-s1", "CS231n notes: a 7x7 input and a 3x3 filter with stride 1 and pad 0 give a 5x5 output",
     ["solve", "--in", "7", "--kernel", "3", "--json"], "json:output", 5),
    ("cs231n-7x7-s2", "CS231n notes: with stride 2 the same gives a 3x3 output",
     ["solve", "--in", "7", "--kernel", "3", "--stride", "2", "--json"], "json:output", 3),
    ("cs231n-1d-s1", "CS231n notes, 1-D example: W = 5, F = 3, P = 1, S = 1: (5 - 3 + 2)/1 + 1 = 5",
     ["solve", "--in", "5", "--kernel", "3", "--padding", "1", "--json"], "json:output", 5),
    ("cs231n-1d-s2", "CS231n notes, 1-D example: S = 2 gives (5 - 3 + 2)/2 + 1 = 3",
     ["solve", "--in", "5", "--kernel", "3", "--padding", "1", "--stride", "2", "--json"], "json:output", 3),
    ("cs231n-1d-s3", "CS231n notes, 1-D example: S = 3 'could not be used': (5 - 3 + 2) = 4 is not divisible by 3",
     ["check", "-"], "exit", 0),  # the sheet below answers valid: false
    ("cs231n-same-padding", "CS231n notes: with S = 1, P = (F - 1)/2 keeps the size: F = 7 needs P = 3",
     ["solve", "--in", "32", "--out", "32", "--kernel", "7", "--stride", "1", "--json"], "json:solutions.0.padding", 3),
    ("cs231n-pool", "CS231n notes, pooling: a 224x224x64 volume pooled with filter 2, stride 2 becomes 112x112x64",
     [S, "input 224x224x64; maxpool2d 2", "-f", "json"], "json:output_shape", [112, 112, 64]),
    ("cs231n-example1", "CS231n notes, Example 1: a 5x5 receptive field on 32x32x3 has 5*5*3 = 75 weights (and +1 bias)",
     ["explain", "input 32x32x3; conv2d 1 kernel=5"], "lines", "each filter is 5·5·3 = 75 weights, spanning all 3 input channels"),
    ("cs231n-example2", "CS231n notes, Example 2: a 3x3 receptive field on 16x16x20 has 3*3*20 = 180 connections",
     ["explain", "input 16x16x20; conv2d 1 kernel=3"], "lines", "each filter is 3·3·20 = 180 weights, spanning all 20 input channels"),
    ("vgg-conv1-weights", "CS231n notes, VGGNet: CONV3-64 on [224x224x3]: weights (3*3*3)*64 = 1,728",
     [S, "input 224x224x3; conv2d 64 kernel=3 padding=1", "-f", "json"], "json:layers.0.weights", 1_728),
    ("vgg-conv1-memory", "CS231n notes, VGGNet: CONV3-64: memory 224*224*64 = 3.2M (3,211,264 values)",
     [S, "input 224x224x3; conv2d 64 kernel=3 padding=1", "-f", "json"], "json:layers.0.activation_elements", 3_211_264),
    ("vgg-conv3-weights", "CS231n notes, VGGNet: CONV3-128 on [112x112x64]: weights (3*3*64)*128 = 73,728",
     [S, "input 112x112x64; conv2d 128 kernel=3 padding=1", "-f", "json"], "json:layers.0.weights", 73_728),
    ("vgg-fc6-weights", "CS231n notes, VGGNet: FC on [7x7x512] to 4096: weights 7*7*512*4096 = 102,760,448",
     [S, "input 7x7x512; flatten; dense 4096", "-f", "json"], "json:layers.1.weights", 102_760_448),
    ("vgg16-total", "torchvision docs, VGG16_Weights.IMAGENET1K_V1: num_params 138,357,544 (CS231n: 138M parameters)",
     [S, str(ROOT / "specs" / "vgg16.yaml"), "-f", "json"], "json:total_params", 138_357_544),
    ("three-3x3", "CS231n notes: three stacked 3x3 CONV layers: each neuron of the third has a 7x7 view of the input",
     [S, "input 32x32x3; conv2d 8 kernel=3; conv2d 8 kernel=3; conv2d 8 kernel=3", "-f", "json"],
     "json:layers.2.receptive_field.0.size", 7),
    ("alexnet-224", "CS231n notes: the AlexNet paper's 224x224: (224 - 11)/4 + 1 = 54.25, not whole (227 makes it 55)",
     ["explain", "input 224x224x3; conv2d 96 kernel=11 stride=4"], "lines",
     "H2 = (224 − 11 + 2·0)/4 + 1 = 54.25 → 54 (rounded down: the last window does not fit)"),
    ("a2-conv-naive", "CS231n assignment 2, conv_forward_naive: x (2, 3, 4, 4), w (3, 3, 4, 4), stride 2, pad 1: out (2, 3, 2, 2)",
     [S, "input 3x4x4 layout=chw; conv2d 3 kernel=4 stride=2 padding=1", "-f", "json"], "json:output_shape", [3, 2, 2]),
    ("a2-pool-naive", "CS231n assignment 2, max_pool_forward_naive: x (2, 3, 4, 4), 2x2 pool, stride 2: out (2, 3, 2, 2)",
     [S, "input 3x4x4 layout=chw; maxpool2d 2 stride=2", "-f", "json"], "json:output_shape", [3, 2, 2]),
    ("a2-three-layer", "CS231n assignment 2, ThreeLayerConvNet (3x32x32, 32 7x7 filters, 2x2 pool, 100 hidden, 10 classes): "
     "W1 32*3*7*7 + 32, W2 32*16*16*100 + 100, W3 100*10 + 10 = 825,046",
     [S, "input 3x32x32 layout=chw; conv2d 32 kernel=7 padding=3; relu; maxpool2d 2; flatten; dense 100; relu; dense 10", "-f", "json"],
     "json:total_params", 825_046),
    # ---------------------------------------------------------------- Dive into Deep Learning, ch. 7 (d2l.ai)
    ("d2l-7.2-corr", "D2L 7.2.1: a 3x3 input and a 2x2 kernel give a 2x2 output: (n_h - k_h + 1) x (n_w - k_w + 1)",
     [S, "input 3x3x1; conv2d 1 kernel=2", "-f", "json"], "json:output_shape", [2, 2, 1]),
    ("d2l-7.3-pad", "D2L 7.3.1: an 8x8 input, 3x3 kernel, padding 1 on all sides: 8x8",
     [S, "input 8x8x1; conv2d 1 kernel=3 padding=1", "-f", "json"], "json:output_shape", [8, 8, 1]),
    ("d2l-7.3-pad-rect", "D2L 7.3.1: kernel (5, 3), padding (2, 1) on 8x8: 8x8",
     [S, "input 8x8x1; conv2d 1 kernel=5x3 padding=2x1", "-f", "json"], "json:output_shape", [8, 8, 1]),
    ("d2l-7.3-stride", "D2L 7.3.2: kernel 3, padding 1, stride 2 on 8x8: 4x4",
     [S, "input 8x8x1; conv2d 1 kernel=3 padding=1 stride=2", "-f", "json"], "json:output_shape", [4, 4, 1]),
    ("d2l-7.3-stride-rect", "D2L 7.3.2 (and exercise 1): kernel (3, 5), padding (0, 1), stride (3, 4) on 8x8: 2x2",
     [S, "input 8x8x1; conv2d 1 kernel=3x5 padding=0x1 stride=3x4", "-f", "json"], "json:output_shape", [2, 2, 1]),
    ("d2l-7.4-1x1", "D2L 7.4.3: a 1x1 convolution from 3 to 2 channels on 3x3: output (2, 3, 3), 1*1*3*2 weights",
     [S, "input 3x3x3 layout=chw; conv2d 2 kernel=1 bias=false", "-f", "json"], "json:layers.0.weights", 6),
    ("d2l-7.5-pool3", "D2L 7.5.2: nn.MaxPool2d(3) on a 4x4 input: stride defaults to the window, output 1x1",
     [S, "input 4x4x1; maxpool2d 3", "-f", "json"], "json:output_shape", [1, 1, 1]),
    ("d2l-7.5-pool-pad", "D2L 7.5.2: nn.MaxPool2d(3, padding=1, stride=2) on 4x4: 2x2",
     [S, "input 4x4x1; maxpool2d 3 padding=1 stride=2", "-f", "json"], "json:output_shape", [2, 2, 1]),
    ("d2l-7.6-lenet", "D2L 7.6 LeNet (28x28, padded first conv): 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 parameters",
     [S, "input 1x28x28 layout=chw; conv2d 6 kernel=5 padding=2; sigmoid; avgpool2d 2 stride=2; conv2d 16 kernel=5; sigmoid; "
         "avgpool2d 2 stride=2; flatten; dense 120; sigmoid; dense 84; sigmoid; dense 10", "-f", "json"], "json:total_params", 61_706),
    ("d2l-7.6-lenet-shape", "D2L 7.6: LeNet's second pooling outputs (1, 16, 5, 5), flattened to 400",
     [S, "input 1x28x28 layout=chw; conv2d 6 kernel=5 padding=2; avgpool2d 2 stride=2; conv2d 16 kernel=5; avgpool2d 2 stride=2",
      "-f", "json"], "json:output_shape", [16, 5, 5]),
    # ---------------------------------------------------------------- Goodfellow, Bengio and Courville, Deep Learning, ch. 9
    ("gbc-edge-flops", "GBC 9.1 (Fig. 9.6): the edge detector on 320x280 takes 319*280*3 = 267,960 floating point operations",
     [S, "input 280x320x1; conv2d 1 kernel=1x2 bias=false", "--flops", "textbook", "-f", "json"], "json:total_flops", 267_960),
    ("gbc-edge-matrix", "GBC 9.1: the same transformation as a matrix takes 320*280*319*280, over eight billion, entries",
     [S, "input 280x320x1; flatten; dense 89320 bias=false", "-f", "json"], "json:layers.1.weights", 8_003_072_000),
    ("gbc-valid", "GBC 9.5: a valid convolution of width m with a kernel of width k gives m - k + 1 (m = 6, k = 3: 4)",
     ["solve", "--in", "6", "--kernel", "3", "--json"], "json:output", 4),
    ("gbc-same", "GBC 9.5: a same convolution keeps the width m = 6",
     ["solve", "--in", "6", "--kernel", "3", "--padding", "same", "--json"], "json:output", 6),
    ("gbc-full", "GBC 9.5: a full convolution gives m + k - 1 = 8 (a transposed convolution, stride 1, no padding)",
     ["solve", "--op", "transposed", "--in", "6", "--kernel", "3", "--json"], "json:output", 8),
    # ---------------------------------------------------------------- the seed questions (../shared/seeds)
    ("seed0-conv2-shape", "seed 000 (accepted answer): the second conv layer's output shape is 13x32x150, not 4-D",
     [S, "input 25x64x1; conv2d 100 kernel=7 padding=same; maxpool2d 2 padding=same; conv2d 150 kernel=5 padding=same", "-f", "json"],
     "json:output_shape", [13, 32, 150]),
    ("seed0-conv2-weights", "seed 000: the second layer holds 5x5x100x150 = 375.000 weights",
     [S, "input 25x64x1; conv2d 100 kernel=7 padding=same; maxpool2d 2 padding=same; conv2d 150 kernel=5 padding=same", "-f", "json"],
     "json:layers.2.weights", 375_000),
    ("seed0-conv1-weights", "seed 000: the first layer holds 4.900 (7x7x100) weights",
     [S, "input 25x64x1; conv2d 100 kernel=7 padding=same", "-f", "json"], "json:layers.0.weights", 4_900),
    ("seed1-total", "seed 001 (accepted answer, corrected): 3x3xk1 + k1 + 5x5xk2xk1 + k2 parameters",
     [S, str(ROOT / "specs" / "homework_symbolic.yaml")], "lines", "Total params: 25·k1·k2 + 10·k1 + k2"),
    ("seed2-24", "seed 002 (blog): (32 - 5)/1 + 1 = 28, and a second 5x5 convolution gives 24",
     [S, "input 32x32x3; conv2d 6 kernel=5; conv2d 6 kernel=5", "-f", "json"], "json:output_shape", [24, 24, 6]),
    ("seed3-shape", "seed 003: a 5x5 one-channel input (1, 5, 5) and one 3x3 filter: output (3, 3) (one channel)",
     [S, "input 1x5x5 layout=chw; conv2d 1 kernel=3", "-f", "json"], "json:output_shape", [1, 3, 3]),
    # ---------------------------------------------------------------- typical exam questions
    ("resnet-conv1-padding", "exam / torchvision ResNet: 224 -> 112 with a 7x7 kernel, stride 2: padding 3",
     ["solve", "--in", "224", "--out", "112", "--kernel", "7", "--stride", "2", "--json"], "json:solutions.0.padding", 3),
    ("resnet-conv1-params", "torchvision ResNet conv1: Conv2d(3, 64, 7, 2, 3, bias=False) holds 7*7*3*64 = 9,408 weights",
     [S, "input 224x224x3; conv2d 64 kernel=7 stride=2 padding=3 bias=false", "-f", "json"], "json:total_params", 9_408),
    ("alexnet-macs", "exam: AlexNet conv1 multiply-adds: 55*55 positions x 34,848 weights = 105,415,200",
     [S, "input 227x227x3; conv2d 96 kernel=11 stride=4", "-f", "json"], "json:total_macs", 105_415_200),
    ("dcgan-up", "PyTorch DCGAN tutorial: ConvTranspose2d(512, 256, 4, 2, 1) takes 4x4 to 8x8",
     [S, "input 4x4x512; conv_transpose2d 256 kernel=4 stride=2 padding=1", "-f", "json"], "json:output_shape", [8, 8, 256]),
    ("dilated-padding", "Yu and Koltun 2016 / DeepLab: a 3x3 kernel with dilation 2 keeps 9 with padding 2",
     ["solve", "--in", "9", "--out", "9", "--kernel", "3", "--dilation", "2", "--stride", "1", "--json"], "json:solutions.0.padding", 2),
    ("exam-valid", "exam: input 32, F = 5, S = 3, P = 0: (32 - 5)/3 + 1 = 10, a valid setting",
     ["check", "-"], "exit", 0),  # the sheet below answers valid: true
    ("exam-1x1", "exam: a 1x1 convolution from 256 to 64 channels holds 256*64 + 64 = 16,448 parameters",
     [S, "input 56x56x256; conv2d 64 kernel=1", "-f", "json"], "json:total_params", 16_448),
    ("exam-1x1-macs", "exam: the same on 56x56 costs 56*56*256*64 = 51,380,224 multiply-adds",
     [S, "input 56x56x256; conv2d 64 kernel=1", "-f", "json"], "json:total_macs", 51_380_224),
    ("mobilenet-dw", "keras.applications.MobileNet summary: conv_dw_1 (3x3 depthwise on 32 channels) has 288 params",
     [S, "input 112x112x32; depthwise_conv2d 3 padding=same bias=false", "-f", "json"], "json:total_params", 288),
    ("mobilenet-pw", "keras.applications.MobileNet summary: conv_pw_1 (1x1, 32 to 64, no bias) has 2,048 params",
     [S, "input 112x112x32; conv2d 64 kernel=1 bias=false", "-f", "json"], "json:total_params", 2_048),
    ("exam-rf", "exam: conv 3x3, conv 3x3, 2x2 pool (stride 2), conv 3x3: receptive field 1 + 2 + 2 + 1 + 2*2 = 10",
     [S, "input 32x32x3; conv2d 8 kernel=3; conv2d 8 kernel=3; maxpool2d 2; conv2d 8 kernel=3", "-f", "json"],
     "json:layers.3.receptive_field.0.size", 10),
    ("exam-input-size", "exam: which input sizes give 55 after an 11x11 stride-4 conv? 227 fits exactly (CS231n), up to 230 floored",
     ["solve", "--out", "55", "--kernel", "11", "--stride", "4", "--json"], "json:count", 4),
]

SHEETS = {  # the answer sheets of the questions answered with `check`
    "cs231n-1d-s3": "input: [5, 1]\nlayers:\n  - conv1d: {filters: 1, kernel: 3, padding: 1, stride: 3, name: c}\n    expect: {valid: false}\n",
    "exam-valid": "input: [32, 1]\nlayers:\n  - conv1d: {filters: 1, kernel: 5, stride: 3, name: c}\n    expect: {valid: true, shape: [10, 1]}\n",
}


@pytest.mark.parametrize("key, source, args, how, answer", BANK, ids=[row[0] for row in BANK])
def test_question_bank(key, source, args, how, answer):
    result = run_cli(*args, input=SHEETS.get(key))
    assert result.exit_code in (0, 1), result.stderr
    got = ask(how, result)
    if how == "lines":
        assert answer in got, f"{source}: {answer!r} not in {got}"
    else:
        assert got == answer, source


def test_the_bank_is_large_enough():
    assert len(BANK) >= 40
    assert all(source and any(word in source for word in ("CS231n", "D2L", "GBC", "seed", "exam", "torchvision", "PyTorch",
                                                          "Keras", "keras", "Yu and Koltun")) for _, source, *_ in BANK)


# --------------------------------------------------------------------------- the same facts from torch


def _shape(torch, module, shape_in, channels_last=True):
    with torch.no_grad():
        out = module(torch.zeros(1, *shape_in))
    dims = list(out.shape[1:])
    return dims[1:] + dims[:1] if channels_last and len(dims) > 1 else dims


def _params(module):
    return sum(p.numel() for p in module.parameters())


def _field(torch, layers, size=64):
    """The receptive field along one axis: the input positions the centre output's gradient reaches."""
    net = torch.nn.Sequential(*layers)
    for layer in net:
        if isinstance(layer, torch.nn.Conv2d):
            torch.nn.init.constant_(layer.weight, 1.0)
    x = torch.ones(1, 3, size, size, requires_grad=True)
    out = net(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    row = (x.grad[0, 0].abs().sum(dim=0) != 0).nonzero()
    return int(row.max() - row.min() + 1)


def _lenet(nn):
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Conv2d(6, 16, 5), nn.Sigmoid(),
                         nn.AvgPool2d(2, 2), nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                         nn.Linear(84, 10))


TORCH = {
    "cs231n-l5-shape": lambda t, nn: _shape(t, nn.Conv2d(3, 10, 5, 1, 2), (3, 32, 32)),
    "cs231n-l5-params": lambda t, nn: _params(nn.Conv2d(3, 10, 5, 1, 2)),
    "alexnet-shape": lambda t, nn: _shape(t, nn.Conv2d(3, 96, 11, 4), (3, 227, 227)),
    "alexnet-params": lambda t, nn: _params(nn.Conv2d(3, 96, 11, 4)),
    "cs231n-7x7-s1": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3), (1, 7), channels_last=False)[-1],
    "cs231n-7x7-s2": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3, 2), (1, 7), channels_last=False)[-1],
    "cs231n-1d-s1": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3, 1, 1), (1, 5), channels_last=False)[-1],
    "cs231n-1d-s2": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3, 2, 1), (1, 5), channels_last=False)[-1],
    "cs231n-pool": lambda t, nn: _shape(t, nn.MaxPool2d(2), (64, 224, 224)),
    "vgg-conv1-weights": lambda t, nn: nn.Conv2d(3, 64, 3, padding=1).weight.numel(),
    "vgg-conv1-memory": lambda t, nn: nn.Conv2d(3, 64, 3, padding=1)(t.zeros(1, 3, 224, 224)).numel(),
    "vgg-conv3-weights": lambda t, nn: nn.Conv2d(64, 128, 3, padding=1).weight.numel(),
    "vgg-fc6-weights": lambda t, nn: nn.Linear(7 * 7 * 512, 4096).weight.numel(),
    "three-3x3": lambda t, nn: _field(t, [nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3), nn.Conv2d(8, 8, 3)]),
    "a2-conv-naive": lambda t, nn: _shape(t, nn.Conv2d(3, 3, 4, 2, 1), (3, 4, 4), channels_last=False),
    "a2-pool-naive": lambda t, nn: _shape(t, nn.MaxPool2d(2, 2), (3, 4, 4), channels_last=False),
    "a2-three-layer": lambda t, nn: _params(nn.Sequential(nn.Conv2d(3, 32, 7, padding=3), nn.Linear(32 * 16 * 16, 100), nn.Linear(100, 10))),
    "d2l-7.2-corr": lambda t, nn: _shape(t, nn.Conv2d(1, 1, 2), (1, 3, 3)),
    "d2l-7.3-pad": lambda t, nn: _shape(t, nn.Conv2d(1, 1, 3, padding=1), (1, 8, 8)),
    "d2l-7.3-pad-rect": lambda t, nn: _shape(t, nn.Conv2d(1, 1, (5, 3), padding=(2, 1)), (1, 8, 8)),
    "d2l-7.3-stride": lambda t, nn: _shape(t, nn.Conv2d(1, 1, 3, padding=1, stride=2), (1, 8, 8)),
    "d2l-7.3-stride-rect": lambda t, nn: _shape(t, nn.Conv2d(1, 1, (3, 5), padding=(0, 1), stride=(3, 4)), (1, 8, 8)),
    "d2l-7.4-1x1": lambda t, nn: nn.Conv2d(3, 2, 1, bias=False).weight.numel(),
    "d2l-7.5-pool3": lambda t, nn: _shape(t, nn.MaxPool2d(3), (1, 4, 4)),
    "d2l-7.5-pool-pad": lambda t, nn: _shape(t, nn.MaxPool2d(3, padding=1, stride=2), (1, 4, 4)),
    "d2l-7.6-lenet": lambda t, nn: _params(_lenet(nn)),
    "d2l-7.6-lenet-shape": lambda t, nn: _shape(t, _lenet(nn)[:6], (1, 28, 28), channels_last=False),
    "gbc-edge-matrix": lambda t, nn: 320 * 280 * 319 * 280,
    "gbc-valid": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3), (1, 6), channels_last=False)[-1],
    "gbc-same": lambda t, nn: _shape(t, nn.Conv1d(1, 1, 3, padding="same"), (1, 6), channels_last=False)[-1],
    "gbc-full": lambda t, nn: _shape(t, nn.ConvTranspose1d(1, 1, 3), (1, 6), channels_last=False)[-1],
    "seed0-conv2-shape": lambda t, nn: _shape(t, nn.Conv2d(100, 150, 5, padding=2), (100, 13, 32)),
    "seed0-conv2-weights": lambda t, nn: nn.Conv2d(100, 150, 5).weight.numel(),
    "seed0-conv1-weights": lambda t, nn: nn.Conv2d(1, 100, 7).weight.numel(),
    "seed2-24": lambda t, nn: _shape(t, nn.Sequential(nn.Conv2d(3, 6, 5), nn.Conv2d(6, 6, 5)), (3, 32, 32)),
    "seed3-shape": lambda t, nn: _shape(t, nn.Conv2d(1, 1, 3), (1, 5, 5), channels_last=False),
    "resnet-conv1-params": lambda t, nn: _params(nn.Conv2d(3, 64, 7, 2, 3, bias=False)),
    "dcgan-up": lambda t, nn: _shape(t, nn.ConvTranspose2d(512, 256, 4, 2, 1), (512, 4, 4)),
    "exam-1x1": lambda t, nn: _params(nn.Conv2d(256, 64, 1)),
    "mobilenet-dw": lambda t, nn: _params(nn.Conv2d(32, 32, 3, padding=1, groups=32, bias=False)),
    "mobilenet-pw": lambda t, nn: _params(nn.Conv2d(32, 64, 1, bias=False)),
    # an average window has the max window's geometry, and its gradient reaches every input of the window
    "exam-rf": lambda t, nn: _field(t, [nn.Conv2d(3, 8, 3), nn.Conv2d(8, 8, 3), nn.AvgPool2d(2), nn.Conv2d(8, 8, 3)]),
    "exam-input-size": lambda t, nn: sum(_shape(t, nn.Conv1d(1, 1, 11, 4), (1, w), channels_last=False)[-1] == 55 for w in range(200, 260)),
}


@pytest.mark.parametrize("key", sorted(TORCH))
def test_the_published_answers_are_torchs(key):
    torch = pytest.importorskip("torch")
    answer = next(row[4] for row in BANK if row[0] == key)
    assert TORCH[key](torch, torch.nn) == answer
