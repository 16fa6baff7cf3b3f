"""tf.keras.metrics / losses added for Keras 2 parity: hand-computed expectations.

Confusion counts, threshold metrics, F-scores, R^2, IoU, MeanTensor, MeanRelativeError, the
focal and categorical-hinge losses, lookup by name, configs, and use in compile/fit.
"""

import doctest
import importlib

import numpy as np
import pytest

import tapeflow as tf

M = tf.keras.metrics

YB = [0, 1, 1, 0, 1, 0]
PB = [0.1, 0.9, 0.4, 0.6, 0.7, 0.2]
SW = [1.0, 2.0, 0.5, 3.0, 1.0, 0.0]


def _val(m):
    return m.result().numpy()


# -- confusion counts -------------------------------------------------------------------------

@pytest.mark.parametrize("cls,plain,weighted", [
    (M.TruePositives, 2.0, 3.0),    # 0.9 (w 2), 0.7 (w 1)
    (M.FalsePositives, 1.0, 3.0),   # 0.6 (w 3)
    (M.TrueNegatives, 2.0, 1.0),    # 0.1 (w 1), 0.2 (w 0)
    (M.FalseNegatives, 1.0, 0.5),   # 0.4 (w 0.5)
])
def test_condition_counts_default_threshold(cls, plain, weighted):
    m = cls()
    assert float(m(YB, PB)) == plain
    m.reset_state()
    m.update_state(YB, PB, sample_weight=SW)
    assert float(m.result()) == weighted
    assert [v.name for v in m.variables] == ["accumulator:0"]
    assert m.result().dtype == tf.float32 and m.result().shape == ()


def test_condition_counts_threshold_list_and_accumulation():
    m = M.TruePositives(thresholds=[0.0, 0.5, 0.8])
    m.update_state(YB, PB)
    m.update_state([[1], [1]], [[0.85], [0.5]])  # 0.5 is not above 0.5
    np.testing.assert_array_equal(_val(m), [3.0 + 2, 2.0 + 1, 1.0 + 1])
    assert m.variables[0].shape == (3,)
    assert m.get_config()["thresholds"] == [0.0, 0.5, 0.8]
    with pytest.raises(ValueError, match=r"Threshold values must be in \[0, 1\]. "
                                         r"Received: \[1.5\]"):
        M.FalseNegatives(thresholds=[0.2, 1.5])


