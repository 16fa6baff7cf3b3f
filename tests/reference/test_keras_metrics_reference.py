"""tapeflow's tf.keras.metrics / losses against tf_keras 2.21 with identical inputs.

Each case builds the same metric in both libraries, feeds it the same batches (some with
sample weights, several update_state calls) and compares the result, its dtype and shape,
the variables' names/shapes/dtypes, the config, and the result after reset_state.
"""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
tf_ref = pytest.importorskip("tensorflow")

import tapeflow as tf  # noqa: E402

_rng = np.random.default_rng(7)
# Binary labels / probabilities (with exact threshold ties: 0, 0.5, 1, 0.25, 0.75).
YB = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0], np.float32)
PB = np.array([0.1, 0.9, 0.5, 0.5, 0.25, 0.75, 0.0, 1.0, 0.62, 0.33], np.float32)
SWB = np.array([1.0, 0.5, 2.0, 0.0, 1.5, 1.0, 3.0, 0.25, 1.0, 2.0], np.float32)
YB2 = (_rng.random((6, 1)) > 0.4).astype(np.float32)
PB2 = _rng.random((6, 1)).astype(np.float32)
# Multi-class.
Y3 = np.eye(3, dtype=np.float32)[[0, 2, 1, 1, 0, 2]]
P3 = _rng.random((6, 3)).astype(np.float32)
SW6 = _rng.random(6).astype(np.float32)
Y3B = (_rng.random((6, 3)) > 0.5).astype(np.float32)
# Regression.
YR = _rng.normal(size=(6, 3)).astype(np.float32)
PR = _rng.normal(size=(6, 3)).astype(np.float32)
YRP = np.abs(YR) + 0.1
PRP = np.abs(PR) + 0.1

BIN = [(YB, PB, None), (YB, PB, SWB), (YB2, PB2, None)]
BINC = [(YB[:, None], PB[:, None], None), (YB[:, None], PB[:, None], SWB), (YB2, PB2, None)]
MULTI = [(Y3, P3, None), (Y3, P3, SW6)]
MULTI_BIN = [(Y3B, P3, None), (Y3B, P3, SW6)]
REG = [(YR, PR, None), (YR, PR, SW6)]
POS = [(YRP, PRP, None), (YRP, PRP, SW6)]
PM1 = [(np.sign(YR), PR, None), (np.sign(YR), PR, SW6)]
SEG_T = np.array([[0, 1, 2], [2, 2, 1]], np.int32)
SEG_P = np.array([[0, 2, 2], [1, 2, 0]], np.int32)
SEG = [(SEG_T, SEG_P, None), (SEG_T, SEG_P, np.array([[1, 0.5, 2], [1, 1, 0]], np.float32))]

