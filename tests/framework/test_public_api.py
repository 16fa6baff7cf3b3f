"""The public namespaces: TF names tapeflow lacks say so, and feature probes still work."""

import pytest

import tapeflow as tf


def test_missing_tensorflow_api_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="tf.xla is not implemented"):
        tf.xla  # noqa: B018
    with pytest.raises(NotImplementedError, match="tf.nn.ctc_loss"):
        tf.nn.ctc_loss  # noqa: B018


@pytest.mark.parametrize("namespace", [
    "keras", "keras.activations", "keras.backend", "keras.callbacks", "keras.initializers",
    "keras.layers", "keras.losses", "keras.metrics", "keras.models", "keras.optimizers",
    "keras.utils"])
def test_keras_namespaces_name_what_they_lack(namespace):
    from tapeflow._src.util.tf_api_names import TF_NAMES
    module = tf
    for part in namespace.split("."):
        module = getattr(module, part)
    lacking = sorted(n for n in TF_NAMES["tf." + namespace] if n not in vars(module))
    for name in lacking[:3]:
        with pytest.raises(NotImplementedError, match=f"tf.{namespace}.{name} is not "
                                                       "implemented in tapeflow"):
            getattr(module, name)
        assert not hasattr(module, name)
    with pytest.raises(AttributeError, match="no attribute 'not_a_keras_name'"):
        module.not_a_keras_name  # noqa: B018


def test_feature_probes_and_unknown_names():
    assert not hasattr(tf, "xla")
    assert hasattr(tf, "function")
    assert hasattr(tf, "GradientTape")
    with pytest.raises(AttributeError, match="no attribute 'not_a_tf_name'"):
        tf.not_a_tf_name  # noqa: B018


def test_lazy_submodules_import_on_first_use():
    assert tf.data.Dataset is not None
    assert tf.keras.layers.Dense is not None


def test_version_and_top_level_keras_aliases():
    assert tf.version.VERSION == "2.21.0"
    assert tf.__version__ in tf.version.GIT_VERSION
    assert tf.optimizers is tf.keras.optimizers and tf.losses is tf.keras.losses
    assert tf.metrics is tf.keras.metrics and tf.initializers is tf.keras.initializers
    assert isinstance(tf.optimizers.Adam(learning_rate=0.1), tf.keras.optimizers.Adam)


def test_experimental_preprocessing_aliases():
    pre = tf.keras.layers.experimental.preprocessing
    assert pre.Rescaling is tf.keras.layers.Rescaling and pre.RandomFlip is (
        tf.keras.layers.RandomFlip)
    assert pre.TextVectorization is tf.keras.layers.TextVectorization
    with pytest.raises(NotImplementedError, match="preprocessing.RandomHeight is not "
                                                  "implemented"):
        pre.RandomHeight  # noqa: B018


def test_is_tensor_counts_composite_tensors():
    assert tf.is_tensor(tf.sparse.SparseTensor([[0, 1]], [5.0], [2, 2]))
    assert tf.is_tensor(tf.ragged.constant([[1], []]))
    assert tf.is_tensor(tf.Variable(1.0)) and not tf.is_tensor([1.0])
