"""tiny video: written by convcalc from tests/fixtures/export/video_hwc.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (5, 12, 11, 3) in hwc order; Keras takes it channels last: (None, 5, 12, 11, 3).


def build_model():
    inputs = keras.Input(shape=(5, 12, 11, 3), name="input")
    c1 = layers.Conv3D(6, 3, strides=(1, 2, 2), padding="same", name="c1")(inputs)
    silu_1 = layers.Activation("silu", name="silu_1")(c1)
    p1 = layers.MaxPooling3D((1, 2, 2), name="p1")(silu_1)
    c2 = layers.Conv3D(8, 2, padding="same", name="c2")(p1)
    mish_1 = layers.Activation("mish", name="mish_1")(c2)
    t1 = layers.Conv3DTranspose(4, (2, 4, 3), strides=(1, 2, 2), padding="same", name="t1")(mish_1)
    bn = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="bn")(t1)
    t2_full = layers.Conv3DTranspose(4, 3, strides=(1, 2, 1), output_padding=(0, 1, 0), name="t2_full")(bn)
    t2 = layers.Cropping3D(1, name="t2")(t2_full)  # PyTorch padding P crops P per side
    zp = layers.ZeroPadding3D(((1, 1), (0, 1), (2, 2)), name="zp")(t2)
    p2 = layers.AveragePooling3D(2, strides=(1, 2, 2), name="p2")(zp)
    global_maxpool_1 = layers.GlobalMaxPooling3D(name="global_maxpool_1")(p2)
    fc = layers.Dense(7, name="fc")(global_maxpool_1)
    sigmoid_1 = layers.Activation("sigmoid", name="sigmoid_1")(fc)
    return keras.Model(inputs, sigmoid_1, name="tiny_video")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