CASES = [
    ("TruePositives", {}, BIN), ("FalsePositives", {}, BIN), ("TrueNegatives", {}, BIN),
    ("FalseNegatives", {}, BIN),
    ("TruePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, BIN),
    ("FalseNegatives", {"thresholds": [0.3, 0.6]}, BIN),
    ("TrueNegatives", {"thresholds": 0.2}, BIN),
    ("Precision", {}, BIN), ("Recall", {}, BIN),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, BIN),
    ("Recall", {"thresholds": [0.0, 0.5, 1.0]}, BIN),
    ("Precision", {"top_k": 2}, MULTI_BIN), ("Recall", {"class_id": 1}, MULTI_BIN),
    ("Precision", {"top_k": 1, "class_id": 2}, MULTI_BIN),
    ("AUC", {}, BIN), ("AUC", {"curve": "PR"}, BIN), ("AUC", {"num_thresholds": 5}, BIN),
    ("AUC", {"num_thresholds": 7, "curve": "PR", "summation_method": "minoring"}, BIN),
    ("AUC", {"summation_method": "majoring"}, BIN),
    ("AUC", {"curve": "PR_GAIN", "num_thresholds": 11}, BIN),
    ("AUC", {"thresholds": [0.3, 0.5, 0.8]}, BIN),
    ("AUC", {"from_logits": True}, [(YR > 0, PR, None)]),
    ("AUC", {"multi_label": True}, MULTI_BIN),
    ("AUC", {"multi_label": True, "curve": "PR", "num_thresholds": 9}, MULTI_BIN),
    ("AUC", {"multi_label": True, "label_weights": [0.2, 1.0, 0.5]}, MULTI_BIN),
    ("AUC", {"label_weights": [0.2, 1.0, 0.5]}, MULTI_BIN),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, BIN),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 9}, BIN),
    ("PrecisionAtRecall", {"recall": 0.6}, BIN),
    ("RecallAtPrecision", {"precision": 0.6}, BIN),
    ("RecallAtPrecision", {"precision": 0.9, "num_thresholds": 1}, BIN),
    ("SensitivityAtSpecificity", {"specificity": 0.4, "class_id": 1}, MULTI_BIN),
    ("CosineSimilarity", {}, REG), ("KLDivergence", {}, [(Y3, P3 / P3.sum(1, keepdims=True),
                                                          None)]),
    ("Hinge", {}, PM1), ("SquaredHinge", {}, PM1), ("Hinge", {}, MULTI_BIN),
    ("CategoricalHinge", {}, MULTI), ("LogCoshError", {}, REG),
    ("MeanSquaredLogarithmicError", {}, POS), ("Poisson", {}, POS),
    ("MeanRelativeError", {"normalizer": [1.0, 2.0, 4.0]}, REG),
    ("R2Score", {}, REG), ("R2Score", {"class_aggregation": "variance_weighted_average"}, REG),
    ("R2Score", {"class_aggregation": None}, REG),
    ("R2Score", {"num_regressors": 2}, REG),
    ("F1Score", {}, MULTI), ("F1Score", {"average": "macro", "threshold": 0.5}, MULTI_BIN),
    ("F1Score", {"average": "micro"}, MULTI),
    ("FBetaScore", {"beta": 2.0, "average": "weighted", "threshold": 0.4}, MULTI_BIN),
    ("MeanIoU", {"num_classes": 3}, SEG), ("IoU", {"num_classes": 3,
                                                   "target_class_ids": [0, 2]}, SEG),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 2}, SEG),
    ("BinaryIoU", {}, BIN), ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, BIN),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}, [(Y3, P3, None)]),
    ("OneHotMeanIoU", {"num_classes": 3}, [(Y3, P3, None), (Y3, P3, SW6)]),
    ("MeanSquaredError", {}, REG), ("RootMeanSquaredError", {}, REG),
    ("BinaryCrossentropy", {}, BINC), ("BinaryAccuracy", {}, BINC),
    ("TruePositives", {}, BINC), ("AUC", {}, BINC), ("Precision", {"thresholds": 0.3}, BINC),
]


def _config_equal(a, b):
    assert list(a) == list(b)
    for k in a:
        va, vb = a[k], b[k]
        if isinstance(vb, (np.ndarray, list, tuple)) or hasattr(vb, "numpy"):
            np.testing.assert_allclose(np.asarray(va, np.float64), np.asarray(list(vb) if
                                       not isinstance(vb, np.ndarray) else vb, np.float64))
        elif k == "name":
            continue  # default names are uniquified per process: compared separately
        else:
            assert va == vb, (k, va, vb)


def _run(mod, name, kw, batches):
    m = getattr(mod.keras.metrics, name)(**kw)
    for yt, yp, sw in batches:
        m.update_state(yt, yp, sample_weight=sw)
    return m


@pytest.mark.parametrize("name,kw,batches", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_metric_matches_tf_keras(name, kw, batches):
    ours, ref = _run(tf, name, kw, batches), _run(tf_ref, name, kw, batches)
    a, b = ours.result(), ref.result()
    assert a.dtype.name == b.dtype.name
    assert a.shape.as_list() == b.shape.as_list()
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-5, atol=2e-6)
    assert [(v.name, v.shape.as_list(), v.dtype.name) for v in ours.variables] == \
        [(v.name, v.shape.as_list(), v.dtype.name) for v in ref.variables]
    for va, vb in zip(ours.variables, ref.variables):
        np.testing.assert_allclose(va.numpy(), vb.numpy(), rtol=2e-5, atol=2e-5)
    _config_equal(ours.get_config(), ref.get_config())
    ours.reset_state()
    ref.reset_state()
    if name not in ("MeanTensor",):
        np.testing.assert_allclose(ours.result().numpy(), ref.result().numpy())


