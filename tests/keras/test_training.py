import json
import os

import numpy as np
import pytest

import tapeflow as tf


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3)).astype("float32")
    y = (x.sum(1) > 1.5).astype("int32")
    return x, y


def _model(act="softmax"):
    tf.keras.backend.clear_session()
    tf.random.set_seed(0)
    return tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(3,)),
                                tf.keras.layers.Dense(2, activation=act)])


def test_fit_evaluate_predict_history():
    x, y = _data()
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    h = m.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    assert sorted(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(h.history["loss"]) == 3
    loss, acc = m.evaluate(x, y, verbose=0)
    assert 0 <= acc <= 1 and loss > 0
    assert m.predict(x, verbose=0).shape == (64, 2)
    assert m.metrics_names == ["loss", "accuracy"]
    assert [v.name for v in m.variables][:2] == ["dense/kernel:0", "dense/bias:0"]


def test_evaluate_loss_is_sample_weighted_mean_of_batches():
    x, y = _data(10)
    m = _model()
    m.compile("sgd", "sparse_categorical_crossentropy")
    full = m.evaluate(x, y, batch_size=10, verbose=0)
    batched = m.evaluate(x, y, batch_size=4, verbose=0)
    assert full == pytest.approx(batched, rel=1e-5)
    p = m.predict(x, verbose=0)
    want = -np.log(p[np.arange(10), y]).mean()
    assert full == pytest.approx(want, rel=1e-4)


def test_training_lowers_loss_functional_multi_input():
    tf.keras.backend.clear_session()
    a = tf.keras.Input(shape=(3,))
    b = tf.keras.Input(shape=(2,))
    h = tf.keras.layers.Concatenate()([tf.keras.layers.Dense(4)(a), b])
    out = tf.keras.layers.Dense(1)(h)
    m = tf.keras.Model([a, b], out)
    # Keras orders layers by depth: the second input sits beside the first Dense.
    assert [l.name for l in m.layers] == ["input_1", "dense", "input_2", "concatenate", "dense_1"]
    rng = np.random.default_rng(1)
    xa, xb = rng.random((32, 3)), rng.random((32, 2))
    y = xa.sum(1, keepdims=True) - xb[:, :1]
    m.compile(tf.keras.optimizers.SGD(0.1), "mse")
    hist = m.fit([xa, xb], y, epochs=5, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert m.predict([xa, xb], verbose=0).shape == (32, 1)


def test_custom_train_step_and_generator_input():
    class M(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = tf.keras.layers.Dense(1)
            self.tracker = tf.keras.metrics.Mean(name="loss")

        def call(self, x, training=None):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

        @property
        def metrics(self):
            return [self.tracker]

    m = M()
    m.compile(tf.keras.optimizers.SGD(0.1))
    rng = np.random.default_rng(0)

    def gen():
        while True:
            x = rng.random((8, 2)).astype("float32")
            yield x, x.sum(1, keepdims=True)

    h = m.fit(gen(), steps_per_epoch=10, epochs=3, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_iterable_dataset_with_cardinality():
    class DS:
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __iter__(self):
            for i in range(0, len(self.x), 16):
                yield tf.constant(self.x[i:i + 16]), tf.constant(self.y[i:i + 16])

        def cardinality(self):
            return tf.constant(4, tf.int64)

    x, y = _data()
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    h = m.fit(DS(x, y), epochs=2, verbose=0)
    assert len(h.history["accuracy"]) == 2


def test_accuracy_resolution():
    x, y = _data()
    m = _model(act="sigmoid")
    m.compile("adam", "binary_crossentropy", ["accuracy"])
    yy = np.stack([y, 1 - y], 1).astype("float32")
    m.fit(x, yy, epochs=1, verbose=0)
    assert m.compiled_metrics.metrics[0]._fn is tf.keras.metrics.binary_accuracy
    m2 = _model()
    m2.compile("adam", "categorical_crossentropy", ["accuracy"])
    m2.fit(x, yy, epochs=1, verbose=0)
    assert m2.compiled_metrics.metrics[0]._fn is tf.keras.metrics.categorical_accuracy


def test_progbar_output_formats(capsys):
    x, y = _data(20)
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    m.fit(x, y, epochs=2, verbose=2, batch_size=10)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2"
    assert out[1].startswith("2/2 - ") and " - loss: " in out[1] and "/epoch - " in out[1]
    m.fit(x, y, epochs=1, verbose=1, batch_size=10)
    out = capsys.readouterr().out
    assert "2/2 [==============================] - " in out and "/step - loss: " in out
    m.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_train_test_predict_on_batch_and_class_weight():
    x, y = _data(16)
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    r = m.train_on_batch(x, y)
    assert len(r) == 2
    assert isinstance(m.test_on_batch(x, y, return_dict=True), dict)
    assert m.predict_on_batch(x).shape == (16, 2)
    m.fit(x, y, class_weight={0: 1.0, 1: 5.0}, epochs=1, verbose=0)


def test_callbacks_early_stopping_csv_lambda_terminate(tmp_path):
    x, y = _data()
    m = _model()
    m.compile(tf.keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    seen = []
    csv_path = tmp_path / "log.csv"
    h = m.fit(x, y, epochs=10, verbose=0, validation_data=(x, y), callbacks=[
        tf.keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True),
        tf.keras.callbacks.CSVLogger(str(csv_path)),
        tf.keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))])
    assert len(h.history["loss"]) == 3 and seen == [0, 1, 2]
    assert csv_path.read_text().splitlines()[0] == "epoch,loss,val_loss"
    m.compile(tf.keras.optimizers.SGD(1e30), "mse")
    h = m.fit(x, np.full((64, 2), 1e30, "float32"), epochs=3, verbose=0,
              callbacks=[tf.keras.callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1


def test_lr_scheduler_and_reduce_on_plateau():
    x, y = _data()
    m = _model()
    m.compile(tf.keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    m.fit(x, y, epochs=3, verbose=0, callbacks=[
        tf.keras.callbacks.LearningRateScheduler(lambda e, lr: 0.1 / (e + 1))])
    assert float(m.optimizer.learning_rate.numpy()) == pytest.approx(0.1 / 3)
    m.compile(tf.keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
    m.optimizer.learning_rate = 0.5
    h = m.fit(x, y, epochs=3, verbose=0, callbacks=[
        tf.keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)])
    assert h.history["lr"][0] == pytest.approx(0.5)


def test_model_checkpoint_and_weights_roundtrip(tmp_path):
    x, y = _data()
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy")
    path = str(tmp_path / "best.weights.npz")
    m.fit(x, y, epochs=2, verbose=0, validation_data=(x, y), callbacks=[
        tf.keras.callbacks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True)])
    assert os.path.exists(path)
    w = m.get_weights()
    m.set_weights([np.zeros_like(a) for a in w])
    m.load_weights(path)
    other = _model()
    other.load_weights(path)
    for a, b in zip(m.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_load_into_different_architecture_is_an_error(tmp_path):
    m = _model()
    path = str(tmp_path / "w.npz")
    m.save_weights(path)
    tf.keras.backend.clear_session()
    other = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(3,)),
                                 tf.keras.layers.Dense(2)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="do not match"):
        other.load_weights(path)
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_crash_mid_save_keeps_old_file(tmp_path, monkeypatch):
    from tapeflow._src.keras import saving
    m = _model()
    path = str(tmp_path / "w.npz")
    m.save_weights(path)
    old = m.get_weights()
    m.set_weights([a + 1 for a in old])

    def broken(f, **arrays):
        f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(saving.np, "savez", broken)
    with pytest.raises(OSError):
        m.save_weights(path)
    monkeypatch.undo()
    m.load_weights(path)
    for a, b in zip(old, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "w.npz"]  # no temp


def test_checkpoint_and_manager(tmp_path):
    x, y = _data()
    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy")
    m.fit(x, y, epochs=1, verbose=0)
    step = tf.Variable(3)
    ckpt = tf.train.Checkpoint(model=m, optimizer=m.optimizer, step=step)
    path = ckpt.save(str(tmp_path / "ckpt"))
    assert path.endswith("ckpt-1")
    w, it = m.get_weights(), int(m.optimizer.iterations.numpy())
    m.fit(x, y, epochs=1, verbose=0)
    step.assign(9)
    ckpt.restore(path)
    assert int(step.numpy()) == 3 and int(m.optimizer.iterations.numpy()) == it
    for a, b in zip(w, m.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    mgr = tf.train.CheckpointManager(ckpt, str(tmp_path / "m"), max_to_keep=2)
    for _ in range(3):
        mgr.save()
    assert len(mgr.checkpoints) == 2
    assert sorted(os.listdir(tmp_path / "m")) == ["checkpoint", "ckpt-3.npz", "ckpt-4.npz"]
    step = tf.Variable([1, 2])
    bad = tf.train.Checkpoint(step=step)
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(\) when "
                                         r"attempting to restore variable with shape \(2,\)"):
        bad.restore(path)
    assert step.numpy().tolist() == [1, 2]  # nothing assigned


def test_checkpoint_restores_a_subset_or_superset(tmp_path):
    def model():
        return tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    gen, disc = model(), model()
    path = tf.train.Checkpoint(generator=gen, discriminator=disc).save(str(tmp_path / "c"))
    only = model()
    status = tf.train.Checkpoint(generator=only).restore(path)   # the generator alone
    for a, b in zip(only.get_weights(), gen.get_weights()):
        np.testing.assert_array_equal(a, b)
    status.assert_existing_objects_matched().expect_partial()
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    more = model()
    extra = tf.Variable(5.0)
    status = tf.train.Checkpoint(generator=more, step=extra).restore(path)
    assert float(extra) == 5.0                               # not in the file: unchanged
    with pytest.raises(AssertionError, match="was not assigned a value"):
        status.assert_existing_objects_matched()
    with pytest.raises(tf.errors.NotFoundError, match="You may be missing the checkpoint "
                                                      "suffix"):
        tf.train.Checkpoint(generator=more).restore(str(tmp_path / "nope-7"))


def test_summary_matches_keras2(capsys):
    tf.keras.backend.clear_session()
    m = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                             tf.keras.layers.Dense(2)])
    m.summary()
    want = """Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 dense (Dense)               (None, 4)                 16        
                                                                 
 dense_1 (Dense)             (None, 2)                 10        
                                                                 
=================================================================
Total params: 26 (104.00 Byte)
Trainable params: 26 (104.00 Byte)
Non-trainable params: 0 (0.00 Byte)
_________________________________________________________________
"""
    assert capsys.readouterr().out == want


def test_datasets_download_cache_and_offline_error(tmp_path, monkeypatch):
    from tapeflow._src.keras import datasets
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    src = tmp_path / "src.npz"
    arrs = dict(x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8),
                x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    np.savez(src, **arrs)
    calls = []

    def fake(url, dest):
        calls.append(url)
        with open(src, "rb") as f, open(dest, "wb") as g:
            g.write(f.read())

    monkeypatch.setattr(datasets, "_download", fake)
    monkeypatch.setattr(datasets, "MNIST_SHA256", datasets._sha256(src))
    (xt, yt), (xs, ys) = tf.keras.datasets.mnist.load_data()
    assert xt.shape == (2, 28, 28) and calls == [datasets.BASE_URL + "mnist.npz"]
    assert os.path.exists(tmp_path / "datasets" / "mnist.npz")
    tf.keras.datasets.mnist.load_data()
    assert len(calls) == 1  # cached
    os.remove(tmp_path / "datasets" / "mnist.npz")
    monkeypatch.setattr(datasets, "MNIST_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="sha256"):
        tf.keras.datasets.mnist.load_data()

    def offline(url, dest):
        raise OSError("no network")

    monkeypatch.setattr(datasets, "_download", offline)
    with pytest.raises(RuntimeError, match="place it at"):
        tf.keras.datasets.mnist.load_data()
    (xt, yt), (xs, ys) = tf.keras.datasets.mnist.load_sample()
    assert xt.shape == (4000, 28, 28) and xs.shape == (1000, 28, 28)


def test_checkpoint_restores_optimizer_slots_lazily(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((32, 3)).astype("float32")
    y = rng.random((32, 1)).astype("float32")

    def make():
        tf.keras.backend.clear_session()
        tf.random.set_seed(1)
        m = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,)),
                                 tf.keras.layers.Dense(1)])
        m.compile("adam", "mse")
        return m

    m = make()
    m.fit(x, y, epochs=2, verbose=0, shuffle=False)
    path = tf.train.Checkpoint(model=m, optimizer=m.optimizer).save(str(tmp_path / "c"))
    m.fit(x, y, epochs=1, verbose=0, shuffle=False)
    m2 = make()
    tf.train.Checkpoint(model=m2, optimizer=m2.optimizer).restore(path)
    m2.fit(x, y, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert int(m2.optimizer.iterations.numpy()) == 3


def test_sample_weight_initial_epoch_and_stop_training():
    x, y = _data(32)
    m = _model()
    m.compile("sgd", "sparse_categorical_crossentropy")
    sw = np.zeros(32, np.float32)
    w0 = m.get_weights()
    m.fit(x, y, sample_weight=sw, epochs=1, verbose=0)
    for a, b in zip(w0, m.get_weights()):
        np.testing.assert_allclose(a, b)
    h = m.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert h.epoch == [2, 3]

    class Stop(tf.keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    h = m.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[Stop()])
    assert len(h.history["loss"]) == 1
    assert int(m.optimizer.iterations.numpy()) == 1 + 2 + 2


def test_sequential_add_pop_and_build_on_first_call():
    tf.keras.backend.clear_session()
    m = tf.keras.Sequential()
    m.add(tf.keras.layers.Dense(3))
    m.add(tf.keras.layers.Dense(2))
    assert not m.built
    out = m(np.ones((4, 5)))
    assert out.shape == (4, 2)
    assert [v.name for v in m.weights] == ["dense/kernel:0", "dense/bias:0",
                                           "dense_1/kernel:0", "dense_1/bias:0"]
    m.pop()
    assert len(m.layers) == 1
    assert m(np.ones((1, 5))).shape == (1, 3)


def test_string_mse_with_rank1_targets_does_not_broadcast():
    tf.keras.backend.clear_session()
    m = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,),
                                                   kernel_initializer="zeros")])
    m.compile("sgd", "mse")
    x = np.ones((4, 2), np.float32)
    y = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    assert m.evaluate(x, y, verbose=0) == pytest.approx(np.mean(y ** 2))

    def custom(y_true, y_pred):
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    m.compile("sgd", custom)
    assert m.evaluate(x, y, verbose=0) == pytest.approx(np.mean(y))


