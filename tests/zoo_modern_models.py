"""Plain torch.nn rebuilds of the modern zoo (no torchvision here), for tests/test_zoo_modern.py.

Each model follows its paper and torchvision's structure (written anew, not copied): the modules
are called in the order the spec lists its layers, so the test can pair them one by one. torch is
passed in, so that importing this module never needs it.
"""
from __future__ import annotations

NAMES = ["efficientnet_b0", "mobilenet_v3_large", "mobilenet_v3_small", "regnet_y_400mf", "resnext50_32x4d",
         "se_resnet50", "inception_v3", "deeplabv3_resnet50", "yolov3_tiny",
         "convnext_tiny", "shufflenet_v2_x1_0"]

# Spec kinds that torch writes as functions (no module to hook): their shapes are checked by the
# exported model (tests/test_torch_crosscheck.py) and by the modules that read them.
SKIPPED_KINDS = {"add", "subtract", "multiply", "concat", "split", "slice", "flatten", "reshape", "permute",
                 "channel_shuffle", "global_avgpool"}


def models(torch):
    """{spec name: (build, input shape)} and {torch module class: the spec kinds it may stand for}."""
    nn = torch.nn
    F = nn.functional

    class StochasticDepth(nn.Module):  # torchvision.ops.StochasticDepth: the identity in eval mode
        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            return x

    class LayerScale(nn.Module):  # ConvNeXt's layer_scale parameter, as a module of its own
        def __init__(self, channels, init=1e-6):
            super().__init__()
            self.gamma = nn.Parameter(torch.full((channels, 1, 1), init))

        def forward(self, x):
            return self.gamma * x

    class LayerNorm2d(nn.LayerNorm):  # torchvision's: LayerNorm over the channels of an NCHW map
        def forward(self, x):
            return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    kinds = {
        LayerNorm2d: ("layernorm",),
        nn.Conv2d: ("conv2d", "depthwise_conv2d"),
        nn.BatchNorm2d: ("batchnorm",),
        nn.Linear: ("dense",),
        nn.LayerNorm: ("layernorm",),
        nn.ReLU: ("relu",),
        nn.ReLU6: ("relu6",),
        nn.SiLU: ("silu",),
        nn.GELU: ("gelu",),
        nn.Sigmoid: ("sigmoid",),
        nn.Hardsigmoid: ("hardsigmoid",),
        nn.Hardswish: ("hardswish",),
        nn.LeakyReLU: ("leaky_relu",),
        nn.Dropout: ("dropout",),
        nn.AdaptiveAvgPool2d: ("adaptive_avgpool2d",),
        nn.MaxPool2d: ("maxpool2d",),
        nn.AvgPool2d: ("avgpool2d",),
        nn.ZeroPad2d: ("zeropad2d",),
        nn.Upsample: ("upsample2d",),
        StochasticDepth: ("stochastic_depth",),
        LayerScale: ("layer_scale",),
    }

    def conv_bn(cin, cout, k=1, stride=1, groups=1, act=nn.SiLU, dilation=1):
        """torchvision's Conv2dNormActivation: conv (no bias), batchnorm, an activation (or none)."""
        pad = (k - 1) // 2 * dilation
        layers = [nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        return nn.Sequential(*layers, *([act()] if act else []))

    class SqueezeExcitation(nn.Module):
        """torchvision.ops.SqueezeExcitation: pool to 1x1, fc1, activation, fc2, gate, scale the input."""

        def __init__(self, channels, squeeze, act=nn.ReLU, gate=nn.Sigmoid):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1, self.act, self.fc2, self.gate = nn.Conv2d(channels, squeeze, 1), act(), nn.Conv2d(squeeze, channels, 1), gate()

        def forward(self, x):
            return self.gate(self.fc2(self.act(self.fc1(self.avgpool(x))))) * x

    def make_divisible(v, divisor=8):
        new = max(divisor, int(v + divisor / 2) // divisor * divisor)
        return new + divisor if new < 0.9 * v else new

    # ---- EfficientNet-B0 (Tan and Le 2019; torchvision efficientnet_b0)

    class MBConv(nn.Module):
        def __init__(self, cin, cout, k, stride, expand, drop):
            super().__init__()
            hidden = make_divisible(cin * expand)
            layers = [conv_bn(cin, hidden)] if hidden != cin else []
            layers += [conv_bn(hidden, hidden, k, stride, groups=hidden), SqueezeExcitation(hidden, max(1, cin // 4), nn.SiLU),
                       conv_bn(hidden, cout, act=None)]
            self.block = nn.Sequential(*layers)
            self.residual = stride == 1 and cin == cout
            self.stochastic_depth = StochasticDepth(drop)

        def forward(self, x):
            return x + self.stochastic_depth(self.block(x)) if self.residual else self.block(x)

    def efficientnet_b0():
        setting = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                   (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]
        layers, block = [conv_bn(3, 32, 3, 2)], 0
        for expand, k, stride, cin, cout, n in setting:
            for i in range(n):
                layers.append(MBConv(cin if i == 0 else cout, cout, k, stride if i == 0 else 1, expand, 0.2 * block / 16))
                block += 1
        layers.append(conv_bn(320, 1280))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.avgpool = nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1)
                self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

            def forward(self, x):
                return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

        return Net()

    # ---- MobileNetV3 (Howard et al. 2019; torchvision mobilenet_v3_large and _small)

    def bn(c):
        return nn.BatchNorm2d(c, eps=0.001, momentum=0.01)

    class Bneck(nn.Module):
        def __init__(self, cin, k, exp, cout, se, act, stride):
            super().__init__()
            act = nn.Hardswish if act == "HS" else nn.ReLU
            layers = [nn.Sequential(nn.Conv2d(cin, exp, 1, bias=False), bn(exp), act())] if exp != cin else []
            layers.append(nn.Sequential(nn.Conv2d(exp, exp, k, stride, (k - 1) // 2, groups=exp, bias=False), bn(exp), act()))
            if se:
                layers.append(SqueezeExcitation(exp, make_divisible(exp // 4), nn.ReLU, nn.Hardsigmoid))
            layers.append(nn.Sequential(nn.Conv2d(exp, cout, 1, bias=False), bn(cout)))
            self.block, self.residual = nn.Sequential(*layers), stride == 1 and cin == cout

        def forward(self, x):
            return x + self.block(x) if self.residual else self.block(x)

    def mobilenet_v3(setting, last):
        layers = [nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), bn(16), nn.Hardswish())]
        layers += [Bneck(*row) for row in setting]
        head = 6 * setting[-1][3]
        layers.append(nn.Sequential(nn.Conv2d(setting[-1][3], head, 1, bias=False), bn(head), nn.Hardswish()))

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.avgpool = nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1)
                self.classifier = nn.Sequential(nn.Linear(head, last), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(last, 1000))

            def forward(self, x):
                return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))

        return Net()

    large = [(16, 3, 16, 16, False, "RE", 1), (16, 3, 64, 24, False, "RE", 2), (24, 3, 72, 24, False, "RE", 1),
             (24, 5, 72, 40, True, "RE", 2), (40, 5, 120, 40, True, "RE", 1), (40, 5, 120, 40, True, "RE", 1),
             (40, 3, 240, 80, False, "HS", 2), (80, 3, 200, 80, False, "HS", 1), (80, 3, 184, 80, False, "HS", 1),
             (80, 3, 184, 80, False, "HS", 1), (80, 3, 480, 112, True, "HS", 1), (112, 3, 672, 112, True, "HS", 1),
             (112, 5, 672, 160, True, "HS", 2), (160, 5, 960, 160, True, "HS", 1), (160, 5, 960, 160, True, "HS", 1)]
    small = [(16, 3, 16, 16, True, "RE", 2), (16, 3, 72, 24, False, "RE", 2), (24, 3, 88, 24, False, "RE", 1),
             (24, 5, 96, 40, True, "HS", 2), (40, 5, 240, 40, True, "HS", 1), (40, 5, 240, 40, True, "HS", 1),
             (40, 5, 120, 48, True, "HS", 1), (48, 5, 144, 48, True, "HS", 1), (48, 5, 288, 96, True, "HS", 2),
             (96, 5, 576, 96, True, "HS", 1), (96, 5, 576, 96, True, "HS", 1)]

    # ---- ConvNeXt-T (Liu et al. 2022; torchvision convnext_tiny)

    class CNBlock(nn.Module):
        def __init__(self, dim, drop):
            super().__init__()
            self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
            self.norm, self.pwconv1, self.act = nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.GELU()
            self.pwconv2, self.layer_scale, self.drop_path = nn.Linear(4 * dim, dim), LayerScale(dim), StochasticDepth(drop)

        def forward(self, x):
            y = self.dwconv(x).permute(0, 2, 3, 1)  # channels last for LayerNorm and Linear
            y = self.pwconv2(self.act(self.pwconv1(self.norm(y)))).permute(0, 3, 1, 2)
            return x + self.drop_path(self.layer_scale(y))

    def convnext_tiny():
        layers, dims, block = [nn.Conv2d(3, 96, 4, 4), LayerNorm2d(96, eps=1e-6)], (96, 192, 384, 768), 0
        for stage, (dim, n) in enumerate(zip(dims, (3, 3, 9, 3))):
            if stage:
                layers += [LayerNorm2d(dims[stage - 1], eps=1e-6), nn.Conv2d(dims[stage - 1], dim, 2, 2)]
            for _ in range(n):
                layers.append(CNBlock(dim, 0.1 * block / 17))
                block += 1

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.avgpool = nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1)
                self.norm, self.fc = LayerNorm2d(768, eps=1e-6), nn.Linear(768, 1000)

            def forward(self, x):
                return self.fc(torch.flatten(self.norm(self.avgpool(self.features(x))), 1))

        return Net()

    # ---- ShuffleNetV2 1.0x (Ma et al. 2018; torchvision shufflenet_v2_x1_0)

    def channel_shuffle(x, groups):
        n, c, h, w = x.shape
        return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)

    class ShuffleUnit(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            half, self.stride = cout // 2, stride
            if stride > 1:
                self.branch1 = nn.Sequential(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                                             nn.Conv2d(cin, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU())
            first = cin if stride > 1 else half
            self.branch2 = nn.Sequential(nn.Conv2d(first, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(),
                                         nn.Conv2d(half, half, 3, stride, 1, groups=half, bias=False), nn.BatchNorm2d(half),
                                         nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU())

        def forward(self, x):
            if self.stride == 1:
                x1, x2 = x.chunk(2, dim=1)
                out = torch.cat((x1, self.branch2(x2)), 1)
            else:
                out = torch.cat((self.branch1(x), self.branch2(x)), 1)
            return channel_shuffle(out, 2)

    def shufflenet_v2_x1_0():
        layers, cin = [nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 24
        for cout, n in ((116, 4), (232, 8), (464, 4)):
            layers += [ShuffleUnit(cin, cout, 2)] + [ShuffleUnit(cout, cout, 1) for _ in range(n - 1)]
            cin = cout
        layers += [nn.Conv2d(464, 1024, 1, bias=False), nn.BatchNorm2d(1024), nn.ReLU()]

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.fc = nn.Sequential(*layers), nn.Linear(1024, 1000)

            def forward(self, x):
                return self.fc(self.features(x).mean([2, 3]))

        return Net()

    # ---- RegNetY-400MF (Radosavovic et al. 2020; torchvision regnet_y_400mf)

    def conv_bn_relu(cin, cout, k=1, stride=1, groups=1):
        return conv_bn(cin, cout, k, stride, groups, act=nn.ReLU)

    class YBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.f = nn.Sequential(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout, 3, stride, cout // 8),
                                   SqueezeExcitation(cout, int(round(0.25 * cin))), conv_bn(cout, cout, act=None))
            self.proj = conv_bn(cin, cout, 1, stride, act=None) if stride != 1 or cin != cout else None
            self.act = nn.ReLU()

        def forward(self, x):  # torchvision adds proj(x) + f(x): the same sum, f called first as the spec lists it
            main = self.f(x)
            return self.act(main + (self.proj(x) if self.proj is not None else x))

    def regnet_y_400mf():
        layers, cin = [conv_bn_relu(3, 32, 3, 2)], 32
        for cout, n in ((48, 1), (104, 3), (208, 6), (440, 6)):
            layers += [YBlock(cin if i == 0 else cout, cout, 2 if i == 0 else 1) for i in range(n)]
            cin = cout

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.trunk, self.avgpool, self.fc = nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1), nn.Linear(440, 1000)

            def forward(self, x):
                return self.fc(torch.flatten(self.avgpool(self.trunk(x)), 1))

        return Net()

    # ---- ResNeXt-50 32x4d (torchvision resnext50_32x4d) and SE-ResNet-50 (Hu et al. 2018)

    class Bottleneck(nn.Module):
        def __init__(self, cin, planes, stride, width, groups=1, se=False, stride_on_1x1=False):
            super().__init__()
            s1, s3 = (stride, 1) if stride_on_1x1 else (1, stride)
            layers = [conv_bn_relu(cin, width, 1, s1), conv_bn_relu(width, width, 3, s3, groups), conv_bn(width, planes * 4, act=None)]
            if se:
                layers.append(SqueezeExcitation(planes * 4, planes * 4 // 16))
            self.main = nn.Sequential(*layers)
            self.downsample = conv_bn(cin, planes * 4, 1, stride, act=None) if stride != 1 or cin != planes * 4 else None
            self.act = nn.ReLU()

        def forward(self, x):
            main = self.main(x)
            return self.act(main + (self.downsample(x) if self.downsample is not None else x))

    def resnet50_like(width_of, groups=1, se=False, stride_on_1x1=False, head=True):
        layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
        for stage, (planes, n) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
            for i in range(n):
                stride = 2 if stage and i == 0 else 1
                layers.append(Bottleneck(cin, planes, stride, width_of(planes), groups, se, stride_on_1x1))
                cin = planes * 4

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.features, self.avgpool, self.fc = nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1), nn.Linear(2048, 1000)

            def forward(self, x):
                return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))

        return Net()

    # ---- Inception-v3 (Szegedy et al. 2016; torchvision inception_v3 with its auxiliary classifier)

    def basic(cin, cout, k=1, stride=1, padding=0):  # BasicConv2d, its relu a module to pair with the spec's
        return nn.Sequential(nn.Conv2d(cin, cout, k, stride, padding, bias=False), nn.BatchNorm2d(cout, eps=0.001), nn.ReLU())

    class Paths(nn.Module):
        def __init__(self, *paths):
            super().__init__()
            self.paths = nn.ModuleList(paths)

        def forward(self, x):
            return torch.cat([path(x) for path in self.paths], 1)

    def seq(*layers):
        return nn.Sequential(*layers)

    def avg3():
        return nn.AvgPool2d(3, 1, 1)

    def inception_a(cin, pool):
        return Paths(basic(cin, 64), seq(basic(cin, 48), basic(48, 64, 5, padding=2)),
                     seq(basic(cin, 64), basic(64, 96, 3, padding=1), basic(96, 96, 3, padding=1)), seq(avg3(), basic(cin, pool)))

    def inception_b(cin):
        return Paths(basic(cin, 384, 3, 2), seq(basic(cin, 64), basic(64, 96, 3, padding=1), basic(96, 96, 3, 2)), nn.MaxPool2d(3, 2))

    def inception_c(cin, c7):
        return Paths(basic(cin, 192), seq(basic(cin, c7), basic(c7, c7, (1, 7), padding=(0, 3)), basic(c7, 192, (7, 1), padding=(3, 0))),
                     seq(basic(cin, c7), basic(c7, c7, (7, 1), padding=(3, 0)), basic(c7, c7, (1, 7), padding=(0, 3)),
                         basic(c7, c7, (7, 1), padding=(3, 0)), basic(c7, 192, (1, 7), padding=(0, 3))), seq(avg3(), basic(cin, 192)))

    def inception_d(cin):
        return Paths(seq(basic(cin, 192), basic(192, 320, 3, 2)),
                     seq(basic(cin, 192), basic(192, 192, (1, 7), padding=(0, 3)), basic(192, 192, (7, 1), padding=(3, 0)),
                         basic(192, 192, 3, 2)), nn.MaxPool2d(3, 2))

    def pair(cin):
        return Paths(basic(cin, 384, (1, 3), padding=(0, 1)), basic(cin, 384, (3, 1), padding=(1, 0)))

    def inception_e(cin):
        return Paths(basic(cin, 320), seq(basic(cin, 384), pair(384)), seq(basic(cin, 448), basic(448, 384, 3, padding=1), pair(384)),
                     seq(avg3(), basic(cin, 192)))

    class InceptionV3(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = seq(basic(3, 32, 3, 2), basic(32, 32, 3), basic(32, 64, 3, padding=1), nn.MaxPool2d(3, 2), basic(64, 80),
                            basic(80, 192, 3), nn.MaxPool2d(3, 2))
            self.mixed6 = seq(inception_a(192, 32), inception_a(256, 64), inception_a(288, 64), inception_b(288),
                              inception_c(768, 128), inception_c(768, 160), inception_c(768, 160), inception_c(768, 192))
            self.aux = seq(nn.AvgPool2d(5, 3), basic(768, 128), basic(128, 768, 5), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                           nn.Linear(768, 1000))
            self.mixed7 = seq(inception_d(768), inception_e(1280), inception_e(2048))
            self.head = seq(nn.AdaptiveAvgPool2d(1), nn.Dropout(0.5), nn.Flatten(), nn.Linear(2048, 1000))

        def forward(self, x):  # the auxiliary head computed here as training computes it (torchvision skips it in eval)
            x = self.mixed6(self.stem(x))
            aux = self.aux(x)
            return self.head(self.mixed7(x)), aux

    # ---- DeepLabV3-ResNet50 (Chen et al. 2017; torchvision deeplabv3_resnet50, 21 classes, auxiliary FCN head)

    class DilatedBottleneck(nn.Module):
        def __init__(self, cin, planes, stride, dilation):
            super().__init__()
            self.main = seq(conv_bn_relu(cin, planes), conv_bn(planes, planes, 3, stride, act=nn.ReLU, dilation=dilation),
                            conv_bn(planes, planes * 4, act=None))
            self.downsample = conv_bn(cin, planes * 4, 1, stride, act=None) if stride != 1 or cin != planes * 4 else None
            self.act = nn.ReLU()

        def forward(self, x):
            main = self.main(x)
            return self.act(main + (self.downsample(x) if self.downsample is not None else x))

    def resize(size):  # torchvision calls F.interpolate(x, size=…): a module here, so that the test sees it
        return nn.Upsample(size=size, mode="bilinear", align_corners=False)

    class DeepLabV3(nn.Module):
        def __init__(self):
            super().__init__()
            layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)], 64
            stages = []
            # (planes, blocks, stride, dilation of the first block, of the others): torchvision's replace_stride_with_dilation
            for planes, n, stride, first, rest in ((64, 3, 1, 1, 1), (128, 4, 2, 1, 1), (256, 6, 1, 1, 2), (512, 3, 1, 2, 4)):
                stages.append(seq(*[DilatedBottleneck(cin if i == 0 else planes * 4, planes, stride if i == 0 else 1,
                                                      first if i == 0 else rest) for i in range(n)]))
                cin = planes * 4
            self.stem, self.layer1, self.layer2, self.layer3, self.layer4 = seq(*layers), *stages
            self.aspp = Paths(conv_bn_relu(2048, 256), *[conv_bn(2048, 256, 3, act=nn.ReLU, dilation=r) for r in (12, 24, 36)],
                              seq(nn.AdaptiveAvgPool2d(1), conv_bn_relu(2048, 256), resize(65)))
            self.head = seq(conv_bn_relu(1280, 256), nn.Dropout(0.5), conv_bn_relu(256, 256, 3), nn.Conv2d(256, 21, 1))
            self.aux = seq(conv_bn_relu(1024, 256, 3), nn.Dropout(0.1), nn.Conv2d(256, 21, 1))

            self.out, self.aux_out = resize(520), resize(520)

        def forward(self, x):
            c3 = self.layer3(self.layer2(self.layer1(self.stem(x))))
            return self.out(self.head(self.aspp(self.layer4(c3)))), self.aux_out(self.aux(c3))

    # ---- YOLOv3-tiny (Redmon and Farhadi 2018; darknet's yolov3-tiny.cfg, 80 classes)

    def dn_conv(cin, cout, k=3):
        return seq(nn.Conv2d(cin, cout, k, 1, k // 2, bias=False), nn.BatchNorm2d(cout), nn.LeakyReLU(0.1))

    class YoloV3Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            layers, cin = [], 3
            for cout in (16, 32, 64, 128):
                layers += [dn_conv(cin, cout), nn.MaxPool2d(2, 2)]
                cin = cout
            self.to26 = seq(*layers, dn_conv(128, 256))
            self.to13a = seq(nn.MaxPool2d(2, 2), dn_conv(256, 512))
            self.to13b = seq(nn.MaxPool2d(2, 1), dn_conv(512, 1024), dn_conv(1024, 256, 1))
            self.head13 = seq(dn_conv(256, 512), nn.Conv2d(512, 255, 1))
            self.lateral, self.up = dn_conv(256, 128, 1), nn.Upsample(scale_factor=2, mode="nearest")
            self.head26 = seq(dn_conv(384, 256), nn.Conv2d(256, 255, 1))

        def forward(self, x):
            c26 = self.to26(x)
            c13 = self.to13b(F.pad(self.to13a(c26), (0, 1, 0, 1), value=float("-inf")))  # darknet pads the far side
            out13 = self.head13(c13)
            return out13, self.head26(torch.cat([self.up(self.lateral(c13)), c26], 1))

    return {
        "yolov3_tiny": (YoloV3Tiny, (3, 416, 416)),
        "deeplabv3_resnet50": (DeepLabV3, (3, 520, 520)),
        "inception_v3": (InceptionV3, (3, 299, 299)),
        "resnext50_32x4d": (lambda: resnet50_like(lambda planes: planes * 2, groups=32), (3, 224, 224)),
        "se_resnet50": (lambda: resnet50_like(lambda planes: planes, se=True, stride_on_1x1=True), (3, 224, 224)),
        "regnet_y_400mf": (regnet_y_400mf, (3, 224, 224)),
        "shufflenet_v2_x1_0": (shufflenet_v2_x1_0, (3, 224, 224)),
        "convnext_tiny": (convnext_tiny, (3, 224, 224)),
        "efficientnet_b0": (efficientnet_b0, (3, 224, 224)),
        "mobilenet_v3_large": (lambda: mobilenet_v3(large, 1280), (3, 224, 224)),
        "mobilenet_v3_small": (lambda: mobilenet_v3(small, 1024), (3, 224, 224)),
    }, kinds