DEFAULT_NAMES = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
                 "CosineSimilarity", "KLDivergence", "Hinge", "SquaredHinge",
                 "CategoricalHinge", "LogCoshError", "MeanSquaredLogarithmicError", "Poisson",
                 "R2Score", "F1Score", "FBetaScore", "Precision", "Recall", "MeanTensor"]


@pytest.mark.parametrize("name", DEFAULT_NAMES)
def test_default_names_match(name):
    assert getattr(tf.keras.metrics, name)().name == getattr(tf_ref.keras.metrics, name)().name


def test_mean_tensor_matches():
    x1 = np.arange(6, dtype=np.float32).reshape(2, 3)
    x2 = x1[::-1] * 0.5
    w = np.array([1.0, 3.0], np.float32)
    got = []
    for mod in (tf, tf_ref):
        m = mod.keras.metrics.MeanTensor()
        m.update_state(x1)
        m.update_state(x2, sample_weight=w)
        got.append((m.result().numpy(), [(v.name, v.shape.as_list()) for v in m.variables]))
    np.testing.assert_allclose(got[0][0], got[1][0])
    assert got[0][1] == got[1][1]


LOSS_FUNCS = [("categorical_hinge", {}, Y3, P3),
              ("binary_focal_crossentropy", {}, Y3B, P3),
              ("binary_focal_crossentropy", {"apply_class_balancing": True, "alpha": 0.4,
                                             "gamma": 1.5}, Y3B, P3),
              ("binary_focal_crossentropy", {"from_logits": True, "label_smoothing": 0.1},
               Y3B, PR),
              ("categorical_focal_crossentropy", {}, Y3, P3),
              ("categorical_focal_crossentropy", {"alpha": 0.5, "gamma": 3.0,
                                                  "label_smoothing": 0.2}, Y3, P3),
              ("categorical_focal_crossentropy", {"from_logits": True}, Y3, PR)]


@pytest.mark.parametrize("fn,kw,yt,yp", LOSS_FUNCS)
def test_new_loss_functions_match(fn, kw, yt, yp):
    a = getattr(tf.keras.losses, fn)(yt, yp, **kw)
    b = getattr(tf_ref.keras.losses, fn)(yt, yp, **kw)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)
    if hasattr(tf_ref.keras.metrics, fn):
        np.testing.assert_allclose(getattr(tf.keras.metrics, fn)(yt, yp, **kw).numpy(),
                                   b.numpy(), rtol=1e-5, atol=1e-7)


LOSS_CLASSES = [("CategoricalHinge", {}), ("BinaryFocalCrossentropy", {}),
                ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "gamma": 1.0}),
                ("CategoricalFocalCrossentropy", {}),
                ("CategoricalFocalCrossentropy", {"reduction": "sum", "alpha": 0.3})]


@pytest.mark.parametrize("name,kw", LOSS_CLASSES)
def test_new_loss_classes_match(name, kw):
    yt = Y3 if name != "BinaryFocalCrossentropy" else Y3B
    ours, ref = getattr(tf.keras.losses, name)(**kw), getattr(tf_ref.keras.losses, name)(**kw)
    for sw in (None, SW6):
        np.testing.assert_allclose(float(ours(yt, P3, sample_weight=sw)),
                                   float(ref(yt, P3, sample_weight=sw)), rtol=1e-5)
    assert ours.get_config() == ref.get_config()


def test_loss_configs_match_order_and_fn():
    for name in ("BinaryCrossentropy", "MeanSquaredError", "Huber", "CosineSimilarity",
                 "SparseCategoricalCrossentropy"):
        a = getattr(tf.keras.losses, name)().get_config()
        b = getattr(tf_ref.keras.losses, name)().get_config()
        assert list(a.items()) == list(b.items())