def test_keras_sequence_input_and_to_categorical():
    x, y = _data(40)

    class Seq(tf.keras.utils.Sequence):
        epochs_ended = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

        def on_epoch_end(self):
            Seq.epochs_ended += 1

    m = _model()
    m.compile("adam", "sparse_categorical_crossentropy")
    h = m.fit(Seq(), epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    np.testing.assert_array_equal(tf.keras.utils.to_categorical([0, 2], 3),
                                  [[1, 0, 0], [0, 0, 1]])


def test_sequential_config_round_trip():
    m = _model()
    clone = tf.keras.Sequential.from_config(m.get_config())
    clone.set_weights(m.get_weights())
    x, _ = _data(4)
    np.testing.assert_allclose(clone.predict(x, verbose=0), m.predict(x, verbose=0))


def test_functional_config_round_trip_multi_input_output():
    tf.keras.backend.clear_session()
    a = tf.keras.Input(shape=(3,), name="a")
    b = tf.keras.Input(shape=(2,), name="b")
    h = tf.keras.layers.Dense(4, activation="relu")(a)
    c = tf.keras.layers.Concatenate()([h, b])
    out1 = tf.keras.layers.Dense(1, name="reg")(c)
    out2 = tf.keras.layers.Dense(2, activation="softmax", name="cls")(c)
    m = tf.keras.Model([a, b], [out1, out2])
    config = m.get_config()
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["layers"][3]["inbound_nodes"] == [[["dense", 0, 0, {}], ["b", 0, 0, {}]]]
    clone = tf.keras.Model.from_config(config)
    clone.set_weights(m.get_weights())
    rng = np.random.default_rng(0)
    xa, xb = rng.random((4, 3)), rng.random((4, 2))
    for p, q in zip(m.predict([xa, xb], verbose=0), clone.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_checkpoint_save_counter_is_restored(tmp_path):
    v = tf.Variable(1.0)
    ckpt = tf.train.Checkpoint(v=v)
    ckpt.save(str(tmp_path / "c"))
    p2 = ckpt.save(str(tmp_path / "c"))
    assert p2.endswith("c-2")
    fresh = tf.train.Checkpoint(v=tf.Variable(0.0))
    fresh.restore(p2)
    assert int(fresh.save_counter.numpy()) == 2 and float(fresh.v.numpy()) == 1.0
    assert fresh.save(str(tmp_path / "c")).endswith("c-3")


def test_checkpoint_restore_into_unbuilt_models_is_deferred(tmp_path):
    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = tf.keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

    a = Net()
    x = np.ones((1, 3), np.float32)
    want = a(x).numpy()
    path = tf.train.Checkpoint(model=a).save(str(tmp_path / "c"))
    b = Net()
    tf.train.Checkpoint(model=b).restore(path)
    np.testing.assert_allclose(b(x).numpy(), want)
    seq = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    p2 = tf.train.Checkpoint(model=seq).save(str(tmp_path / "s"))
    lazy = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    tf.train.Checkpoint(model=lazy).restore(p2)
    np.testing.assert_allclose(lazy(x).numpy(), seq(x).numpy())


def test_evaluate_refuses_unknown_keyword_arguments_as_keras():
    m = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    m.compile("sgd", "mse")
    x, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    with pytest.raises(TypeError, match=r"^Invalid keyword arguments: \['shuffle'\]$"):
        m.evaluate(x, y, verbose=0, shuffle=False)
    assert set(m.evaluate(x, y, verbose=0, return_dict=True)) == {"loss"}


def test_a_model_subclass_built_with_the_functional_api_uses_its_overrides():
    calls = []

    class CustomModel(tf.keras.Model):
        def train_step(self, data):
            calls.append(1)
            return super().train_step(data)

    inputs = tf.keras.Input(shape=(3,))
    model = CustomModel(inputs, tf.keras.layers.Dense(1)(inputs))
    assert type(model).__name__ == "CustomModel" and isinstance(model, CustomModel)
    assert [layer.__class__.__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    model.compile("sgd", "mse")
    x, y = np.ones((8, 3), np.float32), np.ones((8, 1), np.float32)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert calls                                   # traced once or twice, then replayed
    assert model(x).shape == (8, 1)
    kw = CustomModel(inputs=inputs, outputs=tf.keras.layers.Dense(2)(inputs))
    assert kw(x).shape == (8, 2)


def test_sequential_guide_behaviours():
    layers = tf.keras.layers
    model = tf.keras.Sequential([layers.Dense(2), layers.Dense(3)])
    with pytest.raises(ValueError, match="Weights for model 'sequential.*' have not yet been "
                                         "created"):
        model.weights
    with pytest.raises(ValueError, match="have not yet been created"):
        model.trainable_variables
    model(tf.ones((1, 4)))                       # the graph keeps the batch size it saw
    assert model.input_shape == (1, 4) and model.layers[0].output_shape == (1, 2)
    assert len(model.weights) == 4
    model(tf.ones((3, 4)))                       # another batch size relaxes it
    assert model.input_shape == (None, 4) and model.layers[1].output_shape == (None, 3)

    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(model.layers[0].name) is model.layers[0]
    with pytest.raises(ValueError, match=r"^No such layer: zz\. Existing layers are: "):
        model.get_layer("zz")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        model.get_layer()

    initial = tf.keras.Sequential([tf.keras.Input(shape=(6, 6, 1)),
                                   layers.Conv2D(2, 3, activation="relu"),
                                   layers.Conv2D(2, 3, name="middle"),
                                   layers.Conv2D(2, 1)])
    extractor = tf.keras.Model(inputs=initial.inputs,
                               outputs=initial.get_layer(name="middle").output)
    assert extractor(tf.ones((1, 6, 6, 1))).shape == (1, 2, 2, 2)


def test_functional_models_order_layers_and_infer_unknown_dims_as_keras():
    tf.keras.backend.clear_session()
    layers = tf.keras.layers
    title = tf.keras.Input(shape=(None,), name="title")
    tags = tf.keras.Input(shape=(4,), name="tags")
    emb = layers.Embedding(10, 3)(title)
    assert emb.shape.as_list() == [None, None, 3]        # not the probe's length
    x = layers.concatenate([layers.GlobalAveragePooling1D()(emb), tags])
    model = tf.keras.Model([title, tags], layers.Dense(1, name="out")(x))
    assert [l.name for l in model.layers] == ["title", "embedding", "global_average_pooling1d",
                                              "tags", "concatenate", "out"]
    assert model([tf.zeros([2, 7]), tf.zeros([2, 4])]).shape == (2, 1)


def test_conv2d_transpose_shapes_and_gradients():
    layer = tf.keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", use_bias=False)
    x = tf.random.normal([2, 4, 4, 2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        total = tf.reduce_sum(y)
    assert y.shape == (2, 8, 8, 3) and layer.kernel.shape == (3, 3, 3, 2)
    assert tape.gradient(total, x).shape == x.shape
    valid = tf.keras.layers.Conv2DTranspose(1, 2, use_bias=False, kernel_initializer="ones")
    out = valid(tf.ones([1, 2, 2, 1]))
    np.testing.assert_array_equal(out.numpy()[0, :, :, 0],
                                  [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])
    assert tf.keras.layers.Conv2DTranspose(2, 3, strides=2, output_padding=1)(
        tf.ones([1, 3, 3, 1])).shape == (1, 8, 8, 2)
    with pytest.raises(ValueError, match="must be greater than output padding"):
        tf.keras.layers.Conv2DTranspose(2, 3, strides=1, output_padding=1)


def test_one_rank_short_inputs_get_the_trailing_axis_of_an_input_of_width_one():
    # The regression tutorial feeds a 1-D column to Sequential([Dense(1, input_shape=[1])]).
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=[1],
                                                       kernel_initializer="ones")])
    x = np.arange(4.0)
    np.testing.assert_allclose(model(x).numpy(), x[:, None])
    assert model.predict(x, verbose=0).shape == (4, 1)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x, epochs=1, verbose=0)
    inp = tf.keras.Input((3, 1))
    assert tf.keras.Model(inp, tf.keras.layers.Flatten()(inp))(np.ones((2, 3))).shape == (2, 3)
    inp = tf.keras.Input((3,))
    squeeze = tf.keras.Model(inp, inp * 2.0)
    assert squeeze(np.ones((2, 3, 1))).shape == (2, 3)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(2, 4\)"):
        squeeze(np.ones((2, 4)))


def test_dense_refuses_one_dimensional_inputs():
    with pytest.raises(ValueError, match=r'"dense\w*" is incompatible with the layer: expected '
                                         r"min_ndim=2, found ndim=1. Full shape received: "
                                         r"\(3,\)"):
        tf.keras.layers.Dense(2)(np.arange(3.0))


def test_sequential_built_by_one_image_then_used_on_batches():
    # The data augmentation tutorial: a Sequential first called on one image (rank 3) is
    # then used inside a model on batches (rank 4); another with other sizes is relaxed.
    tf.keras.backend.clear_session()
    resize = tf.keras.Sequential([tf.keras.layers.Resizing(8, 8),
                                  tf.keras.layers.Rescaling(1.0 / 255)])
    assert resize(np.ones((12, 10, 3), np.float32)).shape == (8, 8, 3)
    flip = tf.keras.Sequential([tf.keras.layers.RandomFlip("horizontal")])
    assert flip(np.ones((1, 12, 10, 3), np.float32)).shape == (1, 12, 10, 3)
    model = tf.keras.Sequential([resize, flip, tf.keras.layers.Flatten(),
                                 tf.keras.layers.Dense(2)])
    x = np.random.default_rng(0).random((4, 12, 10, 3), dtype=np.float32)
    assert model(x).shape == (4, 2)
    model.compile("adam", "mse")
    model.fit(x, np.zeros((4, 2)), epochs=1, verbose=0)


def test_sequential_shapes_inferred_in_fit_have_an_open_batch(capsys):
    tf.keras.backend.clear_session()
    model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3, 2), np.float32), np.ones((4, 2)), epochs=1, verbose=0)
    assert model.output_shape == (None, 2)
    eager = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    eager.compile("adam", "mse", run_eagerly=True)
    eager.fit(np.ones((4, 3), np.float32), np.ones((4, 2)), epochs=1, verbose=0)
    assert eager.output_shape == (4, 2)     # eager steps see the data's batch size
