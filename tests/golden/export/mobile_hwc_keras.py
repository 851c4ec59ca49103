"""mobile blocks: written by convcalc from tests/fixtures/export/mobile_hwc.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (20, 17, 4) in hwc order; Keras takes it channels last: (None, 20, 17, 4).


def build_model():
    inputs = keras.Input(shape=(20, 17, 4), name="input")
    dw = layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, name="dw")(inputs)
    dw_act = layers.PReLU(shared_axes=[1, 2], name="dw_act")(dw)
    sep1 = layers.SeparableConv2D(12, 3, padding="same", name="sep1")(dw_act)
    hardswish_1 = layers.Activation("hard_swish", name="hardswish_1")(sep1)
    sep2 = layers.SeparableConv2D(16, (3, 5), strides=2, padding="same", depth_multiplier=2, use_bias=False, name="sep2")(hardswish_1)
    ln = layers.LayerNormalization(epsilon=1e-05, name="ln")(sep2)
    squeeze = layers.GlobalAveragePooling2D(name="squeeze")(ln)
    se_reduce = layers.Dense(4, name="se_reduce")(squeeze)
    relu_1 = layers.Activation("relu", name="relu_1")(se_reduce)
    se_expand = layers.Dense(16, name="se_expand")(relu_1)
    hardsigmoid_1 = layers.Activation("hard_sigmoid", name="hardsigmoid_1")(se_expand)
    se_gate = layers.Reshape((1, 1, 16), name="se_gate")(hardsigmoid_1)
    se_broadcast = layers.UpSampling2D(5, name="se_broadcast")(se_gate)
    excite = layers.Multiply(name="excite")([ln, se_broadcast])
    gn = layers.GroupNormalization(4, epsilon=1e-05, name="gn")(excite)
    prelu_1 = layers.PReLU(shared_axes=[1, 2, 3], name="prelu_1")(gn)
    dropout_1 = layers.Dropout(0.2, name="dropout_1")(prelu_1)
    flatten_1 = layers.Flatten(name="flatten_1")(dropout_1)
    head = layers.Dense(3, name="head")(flatten_1)
    return keras.Model(inputs, head, name="mobile_blocks")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
