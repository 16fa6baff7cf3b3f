"""The front-page model (TensorFlow's beginner tutorial), built the same way by every
benchmark that trains it; `tf` is tapeflow or TensorFlow."""


def front_page_model(tf, **compile_kwargs):
    """Flatten - Dense(128, relu) - Dropout(0.2) - Dense(10, softmax), compiled with adam,
    sparse categorical cross-entropy and accuracy (plus `compile_kwargs`)."""
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **compile_kwargs)
    return model
