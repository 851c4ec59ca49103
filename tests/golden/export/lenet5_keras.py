"""LeNet-5: written by convcalc from specs/lenet5.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (32, 32, 1) in hwc order; Keras takes it channels last: (None, 32, 32, 1).


def build_model():
    inputs = keras.Input(shape=(32, 32, 1), name="input")
    c1 = layers.Conv2D(6, 5, name="c1")(inputs)
    tanh_1 = layers.Activation("tanh", name="tanh_1")(c1)
    s2 = layers.AveragePooling2D(2, name="s2")(tanh_1)
    c3 = layers.Conv2D(16, 5, name="c3")(s2)
    tanh_2 = layers.Activation("tanh", name="tanh_2")(c3)
    s4 = layers.AveragePooling2D(2, name="s4")(tanh_2)
    flatten_1 = layers.Flatten(name="flatten_1")(s4)
    c5 = layers.Dense(120, name="c5")(flatten_1)
    tanh_3 = layers.Activation("tanh", name="tanh_3")(c5)
    f6 = layers.Dense(84, name="f6")(tanh_3)
    tanh_4 = layers.Activation("tanh", name="tanh_4")(f6)
    output = layers.Dense(10, name="output")(tanh_4)
    return keras.Model(inputs, output, name="LeNet_5")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
