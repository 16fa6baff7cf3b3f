"""MultiWorkerMirroredStrategy across 2 and 3 MPI processes (mpiexec + mpi4py).

Skipped when mpiexec or mpi4py is missing: `pip install -e '.[distributed]'` provides both.
The programs the workers run are in mpi_worker.py.
"""

import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import tapeflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORKER = os.path.join(HERE, "mpi_worker.py")
sys.path.insert(0, HERE)
import mpi_worker


def _find_mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(beside):
        return beside
    return shutil.which("mpiexec")


def _has_mpi4py():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


MPIEXEC = _find_mpiexec()
pytestmark = pytest.mark.skipif(
    MPIEXEC is None or not _has_mpi4py(),
    reason="needs mpiexec and mpi4py: pip install -e '.[distributed]'")


def run_workers(n, mode, outdir, *extra, wrap=False, timeout=60, env=None):
    """Runs mpi_worker.py MODE under `mpiexec -n n`; returns the CompletedProcess."""
    cmd = [sys.executable, WORKER, mode, str(outdir), *extra]
    if wrap:
        # A worker killed by a signal is then not noticed by the launcher (its shell lives
        # on), as with a node that died silently: the others must find out by themselves.
        cmd = ["sh", "-c", '"$0" "$@"; rc=$?; [ $rc -ge 128 ] && sleep 30; exit $rc'] + cmd
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run([MPIEXEC, "-n", str(n), *cmd], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=str(outdir), check=False)


def check_ok(proc, n):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for r in range(n):
        assert f"OK rank {r}" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("n", [2, 3])
def test_collectives_every_dtype_and_bit_identical_sums(n, tmp_path):
    check_ok(run_workers(n, "collectives", tmp_path), n)
    sums = [np.load(tmp_path / f"sum_{r}.npy") for r in range(n)]
    for s in sums[1:]:
        assert s.tobytes() == sums[0].tobytes()  # same bits on every worker
    parts = [np.random.default_rng(r).normal(size=1000).astype(np.float32) * 1e3
             for r in range(n)]
    expected = parts[0].copy()
    for p in parts[1:]:
        expected = expected + p  # rank order
    assert sums[0].tobytes() == expected.tobytes()


@pytest.mark.parametrize("n", [2, 3])
def test_fit_with_n_workers_matches_one_process_with_the_global_batch(n, tmp_path):
    proc = run_workers(n, "fit", tmp_path)
    check_ok(proc, n)
    assert proc.stdout.count("/step - loss") == 1, proc.stdout  # progress bar: rank 0 only
    model = mpi_worker.make_model()
    x, y = mpi_worker.train_data()
    hist = model.fit(x, y, batch_size=12, epochs=2, shuffle=False, verbose=0)
    single = mpi_worker.flat_weights(model)
    weights = [np.load(tmp_path / f"fit_{r}.npy") for r in range(n)]
    for w in weights[1:]:
        assert w.tobytes() == weights[0].tobytes()  # workers stay identical
    np.testing.assert_allclose(weights[0], single, rtol=0, atol=2e-6)
    assert not np.allclose(single, mpi_worker.flat_weights(mpi_worker.make_model()))
    # the logged loss is the global-batch loss, on every worker
    for r in range(n):
        np.testing.assert_allclose(np.load(tmp_path / f"loss_{r}.npy"), hist.history["loss"],
                                   rtol=1e-5)
    # evaluate splits batches too and reports loss and accuracy over all of the data
    ev = model.evaluate(x[:30], y[:30], batch_size=8, verbose=0)
    for r in range(n):
        np.testing.assert_allclose(np.load(tmp_path / f"eval_{r}.npy"), ev, rtol=1e-5)
    # train_on_batch / test_on_batch split the batch as fit does
    on_batch = model.train_on_batch(x[:12], y[:12]) + model.test_on_batch(x[12:19], y[12:19])
    model.evaluate(x[:8], y[:8], batch_size=8, verbose=0)
    for r in range(n):
        np.testing.assert_allclose(np.load(tmp_path / f"onbatch_{r}.npy"), on_batch, rtol=1e-5)
        np.testing.assert_allclose(np.load(tmp_path / f"after_{r}.npy"),
                                   mpi_worker.flat_weights(model), atol=2e-6)
    # a tf.data input is split the same way
    for r in range(n):
        np.testing.assert_allclose(np.load(tmp_path / f"dsfit_{r}.npy"), single, atol=2e-6)


