"""Every layer kind against figures published by others (course notes, framework docs, papers).

Each row: the source of the expected figure, an inline spec, the last layer's expected output
shape (in the spec's layout, no batch axis) and its expected parameters (None: not published).
"""
from __future__ import annotations

import pytest

from convcalc import analyze, spec_from_text
from convcalc.layers import KINDS

ROWS = [
    # --- convolutions -------------------------------------------------------------------
    ("CS231n lecture 5: 32x32x3, ten 5x5 filters, stride 1, pad 2 -> 32x32x10, 76 params per filter, 760",
     "input 32x32x3; conv2d 10 kernel=5 stride=1 padding=2", (32, 32, 10), 760),
    ("CS231n notes 'Real-world example': AlexNet conv1 227x227x3, F=11, S=4, K=96 -> 55x55x96, 34,848 weights + 96 biases",
     "input 227x227x3; conv2d 96 kernel=11 stride=4", (55, 55, 96), 34_944),
    ("CS231n notes: 7x7 input, 3x3 filter, stride 1, pad 0 -> 5x5",
     "input 7x7x1; conv2d 1 kernel=3", (5, 5, 1), 10),
    ("CS231n notes: 7x7 input, 3x3 filter, stride 2, pad 0 -> 3x3",
     "input 7x7x1; conv2d 1 kernel=3 stride=2", (3, 3, 1), 10),
    ("Keras Conv2D docs example: (4, 28, 28, 3) -> Conv2D(2, 3) -> (4, 26, 26, 2)",
     "input 28x28x3; conv2d 2 kernel=3", (26, 26, 2), 3 * 3 * 3 * 2 + 2),
    ("Keras Conv1D docs example: (4, 10, 128) -> Conv1D(32, 3) -> (4, 8, 32)",
     "input 10x128; conv1d 32 kernel=3", (8, 32), None),
    ("Keras Conv3D docs example: (4, 28, 28, 28, 1) -> Conv3D(2, 3) -> (4, 26, 26, 26, 2)",
     "input 28x28x28x1; conv3d 2 kernel=3", (26, 26, 26, 2), None),
    ("PyTorch ConvTranspose2d docs example: Conv2d(16, 16, 3, stride=2, padding=1) takes 12x12 to 6x6",
     "input 16x12x12 layout=chw; conv2d 16 kernel=3 stride=2 padding=1", (16, 6, 6), None),
    ("PyTorch ConvTranspose2d docs example: 6x6 back to 12x12 (output_size 12 means output_padding 1)",
     "input 16x6x6 layout=chw; conv_transpose2d 16 kernel=3 stride=2 padding=1 output_padding=1", (16, 12, 12), None),
    ("Keras Conv2DTranspose docs example: (4, 10, 8, 128) -> Conv2DTranspose(32, 2, 2) -> (4, 20, 16, 32)",
     "input 10x8x128; conv_transpose2d 32 kernel=2 stride=2", (20, 16, 32), None),
    ("Keras Conv1DTranspose docs example: (4, 10, 128) -> Conv1DTranspose(32, 3, 2) -> (4, 21, 32)",
     "input 10x128; conv_transpose1d 32 kernel=3 stride=2", (21, 32), None),
    ("Keras Conv3DTranspose docs example: (4, 10, 8, 12, 128) -> Conv3DTranspose(32, 2, 2) -> (4, 20, 16, 24, 32)",
     "input 10x8x12x128; conv_transpose3d 32 kernel=2 stride=2", (20, 16, 24, 32), None),
    ("Keras DepthwiseConv2D docs example: (4, 10, 10, 12) -> DepthwiseConv2D(3) -> (4, 8, 8, 12)",
     "input 10x10x12; depthwise_conv2d 3", (8, 8, 12), None),
    ("Keras applications MobileNet summary: conv_dw_1 on 112x112x32 has 288 params (3*3*32, no bias)",
     "input 112x112x32; depthwise_conv2d 3 padding=same bias=false", (112, 112, 32), 288),
    ("Keras applications Xception summary: block2_sepconv1 on 147x147x64 has 8,768 params",
     "input 147x147x64; separable_conv2d 128 kernel=3 padding=same bias=false", (147, 147, 128), 8_768),
    ("Keras Conv2D docs: padding='same' with strides>1 gives ceil(in/stride); Keras MobileNet conv1 224 -> 112",
     "input 224x224x3; conv2d 32 kernel=3 stride=2 padding=same bias=false", (112, 112, 32), 864),
    ("torchvision ResNet conv1: 7x7/2 pad 3 on 224 -> 112, 9,408 weights (bias=False)",
     "input 3x224x224 layout=chw; conv2d 64 kernel=7 stride=2 padding=3 bias=false", (64, 112, 112), 9_408),
    ("NumPy convolve docs: mode 'full' returns the convolution at each point of overlap, N + M - 1 = 3 + 3 - 1 = 5",
     "input 3x1; conv1d 1 kernel=3 padding=full", (5, 1), 4),
    ("Theano conv2d docs: border_mode 'full' gives output (W + F - 1): 28 + 5 - 1 = 32",
     "input 1x28x28 layout=chw; conv2d 4 kernel=5 padding=full", (4, 32, 32), 5 * 5 * 4 + 4),
    ("Yu and Koltun 2016 (dilated convolutions): a 3x3 kernel with dilation 2 covers 5x5",
     "input 9x9x1; conv2d 1 kernel=3 dilation=2", (5, 5, 1), 10),
    ("AlexNet paper (Krizhevsky et al. 2012): conv2 'connected only to kernel maps on the same GPU', 5x5x48, 256 kernels",
     "input 27x27x96; conv2d 256 kernel=5 padding=2 groups=2", (27, 27, 256), 5 * 5 * 48 * 256 + 256),
    # --- pooling ---------------------------------------------------------------------------
    ("Keras MaxPooling2D docs: 3x3 input, pool 2, strides 1, valid -> 2x2",
     "input 3x3x1; maxpool2d 2 stride=1", (2, 2, 1), 0),
    ("Keras MaxPooling2D docs: 3x3 input, pool 2, strides 1, same -> 3x3",
     "input 3x3x1; maxpool2d 2 stride=1 padding=same", (3, 3, 1), 0),
    ("Keras AveragePooling2D docs: 3x3 input, pool 2, strides 1, valid -> 2x2",
     "input 3x3x1; avgpool2d 2 stride=1", (2, 2, 1), 0),
    ("Keras MaxPooling2D docs: 4x4 input, pool 2, strides 2 -> 2x2",
     "input 4x4x1; maxpool2d 2 stride=2", (2, 2, 1), 0),
    ("CS231n notes: 224x224x64 pooled with 2x2 filters, stride 2 -> 112x112x64",
     "input 224x224x64; maxpool2d 2", (112, 112, 64), 0),
    ("torchvision GoogLeNet: maxpool 3/2 ceil_mode=True takes 112 to 56 (floor would give 55)",
     "input 64x112x112 layout=chw; maxpool2d 3 stride=2 ceil_mode=true", (64, 56, 56), 0),
    ("torchvision ResNet maxpool: 3/2 pad 1 on 112 -> 56",
     "input 64x112x112 layout=chw; maxpool2d 3 stride=2 padding=1", (64, 56, 56), 0),
    ("PyTorch MaxPool2d docs note: with ceil_mode a window that would start in the right padding is ignored: 5 -> 3",
     "input 1x5x5 layout=chw; maxpool2d 2 stride=2 padding=1 ceil_mode=true", (1, 3, 3), 0),
    ("Keras AveragePooling1D docs: 5 steps, pool 2, strides 1, valid -> 4",
     "input 5x1; avgpool1d 2 stride=1", (4, 1), 0),
    ("C3D paper (Tran et al. 2015): pool1 1x2x2 keeps the 16 frames, 112 -> 56",
     "input 64x16x112x112 layout=chw; maxpool3d 1x2x2 stride=1x2x2", (64, 16, 56, 56), 0),
    ("Keras AveragePooling3D docs: (30, 30, 30, 3) with pool_size 3 -> (10, 10, 10, 3)",
     "input 30x30x30x3; avgpool3d 3", (10, 10, 10, 3), 0),
    ("Keras MaxPooling3D docs: (30, 30, 30, 3) with pool_size 3 -> (10, 10, 10, 3)",
     "input 30x30x30x3; maxpool3d 3", (10, 10, 10, 3), 0),
    ("Keras MaxPooling1D docs: 5 steps, pool 2, strides 1 -> 4",
     "input 5x1; maxpool1d 2 stride=1", (4, 1), 0),
    ("Keras GlobalAveragePooling2D docs: (2, 4, 5, 3) -> (2, 3)",
     "input 4x5x3; global_avgpool", (3,), 0),
    ("Keras GlobalMaxPooling2D docs: (2, 4, 5, 3) -> (2, 3)",
     "input 4x5x3; global_maxpool", (3,), 0),
    ("torchvision VGG: AdaptiveAvgPool2d((7, 7)) gives 512x7x7",
     "input 512x14x14 layout=chw; adaptive_avgpool2d 7", (512, 7, 7), 0),
    ("PyTorch AdaptiveAvgPool1d docs example: AdaptiveAvgPool1d(5) on (1, 64, 8) -> (1, 64, 5)",
     "input 64x8 layout=chw; adaptive_avgpool1d 5", (64, 5), 0),
    ("PyTorch AdaptiveAvgPool3d docs example: target 5x7x9 on (1, 64, 8, 9, 10) -> (1, 64, 5, 7, 9)",
     "input 64x8x9x10 layout=chw; adaptive_avgpool3d 5x7x9", (64, 5, 7, 9), 0),
    ("PyTorch AdaptiveMaxPool2d docs example: target 5x7 on (1, 64, 8, 9) -> (1, 64, 5, 7)",
     "input 64x8x9 layout=chw; adaptive_maxpool2d 5x7", (64, 5, 7), 0),
    # --- dense and reshaping -----------------------------------------------------------------
    ("torchvision VGG-16 classifier: Linear(25088, 4096) has 102,764,544 parameters",
     "input 512x7x7 layout=chw; flatten; dense 4096", (4096,), 102_764_544),
    ("LeNet-5 (LeCun et al. 1998) F6: 84 units on 120 inputs, (120 + 1) x 84 = 10,164 trainable parameters",
     "input 120; dense 84", (84,), 10_164),
    ("Keras Dense docs: a Dense layer on a rank>2 input; convcalc flattens first (as Flatten+Dense)",
     "input 5x5x16; dense 120", (120,), 400 * 120 + 120),
    ("CS231n notes: the 7x7x512 volume flattened gives 25,088 numbers",
     "input 7x7x512; flatten", (25_088,), 0),
    ("Keras Reshape docs: Reshape((3, 4)) of 12 values -> (3, 4)",
     "input 12; reshape 3x4", (3, 4), 0),
    ("Keras Dropout docs: shape unchanged",
     "input 10x10x3; dropout 0.2", (10, 10, 3), 0),
    ("Keras ZeroPadding2D docs: (1, 1, 2, 2) with padding 1 -> (1, 3, 4, 2)",
     "input 1x2x2; zeropad2d 1", (3, 4, 2), 0),
    ("Keras ZeroPadding1D docs: (2, 2, 3) with padding 2 -> (2, 6, 3)",
     "input 2x3; zeropad1d 2", (6, 3), 0),
    ("Keras ZeroPadding3D docs: (1, 1, 2, 2, 3) with padding 2 -> (1, 5, 6, 6, 3)",
     "input 1x2x2x3; zeropad3d 2", (5, 6, 6, 3), 0),
    ("Keras UpSampling2D docs: (2, 2, 1, 3) with size (1, 2) -> (2, 2, 2, 3)",
     "input 2x1x3; upsample2d 1x2", (2, 2, 3), 0),
    ("Keras UpSampling1D docs: (2, 2, 3) with size 2 -> (2, 4, 3)",
     "input 2x3; upsample1d 2", (4, 3), 0),
    ("Keras UpSampling3D docs: (2, 1, 2, 1, 3) with size 2 -> (2, 2, 4, 2, 3)",
     "input 1x2x1x3; upsample3d 2", (2, 4, 2, 3), 0),
    # --- locally connected (no parameter sharing) ------------------------------------------------
    ("CS231n notes: AlexNet conv1 without parameter sharing: 55*55*96 = 290,400 neurons x (11*11*3 + 1) = 105,705,600",
     "input 227x227x3; locally_connected2d 96 kernel=11 stride=4", (55, 55, 96), 105_705_600),
    ("Keras 2 LocallyConnected2D docs: 64 filters 3x3 on 32x32x3 -> (30, 30, 64), (30*30)*(3*3*3*64) + (30*30)*64 params",
     "input 32x32x3; locally_connected2d 64 kernel=3", (30, 30, 64), 1_612_800),
    ("Keras 2 LocallyConnected1D docs: 64 filters of length 3 on (10, 32) -> (8, 64); 8*(3*32*64) + 8*64 params",
     "input 10x32; locally_connected1d 64 kernel=3", (8, 64), 49_664),
    ("Keras Dense docs: on an input (batch_size, d0, d1) the kernel acts on the last axis: output (batch_size, d0, units)",
     "input 7x16; dense 8 axis=-1", (7, 8), 16 * 8 + 8),
    ("torchvision ConvNeXt CNBlock: nn.Linear(96, 4 * 96) on the channels at every position has 37,248 parameters",
     "input 56x56x96; dense 384 axis=channels", (56, 56, 384), 37_248),
    ("PyTorch Upsample docs example: (1, 1, 2, 2) with scale_factor=2, mode='bilinear' -> (1, 1, 4, 4)",
     "input 1x2x2 layout=chw; upsample2d 2 mode=bilinear", (1, 4, 4), 0),
    ("Keras Resizing docs: Resizing(height, width) outputs (batch, height, width, channels)",
     "input 8x8x3; resizing size=5x7 mode=bilinear", (5, 7, 3), 0),
    ("PyTorch interpolate docs: size= gives the output's spatial size; DeepLabV3 ASPP pooling takes 1x1 back to 65x65",
     "input 256x1x1 layout=chw; resize size=65 mode=bilinear", (256, 65, 65), 0),
    ("torchvision DeepLabV3 forward: F.interpolate(x, size=input_shape, mode='bilinear') gives the input's 520x520",
     "input 3x520x520 layout=chw; conv2d 21 kernel=1 stride=8; resize like=input mode=bilinear", (21, 520, 520), 0),
    ("PyTorch Upsample docs: mode='trilinear' on a 5D (N, C, D, H, W) input doubles D, H and W",
     "input 2x4x4x4 layout=chw; upsample3d 2 mode=trilinear", (2, 8, 8, 8), 0),
    ("ShuffleNetV2 (Ma et al. 2018) channel split, torchvision x.chunk(2, dim=1): 116 channels -> two of 58",
     "input 116x28x28 layout=chw; split 2", (58, 28, 28), 0),
    ("PyTorch narrow docs example: x.narrow(0, 0, 2) of a 3x3 tensor keeps rows 0 and 1: (2, 3)",
     "input 3x3; slice start=0 stop=2 axis=0", (2, 3), 0),
    ("PyTorch nn.ChannelShuffle docs example: ChannelShuffle(2) on (1, 4, 2, 2) keeps (1, 4, 2, 2)",
     "input 4x2x2 layout=chw; channel_shuffle 2", (4, 2, 2), 0),
    ("PyTorch permute docs example: x of (2, 3, 5) permuted (2, 0, 1) -> (5, 2, 3)",
     "input 2x3x5; permute [2, 0, 1]", (5, 2, 3), 0),
    ("Keras Permute docs example: Permute((2, 1)) of (None, 10, 64) -> (None, 64, 10)",
     "input 10x64; permute [2, 1]", (64, 10), 0),
    ("torchvision ConvNeXt CNBlock: layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6), 96 values for dim 96",
     "input 96x56x56 layout=chw; layer_scale", (96, 56, 56), 96),
    ("torchvision.ops.StochasticDepth: no parameters, the input's shape",
     "input 96x56x56 layout=chw; stochastic_depth 0.1", (96, 56, 56), 0),
    # --- normalisation -------------------------------------------------------------------------
    ("Keras BatchNormalization: 4 x 32 = 128 params of which 64 non-trainable (Keras MobileNet conv1_bn)",
     "input 112x112x32; batchnorm", (112, 112, 32), 128),
    ("PyTorch LayerNorm docs example: LayerNorm(embedding_dim=10) has a weight and a bias of 10 each",
     "input 5x10; layernorm", (5, 10), 20),
    ("PyTorch GroupNorm docs example: GroupNorm(3, 6) has 6 weights and 6 biases",
     "input 6x10x10 layout=chw; groupnorm 3", (6, 10, 10), 12),
    ("AlexNet paper section 3.3: response normalisation has no learnt parameters",
     "input 55x55x96; lrn 5", (55, 55, 96), 0),
    ("PyTorch PReLU docs: num_parameters=1 by default",
     "input 8x8x16; prelu", (8, 8, 16), 1),
    ("PyTorch PReLU docs: num_parameters=C learns one slope per channel",
     "input 8x8x16; prelu per_channel=true", (8, 8, 16), 16),
    # --- merges --------------------------------------------------------------------------------
    ("ResNet (He et al. 2016): identity shortcut, F(x) + x keeps the shape",
     "input 56x56x64; conv2d 64 kernel=3 padding=1 name=a; add from=a,input", (56, 56, 64), 0),
    ("Keras Multiply docs: element-wise product keeps the shape",
     "input 8x8x4; conv2d 4 kernel=1 name=g; multiply from=g,input", (8, 8, 4), 0),
    ("NumPy broadcasting docs: Image (3d array) 256 x 256 x 3 times Scale (1d array) 3 -> 256 x 256 x 3",
     "input 256x256x3; global_avgpool name=scale; multiply from=input,scale", (256, 256, 3), 0),
    ("NumPy broadcasting docs: A 15 x 3 x 5 and B 15 x 1 x 5 -> 15 x 3 x 5",
     "input 15x3x5; adaptive_avgpool2d 15x1 name=b; add from=input,b", (15, 3, 5), 0),
    ("torchvision ops.SqueezeExcitation: scale (N, C, 1, 1) * input (N, C, H, W) keeps the input's shape",
     "input 24x56x56 layout=chw; adaptive_avgpool2d 1; conv2d 8 kernel=1; relu; conv2d 24 kernel=1; sigmoid name=scale;"
     " multiply from=scale,input", (24, 56, 56), 0),
    ("Keras Subtract docs example: Dense(8) of two (None, 16) inputs subtracted -> (None, 8)",
     "input 16; dense 8 name=a from=input; dense 8 name=b from=input; subtract from=a,b", (8,), 0),
    ("GoogLeNet (Szegedy et al. 2015) inception 3a: 64 + 128 + 32 + 32 = 256 channels",
     "input 28x28x192; conv2d 64 kernel=1 name=b1 from=input; conv2d 128 kernel=3 padding=1 name=b2 from=input;"
     " conv2d 32 kernel=5 padding=2 name=b3 from=input; conv2d 32 kernel=1 name=b4 from=input; concat from=b1,b2,b3,b4",
     (28, 28, 256), 0),
]

