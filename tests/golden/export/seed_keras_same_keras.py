"""Keras \"same\" padding question: written by convcalc from specs/seed_keras_same.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (25, 64, 1) in hwc order; Keras takes it channels last: (None, 25, 64, 1).


def build_model():
    inputs = keras.Input(shape=(25, 64, 1), name="input")
    conv2d_1 = layers.Conv2D(100, 7, padding="same", name="conv2d_1")(inputs)
    maxpool2d_1 = layers.MaxPooling2D(2, padding="same", name="maxpool2d_1")(conv2d_1)
    conv2d_2 = layers.Conv2D(150, 5, padding="same", name="conv2d_2")(maxpool2d_1)
    return keras.Model(inputs, conv2d_2, name="Keras_same_padding_question")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
