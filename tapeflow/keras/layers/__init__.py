"""`tf.keras.layers` (re-exports only)."""

from tapeflow._src.keras.engine import Input, InputLayer, Layer  # noqa: F401
from tapeflow._src.keras.layers.core import (  # noqa: F401
    Activation, Add, Average, Concatenate, Dense, Dropout, Embedding, Flatten, Lambda, Maximum,
    Minimum, Multiply, Reshape, Rescaling, Subtract, add, concatenate, multiply,
)
from tapeflow._src.keras.layers.conv import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, Conv1D, Conv2D, Conv2DTranspose,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D,
)
from tapeflow._src.keras.layers.normalization import (  # noqa: F401
    BatchNormalization, LayerNormalization, Normalization,
)
from tapeflow._src.keras.layers.rnn import (  # noqa: F401
    GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,
)

MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D
MaxPool1D, AvgPool1D = MaxPooling1D, AveragePooling1D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
Convolution2D, Convolution1D = Conv2D, Conv1D
Convolution2DTranspose = Conv2DTranspose
from tapeflow._src.keras.layers.extra import (  # noqa: F401
    Bidirectional, GaussianNoise, LeakyReLU, Permute, ReLU, RepeatVector, Softmax,
    TimeDistributed, UpSampling2D, ZeroPadding2D,
)
from tapeflow._src.keras.layers.extra import MultiHeadAttention  # noqa: F401,E402
from tapeflow._src.keras.layers.more import (  # noqa: F401,E402
    ELU, ActivityRegularization, AlphaDropout, Cropping1D, Cropping2D, DepthwiseConv2D, Dot,
    GaussianDropout, GlobalAvgPool1D, GlobalMaxPool1D, Identity, Masking, PReLU,
    SeparableConv2D, SpatialDropout1D, SpatialDropout2D, ThresholdedReLU, UpSampling1D,
    ZeroPadding1D, average, dot, maximum, minimum, subtract,
)
from tapeflow._src.keras.layers.preprocessing import (  # noqa: F401,E402
    CenterCrop, RandomBrightness, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Resizing,
)
from tapeflow._src.keras.layers.categorical import (  # noqa: F401,E402
    CategoryEncoding, Discretization, Hashing, IntegerLookup, StringLookup,
)
from tapeflow._src.keras.layers.text import TextVectorization  # noqa: F401,E402

from tapeflow.keras.layers import experimental  # noqa: F401,E402
from tapeflow._src.util.missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr("tf.keras.layers", __name__)
