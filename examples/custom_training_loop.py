"""A training loop written from scratch, in the spirit of TensorFlow's "custom training
loop" guide: a Keras model, an optimizer, a loss and a metric driven by hand, with the
train and test steps compiled by @tf.function.

Uses the MNIST sample that ships with tapeflow, so it runs offline.

    python examples/custom_training_loop.py [epochs]
"""

import sys
import time

import tapeflow as tf


def build(seed=0):
    tf.keras.utils.set_random_seed(seed)
    inputs = tf.keras.Input(shape=(784,), name="digits")
    x = tf.keras.layers.Dense(64, activation="relu")(inputs)
    x = tf.keras.layers.Dense(64, activation="relu")(x)
    outputs = tf.keras.layers.Dense(10, name="predictions")(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs)


def run(epochs=2, batch_size=64, limit=None, verbose=True):
    """Trains and returns the per-epoch (train loss, train accuracy, val accuracy)."""
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_sample()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:limit], y_test[:limit]

    model = build()
    optimizer = tf.keras.optimizers.SGD(learning_rate=1e-1)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = tf.keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = tf.keras.metrics.SparseCategoricalAccuracy()

    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size)
    val_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tf.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    history = []
    for epoch in range(epochs):
        start = time.time()
        losses = []
        for x_batch, y_batch in train_dataset:
            losses.append(float(train_step(x_batch, y_batch)))
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
        for x_batch, y_batch in val_dataset:
            test_step(x_batch, y_batch)
        val_acc = float(val_acc_metric.result())
        val_acc_metric.reset_state()
        mean_loss = sum(losses) / len(losses)
        history.append((mean_loss, train_acc, val_acc))
        if verbose:
            print(f"Epoch {epoch + 1}: loss {mean_loss:.4f}, training acc {train_acc:.4f}, "
                  f"validation acc {val_acc:.4f}, time {time.time() - start:.2f}s")
    return history


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
