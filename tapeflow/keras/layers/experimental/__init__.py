"""`tf.keras.layers.experimental` (re-exports only): the older home of the preprocessing
layers, which TF 2 keeps as an alias of them."""

from tapeflow.keras.layers.experimental import preprocessing  # noqa: F401


def __getattr__(name):
    if name in ("EinsumDense", "RandomFourierFeatures", "SyncBatchNormalization"):
        from tapeflow._src.util.missing import NotImplementedAPI
        raise NotImplementedAPI(f"tf.keras.layers.experimental.{name} is not implemented in "
                                f"tapeflow yet.")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
