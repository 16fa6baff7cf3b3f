import numpy as np
import pytest

import tapeflow as tf


def test_losses_hand_computed():
    yt = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    yp = np.array([[0.2, 0.8], [0.6, 0.4]], np.float32)
    assert float(tf.keras.losses.MeanSquaredError()(yt, yp)) == pytest.approx(
        np.mean((yt - yp) ** 2))
    assert float(tf.keras.losses.MeanAbsoluteError()(yt, yp)) == pytest.approx(
        np.mean(np.abs(yt - yp)))
    cce = -np.mean(np.sum(yt * np.log(yp), 1))
    assert float(tf.keras.losses.CategoricalCrossentropy()(yt, yp)) == pytest.approx(cce,
                                                                                    rel=1e-5)
    scce = tf.keras.losses.SparseCategoricalCrossentropy()([1, 0], yp)
    assert float(scce) == pytest.approx(cce, rel=1e-5)
    logits = np.array([[1.0, 2.0], [0.5, -1.0]], np.float32)
    lsm = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    want = -np.mean(lsm[[0, 1], [1, 0]])
    assert float(tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        [1, 0], logits)) == pytest.approx(want, rel=1e-5)
    w = tf.keras.losses.MeanSquaredError()(yt, yp, sample_weight=[1.0, 0.0])
    assert float(w) == pytest.approx(np.mean((yt[0] - yp[0]) ** 2) / 2)
    none = tf.keras.losses.MeanSquaredError(reduction="none")(yt, yp)
    assert none.shape == (2,)
    err = np.abs(yt - yp)
    assert float(tf.keras.losses.Huber(delta=0.5)(yt, yp)) == pytest.approx(np.mean(
        np.where(err <= 0.5, 0.5 * err ** 2, 0.5 * err - 0.125)), rel=1e-5)
    bce = -np.mean(yt * np.log(yp) + (1 - yt) * np.log(1 - yp))
    assert float(tf.keras.losses.BinaryCrossentropy()(yt, yp)) == pytest.approx(bce, rel=1e-4)
    smooth = tf.keras.losses.CategoricalCrossentropy(label_smoothing=0.2)(yt, yp)
    yts = yt * 0.8 + 0.1
    assert float(smooth) == pytest.approx(-np.mean(np.sum(yts * np.log(yp), 1)), rel=1e-5)


def test_metrics_hand_computed():
    m = tf.keras.metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([4.0], sample_weight=[3.0])
    assert float(m.result()) == pytest.approx((6 + 12) / 6)
    m.reset_state()
    assert float(m.result()) == 0.0
    acc = tf.keras.metrics.SparseCategoricalAccuracy()
    acc.update_state([1, 0, 1], [[0.1, 0.9], [0.8, 0.2], [0.7, 0.3]])
    assert float(acc.result()) == pytest.approx(2 / 3)
    p = tf.keras.metrics.Precision()
    p.update_state([0, 1, 1, 1], [1, 1, 0, 1])
    assert float(p.result()) == pytest.approx(2 / 3)
    r = tf.keras.metrics.Recall()
    r.update_state([0, 1, 1, 1], [1, 1, 0, 1])
    assert float(r.result()) == pytest.approx(2 / 3)
    auc = tf.keras.metrics.AUC()
    auc.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert float(auc.result()) == pytest.approx(0.75, abs=0.01)
    rmse = tf.keras.metrics.RootMeanSquaredError()
    rmse.update_state([0.0, 0.0], [3.0, 4.0])
    assert float(rmse.result()) == pytest.approx(np.sqrt(12.5))
    top = tf.keras.metrics.TopKCategoricalAccuracy(k=1)
    top.update_state([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]])
    assert float(top.result()) == pytest.approx(0.5)


def _one_step(opt, w0, g):
    v = tf.Variable(np.array(w0, np.float32))
    opt.apply_gradients([(tf.constant(np.array(g, np.float32)), v)])
    return v.numpy()


def test_sgd_momentum_and_nesterov_steps():
    w, g = [1.0, 2.0], [0.5, -1.0]
    np.testing.assert_allclose(_one_step(tf.keras.optimizers.SGD(0.1), w, g), [0.95, 2.1])
    opt = tf.keras.optimizers.SGD(0.1, momentum=0.9)
    v = tf.Variable([1.0])
    for _ in range(2):
        opt.apply_gradients([(tf.constant([1.0]), v)])
    # m1 = -0.1, w1 = 0.9; m2 = -0.1 + 0.9 * -0.1 = -0.19, w2 = 0.71
    np.testing.assert_allclose(v.numpy(), [0.71], rtol=1e-6)
    assert int(opt.iterations.numpy()) == 2
    np.testing.assert_allclose(_one_step(tf.keras.optimizers.SGD(0.1, 0.9, nesterov=True),
                                         [1.0], [1.0]), [1.0 - 0.1 - 0.09], rtol=1e-6)


def test_adam_first_step_is_lr_times_sign():
    out = _one_step(tf.keras.optimizers.Adam(0.01), [1.0, -1.0], [0.3, -2.0])
    np.testing.assert_allclose(out, [0.99, -0.99], rtol=1e-5)