def test_counts_with_evenly_spaced_thresholds_use_strict_comparison():
    # [0, .25, .5, .75, 1] is evenly spaced (bucketed path); ties stay negatives.
    m = M.FalsePositives(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0])
    m.update_state([0, 0, 0, 0, 0], [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(_val(m), [4, 3, 2, 1, 0])


def test_precision_recall_variables_and_topk_classid():
    p, r = M.Precision(), M.Recall()
    assert [v.name for v in p.variables] == ["true_positives:0", "false_positives:0"]
    assert [v.name for v in r.variables] == ["true_positives:0", "false_negatives:0"]
    assert float(p(YB, PB)) == pytest.approx(2 / 3)
    assert float(r(YB, PB)) == pytest.approx(2 / 3)
    yt = [[0, 0, 1, 1]]
    assert float(M.Precision(top_k=2)(yt, [[0.9, 0.1, 0.8, 0.7]])) == 0.5
    rc = M.Recall(class_id=1)
    rc.update_state([[0, 1], [1, 0], [0, 1]], [[0.2, 0.7], [0.4, 0.6], [0.8, 0.3]])
    assert float(rc.result()) == 0.5
    assert p.get_config() == {"name": p.name, "dtype": "float32", "thresholds": None,
                              "top_k": None, "class_id": None}


# -- AUC and the "at" metrics ---------------------------------------------------------------

def test_auc_small_cases():
    # Thresholds [-eps, 0.5, 1+eps] give ROC points (fpr, tpr) = (1, 1), (0, 0.5), (0, 0):
    # trapezoids (1 - 0) * (1 + 0.5) / 2 + 0 = 0.75.
    m = M.AUC(num_thresholds=3)
    assert float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])) == pytest.approx(0.75)
    assert [v.name for v in m.variables] == ["true_positives:0", "true_negatives:0",
                                             "false_positives:0", "false_negatives:0"]
    perfect = M.AUC()
    assert float(perfect([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0, abs=1e-6)
    # Explicit thresholds take the comparison path and give the same answer here.
    m2 = M.AUC(thresholds=[0.5])
    assert float(m2([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])) == pytest.approx(0.75)
    assert m2.get_config()["thresholds"] == [0.5]
    assert "thresholds" not in M.AUC().get_config()


def test_auc_multi_label_builds_per_label_variables():
    m = M.AUC(multi_label=True, num_thresholds=3)
    yt = np.array([[0, 1], [1, 0], [1, 1], [0, 0]], np.float32)
    yp = np.array([[0.1, 0.9], [0.9, 0.4], [0.8, 0.6], [0.3, 0.2]], np.float32)
    m.update_state(yt, yp)
    assert m.true_positives.shape == (3, 2)
    # Label 0 is separated perfectly (1.0); label 1 at 0.5: tp=2/2, fp=0 -> also 1.0.
    assert float(m.result()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="`num_labels` is needed only"):
        M.AUC(num_labels=3)


def test_auc_argument_errors():
    with pytest.raises(ValueError, match=r"must be an integer > 1. Received: num_thresholds=1"):
        M.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match='Invalid AUC curve value: "x"'):
        M.AUC(curve="x")


def test_sensitivity_specificity_family():
    yt, yp = [0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]
    # At thresholds below 0.3: spec 1/3, sens 1; in [0.3, 0.8): spec 2/3, sens 1/2.
    assert float(M.SensitivityAtSpecificity(0.5)(yt, yp)) == pytest.approx(0.5)
    assert float(M.SpecificityAtSensitivity(0.5)(yt, yp)) == pytest.approx(2 / 3)
    assert float(M.SpecificityAtSensitivity(1.0)(yt, yp)) == pytest.approx(1 / 3)
    assert float(M.PrecisionAtRecall(0.5)(yt, yp)) == pytest.approx(0.5)
    assert float(M.RecallAtPrecision(0.9)(yt, yp)) == 0.0  # never that precise
    m = M.PrecisionAtRecall(0.4, num_thresholds=5, class_id=1)
    assert m.get_config() == {"name": m.name, "dtype": "float32", "class_id": 1,
                              "num_thresholds": 5, "recall": 0.4}
    assert len(m.variables) == 4 and m.variables[0].shape == (5,)
    with pytest.raises(ValueError, match=r"Argument `specificity` must be in the range "
                                         r"\[0, 1\]. Received: specificity=1.5"):
        M.SensitivityAtSpecificity(1.5)


# -- scores -----------------------------------------------------------------------------------

def test_f1_and_fbeta_scores():
    yt = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    yp = [[0.9, 0.2], [0.6, 0.7], [0.3, 0.4]]
    m = M.F1Score(threshold=0.5)
    m.update_state(yt, yp)
    # class 0: tp 1, fp 1, fn 1 -> 0.5; class 1: tp 1, fp 0, fn 0 -> 1.
    np.testing.assert_allclose(_val(m), [0.5, 1.0], rtol=1e-6)
    m = M.F1Score()  # argmax: row 3 predicts class 1 -> class 0 tp 1 fn 1, class 1 tp1 fp1
    m.update_state(yt, yp)
    np.testing.assert_allclose(_val(m), [2 / 3, 2 / 3], rtol=1e-6)
    m = M.FBetaScore(beta=2.0, average="micro", threshold=0.5)
    m.update_state(yt, yp)
    p, r = 2 / 3, 2 / 3
    assert float(m.result()) == pytest.approx(5 * p * r / (4 * p + r))
    assert [v.name for v in m.variables] == ["true_positives:0", "false_positives:0",
                                             "false_negatives:0", "intermediate_weights:0"]
    with pytest.raises(ValueError, match="It should be a Python float"):
        M.FBetaScore(beta=2)


def test_r2_score():
    m = M.R2Score()
    m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
    assert float(m.result()) == pytest.approx(0.5)  # 1 - 1/2
    assert [v.name for v in m.variables] == ["num_samples:0", "squared_sum:0", "sum:0",
                                             "residual:0", "count:0"]
    assert m.variables[0].dtype == tf.int32
    adj = M.R2Score(num_regressors=1)
    adj.update_state([[1.0], [2.0], [3.0], [4.0]], [[1.0], [2.0], [4.0], [4.0]])
    # R2 = 1 - 1/5 = 0.8; adjusted: 1 - 0.2 * 3 / 2.
    assert float(adj.result()) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        M.R2Score().update_state([1.0, 2.0], [1.0, 2.0])


def test_iou_family():
    m = M.MeanIoU(num_classes=2)
    assert float(m([0, 0, 1, 1], [0, 1, 0, 1])) == pytest.approx(1 / 3)
    assert [v.name for v in m.variables] == ["total_confusion_matrix:0"]
    np.testing.assert_array_equal(m.variables[0].numpy(), [[1, 1], [1, 1]])
    w = M.MeanIoU(num_classes=2)
    w.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.7, 0.0])
    # cm [[.3,.3],[.7,0]]: iou0 = .3/(1.3), iou1 = 0/(1.0)
    assert float(w.result()) == pytest.approx((0.3 / 1.3) / 2, rel=1e-5)
    ig = M.MeanIoU(num_classes=3, ignore_class=2)
    ig.update_state([0, 2, 1], [0, 1, 1])
    assert float(ig.result()) == pytest.approx(1.0)
    b = M.BinaryIoU(target_class_ids=[1], threshold=0.5)
    assert float(b([0, 1, 1], [0.2, 0.5, 0.4])) == pytest.approx(0.5)
    oh = M.OneHotMeanIoU(num_classes=3)
    oh.update_state(np.eye(3)[[0, 1, 2]], np.eye(3)[[0, 1, 1]])
    assert float(oh.result()) == pytest.approx((1 + 0.5 + 0) / 3)
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range, which is "
                                         r"\[0, 2\)."):
        M.IoU(2, [3])