STRINGS = ["mse", "MSE", "mae", "mape", "msle", "logcosh", "log_cosh", "hinge",
           "squared_hinge", "poisson", "cosine_similarity", "categorical_hinge",
           "kullback_leibler_divergence", "binary_accuracy", "AUC", "TruePositives",
           "Precision", "F1Score", "R2Score", "KLDivergence", "LogCoshError"]


@pytest.mark.parametrize("s", STRINGS)
def test_metrics_get_by_string(s):
    a, b = tf.keras.metrics.get(s), tf_ref.keras.metrics.get(s)
    if isinstance(b, tf_ref.keras.metrics.Metric):
        assert type(a).__name__ == type(b).__name__ and a.name == b.name
    else:
        assert a.__name__ == b.__name__


def test_compile_string_metrics_history_keys():
    x = np.random.default_rng(0).random((16, 3)).astype(np.float32)
    y = (x[:, :1] > 0.5).astype(np.float32)
    specs = ["mse", "MSE", "logcosh", "hinge", "msle", "categorical_hinge", "AUC",
             "TruePositives", "Precision", "R2Score"]
    keys = []
    for mod in (tf, tf_ref):
        # tf_keras names metrics made from class-name strings inside the traced step's graph
        # (fresh name counters); tapeflow's counters are global, so start both afresh.
        mod.keras.backend.clear_session()
        m = mod.keras.Sequential([mod.keras.layers.Dense(1, activation="sigmoid",
                                                         input_shape=(3,))])
        m.compile("sgd", "binary_crossentropy", metrics=specs)
        keys.append(list(m.fit(x, y, epochs=1, batch_size=8, verbose=0).history))
    assert keys[0] == keys[1]


def _imbalanced_metrics(keras):
    M = keras.metrics
    return [M.BinaryCrossentropy(name="cross entropy"), M.MeanSquaredError(name="Brier score"),
            M.TruePositives(name="tp"), M.FalsePositives(name="fp"),
            M.TrueNegatives(name="tn"), M.FalseNegatives(name="fn"),
            M.BinaryAccuracy(name="accuracy"), M.Precision(name="precision"),
            M.Recall(name="recall"), M.AUC(name="auc"), M.AUC(name="prc", curve="PR")]


def test_imbalanced_data_tutorial_metrics_fit_and_evaluate():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, :1] + 0.3 * x[:, 1:2] > 0.8).astype(np.float32)
    w0 = (rng.normal(size=(4, 1)) * 0.3).astype(np.float32)
    out = []
    for mod in (tf, tf_ref):
        model = mod.keras.Sequential([mod.keras.layers.Dense(1, activation="sigmoid",
                                                             input_shape=(4,))])
        model.set_weights([w0, np.zeros(1, np.float32)])
        model.compile(optimizer=mod.keras.optimizers.Adam(learning_rate=1e-2),
                      loss=mod.keras.losses.BinaryCrossentropy(),
                      metrics=_imbalanced_metrics(mod.keras))
        hist = model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_data=(x, y),
                         shuffle=False)
        ev = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
        out.append((hist.history, ev, model.metrics_names))
    (h1, e1, n1), (h2, e2, n2) = out
    assert n1 == n2
    assert list(h1) == list(h2)
    for k in h2:
        np.testing.assert_allclose(h1[k], h2[k], rtol=1e-4, atol=1e-5, err_msg=k)
    assert list(e1) == list(e2)
    for k in e2:
        np.testing.assert_allclose(e1[k], e2[k], rtol=1e-4, atol=1e-5, err_msg=k)


def test_imbalanced_tutorial_with_1d_labels_matches():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(50, 4)).astype(np.float32)  # uneven last batch: per-example means
    y = (x[:, 0] > 0.7).astype(np.float32)  # 1-D labels, as the tutorial's arrays
    w0 = (rng.normal(size=(4, 1)) * 0.3).astype(np.float32)
    out = []
    for mod in (tf, tf_ref):
        model = mod.keras.Sequential([mod.keras.layers.Dense(1, activation="sigmoid",
                                                             input_shape=(4,))])
        model.set_weights([w0, np.zeros(1, np.float32)])
        model.compile(optimizer="adam", loss="binary_crossentropy",
                      metrics=_imbalanced_metrics(mod.keras))
        out.append(model.fit(x, y, batch_size=16, epochs=1, verbose=0,
                             shuffle=False).history)
    for k in out[1]:
        np.testing.assert_allclose(out[0][k], out[1][k], rtol=1e-4, atol=1e-5, err_msg=k)


