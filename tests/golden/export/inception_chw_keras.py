"""mini inception: written by convcalc from tests/fixtures/export/inception_chw.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (8, 29, 29) in chw order; Keras takes it channels last: (None, 29, 29, 8).
# (The spec is written channels first, as PyTorch; this model is channels-last.)


def build_model():
    inputs = keras.Input(shape=(29, 29, 8), name="input")
    pool0 = layers.MaxPooling2D(3, strides=2, name="pool0")(inputs)
    b1 = layers.Conv2D(8, 1, name="b1")(pool0)
    b2_reduce = layers.Conv2D(6, 1, name="b2_reduce")(pool0)
    b2_pad = layers.ZeroPadding2D(((1, 1), (1, 1)), name="b2_pad")(b2_reduce)
    b2 = layers.Conv2D(12, 3, groups=3, name="b2")(b2_pad)
    b3_pad = layers.ZeroPadding2D(((2, 2), (2, 2)), name="b3_pad")(pool0)
    b3 = layers.Conv2D(4, 3, dilation_rate=2, name="b3")(b3_pad)
    b4_pool_pad = layers.ZeroPadding2D(((1, 1), (1, 1)), name="b4_pool_pad")(pool0)  # zeros: they can win a max or lower a border average, unlike PyTorch's own padding
    b4_pool = layers.MaxPooling2D(3, strides=1, name="b4_pool")(b4_pool_pad)
    b4 = layers.Conv2D(4, 1, name="b4")(b4_pool)
    mixed = layers.Concatenate(axis=-1, name="mixed")([b1, b2, b3, b4])
    asym_pad = layers.ZeroPadding2D(((0, 1), (1, 1)), name="asym_pad")(mixed)
    asym = layers.Conv2D(16, (2, 3), name="asym")(asym_pad)
    pool1_pad = layers.ZeroPadding2D(((1, 2), (1, 2)), name="pool1_pad")(asym)  # zeros: they can win a max or lower a border average, unlike PyTorch's own padding
    pool1 = layers.AveragePooling2D(3, strides=2, name="pool1")(pool1_pad)
    stack_rows = layers.Concatenate(axis=2, name="stack_rows")([pool1, pool1])
    adapt = layers.AveragePooling2D(4, name="adapt")(stack_rows)  # adaptive: the input divides evenly
    flatten_1 = layers.Flatten(name="flatten_1")(adapt)
    logits = layers.Dense(5, use_bias=False, name="logits")(flatten_1)
    out = layers.Activation("log_softmax", name="out")(logits)
    return keras.Model(inputs, out, name="mini_inception")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
