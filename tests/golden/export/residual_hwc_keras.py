"""tiny-resnet: written by convcalc from tests/fixtures/export/residual_hwc.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (33, 30, 3) in hwc order; Keras takes it channels last: (None, 33, 30, 3).


def build_model():
    inputs = keras.Input(shape=(33, 30, 3), name="input")
    stem = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="stem")(inputs)
    stem_bn = layers.BatchNormalization(epsilon=0.001, momentum=0.99, name="stem_bn")(stem)
    stem_relu = layers.Activation("relu", name="stem_relu")(stem_bn)
    block1_conv1 = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="block1_conv1")(stem_relu)
    block1_bn1 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="block1_bn1")(block1_conv1)
    relu_1 = layers.Activation("relu", name="relu_1")(block1_bn1)
    block1_conv2 = layers.Conv2D(32, 3, padding="same", use_bias=False, name="block1_conv2")(relu_1)
    block1_bn2 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, center=False, scale=False, name="block1_bn2")(block1_conv2)
    block1_proj = layers.Conv2D(32, 1, strides=2, use_bias=False, name="block1_proj")(stem_relu)
    block1_add = layers.Add(name="block1_add")([block1_bn2, block1_proj])
    block1_out = layers.Activation("relu", name="block1_out")(block1_add)
    pool = layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(block1_out)
    global_avgpool_1 = layers.GlobalAveragePooling2D(name="global_avgpool_1")(pool)
    fc = layers.Dense(10, name="fc")(global_avgpool_1)
    softmax_1 = layers.Softmax(axis=-1, name="softmax_1")(fc)
    return keras.Model(inputs, softmax_1, name="tiny_resnet")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