def test_other_optimizers_step_and_decrease_quadratic():
    for cls in [tf.keras.optimizers.RMSprop, tf.keras.optimizers.Adagrad,
                tf.keras.optimizers.Adadelta, tf.keras.optimizers.Adamax,
                tf.keras.optimizers.Nadam, tf.keras.optimizers.AdamW]:
        opt = cls(learning_rate=0.1) if cls is not tf.keras.optimizers.Adadelta else cls(1.0)
        v = tf.Variable([3.0, -2.0])
        for _ in range(20):
            opt.minimize(lambda: tf.reduce_sum(v * v), [v])
        assert float(tf.reduce_sum(v * v)) < 13.0, cls.__name__


def test_clipping_none_grads_constraints_and_schedules(caplog):
    v = tf.Variable([1.0], constraint=lambda x: tf.maximum(x, 0.5))
    u = tf.Variable([1.0])
    opt = tf.keras.optimizers.SGD(1.0, clipvalue=0.1)
    opt.apply_gradients([(tf.constant([10.0]), v), (None, u)])
    np.testing.assert_allclose(v.numpy(), [0.9])
    assert "Gradients do not exist" in caplog.text
    opt = tf.keras.optimizers.SGD(1.0, clipnorm=1.0)
    np.testing.assert_allclose(_one_step(opt, [0.0, 0.0], [3.0, 4.0]), [-0.6, -0.8], rtol=1e-6)
    v = tf.Variable([1.0])
    tf.keras.optimizers.SGD(1.0).apply_gradients([(tf.constant([5.0]), tf.Variable([0.0]))])
    sched = tf.keras.optimizers.schedules.ExponentialDecay(1.0, 10, 0.5)
    opt = tf.keras.optimizers.SGD(sched)
    assert float(opt.learning_rate) == pytest.approx(1.0)
    opt.iterations.assign(10)
    assert float(opt.learning_rate) == pytest.approx(0.5)
    pc = tf.keras.optimizers.schedules.PiecewiseConstantDecay([5], [1.0, 0.1])
    assert float(pc(3)) == 1.0 and float(pc(6)) == pytest.approx(0.1)
    cd = tf.keras.optimizers.schedules.CosineDecay(1.0, 10)
    assert float(cd(5)) == pytest.approx(0.5) and float(cd(10)) == pytest.approx(0.0)
    assert tf.keras.optimizers.Adam(0.5).get_config()["learning_rate"] == 0.5


def test_sgd_keeps_a_momentum_slot_even_without_momentum_as_keras():
    o = tf.keras.optimizers.SGD(0.1)
    v = tf.Variable([1.0, 2.0])
    o.apply_gradients([(tf.constant([1.0, 3.0]), v)])
    names = [x.name for x in o.variables()]
    assert names == ["iteration:0", "SGD/m/Variable:0"]
    np.testing.assert_array_equal(o.variables()[1].numpy(), np.float32([-0.1, -0.3]))
    np.testing.assert_array_equal(v.numpy(), np.float32([1.0, 2.0]) - np.float32(
        [1.0, 3.0]) * np.float32(0.1))

    w = tf.Variable(1.0)
    o2 = tf.keras.optimizers.SGD(0.1)

    @tf.function
    def step():
        o2.apply_gradients([(tf.constant(1.0), w)])

    step()
    step()
    assert step.experimental_get_tracing_count() == 2   # the first trace created "m"
    assert abs(float(w) - 0.8) < 1e-6


def test_schedules_are_tensor_ops_so_fit_traces_once():
    # A schedule that read the step into Python made every traced step retrace.
    tf.keras.backend.clear_session()
    sched = tf.keras.optimizers.schedules
    x = np.random.rand(64, 5).astype("float32")
    y = np.random.rand(64, 1).astype("float32")
    for lr in (sched.InverseTimeDecay(0.01, 10, 1.0), sched.CosineDecay(0.01, 20),
               sched.PiecewiseConstantDecay([3, 6], [0.01, 0.005, 0.001]),
               sched.CosineDecay(0.0, 20, warmup_target=0.01, warmup_steps=4)):
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(5,))])
        model.compile(optimizer=tf.keras.optimizers.SGD(lr), loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        cf, = model._k_train_fn._traced_order
        assert len(cf.programs) == 1
        assert int(model.optimizer.iterations.numpy()) == 16


def test_schedule_values_in_float32_and_on_arrays():
    sched = tf.keras.optimizers.schedules
    v = sched.InverseTimeDecay(0.001, 10000, 1)(5000)
    one = np.float32(1)
    assert v.dtype == tf.float32 and v.numpy() == np.float32(0.001) / (
        one + one * (np.float32(5000) / np.float32(10000)))
    np.testing.assert_allclose(sched.InverseTimeDecay(1.0, 1, 1)(np.array([0.0, 1.0, 3.0])),
                               [1.0, 0.5, 0.25])
    np.testing.assert_allclose(sched.CosineDecay(1.0, 4)(np.array([0.0, 2.0, 4.0, 8.0])),
                               [1.0, 0.5, 0.0, 0.0], atol=1e-7)
    pc = sched.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])
    assert [float(pc(s)) for s in (0, 10, 11, 20, 21)] == [
        float(np.float32(v)) for v in (0.1, 0.1, 0.01, 0.01, 0.001)]
    warm = sched.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    np.testing.assert_allclose([float(warm(s)) for s in (0, 2, 4, 9, 14, 99)],
                               [0.0, 0.5, 1.0, 0.5, 0.0, 0.0], atol=1e-6)
