"""ModelCheckpoint, EarlyStopping, weight files and checkpoint statuses as tf_keras has them."""

import math
import os

import numpy as np
import pytest

import tapeflow as tf


def _model(lr=0.0):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,),
                                                       kernel_initializer="ones")])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.random((64, 4), dtype=np.float32), rng.random((64, 1), dtype=np.float32)


def test_model_checkpoint_every_n_batches_and_latest_checkpoint(tmp_path, capsys):
    x, y = _data()
    model = _model()
    cp = tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "cp-{epoch:04d}.ckpt"),
                                            save_weights_only=True, verbose=1,
                                            save_freq=5 * math.ceil(64 / 16))
    model.fit(x, y, batch_size=16, epochs=10, callbacks=[cp], verbose=0)
    out = capsys.readouterr().out
    assert out == (f"\nEpoch 5: saving model to {tmp_path}/cp-0005.ckpt\n"
                   f"\nEpoch 10: saving model to {tmp_path}/cp-0010.ckpt\n")
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "cp-0010.ckpt")
    status = _model().load_weights(latest)
    assert type(status).__name__ == "CheckpointLoadStatus"
    status.expect_partial()
    with pytest.raises(ValueError, match='Unrecognized save_freq: batch. Expected save_freq '
                                         'are "epoch" or integer'):
        tf.keras.callbacks.ModelCheckpoint("x", save_freq="batch")


def test_save_weights_names_itself_in_the_checkpoint_file(tmp_path):
    model = _model()
    model.save_weights(str(tmp_path / "manual"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "manual")
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files "
                                                      "for nope/ckpt"):
        model.load_weights("nope/ckpt")


def test_monitor_warnings_and_early_stopping_order(tmp_path, capsys):
    x, y = _data()
    model = _model(lr=0.1)
    es = tf.keras.callbacks.EarlyStopping(monitor="val_nope", patience=1)
    model.fit(x, y, epochs=2, callbacks=[es], verbose=0, validation_split=0.25)
    err = capsys.readouterr().err
    assert err.count("WARNING:tensorflow:Early stopping conditioned on metric `val_nope` "
                     "which is not available. Available metrics are: "
                     "loss,mae,val_loss,val_mae\n") == 2
    cp = tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "best"), monitor="val_nope",
                                            save_best_only=True, save_weights_only=True)
    model.fit(x, y, epochs=1, callbacks=[cp], verbose=0)
    assert capsys.readouterr().err == ("WARNING:tensorflow:Can save best model only with "
                                       "val_nope available, skipping.\n")
    # The loss never improves after epoch 1 (lr 0): stop after patience, then restore.
    model = _model(lr=0.0)
    es = tf.keras.callbacks.EarlyStopping(monitor="loss", patience=1,
                                          restore_best_weights=True, verbose=1)
    model.fit(x, y, epochs=5, callbacks=[es], verbose=0, shuffle=False)
    assert capsys.readouterr().out == ("Epoch 2: early stopping\nRestoring model weights "
                                       "from the end of the best epoch: 1.\n")


def test_full_model_checkpoints(tmp_path, capsys):
    x, y = _data()
    model = _model()
    cp = tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"))
    model.fit(x, y, epochs=2, callbacks=[cp], verbose=0)
    loaded = tf.keras.models.load_model(str(tmp_path / "m-2.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))

    class Sub(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    sub = Sub()
    sub.compile(optimizer="sgd", loss="mse")
    cp = tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "s-{epoch}"))
    sub.fit(x, y, epochs=2, callbacks=[cp], verbose=0)
    assert capsys.readouterr().err.count("WARNING:tensorflow:ModelCheckpoint: tapeflow saves "
                                         "whole subclassed models' weights only") == 1
    fresh = Sub()
    fresh(x[:1])
    fresh.load_weights(str(tmp_path / "s-2"))
    np.testing.assert_allclose(fresh.predict(x, verbose=0), sub.predict(x, verbose=0))


def test_restore_status_waits_for_optimizer_slots(tmp_path):
    def step(model, opt):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((1, 3))))
        opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                model.trainable_variables))

    model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    opt = tf.keras.optimizers.Adam()
    step(model, opt)
    path = tf.train.Checkpoint(optimizer=opt, model=model).save(str(tmp_path / "ckpt"))
    model2 = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    opt2 = tf.keras.optimizers.Adam()
    status = tf.train.Checkpoint(optimizer=opt2, model=model2).restore(path)
    with pytest.raises(AssertionError, match="Unresolved object in checkpoint"):
        status.assert_consumed()
    step(model2, opt2)
    status.assert_consumed()
    assert type(tf.train.Checkpoint(model=model2).restore(None)).__name__ == (
        "InitializationOnlyStatus")


def test_keras_warnings_print_once(capsys):
    v = tf.Variable(1.0)
    w = tf.Variable(2.0)
    opt = tf.keras.optimizers.SGD(0.1)
    opt.apply_gradients([(tf.constant(1.0), v), (None, w)])
    err = capsys.readouterr().err
    assert err.count("WARNING:tensorflow:Gradients do not exist for variables") == 1


def test_load_weights_into_an_unbuilt_subclassed_model_waits_for_its_first_call(tmp_path):
    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tf.keras.layers.Dense(3)
            self.out = tf.keras.layers.Dense(2)

        def call(self, x):
            return self.out(self.hidden(x))

    x = np.ones((2, 4), np.float32)
    net = Net()
    expected = net(x).numpy()
    net.save_weights(str(tmp_path / "w"))
    fresh = Net()
    status = fresh.load_weights(str(tmp_path / "w"))
    with pytest.raises(AssertionError):
        status.assert_consumed()
    np.testing.assert_allclose(fresh(x).numpy(), expected)
    status.assert_consumed()
