"""The branching zoo (specs/resnet18 … unet) against published counts and against PyTorch.

1. Each spec's trainable parameters equal the count torchvision publishes for the same model: the
   `num_params` meta of its IMAGENET1K_V1 weights, listed in the torchvision docs' "Table of all
   available classification weights" (https://pytorch.org/vision/stable/models.html). No torch needed.
2. Each model rebuilt by hand in plain torch.nn (no torchvision here), following torchvision's
   source: the sum of its parameters' numel, its batchnorm running statistics and its output shape
   for one zero image must equal convcalc's trainable params, non-trainable params and output shape.
   Skips cleanly without torch.
"""
from __future__ import annotations

import pytest

from conftest import ROOT, summary_json

PUBLISHED = [
    # (spec, trainable params, source)
    ("resnet18", 11_689_512, "torchvision docs, ResNet18_Weights.IMAGENET1K_V1 num_params"),
    ("resnet50", 25_557_032, "torchvision docs, ResNet50_Weights.IMAGENET1K_V1 num_params"),
    ("googlenet", 6_624_904, "torchvision docs, GoogLeNet_Weights.IMAGENET1K_V1 num_params"),
    ("mobilenet_v2", 3_504_872, "torchvision docs, MobileNet_V2_Weights.IMAGENET1K_V1 num_params"),
    ("densenet121", 7_978_856, "torchvision docs, DenseNet121_Weights.IMAGENET1K_V1 num_params"),
    ("squeezenet1_0", 1_248_424, "torchvision docs, SqueezeNet1_0_Weights.IMAGENET1K_V1 num_params"),
]


def spec_path(name: str) -> str:
    return str(ROOT / "specs" / f"{name}.yaml")


