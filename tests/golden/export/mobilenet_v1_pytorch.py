"""MobileNet v1: written by convcalc from specs/mobilenet_v1.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import torch
from torch import nn

# convcalc input: (224, 224, 3) in hwc order; PyTorch takes it channels first: (N, 3, 224, 224).
# (The spec is written height-width-channels, as Keras; this model takes NCHW tensors.)
INPUT_SHAPE = (3, 224, 224)


class MobileNetV1(nn.Module):
    """MobileNet v1: 4,231,976 parameters + 21,888 batchnorm running statistics."""

    def __init__(self):
        super().__init__()
        # "same" pads H 0 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.conv1_pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, stride=2, bias=False)  # 864 parameters
        self.conv1_bn = nn.BatchNorm2d(32)  # 64 parameters + 64 running statistics (buffers)
        self.relu6_1 = nn.ReLU6()
        # depthwise: groups = C = 32, one filter per channel
        self.conv_dw_1 = nn.Conv2d(32, 32, kernel_size=3, padding=1, groups=32, bias=False)  # 288 parameters
        self.conv_dw_1_bn = nn.BatchNorm2d(32)  # 64 parameters + 64 running statistics (buffers)
        self.relu6_2 = nn.ReLU6()
        self.conv_pw_1 = nn.Conv2d(32, 64, kernel_size=1, bias=False)  # 2,048 parameters
        self.conv_pw_1_bn = nn.BatchNorm2d(64)  # 128 parameters + 128 running statistics (buffers)
        self.relu6_3 = nn.ReLU6()
        # depthwise: groups = C = 64, one filter per channel; "same" pads H 0 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.conv_dw_2_pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv_dw_2 = nn.Conv2d(64, 64, kernel_size=3, stride=2, groups=64, bias=False)  # 576 parameters
        self.conv_dw_2_bn = nn.BatchNorm2d(64)  # 128 parameters + 128 running statistics (buffers)
        self.relu6_4 = nn.ReLU6()
        self.conv_pw_2 = nn.Conv2d(64, 128, kernel_size=1, bias=False)  # 8,192 parameters
        self.conv_pw_2_bn = nn.BatchNorm2d(128)  # 256 parameters + 256 running statistics (buffers)
        self.relu6_5 = nn.ReLU6()
        # depthwise: groups = C = 128, one filter per channel
        self.conv_dw_3 = nn.Conv2d(128, 128, kernel_size=3, padding=1, groups=128, bias=False)  # 1,152 parameters
        self.conv_dw_3_bn = nn.BatchNorm2d(128)  # 256 parameters + 256 running statistics (buffers)
        self.relu6_6 = nn.ReLU6()
        self.conv_pw_3 = nn.Conv2d(128, 128, kernel_size=1, bias=False)  # 16,384 parameters
        self.conv_pw_3_bn = nn.BatchNorm2d(128)  # 256 parameters + 256 running statistics (buffers)
        self.relu6_7 = nn.ReLU6()
        # depthwise: groups = C = 128, one filter per channel; "same" pads H 0 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.conv_dw_4_pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv_dw_4 = nn.Conv2d(128, 128, kernel_size=3, stride=2, groups=128, bias=False)  # 1,152 parameters
        self.conv_dw_4_bn = nn.BatchNorm2d(128)  # 256 parameters + 256 running statistics (buffers)
        self.relu6_8 = nn.ReLU6()
        self.conv_pw_4 = nn.Conv2d(128, 256, kernel_size=1, bias=False)  # 32,768 parameters
        self.conv_pw_4_bn = nn.BatchNorm2d(256)  # 512 parameters + 512 running statistics (buffers)
        self.relu6_9 = nn.ReLU6()
        # depthwise: groups = C = 256, one filter per channel
        self.conv_dw_5 = nn.Conv2d(256, 256, kernel_size=3, padding=1, groups=256, bias=False)  # 2,304 parameters
        self.conv_dw_5_bn = nn.BatchNorm2d(256)  # 512 parameters + 512 running statistics (buffers)
        self.relu6_10 = nn.ReLU6()
        self.conv_pw_5 = nn.Conv2d(256, 256, kernel_size=1, bias=False)  # 65,536 parameters
        self.conv_pw_5_bn = nn.BatchNorm2d(256)  # 512 parameters + 512 running statistics (buffers)
        self.relu6_11 = nn.ReLU6()
        # depthwise: groups = C = 256, one filter per channel; "same" pads H 0 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.conv_dw_6_pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv_dw_6 = nn.Conv2d(256, 256, kernel_size=3, stride=2, groups=256, bias=False)  # 2,304 parameters
        self.conv_dw_6_bn = nn.BatchNorm2d(256)  # 512 parameters + 512 running statistics (buffers)
        self.relu6_12 = nn.ReLU6()
        self.conv_pw_6 = nn.Conv2d(256, 512, kernel_size=1, bias=False)  # 131,072 parameters
        self.conv_pw_6_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_13 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel
        self.conv_dw_7 = nn.Conv2d(512, 512, kernel_size=3, padding=1, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_7_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_14 = nn.ReLU6()
        self.conv_pw_7 = nn.Conv2d(512, 512, kernel_size=1, bias=False)  # 262,144 parameters
        self.conv_pw_7_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_15 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel
        self.conv_dw_8 = nn.Conv2d(512, 512, kernel_size=3, padding=1, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_8_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_16 = nn.ReLU6()
        self.conv_pw_8 = nn.Conv2d(512, 512, kernel_size=1, bias=False)  # 262,144 parameters
        self.conv_pw_8_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_17 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel
        self.conv_dw_9 = nn.Conv2d(512, 512, kernel_size=3, padding=1, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_9_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_18 = nn.ReLU6()
        self.conv_pw_9 = nn.Conv2d(512, 512, kernel_size=1, bias=False)  # 262,144 parameters
        self.conv_pw_9_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_19 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel
        self.conv_dw_10 = nn.Conv2d(512, 512, kernel_size=3, padding=1, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_10_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_20 = nn.ReLU6()
        self.conv_pw_10 = nn.Conv2d(512, 512, kernel_size=1, bias=False)  # 262,144 parameters
        self.conv_pw_10_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_21 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel
        self.conv_dw_11 = nn.Conv2d(512, 512, kernel_size=3, padding=1, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_11_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_22 = nn.ReLU6()
        self.conv_pw_11 = nn.Conv2d(512, 512, kernel_size=1, bias=False)  # 262,144 parameters
        self.conv_pw_11_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_23 = nn.ReLU6()
        # depthwise: groups = C = 512, one filter per channel; "same" pads H 0 + 1, W 0 + 1 (the odd one after, as TensorFlow): explicit, since it is asymmetric
        self.conv_dw_12_pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv_dw_12 = nn.Conv2d(512, 512, kernel_size=3, stride=2, groups=512, bias=False)  # 4,608 parameters
        self.conv_dw_12_bn = nn.BatchNorm2d(512)  # 1,024 parameters + 1,024 running statistics (buffers)
        self.relu6_24 = nn.ReLU6()
        self.conv_pw_12 = nn.Conv2d(512, 1024, kernel_size=1, bias=False)  # 524,288 parameters
        self.conv_pw_12_bn = nn.BatchNorm2d(1024)  # 2,048 parameters + 2,048 running statistics (buffers)
        self.relu6_25 = nn.ReLU6()
        # depthwise: groups = C = 1024, one filter per channel
        self.conv_dw_13 = nn.Conv2d(1024, 1024, kernel_size=3, padding=1, groups=1024, bias=False)  # 9,216 parameters
        self.conv_dw_13_bn = nn.BatchNorm2d(1024)  # 2,048 parameters + 2,048 running statistics (buffers)
        self.relu6_26 = nn.ReLU6()
        self.conv_pw_13 = nn.Conv2d(1024, 1024, kernel_size=1, bias=False)  # 1,048,576 parameters
        self.conv_pw_13_bn = nn.BatchNorm2d(1024)  # 2,048 parameters + 2,048 running statistics (buffers)
        self.relu6_27 = nn.ReLU6()
        self.global_avgpool_1 = nn.AdaptiveAvgPool2d(1)
        self.dropout_1 = nn.Dropout(p=0.001)
        self.conv_preds = nn.Conv2d(1024, 1000, kernel_size=1)  # 1,025,000 parameters
        self.softmax_1 = nn.Softmax(dim=1)

    def forward(self, x):
        # x: (N, 3, 224, 224)
        conv1 = self.conv1(self.conv1_pad(x))  # (N, 32, 112, 112)
        conv1_bn = self.conv1_bn(conv1)  # (N, 32, 112, 112)
        relu6_1 = self.relu6_1(conv1_bn)  # (N, 32, 112, 112)
        conv_dw_1 = self.conv_dw_1(relu6_1)  # (N, 32, 112, 112)
        conv_dw_1_bn = self.conv_dw_1_bn(conv_dw_1)  # (N, 32, 112, 112)
        relu6_2 = self.relu6_2(conv_dw_1_bn)  # (N, 32, 112, 112)
        conv_pw_1 = self.conv_pw_1(relu6_2)  # (N, 64, 112, 112)
        conv_pw_1_bn = self.conv_pw_1_bn(conv_pw_1)  # (N, 64, 112, 112)
        relu6_3 = self.relu6_3(conv_pw_1_bn)  # (N, 64, 112, 112)
        conv_dw_2 = self.conv_dw_2(self.conv_dw_2_pad(relu6_3))  # (N, 64, 56, 56)
        conv_dw_2_bn = self.conv_dw_2_bn(conv_dw_2)  # (N, 64, 56, 56)
        relu6_4 = self.relu6_4(conv_dw_2_bn)  # (N, 64, 56, 56)
        conv_pw_2 = self.conv_pw_2(relu6_4)  # (N, 128, 56, 56)
        conv_pw_2_bn = self.conv_pw_2_bn(conv_pw_2)  # (N, 128, 56, 56)
        relu6_5 = self.relu6_5(conv_pw_2_bn)  # (N, 128, 56, 56)
        conv_dw_3 = self.conv_dw_3(relu6_5)  # (N, 128, 56, 56)
        conv_dw_3_bn = self.conv_dw_3_bn(conv_dw_3)  # (N, 128, 56, 56)
        relu6_6 = self.relu6_6(conv_dw_3_bn)  # (N, 128, 56, 56)
        conv_pw_3 = self.conv_pw_3(relu6_6)  # (N, 128, 56, 56)
        conv_pw_3_bn = self.conv_pw_3_bn(conv_pw_3)  # (N, 128, 56, 56)
        relu6_7 = self.relu6_7(conv_pw_3_bn)  # (N, 128, 56, 56)
        conv_dw_4 = self.conv_dw_4(self.conv_dw_4_pad(relu6_7))  # (N, 128, 28, 28)
        conv_dw_4_bn = self.conv_dw_4_bn(conv_dw_4)  # (N, 128, 28, 28)
        relu6_8 = self.relu6_8(conv_dw_4_bn)  # (N, 128, 28, 28)
        conv_pw_4 = self.conv_pw_4(relu6_8)  # (N, 256, 28, 28)
        conv_pw_4_bn = self.conv_pw_4_bn(conv_pw_4)  # (N, 256, 28, 28)
        relu6_9 = self.relu6_9(conv_pw_4_bn)  # (N, 256, 28, 28)
        conv_dw_5 = self.conv_dw_5(relu6_9)  # (N, 256, 28, 28)
        conv_dw_5_bn = self.conv_dw_5_bn(conv_dw_5)  # (N, 256, 28, 28)
        relu6_10 = self.relu6_10(conv_dw_5_bn)  # (N, 256, 28, 28)
        conv_pw_5 = self.conv_pw_5(relu6_10)  # (N, 256, 28, 28)
        conv_pw_5_bn = self.conv_pw_5_bn(conv_pw_5)  # (N, 256, 28, 28)
        relu6_11 = self.relu6_11(conv_pw_5_bn)  # (N, 256, 28, 28)
        conv_dw_6 = self.conv_dw_6(self.conv_dw_6_pad(relu6_11))  # (N, 256, 14, 14)
        conv_dw_6_bn = self.conv_dw_6_bn(conv_dw_6)  # (N, 256, 14, 14)
        relu6_12 = self.relu6_12(conv_dw_6_bn)  # (N, 256, 14, 14)
        conv_pw_6 = self.conv_pw_6(relu6_12)  # (N, 512, 14, 14)
        conv_pw_6_bn = self.conv_pw_6_bn(conv_pw_6)  # (N, 512, 14, 14)
        relu6_13 = self.relu6_13(conv_pw_6_bn)  # (N, 512, 14, 14)
        conv_dw_7 = self.conv_dw_7(relu6_13)  # (N, 512, 14, 14)
        conv_dw_7_bn = self.conv_dw_7_bn(conv_dw_7)  # (N, 512, 14, 14)
        relu6_14 = self.relu6_14(conv_dw_7_bn)  # (N, 512, 14, 14)
        conv_pw_7 = self.conv_pw_7(relu6_14)  # (N, 512, 14, 14)
        conv_pw_7_bn = self.conv_pw_7_bn(conv_pw_7)  # (N, 512, 14, 14)
        relu6_15 = self.relu6_15(conv_pw_7_bn)  # (N, 512, 14, 14)
        conv_dw_8 = self.conv_dw_8(relu6_15)  # (N, 512, 14, 14)
        conv_dw_8_bn = self.conv_dw_8_bn(conv_dw_8)  # (N, 512, 14, 14)
        relu6_16 = self.relu6_16(conv_dw_8_bn)  # (N, 512, 14, 14)
        conv_pw_8 = self.conv_pw_8(relu6_16)  # (N, 512, 14, 14)
        conv_pw_8_bn = self.conv_pw_8_bn(conv_pw_8)  # (N, 512, 14, 14)
        relu6_17 = self.relu6_17(conv_pw_8_bn)  # (N, 512, 14, 14)
        conv_dw_9 = self.conv_dw_9(relu6_17)  # (N, 512, 14, 14)
        conv_dw_9_bn = self.conv_dw_9_bn(conv_dw_9)  # (N, 512, 14, 14)
        relu6_18 = self.relu6_18(conv_dw_9_bn)  # (N, 512, 14, 14)
        conv_pw_9 = self.conv_pw_9(relu6_18)  # (N, 512, 14, 14)
        conv_pw_9_bn = self.conv_pw_9_bn(conv_pw_9)  # (N, 512, 14, 14)
        relu6_19 = self.relu6_19(conv_pw_9_bn)  # (N, 512, 14, 14)
        conv_dw_10 = self.conv_dw_10(relu6_19)  # (N, 512, 14, 14)
        conv_dw_10_bn = self.conv_dw_10_bn(conv_dw_10)  # (N, 512, 14, 14)
        relu6_20 = self.relu6_20(conv_dw_10_bn)  # (N, 512, 14, 14)
        conv_pw_10 = self.conv_pw_10(relu6_20)  # (N, 512, 14, 14)
        conv_pw_10_bn = self.conv_pw_10_bn(conv_pw_10)  # (N, 512, 14, 14)
        relu6_21 = self.relu6_21(conv_pw_10_bn)  # (N, 512, 14, 14)
        conv_dw_11 = self.conv_dw_11(relu6_21)  # (N, 512, 14, 14)
        conv_dw_11_bn = self.conv_dw_11_bn(conv_dw_11)  # (N, 512, 14, 14)
        relu6_22 = self.relu6_22(conv_dw_11_bn)  # (N, 512, 14, 14)
        conv_pw_11 = self.conv_pw_11(relu6_22)  # (N, 512, 14, 14)
        conv_pw_11_bn = self.conv_pw_11_bn(conv_pw_11)  # (N, 512, 14, 14)
        relu6_23 = self.relu6_23(conv_pw_11_bn)  # (N, 512, 14, 14)
        conv_dw_12 = self.conv_dw_12(self.conv_dw_12_pad(relu6_23))  # (N, 512, 7, 7)
        conv_dw_12_bn = self.conv_dw_12_bn(conv_dw_12)  # (N, 512, 7, 7)
        relu6_24 = self.relu6_24(conv_dw_12_bn)  # (N, 512, 7, 7)
        conv_pw_12 = self.conv_pw_12(relu6_24)  # (N, 1024, 7, 7)
        conv_pw_12_bn = self.conv_pw_12_bn(conv_pw_12)  # (N, 1024, 7, 7)
        relu6_25 = self.relu6_25(conv_pw_12_bn)  # (N, 1024, 7, 7)
        conv_dw_13 = self.conv_dw_13(relu6_25)  # (N, 1024, 7, 7)
        conv_dw_13_bn = self.conv_dw_13_bn(conv_dw_13)  # (N, 1024, 7, 7)
        relu6_26 = self.relu6_26(conv_dw_13_bn)  # (N, 1024, 7, 7)
        conv_pw_13 = self.conv_pw_13(relu6_26)  # (N, 1024, 7, 7)
        conv_pw_13_bn = self.conv_pw_13_bn(conv_pw_13)  # (N, 1024, 7, 7)
        relu6_27 = self.relu6_27(conv_pw_13_bn)  # (N, 1024, 7, 7)
        global_avgpool_1 = torch.flatten(self.global_avgpool_1(relu6_27), 1)  # (N, 1024)
        reshape_1 = global_avgpool_1.reshape(global_avgpool_1.shape[0], 1024, 1, 1)  # (N, 1024, 1, 1)
        dropout_1 = self.dropout_1(reshape_1)  # (N, 1024, 1, 1)
        conv_preds = self.conv_preds(dropout_1)  # (N, 1000, 1, 1)
        reshape_2 = conv_preds.reshape(conv_preds.shape[0], 1000)  # (N, 1000)
        softmax_1 = self.softmax_1(reshape_2)  # (N, 1000)
        return softmax_1


if __name__ == "__main__":
    model = MobileNetV1().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("output shape:", tuple(out.shape))
    print("trainable parameters:", sum(p.numel() for p in model.parameters()))
