"""Train the front-page MNIST model data-parallel over several processes.

    pip install 'tapeflow[distributed]'          # mpi4py + the MPICH wheel (brings mpiexec)
    mpiexec -n 2 python examples/distributed_mnist.py
    mpiexec -n 2 python examples/distributed_mnist.py --epochs 5 --backup-dir /tmp/mnist_backup

Each process is one worker. The global batch (64 per worker) is split between the workers,
gradients are summed over them every step, and the printed loss and accuracy are those of
the whole global batch. Only rank 0 prints the progress bar. With --backup-dir, an
interrupted run started again with the same command resumes after the last finished epoch.
Without MPI the same script runs as one worker (`python examples/distributed_mnist.py`).
"""

import argparse

import numpy as np

import tapeflow as tf


def load(strategy, rank):
    """Full MNIST when rank 0 can load it (download once), else the bundled sample."""
    full = 0
    if rank == 0:
        try:
            tf.keras.datasets.mnist.load_data()
            full = 1
        except Exception as e:  # noqa: BLE001 - offline: fall back to the sample
            print(f"Full MNIST unavailable ({str(e).splitlines()[0][:100]}); using the "
                  "bundled 5,000-digit sample.")
    full = int(strategy.reduce("SUM", tf.constant(full), axis=None))  # rank 0 decides
    loader = tf.keras.datasets.mnist.load_data if full else tf.keras.datasets.mnist.load_sample
    (x_train, y_train), (x_test, y_test) = loader()
    return (x_train / 255.0, y_train), (x_test / 255.0, y_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-per-worker", type=int, default=64)
    parser.add_argument("--backup-dir", default=None)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a collective may wait for a slow or dead worker")
    args = parser.parse_args()

    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=args.timeout)
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        rank = strategy.cluster_resolver.task_id
    except ImportError as e:
        print(f"{e}\nRunning as a single worker.")
        strategy, rank = tf.distribute.get_strategy(), 0
    n = strategy.num_replicas_in_sync
    if rank == 0:
        print(f"{n} worker(s), global batch {args.batch_per_worker * n}")

    (x_train, y_train), (x_test, y_test) = load(strategy, rank)
    with strategy.scope():
        model = tf.keras.models.Sequential([
            tf.keras.layers.Flatten(input_shape=(28, 28)),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dropout(0.2),
            tf.keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    callbacks = []
    if args.backup_dir:
        callbacks.append(tf.keras.callbacks.BackupAndRestore(args.backup_dir))
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_per_worker * n,
              callbacks=callbacks, verbose=2)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    checksum = float(np.sum([np.sum(w.numpy()) for w in model.weights]))
    print(f"rank {rank}: test accuracy {acc:.4f}, weight checksum {checksum:.6f}")


if __name__ == "__main__":
    main()