def test_mean_tensor_and_mean_relative_error():
    m = M.MeanTensor()
    with pytest.raises(ValueError, match="MeanTensor does not have any value yet"):
        m.result()
    m.update_state([1.0, 2.0])
    m.update_state([3.0, 6.0], sample_weight=[1.0, 3.0])
    np.testing.assert_allclose(_val(m), [2.0, 5.0])
    assert [v.name for v in m.variables] == ["total:0", "count:0"]
    with pytest.raises(ValueError, match="must always have the same shape"):
        m.update_state([1.0, 2.0, 3.0])
    e = M.MeanRelativeError(normalizer=[1.0, 2.0])
    assert float(e([1.0, 2.0], [2.0, 4.0])) == 1.0
    np.testing.assert_array_equal(e.get_config()["normalizer"], [1.0, 2.0])


def test_regression_wrappers():
    yt, yp = [[0.0, 1.0]], [[1.0, 1.0]]
    assert float(M.CosineSimilarity()(yt, yp)) == pytest.approx(1 / np.sqrt(2))
    assert float(M.LogCoshError()(yt, yp)) == pytest.approx(np.log(np.cosh(1.0)) / 2)
    assert float(M.Hinge()([[1.0, -1.0]], [[0.5, 0.5]])) == pytest.approx(1.0)
    assert float(M.CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.8]])) == pytest.approx(0.5)
    assert M.KLDivergence().name == "kullback_leibler_divergence"
    assert M.LogCoshError().name == "logcosh"
    assert M.BinaryAccuracy(threshold=0.7).get_config() == {
        "name": "binary_accuracy", "dtype": "float32", "threshold": 0.7}
    assert M.TopKCategoricalAccuracy(3).get_config()["k"] == 3


# -- losses -----------------------------------------------------------------------------------

def test_focal_losses_reduce_to_crossentropy():
    yt = np.array([[1.0, 0.0, 1.0]], np.float32)
    yp = np.array([[0.8, 0.3, 0.4]], np.float32)
    bce = tf.keras.losses.binary_crossentropy(yt, yp).numpy()
    np.testing.assert_allclose(
        tf.keras.losses.binary_focal_crossentropy(yt, yp, gamma=0.0).numpy(), bce, rtol=1e-6)
    # gamma=2: each term scaled by (1 - p_t)^2 with p_t = .8, .7, .4.
    terms = -np.log(np.array([0.8, 0.7, 0.4]) + 1e-7) * np.array([0.04, 0.09, 0.36])
    np.testing.assert_allclose(tf.keras.losses.binary_focal_crossentropy(yt, yp).numpy(),
                               [terms.mean()], rtol=1e-5)
    bal = tf.keras.losses.binary_focal_crossentropy(yt, yp, apply_class_balancing=True)
    np.testing.assert_allclose(bal.numpy(), [(terms * [0.25, 0.75, 0.25]).mean()], rtol=1e-5)
    cy = np.array([[0.0, 1.0, 0.0]], np.float32)
    cp = np.array([[0.2, 0.5, 0.3]], np.float32)
    np.testing.assert_allclose(
        tf.keras.losses.categorical_focal_crossentropy(cy, cp, alpha=1.0, gamma=0.0).numpy(),
        tf.keras.losses.categorical_crossentropy(cy, cp).numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        tf.keras.losses.categorical_focal_crossentropy(cy, cp).numpy(),
        [0.25 * 0.25 * -np.log(0.5)], rtol=1e-5)


