"""Every layer's default get_config() against tf_keras: keys, their order and values."""

import json

import pytest

import tapeflow as tfl

CASES = {
    "Dense": (2,), "Conv1D": (2, 3), "Conv2D": (2, 3), "Conv2DTranspose": (2, 3),
    "Embedding": (10, 3), "Dropout": (0.5,), "BatchNormalization": (),
    "LayerNormalization": (), "Flatten": (), "Reshape": ((2, 3),), "Activation": ("relu",),
    "LeakyReLU": (), "ReLU": (), "Softmax": (), "MaxPooling2D": (), "AveragePooling2D": (),
    "MaxPooling1D": (), "AveragePooling1D": (), "GlobalAveragePooling2D": (),
    "GlobalMaxPooling2D": (), "GlobalAveragePooling1D": (), "GlobalMaxPooling1D": (),
    "Concatenate": (), "Add": (), "Multiply": (), "Average": (), "Maximum": (), "Minimum": (),
    "Subtract": (), "Permute": ((2, 1),), "RepeatVector": (3,), "UpSampling2D": (),
    "ZeroPadding2D": (), "GaussianNoise": (0.1,), "Rescaling": (1 / 255.0,),
    "Normalization": (), "PReLU": (), "ELU": (), "ThresholdedReLU": (), "Masking": (),
    "UpSampling1D": (), "ZeroPadding1D": (), "Cropping1D": (), "Cropping2D": (),
    "SpatialDropout1D": (0.2,), "SpatialDropout2D": (0.2,), "GaussianDropout": (0.2,),
    "AlphaDropout": (0.2,), "ActivityRegularization": (), "DepthwiseConv2D": (3,),
    "SeparableConv2D": (2, 3), "Dot": (1,), "Identity": (), "SimpleRNN": (3,), "LSTM": (3,),
    "GRU": (3,),
}


def _config(m, name):
    layers = m.keras.layers
    if name == "InputLayer":
        layer = layers.InputLayer(input_shape=(3,), name="w")
    elif name == "TimeDistributed":
        layer = layers.TimeDistributed(layers.Dense(2), name="w")
    elif name == "Bidirectional":
        layer = layers.Bidirectional(layers.LSTM(2), name="w")
    else:
        layer = getattr(layers, name)(*CASES[name], name="w")
    # JSON keeps the key order; NumPy values show as their text.
    return json.dumps(layer.get_config(), default=str)


@pytest.mark.parametrize("name", sorted(CASES) + ["InputLayer", "TimeDistributed",
                                                  "Bidirectional"])
def test_default_layer_config_matches_tf_keras(tf_ref, name):
    assert _config(tfl, name) == _config(tf_ref, name)