ACTIVATION_ROWS = [
    (f"Keras/PyTorch docs: {name} keeps the input shape and has no parameters", f"input 4x4x3; {name}", (4, 4, 3), 0)
    for name in ("relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "elu", "selu", "gelu",
                 "silu", "hardswish", "hardsigmoid", "mish", "softplus", "identity")
]


def _last(spec_text: str):
    report = analyze(spec_from_text(spec_text, "<test>"))
    return report, report.layers[-1]


@pytest.mark.parametrize("source, spec_text, shape, params", ROWS + ACTIVATION_ROWS, ids=[r[0][:70] for r in ROWS + ACTIVATION_ROWS])
def test_layer_against_published_figure(source, spec_text, shape, params):
    report, last = _last(spec_text)
    assert last.shape.in_layout(report.layout) == shape
    if params is not None:
        assert last.outcome.params == params


def test_every_layer_kind_is_tested_and_documented():
    """Walks the registry: each kind appears in a row above, with a summary and a rule for the docs."""
    tested = set()
    for _, spec_text, _, _ in ROWS + ACTIVATION_ROWS:
        report = analyze(spec_from_text(spec_text, "<test>"))
        tested.update(layer.type for layer in report.layers)
    untested = sorted(set(KINDS) - tested)
    assert not untested, f"layer kinds without a published-figure row: {untested}"
    undocumented = sorted(name for name, kind in KINDS.items() if not kind.summary or not kind.rule)
    assert not undocumented


