"""Train TensorFlow's front-page MNIST model with tapeflow.

Uses the full MNIST (tf.keras.datasets.mnist.load_data(), downloaded once into
~/.keras/datasets) when it can be loaded, and otherwise the 5,000-digit sample that ships
with tapeflow (tf.keras.datasets.mnist.load_sample()), saying which.

    python examples/mnist.py
"""

import tapeflow as tf


def main():
    try:
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
        print(f"Using the full MNIST: {len(x_train)} training and {len(x_test)} test images.")
    except Exception as e:  # noqa: BLE001 - offline or download failed: fall back to the sample
        print(f"Full MNIST unavailable ({str(e).splitlines()[0][:120]}).")
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_sample()
        print(f"Using the bundled MNIST sample: {len(x_train)} training and {len(x_test)} "
              f"test images.")
    x_train, x_test = x_train / 255.0, x_test / 255.0

    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5)
    loss, acc = model.evaluate(x_test, y_test, verbose=2)
    print(f"Test accuracy: {acc:.4f}")


if __name__ == "__main__":
    main()