@pytest.mark.parametrize("n", [2, 3])
def test_custom_loop_with_n_workers_matches_one_process(n, tmp_path):
    check_ok(run_workers(n, "loop", tmp_path), n)
    x, y = mpi_worker.train_data()
    single, losses = mpi_worker.custom_loop(tf.distribute.get_strategy(), x, y, 12, 3)
    for r in range(n):
        np.testing.assert_allclose(np.load(tmp_path / f"loop_{r}.npy"), single, atol=2e-6)
        np.testing.assert_allclose(np.load(tmp_path / f"looploss_{r}.npy"), losses, rtol=1e-5)


@pytest.mark.parametrize("n", [2, 3])
def test_dataset_sharding_covers_every_element_once_per_epoch(n, tmp_path):
    check_ok(run_workers(n, "shard", tmp_path), n)
    seen = np.concatenate([np.load(tmp_path / f"shard_{r}.npy") for r in range(n)])
    epochs = seen[seen < 100]
    from_fn = seen[seen >= 100]
    assert sorted(epochs.tolist()) == sorted(list(range(23)) * 2)
    assert sorted(from_fn.tolist()) == list(range(100, 117))


def test_killed_worker_makes_the_others_fail_fast_naming_rank_and_step(tmp_path):
    start = time.monotonic()
    proc = run_workers(3, "fault", tmp_path, "kill", wrap=True, env={"FAULT_TIMEOUT": "2"})
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    assert "finished rank" not in proc.stdout
    out = proc.stdout + proc.stderr
    # Two workers write to one stderr at once, so their lines can interleave mid-line:
    # match each worker's message and the exception type separately.
    assert "DeadlineExceededError" in out, out
    for r in (0, 2):
        assert (f"Collective all-reduce of gradients at step 3 on "
                f"worker {r} of 3 failed: no data within the 2 s timeout from rank(s) [1]"
                ) in out, out
    assert elapsed < 25


def test_stalled_worker_hits_the_collective_timeout(tmp_path):
    start = time.monotonic()
    proc = run_workers(2, "fault", tmp_path, "hang", env={"FAULT_TIMEOUT": "1.5"})
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert ("Collective all-reduce of gradients at step 3 on worker 0 of 2 failed: no data "
            "within the 1.5 s timeout from rank(s) [1]") in out, out
    assert elapsed < 25


def test_resumed_run_continues_from_the_backup(tmp_path):
    first = run_workers(2, "resume", tmp_path, "first")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "interrupted rank 0" in first.stdout and "interrupted rank 1" in first.stdout
    assert (tmp_path / "backup" / "chief" / "backup.npz").exists()
    second = run_workers(2, "resume", tmp_path, "second")
    check_ok(second, 2)
    # epochs 3 and 4 only, and the weights of an uninterrupted 4-epoch run
    assert (tmp_path / "epochs_0.txt").read_text() == "2"
    model = mpi_worker.make_model()
    x, y = mpi_worker.train_data()
    model.fit(x, y, batch_size=12, epochs=4, shuffle=False, verbose=0)
    for r in range(2):
        np.testing.assert_allclose(np.load(tmp_path / f"resume_{r}.npy"),
                                   mpi_worker.flat_weights(model), atol=2e-6)
    assert not (tmp_path / "backup" / "chief" / "backup.npz").exists()  # deleted at the end
