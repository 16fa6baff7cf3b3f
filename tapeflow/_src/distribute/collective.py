"""Collectives between worker processes: MPI point-to-point messages polled with a deadline.

Every collective is built from one primitive, `_exchange`: each rank posts non-blocking sends
of its payload to the ranks that need it and polls for the payloads it expects until they
have all arrived or the deadline passes. Polling (instead of a blocking MPI collective) is
what lets a dead or stalled worker turn into an error that names the missing rank, on every
surviving worker, rather than a hang.

Reductions sum the contributions in rank order 0..N-1 on every rank, so all workers get
bit-identical results and the result does not depend on message arrival order.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

import numpy as np

from tapeflow._src.framework import errors

_INSTALL_HINT = ("MultiWorkerMirroredStrategy needs MPI: install it with "
                 "`pip install 'tapeflow[distributed]'` (brings mpi4py and the MPICH wheel "
                 "`mpich`), then launch with `mpiexec -n N python train.py`.")

DEFAULT_TIMEOUT = float(os.environ.get("TAPEFLOW_COLLECTIVE_TIMEOUT", "300"))

# Set when a collective failed: MPI_Finalize could then wait forever for the dead peer, so
# the process leaves with os._exit after Python's own shutdown output has been flushed.
_faulted = False
_EXIT_GRACE = 1.0


def _exit_without_finalize():
    if _faulted:
        sys.stdout.flush()
        sys.stderr.flush()
        # A moment for the other survivors to report too: the MPI library may end a process
        # whose peer has just exited.
        time.sleep(_EXIT_GRACE)
        os._exit(1)


# Set when the launcher reported that some worker process died (see below).
_peer_failure_reported = False


def _on_peer_failure(signum, frame):
    global _peer_failure_reported
    _peer_failure_reported = True


def _watch_peer_failure_signal():
    """Turns the launcher's failure notice into a flag that the polling loop reads.

    Hydra (MPICH's launcher, under `mpiexec -disable-auto-cleanup`) sends SIGUSR1 to the
    remaining processes when one exits abnormally. Its default action would kill this worker
    before it could say which rank is missing; instead the next collective fails at once.
    """
    import signal
    import threading
    if (threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGUSR1")
            and signal.getsignal(signal.SIGUSR1) in (signal.SIG_DFL, None)):
        signal.signal(signal.SIGUSR1, _on_peer_failure)


class LocalCommunicator:
    """The single-process communicator: every collective returns its own input."""

    rank = 0
    size = 1

    def exchange(self, payload, peers_to_send, peers_to_recv, what):
        return {0: payload}

    def close(self):
        pass


class MPICommunicator:
    """Point-to-point exchanges over `MPI.COMM_WORLD` with a deadline."""

    def __init__(self, timeout=None):
        try:
            from mpi4py import MPI
        except ImportError as e:  # mpi4py missing, or its MPI library could not be loaded
            raise ImportError(f"{_INSTALL_HINT} (import failed: {e})") from e
        self._MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        # Errors come back as exceptions (the default aborts the whole job without a word).
        self.comm.Set_errhandler(MPI.ERRORS_RETURN)
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        self._seq = 0
        self.step = None  # set by the strategy so that errors can name the training step
        atexit.register(_exit_without_finalize)
        _watch_peer_failure_signal()

    def _fail(self, what, missing, reason):
        global _faulted
        _faulted = True
        step = "" if self.step is None else f" at step {self.step}"
        ranks = ", ".join(str(r) for r in sorted(missing))
        raise errors.DeadlineExceededError(
            None, None,
            f"Collective {what}{step} on worker {self.rank} of {self.size} failed: {reason} "
            f"from rank(s) [{ranks}] (worker dead or stalled). Stopping this worker.")

    def exchange(self, payload, peers_to_send, peers_to_recv, what):
        """Sends `payload` (uint8 array) to `peers_to_send`, returns {rank: bytes} received.

        The own payload is included in the result under this rank.
        """
        MPI = self._MPI
        self._seq += 1
        tag = self._seq % 32000 + 1
        comm = self.comm
        sends = {}
        try:
            for r in peers_to_send:
                sends[r] = comm.Isend([payload, MPI.BYTE], dest=r, tag=tag)
        except MPI.Exception as e:
            self._fail(what, [r], f"send failed ({e.Get_error_string()})")
        got = {self.rank: payload}
        waiting = set(peers_to_recv)
        deadline = time.monotonic() + self.timeout
        status = MPI.Status()
        spins = 0
        failure_deadline = None
        while waiting or sends:
            progressed = False
            for r in list(waiting):
                try:
                    ready = comm.Iprobe(source=r, tag=tag, status=status)
                    if ready:
                        buf = np.empty(status.Get_count(MPI.BYTE), np.uint8)
                        comm.Recv([buf, MPI.BYTE], source=r, tag=tag)
                        got[r] = buf
                        waiting.discard(r)
                        progressed = True
                except MPI.Exception as e:
                    self._fail(what, [r], f"receive failed ({e.Get_error_string()})")
            for r in list(sends):
                try:
                    if sends[r].Test():
                        del sends[r]
                        progressed = True
                except MPI.Exception as e:
                    self._fail(what, [r], f"send failed ({e.Get_error_string()})")
            if not (waiting or sends):
                break
            if progressed:
                spins = 0
                continue
            spins += 1
            # Spin briefly for latency, then sleep in short naps: a worker waiting for a
            # slower one should not take the CPU that the slower one needs.
            if spins > 500:
                now = time.monotonic()
                if _peer_failure_reported and failure_deadline is None:
                    # Messages from live workers still get a moment to arrive, so that the
                    # error names only the ranks that are really gone.
                    failure_deadline = now + 0.5
                if failure_deadline is not None and now > failure_deadline:
                    self._fail(what, waiting | set(sends),
                               "the launcher reported a dead worker; no data")
                if now > deadline:
                    missing = waiting | set(sends)
                    for req in sends.values():
                        try:
                            req.Cancel()
                        except MPI.Exception:
                            pass
                    self._fail(what, missing,
                               f"no data within the {self.timeout:g} s timeout")
                time.sleep(0.00005 if spins < 5000 else 0.0002)
        return got

    def close(self):
        pass


# ---------------------------------------------------------------------------------------------
# Payload encoding: dtype, shape and data of an array in one byte string.
# ---------------------------------------------------------------------------------------------

def encode(arr):
    """One uint8 buffer holding dtype, shape and data of `arr`."""
    arr = np.asarray(arr)
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")  # (np.ascontiguousarray would turn a 0-d array into 1-d)
    dt = arr.dtype.str.encode()
    header = np.array([len(dt), arr.ndim, *arr.shape], np.int64)
    return np.concatenate([header.view(np.uint8), np.frombuffer(dt, np.uint8),
                           arr.reshape(-1).view(np.uint8)])


def decode(buf):
    """The array `encode` made."""
    buf = np.asarray(buf, np.uint8)
    n_dt, ndim = (int(v) for v in buf[:16].view(np.int64))
    shape = tuple(int(v) for v in buf[16:16 + 8 * ndim].view(np.int64))
    pos = 16 + 8 * ndim
    dt = np.dtype(bytes(buf[pos:pos + n_dt]).decode())
    pos += n_dt
    return buf[pos:].view(dt).reshape(shape)


# ---------------------------------------------------------------------------------------------
# Collectives
# ---------------------------------------------------------------------------------------------

def _others(comm):
    return [r for r in range(comm.size) if r != comm.rank]


def all_gather_arrays(comm, arr, what="all-gather"):
    """The list of every rank's array, in rank order."""
    if comm.size == 1:
        return [np.asarray(arr)]
    others = _others(comm)
    got = comm.exchange(encode(arr), others, others, what)
    return [np.asarray(arr) if r == comm.rank else decode(got[r]) for r in range(comm.size)]


def all_reduce_sum(comm, arr, what="all-reduce"):
    """Sum over ranks, added in rank order so that every rank gets the same bits.

    Every rank must pass the same shape and dtype; the raw bytes are sent without a header.
    """
    arr = np.asarray(arr)
    if comm.size == 1:
        return arr
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")
    others = _others(comm)
    got = comm.exchange(arr.reshape(-1).view(np.uint8), others, others, what)
    parts = []
    for r in range(comm.size):
        if r == comm.rank:
            parts.append(arr)
            continue
        buf = got[r]
        if buf.size != arr.nbytes:
            raise errors.InvalidArgumentError(
                None, None, f"Collective {what}: rank {r} sent {buf.size} bytes, rank "
                f"{comm.rank} has {arr.dtype}{list(arr.shape)} ({arr.nbytes} bytes).")
        parts.append(buf.view(arr.dtype).reshape(arr.shape))
    total = parts[0].copy()
    add = np.logical_or if arr.dtype == np.bool_ else np.add
    for p in parts[1:]:
        add(total, p, out=total)
    return total


def broadcast(comm, arr, root=0, what="broadcast"):
    """Rank `root`'s array on every rank."""
    if comm.size == 1:
        return np.asarray(arr)
    if comm.rank == root:
        comm.exchange(encode(arr), _others(comm), [], what)
        return np.asarray(arr)
    got = comm.exchange(np.zeros(0, np.uint8), [], [root], what)
    return decode(got[root])


def barrier(comm, what="barrier"):
    """Returns once every rank has reached it (or raises naming the ranks that did not)."""
    if comm.size > 1:
        others = _others(comm)
        comm.exchange(np.zeros(1, np.uint8), others, others, what)
