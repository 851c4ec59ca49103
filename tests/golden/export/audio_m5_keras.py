"""M5 (raw audio, 1D): written by convcalc from specs/audio_m5.yaml.

Every layer below has the output shape and parameter count that `convcalc summary` prints.
"""
import keras
from keras import layers

# convcalc input: (1, 8000) in chw order; Keras takes it channels last: (None, 8000, 1).
# (The spec is written channels first, as PyTorch; this model is channels-last.)


def build_model():
    inputs = keras.Input(shape=(8000, 1), name="input")
    conv1 = layers.Conv1D(32, 80, strides=16, name="conv1")(inputs)
    bn1 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="bn1")(conv1)
    relu_1 = layers.Activation("relu", name="relu_1")(bn1)
    pool1 = layers.MaxPooling1D(4, name="pool1")(relu_1)
    conv2 = layers.Conv1D(32, 3, name="conv2")(pool1)
    bn2 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="bn2")(conv2)
    relu_2 = layers.Activation("relu", name="relu_2")(bn2)
    pool2 = layers.MaxPooling1D(4, name="pool2")(relu_2)
    conv3 = layers.Conv1D(64, 3, name="conv3")(pool2)
    bn3 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="bn3")(conv3)
    relu_3 = layers.Activation("relu", name="relu_3")(bn3)
    pool3 = layers.MaxPooling1D(4, name="pool3")(relu_3)
    conv4 = layers.Conv1D(64, 3, name="conv4")(pool3)
    bn4 = layers.BatchNormalization(epsilon=1e-05, momentum=0.9, name="bn4")(conv4)
    relu_4 = layers.Activation("relu", name="relu_4")(bn4)
    pool4 = layers.MaxPooling1D(4, name="pool4")(relu_4)
    global_avgpool_1 = layers.GlobalAveragePooling1D(name="global_avgpool_1")(pool4)
    fc1 = layers.Dense(35, name="fc1")(global_avgpool_1)
    log_softmax_1 = layers.Activation("log_softmax", name="log_softmax_1")(fc1)
    return keras.Model(inputs, log_softmax_1, name="M5_raw_audio_1D")


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print("output shape:", model.output_shape)
