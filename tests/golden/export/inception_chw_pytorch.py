"""mini inception: written by convcalc from tests/fixtures/export/inception_chw.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import torch
from torch import nn

# convcalc input: (8, 29, 29) in chw order; PyTorch takes it channels first: (N, 8, 29, 29).
INPUT_SHAPE = (8, 29, 29)


class MiniInception(nn.Module):
    """mini inception: 4,026 parameters."""

    def __init__(self):
        super().__init__()
        self.pool0 = nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.b1 = nn.Conv2d(8, 8, kernel_size=1)  # 72 parameters
        self.b2_reduce = nn.Conv2d(8, 6, kernel_size=1)  # 54 parameters
        self.b2 = nn.Conv2d(6, 12, kernel_size=3, padding=1, groups=3)  # 228 parameters
        self.b3 = nn.Conv2d(8, 4, kernel_size=3, padding=2, dilation=2)  # 292 parameters
        self.b4_pool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4 = nn.Conv2d(8, 4, kernel_size=1)  # 36 parameters
        # asymmetric padding H 0 + 1, W 1 + 1: explicit
        self.asym_pad = nn.ZeroPad2d((1, 1, 0, 1))
        self.asym = nn.Conv2d(28, 16, kernel_size=(2, 3))  # 2,704 parameters
        self.pool1 = nn.AvgPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.adapt = nn.AdaptiveAvgPool2d((2, 4))
        self.logits = nn.Linear(128, 5, bias=False)  # 640 parameters
        self.out = nn.LogSoftmax(dim=1)

    def forward(self, x):
        # x: (N, 8, 29, 29)
        pool0 = self.pool0(x)  # (N, 8, 14, 14)
        b1 = self.b1(pool0)  # (N, 8, 14, 14)
        b2_reduce = self.b2_reduce(pool0)  # (N, 6, 14, 14)
        b2 = self.b2(b2_reduce)  # (N, 12, 14, 14)
        b3 = self.b3(pool0)  # (N, 4, 14, 14)
        b4_pool = self.b4_pool(pool0)  # (N, 8, 14, 14)
        b4 = self.b4(b4_pool)  # (N, 4, 14, 14)
        mixed = torch.cat([b1, b2, b3, b4], dim=1)  # (N, 28, 14, 14)
        asym = self.asym(self.asym_pad(mixed))  # (N, 16, 14, 14)
        pool1 = self.pool1(asym)  # (N, 16, 8, 8)
        stack_rows = torch.cat([pool1, pool1], dim=3)  # (N, 16, 8, 16)
        adapt = self.adapt(stack_rows)  # (N, 16, 2, 4)
        flatten_1 = torch.flatten(adapt, 1)  # (N, 128)
        logits = self.logits(flatten_1)  # (N, 5)
        out = self.out(logits)  # (N, 5)
        return out


if __name__ == "__main__":
    model = MiniInception().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("output shape:", tuple(out.shape))
    print("trainable parameters:", sum(p.numel() for p in model.parameters()))
