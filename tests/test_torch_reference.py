"""The core shipped specs against PyTorch: each rebuilt by hand in plain torch.nn, one module per
spec layer, so every layer's output shape and the parameter counts are compared with convcalc's.

Skips cleanly when torch is not installed (pip install torch==2.13.0).
"""
from __future__ import annotations

import pytest

from conftest import ROOT

torch = pytest.importorskip("torch")
nn = torch.nn


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def gap():
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())


def lenet5():
    return [nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10)], (1, 32, 32)


def alexnet():
    lrn = lambda: nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)  # noqa: E731
    return [
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 1000),
    ], (3, 227, 227)


def vgg16():
    layers, c = [], 3
    for block in [[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3]:
        for f in block:
            layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU()]
            c = f
        layers.append(nn.MaxPool2d(2, 2))
    layers += [nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(), nn.Dropout(),
               nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 1000)]
    return layers, (3, 224, 224)


def mobilenet_v1():
    def same_stride2(conv):  # TensorFlow "same" with stride 2 on an even size pads 0 before, 1 after
        return nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), conv)

    layers = [same_stride2(nn.Conv2d(3, 32, 3, 2, bias=False)), nn.BatchNorm2d(32), nn.ReLU6()]
    c = 32
    for f, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]:
        dw = nn.Conv2d(c, c, 3, s, padding=1 if s == 1 else 0, groups=c, bias=False)
        layers += [same_stride2(dw) if s == 2 else dw, nn.BatchNorm2d(c), nn.ReLU6(),
                   nn.Conv2d(c, f, 1, bias=False), nn.BatchNorm2d(f), nn.ReLU6()]
        c = f
    layers += [gap(), Reshape(1024, 1, 1), nn.Dropout(0.001), nn.Conv2d(1024, 1000, 1), Reshape(1000), nn.Softmax(dim=1)]
    return layers, (3, 224, 224)


def audio_m5():
    layers, c = [], 1
    for f, k, s in [(32, 80, 16), (32, 3, 1), (64, 3, 1), (64, 3, 1)]:
        layers += [nn.Conv1d(c, f, k, s), nn.BatchNorm1d(f), nn.ReLU(), nn.MaxPool1d(4)]
        c = f
    layers += [nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten()), nn.Linear(64, 35), nn.LogSoftmax(dim=1)]
    return layers, (1, 8000)


def video_c3d():
    conv = lambda i, o: nn.Conv3d(i, o, 3, padding=1)  # noqa: E731
    layers = [conv(3, 64), nn.ReLU(), nn.MaxPool3d((1, 2, 2), (1, 2, 2)), conv(64, 128), nn.ReLU(), nn.MaxPool3d(2),
              conv(128, 256), nn.ReLU(), conv(256, 256), nn.ReLU(), nn.MaxPool3d(2),
              conv(256, 512), nn.ReLU(), conv(512, 512), nn.ReLU(), nn.MaxPool3d(2),
              conv(512, 512), nn.ReLU(), conv(512, 512), nn.ReLU(), nn.MaxPool3d(2, 2, padding=(0, 1, 1)),
              nn.Flatten(), nn.Linear(8192, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
              nn.Linear(4096, 487)]
    return layers, (3, 16, 112, 112)


def seed_keras_same():
    # Keras MaxPool2D(padding="same") on 25x64 gives ceil(25/2) = 13: ceil_mode gives the same here
    return [nn.Conv2d(1, 100, 7, padding="same"), nn.MaxPool2d(2, ceil_mode=True), nn.Conv2d(100, 150, 5, padding="same")], (1, 25, 64)


MODELS = [lenet5, alexnet, vgg16, mobilenet_v1, audio_m5, video_c3d, seed_keras_same]


@pytest.mark.parametrize("build", MODELS, ids=[m.__name__ for m in MODELS])
def test_spec_matches_pytorch_layer_by_layer(build):
    from convcalc import summarize

    layers, input_chw = build()
    report = summarize(str(ROOT / "specs" / f"{build.__name__}.yaml"))
    assert len(layers) == len(report.layers), "one torch module per spec layer"
    x = torch.zeros(1, *input_chw)
    with torch.no_grad():
        for module, layer in zip(layers, report.layers):
            module.eval()
            x = module(x)
            assert tuple(x.shape[1:]) == layer.shape.in_layout("chw"), layer.name
            params = sum(p.numel() for p in module.parameters())
            buffers = sum(b.numel() for n, b in module.named_buffers() if n.split(".")[-1] in ("running_mean", "running_var"))
            assert (params, buffers) == (layer.outcome.trainable, layer.outcome.non_trainable), layer.name
    model = nn.Sequential(*layers)
    assert sum(p.numel() for p in model.parameters()) == report.trainable_params