@pytest.mark.parametrize("name, trainable, source", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_published_torchvision_count(name, trainable, source):
    data = summary_json(spec_path(name))
    assert data["trainable_params"] == trainable, source
    assert data["output_shape"] == [1000]


# --------------------------------------------------------------------------- plain torch.nn models

torch = None


def _torch():
    global torch
    torch = pytest.importorskip("torch")
    return torch


def models():
    nn = torch.nn

    def conv_bn(cin, cout, k, s=1, p=0, groups=1, eps=1e-5):
        return [nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=eps)]

    class ResidualBlock(nn.Module):
        def __init__(self, main, downsample=None):
            super().__init__()
            self.main, self.downsample = nn.Sequential(*main), downsample

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            return torch.relu(self.main(x) + identity)

    def resnet(bottleneck, counts):
        expansion = 4 if bottleneck else 1
        layers, cin = [*conv_bn(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
        for stage, (width, count) in enumerate(zip((64, 128, 256, 512), counts)):
            for block in range(count):
                stride = 2 if stage > 0 and block == 0 else 1
                cout = width * expansion
                if bottleneck:
                    main = [*conv_bn(cin, width, 1), nn.ReLU(), *conv_bn(width, width, 3, stride, 1), nn.ReLU(),
                            *conv_bn(width, cout, 1)]
                else:
                    main = [*conv_bn(cin, width, 3, stride, 1), nn.ReLU(), *conv_bn(width, width, 3, 1, 1)]
                down = nn.Sequential(*conv_bn(cin, cout, 1, stride)) if stride != 1 or cin != cout else None
                layers.append(ResidualBlock(main, down))
                cin = cout
        return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 1000))

    def basic(cin, cout, k=1, s=1, p=0):  # GoogLeNet's BasicConv2d
        return nn.Sequential(*conv_bn(cin, cout, k, s, p, eps=0.001), nn.ReLU())

    class Concat(nn.Module):
        def __init__(self, *paths):
            super().__init__()
            self.paths = nn.ModuleList(paths)

        def forward(self, x):
            return torch.cat([path(x) for path in self.paths], 1)

    def inception(cin, c1, c3r, c3, c5r, c5, pool):
        return Concat(basic(cin, c1), nn.Sequential(basic(cin, c3r), basic(c3r, c3, 3, 1, 1)),
                      nn.Sequential(basic(cin, c5r), basic(c5r, c5, 3, 1, 1)),  # torchvision's "5x5" is 3x3
                      nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), basic(cin, pool)))

    def googlenet():
        pool = lambda k=3: nn.MaxPool2d(k, 2, ceil_mode=True)  # noqa: E731
        return nn.Sequential(
            basic(3, 64, 7, 2, 3), pool(), basic(64, 64), basic(64, 192, 3, 1, 1), pool(),
            inception(192, 64, 96, 128, 16, 32, 32), inception(256, 128, 128, 192, 32, 96, 64), pool(),
            inception(480, 192, 96, 208, 16, 48, 64), inception(512, 160, 112, 224, 24, 64, 64),
            inception(512, 128, 128, 256, 24, 64, 64), inception(512, 112, 144, 288, 32, 64, 64),
            inception(528, 256, 160, 320, 32, 128, 128), pool(2),
            inception(832, 256, 160, 320, 32, 128, 128), inception(832, 384, 192, 384, 48, 128, 128),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1024, 1000))

    class Inverted(nn.Module):
        def __init__(self, cin, cout, stride, t):
            super().__init__()
            hidden = cin * t
            expand = [*conv_bn(cin, hidden, 1), nn.ReLU6()] if t != 1 else []
            self.body = nn.Sequential(*expand, *conv_bn(hidden, hidden, 3, stride, 1, groups=hidden), nn.ReLU6(),
                                      *conv_bn(hidden, cout, 1))
            self.residual = stride == 1 and cin == cout

        def forward(self, x):
            return x + self.body(x) if self.residual else self.body(x)

    def mobilenet_v2():
        layers, cin = [*conv_bn(3, 32, 3, 2, 1), nn.ReLU6()], 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for block in range(n):
                layers.append(Inverted(cin, c, s if block == 0 else 1, t))
                cin = c
        return nn.Sequential(*layers, *conv_bn(320, 1280, 1), nn.ReLU6(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Dropout(0.2), nn.Linear(1280, 1000))

    class DenseLayer(nn.Module):
        def __init__(self, cin, growth=32, bn_size=4):
            super().__init__()
            self.body = nn.Sequential(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, bn_size * growth, 1, bias=False),
                                      nn.BatchNorm2d(bn_size * growth), nn.ReLU(),
                                      nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False))

        def forward(self, x):
            return torch.cat([x, self.body(x)], 1)

    def densenet121():
        layers, c = [*conv_bn(3, 64, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
        for block, count in enumerate((6, 12, 24, 16)):
            for _ in range(count):
                layers.append(DenseLayer(c))
                c += 32
            if block < 3:
                layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c // 2, 1, bias=False), nn.AvgPool2d(2, 2)]
                c //= 2
        return nn.Sequential(*layers, nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 1000))

    def fire(cin, squeeze, expand):
        return nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU(),
                             Concat(nn.Sequential(nn.Conv2d(squeeze, expand, 1), nn.ReLU()),
                                    nn.Sequential(nn.Conv2d(squeeze, expand, 3, padding=1), nn.ReLU())))

    def squeezenet1_0():
        pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
        return nn.Sequential(
            nn.Conv2d(3, 96, 7, 2), nn.ReLU(), pool(), fire(96, 16, 64), fire(128, 16, 64), fire(128, 32, 128), pool(),
            fire(256, 32, 128), fire(256, 48, 192), fire(384, 48, 192), fire(384, 64, 256), pool(), fire(512, 64, 256),
            nn.Dropout(0.5), nn.Conv2d(512, 1000, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())

    class UNet(nn.Module):
        def __init__(self, cin=3, classes=2):
            super().__init__()
            double = lambda a, b: nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.ReLU(),  # noqa: E731
                                                nn.Conv2d(b, b, 3, padding=1), nn.ReLU())
            widths = [64, 128, 256, 512, 1024]
            self.inc = double(cin, 64)
            self.downs = nn.ModuleList(nn.Sequential(nn.MaxPool2d(2), double(a, b)) for a, b in zip(widths, widths[1:]))
            self.upconvs = nn.ModuleList(nn.ConvTranspose2d(b, a, 2, 2) for a, b in zip(widths[::-1][1:], widths[::-1]))
            self.upconvs_double = nn.ModuleList(double(2 * a, a) for a in widths[::-1][1:])
            self.outc = nn.Conv2d(64, classes, 1)

        def forward(self, x):
            skips = [self.inc(x)]
            for down in self.downs:
                skips.append(down(skips[-1]))
            x = skips.pop()
            for up, convs in zip(self.upconvs, self.upconvs_double):
                x = convs(torch.cat([skips.pop(), up(x)], 1))
            return self.outc(x)

    return {
        "resnet18": (lambda: resnet(False, (2, 2, 2, 2)), (3, 224, 224)),
        "resnet50": (lambda: resnet(True, (3, 4, 6, 3)), (3, 224, 224)),
        "googlenet": (googlenet, (3, 224, 224)),
        "mobilenet_v2": (mobilenet_v2, (3, 224, 224)),
        "densenet121": (densenet121, (3, 224, 224)),
        "squeezenet1_0": (squeezenet1_0, (3, 224, 224)),
        "unet": (UNet, (3, 256, 256)),
    }


ZOO = ["resnet18", "resnet50", "googlenet", "mobilenet_v2", "densenet121", "squeezenet1_0", "unet"]


@pytest.mark.parametrize("name", ZOO)
def test_plain_torch_model_matches(name):
    _torch()
    build, input_shape = models()[name]
    model = build().eval()
    data = summary_json(spec_path(name))
    assert data["input_shape"] == list(input_shape)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    running_stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    assert (data["trainable_params"], data["non_trainable_params"]) == (trainable, running_stats)
    with torch.no_grad():
        out = model(torch.zeros(1, *input_shape))
    assert data["output_shape"] == list(out.shape[1:])