def test_new_loss_classes_and_configs():
    L = tf.keras.losses
    assert float(L.CategoricalHinge()([[0.0, 1.0], [1.0, 0.0]],
                                      [[0.3, 0.8], [0.9, 0.95]])) == pytest.approx(0.775)
    f = L.BinaryFocalCrossentropy(gamma=1.0, name="f")
    cfg = f.get_config()
    assert list(cfg) == ["reduction", "name", "apply_class_balancing", "alpha", "gamma",
                         "from_logits", "label_smoothing", "axis", "fn"]
    assert cfg["fn"] == "binary_focal_crossentropy" and cfg["gamma"] == 1.0
    g = L.BinaryFocalCrossentropy.from_config(cfg)
    assert g.get_config() == cfg
    assert type(L.get("CategoricalFocalCrossentropy")).__name__ == \
        "CategoricalFocalCrossentropy"
    assert L.get("categorical_hinge") is L.categorical_hinge
    d = L.deserialize(L.serialize(L.CategoricalFocalCrossentropy(alpha=0.5)))
    assert d.get_config()["alpha"] == 0.5


# -- lookup, serialization ------------------------------------------------------------------

def test_get_and_deserialize():
    assert M.get("mse") is tf.keras.losses.mean_squared_error
    assert M.get("logcosh") is tf.keras.losses.log_cosh
    assert M.get("cosine_similarity")([[1.0, 0.0]], [[1.0, 0.0]]).numpy().tolist() == [1.0]
    assert isinstance(M.get("TruePositives"), M.TruePositives)
    for bad in ("kld", "auc", "huber", "binary_focal_crossentropy"):
        with pytest.raises(ValueError, match=f"Unknown metric function: '{bad}'"):
            M.get(bad)
    with pytest.raises(TypeError, match="Error when deserializing class 'MeanIoU'"):
        M.get("MeanIoU")
    auc = M.AUC(num_thresholds=7, curve="PR", name="prc")
    again = M.deserialize(M.serialize(auc))
    assert type(again) is M.AUC and again.get_config() == auc.get_config()
    f1 = M.get({"class_name": "F1Score", "config": {"average": "macro"}})
    assert f1.average == "macro"
    assert M.serialize(M.get("mse")) == "mean_squared_error"


@pytest.mark.parametrize("cls,args", [
    (M.TruePositives, {"thresholds": [0.2, 0.4]}), (M.Precision, {"top_k": 2}),
    (M.SpecificityAtSensitivity, {"sensitivity": 0.3}), (M.CosineSimilarity, {"axis": 0}),
    (M.IoU, {"num_classes": 4, "target_class_ids": [1, 2]}), (M.BinaryIoU, {}),
    (M.OneHotIoU, {"num_classes": 3, "target_class_ids": [0]}), (M.R2Score, {}),
    (M.FBetaScore, {"beta": 0.5}), (M.AUC, {"thresholds": [0.1, 0.9]}),
])
def test_config_round_trip(cls, args):
    m = cls(**args)
    assert cls.from_config(m.get_config()).get_config() == m.get_config()


# -- in training ------------------------------------------------------------------------------

