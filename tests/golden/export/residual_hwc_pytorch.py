"""tiny-resnet: written by convcalc from tests/fixtures/export/residual_hwc.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import torch
from torch import nn

# convcalc input: (33, 30, 3) in hwc order; PyTorch takes it channels first: (N, 3, 33, 30).
# (The spec is written height-width-channels, as Keras; this model takes NCHW tensors.)
INPUT_SHAPE = (3, 33, 30)


class TinyResnet(nn.Module):
    """tiny-resnet: 15,194 parameters + 160 batchnorm running statistics."""

    def __init__(self):
        super().__init__()
        # "same" pads H 1 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.stem_pad = nn.ZeroPad2d((0, 1, 1, 1))
        self.stem = nn.Conv2d(3, 16, kernel_size=3, stride=2, bias=False)  # 432 parameters
        self.stem_bn = nn.BatchNorm2d(16, eps=0.001, momentum=0.01)  # 32 parameters + 32 running statistics (buffers)
        self.stem_relu = nn.ReLU()
        self.block1_conv1 = nn.Conv2d(16, 32, kernel_size=3, stride=2, padding=1, bias=False)  # 4,608 parameters
        self.block1_bn1 = nn.BatchNorm2d(32)  # 64 parameters + 64 running statistics (buffers)
        self.relu_1 = nn.ReLU()
        self.block1_conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1, bias=False)  # 9,216 parameters
        self.block1_bn2 = nn.BatchNorm2d(32, affine=False)  # 0 parameters + 64 running statistics (buffers)
        self.block1_proj = nn.Conv2d(16, 32, kernel_size=1, stride=2, bias=False)  # 512 parameters
        self.block1_out = nn.ReLU()
        # explicit padding with -inf, so that it never wins the maximum
        self.pool_pad = nn.ConstantPad2d((0, 1, 1, 1), float("-inf"))
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)
        self.global_avgpool_1 = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)  # 330 parameters
        self.softmax_1 = nn.Softmax(dim=1)

    def forward(self, x):
        # x: (N, 3, 33, 30)
        stem = self.stem(self.stem_pad(x))  # (N, 16, 17, 15)
        stem_bn = self.stem_bn(stem)  # (N, 16, 17, 15)
        stem_relu = self.stem_relu(stem_bn)  # (N, 16, 17, 15)
        block1_conv1 = self.block1_conv1(stem_relu)  # (N, 32, 9, 8)
        block1_bn1 = self.block1_bn1(block1_conv1)  # (N, 32, 9, 8)
        relu_1 = self.relu_1(block1_bn1)  # (N, 32, 9, 8)
        block1_conv2 = self.block1_conv2(relu_1)  # (N, 32, 9, 8)
        block1_bn2 = self.block1_bn2(block1_conv2)  # (N, 32, 9, 8)
        block1_proj = self.block1_proj(stem_relu)  # (N, 32, 9, 8)
        block1_add = block1_bn2 + block1_proj  # (N, 32, 9, 8)
        block1_out = self.block1_out(block1_add)  # (N, 32, 9, 8)
        pool = self.pool(self.pool_pad(block1_out))  # (N, 32, 5, 4)
        global_avgpool_1 = torch.flatten(self.global_avgpool_1(pool), 1)  # (N, 32)
        fc = self.fc(global_avgpool_1)  # (N, 10)
        softmax_1 = self.softmax_1(fc)  # (N, 10)
        return softmax_1


if __name__ == "__main__":
    model = TinyResnet().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("output shape:", tuple(out.shape))
    print("trainable parameters:", sum(p.numel() for p in model.parameters()))