def test_every_layer_kind_says_how_it_is_drawn():
    """The drawing facts each kind declares hold on the rows above: a point-wise kind keeps its
    input's shape, a kind with a window reach has a sliding window (per-axis steps)."""
    for name, kind in KINDS.items():
        assert kind.category in ("conv", "pool", "dense", "merge", "reshape", "other"), name
        assert kind.window_reach in ("all", "channel", None), name
        assert not (kind.pointwise and kind.window_reach), name
    for _, spec_text, _, _ in ROWS + ACTIVATION_ROWS:
        for layer in analyze(spec_from_text(spec_text, "<test>")).layers:
            kind = KINDS[layer.type]
            if kind.pointwise:
                assert layer.shape == layer.input_shapes[0], layer.type
            if kind.window_reach:
                assert layer.outcome.axes, layer.type


def test_every_layer_kind_is_in_the_reference():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "docs" / "layers.md").read_text(encoding="utf-8")
    missing = [name for name in KINDS if f"`{name}`" not in readme]
    assert not missing, f"docs/layers.md does not list: {missing}; run python docs/generate.py"


def test_batchnorm_splits_trainable_and_moving_statistics():
    # Keras applications MobileNet summary: conv1_bn on 32 channels, 128 params, 64 of them non-trainable
    _, last = _last("input 112x112x32; batchnorm")
    assert (last.outcome.trainable, last.outcome.non_trainable) == (64, 64)


def test_huge_channel_counts_stay_exact():
    # Python integers are exact: 10**400 channels x 3x3 x 2 filters + 2 biases, no float rounding
    _, last = _last(f"input 4x4x{10**400}; conv2d 2 kernel=3")
    assert last.outcome.params == 9 * 10**400 * 2 + 2
