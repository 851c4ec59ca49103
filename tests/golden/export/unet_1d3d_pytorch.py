"""tiny unet 1d: written by convcalc from tests/fixtures/export/unet_1d3d.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import torch
from torch import nn

# convcalc input: (2, 37) in chw order; PyTorch takes it channels first: (N, 2, 37).
INPUT_SHAPE = (2, 37)


class TinyUnet1d(nn.Module):
    """tiny unet 1d: 1,225 parameters."""

    def __init__(self):
        super().__init__()
        self.down1 = nn.Conv1d(2, 8, kernel_size=4, stride=2, padding=1)  # 72 parameters
        self.leaky_relu_1 = nn.LeakyReLU(negative_slope=0.2)
        self.down2 = nn.Conv1d(8, 16, kernel_size=4, stride=2, padding=1)  # 528 parameters
        self.elu_1 = nn.ELU(alpha=1.0)
        self.up2 = nn.ConvTranspose1d(16, 8, kernel_size=4, stride=2, padding=1)  # 520 parameters
        self.crop_noop = nn.ConstantPad1d((0, 0), 0.0)
        self.up1 = nn.ConvTranspose1d(16, 4, kernel_size=3, stride=2, padding=1, output_padding=1, groups=2)  # 100 parameters
        self.pad_to_37 = nn.ConstantPad1d((1, 0), 0.0)
        self.gelu_1 = nn.GELU()
        self.up0 = nn.Upsample(scale_factor=2.0, mode="nearest")
        self.out = nn.Conv1d(4, 1, kernel_size=1)  # 5 parameters

    def forward(self, x):
        # x: (N, 2, 37)
        down1 = self.down1(x)  # (N, 8, 18)
        leaky_relu_1 = self.leaky_relu_1(down1)  # (N, 8, 18)
        down2 = self.down2(leaky_relu_1)  # (N, 16, 9)
        elu_1 = self.elu_1(down2)  # (N, 16, 9)
        up2 = self.up2(elu_1)  # (N, 8, 18)
        crop_noop = self.crop_noop(up2)  # (N, 8, 18)
        skip1 = torch.cat([crop_noop, down1], dim=1)  # (N, 16, 18)
        up1 = self.up1(skip1)  # (N, 4, 36)
        pad_to_37 = self.pad_to_37(up1)  # (N, 4, 37)
        gelu_1 = self.gelu_1(pad_to_37)  # (N, 4, 37)
        up0 = self.up0(gelu_1)  # (N, 4, 74)
        out = self.out(up0)  # (N, 1, 74)
        return out


if __name__ == "__main__":
    model = TinyUnet1d().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("output shape:", tuple(out.shape))
    print("trainable parameters:", sum(p.numel() for p in model.parameters()))