def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0.2).astype(np.float32)
    return x, y


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_compile_fit_evaluate_with_new_metrics(run_eagerly):
    tf.keras.backend.clear_session()
    x, y = _data()
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid",
                                                       input_shape=(3,))])
    model.compile("adam", "binary_crossentropy", run_eagerly=run_eagerly, metrics=[
        "mse", "logcosh", "AUC", "TruePositives", M.FalseNegatives(name="fn"),
        M.AUC(name="prc", curve="PR"), M.SensitivityAtSpecificity(0.5), M.R2Score(),
        M.F1Score(average="micro", threshold=0.5)])
    hist = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert list(hist.history) == ["loss", "mse", "logcosh", "auc", "true_positives", "fn",
                                  "prc", "sensitivity_at_specificity", "r2_score",
                                  "f1_score"]
    res = model.evaluate(x, y, verbose=0, return_dict=True)
    preds = model.predict(x, verbose=0)
    # Counts on the whole set agree with a direct computation from the predictions.
    assert res["true_positives"] == float(((preds > 0.5) & (y > 0)).sum())
    assert res["fn"] == float(((preds <= 0.5) & (y > 0)).sum())
    direct = M.AUC()
    direct.update_state(y, preds)
    assert res["auc"] == pytest.approx(float(direct.result()), abs=1e-6)


def test_docstring_examples_run():
    for name in ("metrics", "metrics_confusion", "metrics_scores", "losses"):
        mod = importlib.import_module(f"tapeflow._src.keras.{name}")
        result = doctest.testmod(mod, extraglobs={"tf": tf},
                                 optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
        assert result.attempted > 0 and result.failed == 0, name


# -- properties against NumPy ---------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_grid = st.integers(0, 15).map(lambda i: (2 * i + 1) / 32.0)  # never on a threshold k/4


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _grid, st.sampled_from([0.0, 0.5, 1.0, 2.0])),
                min_size=1, max_size=12),
       st.sampled_from([[0.0, 0.25, 0.5, 0.75, 1.0], [0.1, 0.45, 0.8]]))
def test_confusion_counts_match_numpy(rows, thresholds):
    # The first threshold list is evenly spaced (bucketed path), the second is not.
    y = np.array([r[0] for r in rows], np.float32)
    p = np.array([r[1] for r in rows], np.float32)
    w = np.array([r[2] for r in rows], np.float32)
    t = np.array(thresholds, np.float32)[:, None]
    pos = p[None, :] > t
    want = {"tp": (pos & (y > 0)), "fp": (pos & (y == 0)), "fn": (~pos & (y > 0)),
            "tn": (~pos & (y == 0))}
    for cls, key in ((M.TruePositives, "tp"), (M.FalsePositives, "fp"),
                     (M.FalseNegatives, "fn"), (M.TrueNegatives, "tn")):
        m = cls(thresholds=thresholds)
        m.update_state(y, p, sample_weight=w)
        np.testing.assert_allclose(_val(m), (want[key] * w).sum(1), rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 999)), min_size=2, max_size=20,
                unique_by=lambda r: r[1]))
def test_auc_equals_mann_whitney_on_distinct_scores(rows):
    y = np.array([r[0] for r in rows], np.float32)
    p = np.array([(r[1] + 0.5) / 1000.0 for r in rows], np.float32)  # one per bucket
    npos, nneg = int(y.sum()), int((1 - y).sum())
    m = M.AUC(num_thresholds=1001)
    m.update_state(y, p)
    if npos == 0 or nneg == 0:
        return
    wins = sum(float(a > b) for a in p[y > 0] for b in p[y == 0])
    assert float(m.result()) == pytest.approx(wins / (npos * nneg), abs=1e-5)


def test_sparse_crossentropy_ignore_class_masks_loss_and_metric():
    logits = np.log(np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]], np.float32))
    labels = np.array([0, -1, 1])
    per = tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True,
                                                          ignore_class=-1)
    np.testing.assert_allclose(per.numpy(), [np.log(2), 0.0, -np.log(0.1)], rtol=1e-5)
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    # Mean over the two valid entries, not the three.
    assert float(loss(labels, logits)) == pytest.approx((np.log(2) - np.log(0.1)) / 2,
                                                        rel=1e-5)
    summed = tf.keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, reduction="sum")
    assert float(summed(labels, logits, sample_weight=[2.0, 5.0, 1.0])) == pytest.approx(
        2 * np.log(2) - np.log(0.1), rel=1e-5)
    m = M.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    m.update_state(labels, logits)
    assert float(m.result()) == pytest.approx((np.log(2) - np.log(0.1)) / 2, rel=1e-5)
    assert float(m.count.numpy()) == 2.0


def test_iou_rejects_out_of_range_ids():
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
        M.MeanIoU(2).update_state([0, 3], [0, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`predictions` out of bound"):
        M.MeanIoU(2).update_state([0, 1], [0, 5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` contains negative"):
        M.MeanIoU(2).update_state([-1, 1], [0, 1])