def _signature(obj):
    import inspect
    import re
    sig = inspect.signature(obj.__init__ if isinstance(obj, type) else obj)
    # Drop tf_keras's type annotations; compare names, kinds and defaults.
    return [(p.name, p.kind, repr(p.default)) for p in sig.parameters.values()
            if p.name != "self" and not re.match(r"^_", p.name)]


@pytest.mark.parametrize("ns", ["metrics", "losses"])
def test_public_signatures_match(ns):
    ref_ns, our_ns = getattr(tf_ref.keras, ns), getattr(tf.keras, ns)
    names = [n for n in dir(ref_ns) if not n.startswith("_") and n != "experimental"]
    assert sorted(n for n in names if not hasattr(our_ns, n)) == []
    for n in names:
        ref = getattr(ref_ns, n)
        if isinstance(ref, type) or n in ("serialize", "deserialize", "get"):
            assert _signature(getattr(our_ns, n)) == _signature(ref), n


def test_loss_serialization_format():
    L, R = tf.keras.losses, tf_ref.keras.losses
    assert L.serialize(L.Huber(delta=2.0)) == R.serialize(R.Huber(delta=2.0))
    assert L.serialize(L.Huber(), use_legacy_format=True) == \
        R.serialize(R.Huber(), use_legacy_format=True)
    assert L.MeanSquaredError("sum").reduction == R.MeanSquaredError("sum").reduction == "sum"
    assert L.BinaryFocalCrossentropy(True, 0.5).get_config() == \
        R.BinaryFocalCrossentropy(True, 0.5).get_config()


def test_sparse_crossentropy_ignore_class_matches():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([0, 3, -1, 2, -1, 1])
    sw = np.array([1.0, 2.0, 3.0, 0.5, 1.0, 1.0], np.float32)
    for red in ["auto", "sum", "none"]:
        for w in (None, sw):
            a, b = (mod.keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, ignore_class=-1, reduction=red)(labels, logits, sample_weight=w)
                for mod in (tf, tf_ref))
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)
    got = []
    for mod in (tf, tf_ref):
        m = mod.keras.metrics.SparseCategoricalCrossentropy(ignore_class=-1)
        m.update_state(labels, probs)
        m.update_state(labels[:3], probs[:3], sample_weight=sw[:3])
        got.append([v.numpy() for v in m.variables])
    np.testing.assert_allclose(got[0], got[1], rtol=1e-5)
    x = rng.normal(size=(20, 3)).astype(np.float32)
    y = rng.integers(-1, 4, size=(20, 1))
    hist = []
    for mod in (tf, tf_ref):
        model = mod.keras.Sequential([mod.keras.layers.Dense(4, input_shape=(3,))])
        model.set_weights([np.arange(12, dtype=np.float32).reshape(3, 4) / 120,
                           np.zeros(4, np.float32)])
        model.compile(mod.keras.optimizers.SGD(0.1), mod.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=-1), metrics=[
                mod.keras.metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)])
        hist.append(model.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0).history)
    for k in hist[1]:
        np.testing.assert_allclose(hist[0][k], hist[1][k], rtol=1e-5, err_msg=k)


def test_metric_str_is_class_and_config():
    def texts(m):
        m.keras.backend.clear_session()  # auto-names count from here in both
        return [str(x) for x in (m.keras.metrics.Mean(), m.keras.metrics.BinaryAccuracy(),
                                 m.keras.metrics.AUC(),
                                 m.keras.metrics.SparseCategoricalAccuracy(name="acc"),
                                 m.keras.metrics.Precision(thresholds=0.3))]
    assert texts(tf) == texts(tf_ref)
