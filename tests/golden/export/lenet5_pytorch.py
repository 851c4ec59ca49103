"""LeNet-5: written by convcalc from specs/lenet5.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import torch
from torch import nn

# convcalc input: (32, 32, 1) in hwc order; PyTorch takes it channels first: (N, 1, 32, 32).
# (The spec is written height-width-channels, as Keras; this model takes NCHW tensors.)
INPUT_SHAPE = (1, 32, 32)


class LeNet5(nn.Module):
    """LeNet-5: 61,706 parameters."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5)  # 156 parameters
        self.tanh_1 = nn.Tanh()
        self.s2 = nn.AvgPool2d(kernel_size=2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)  # 2,416 parameters
        self.tanh_2 = nn.Tanh()
        self.s4 = nn.AvgPool2d(kernel_size=2)
        self.c5 = nn.Linear(400, 120)  # 48,120 parameters
        self.tanh_3 = nn.Tanh()
        self.f6 = nn.Linear(120, 84)  # 10,164 parameters
        self.tanh_4 = nn.Tanh()
        self.output = nn.Linear(84, 10)  # 850 parameters

    def forward(self, x):
        # x: (N, 1, 32, 32)
        c1 = self.c1(x)  # (N, 6, 28, 28)
        tanh_1 = self.tanh_1(c1)  # (N, 6, 28, 28)
        s2 = self.s2(tanh_1)  # (N, 6, 14, 14)
        c3 = self.c3(s2)  # (N, 16, 10, 10)
        tanh_2 = self.tanh_2(c3)  # (N, 16, 10, 10)
        s4 = self.s4(tanh_2)  # (N, 16, 5, 5)
        flatten_1 = torch.flatten(s4, 1)  # (N, 400)
        c5 = self.c5(flatten_1)  # (N, 120)
        tanh_3 = self.tanh_3(c5)  # (N, 120)
        f6 = self.f6(tanh_3)  # (N, 84)
        tanh_4 = self.tanh_4(f6)  # (N, 84)
        output = self.output(tanh_4)  # (N, 10)
        return output


if __name__ == "__main__":
    model = LeNet5().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("output shape:", tuple(out.shape))
    print("trainable parameters:", sum(p.numel() for p in model.parameters()))
