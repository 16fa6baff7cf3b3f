"""Background threads for tf.data: `prefetch` and parallel `map`.

Both are iterator objects that own their threads. Threads never hold a reference to the
iterator object that owns them, so dropping an iterator (or the loop using it) lets it be
collected at once; a `weakref.finalize` then stops the threads. Errors raised while
producing an element travel to the consumer as the original exception object, traceback
included, in the element's place.

NumPy releases the GIL in its kernels, so map functions doing array work really run in
parallel with each other and with the consumer.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import queue
import threading
import time
import weakref

_END = object()


class _Error:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


def autotune_parallelism() -> int:
    return max(2, os.cpu_count() or 2)


def _prefetch_worker(upstream, q, stop):
    put = q.put
    try:
        while not stop.is_set():
            try:
                item = next(upstream)
            except StopIteration:
                item = _END
            except BaseException as e:  # noqa: BLE001 - delivered to the consumer
                item = _Error(e)
            while True:
                try:
                    put(item, timeout=0.05)
                    break
                except queue.Full:
                    if stop.is_set():
                        return
            if item is _END:
                return
    finally:
        close = getattr(upstream, "close", None)
        del upstream
        if close is not None:
            close()


def _stop_thread(stop, q):
    stop.set()
    # Unblock a producer waiting on a full queue.
    try:
        while True:
            q.get_nowait()
    except queue.Empty:
        pass


class PrefetchIterator:
    """Runs `upstream` in a daemon thread, keeping up to `buffer_size` elements ready."""

    __slots__ = ("_q", "_done", "_finalizer", "_thread", "__weakref__")

    def __init__(self, upstream, buffer_size):
        self._q = queue.Queue(maxsize=max(1, buffer_size))
        stop = threading.Event()
        self._done = False
        thread = threading.Thread(target=_prefetch_worker, args=(upstream, self._q, stop),
                                  name="tf.data-prefetch", daemon=True)
        self._finalizer = weakref.finalize(self, _stop_thread, stop, self._q)
        self._thread = thread
        thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        while True:
            try:
                item = self._q.get(timeout=1.0)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._q.empty():
                    self._done = True
                    raise RuntimeError("The tf.data prefetch thread stopped unexpectedly.") \
                        from None
        if item is _END:
            self._done = True
            self._finalizer()
            raise StopIteration
        if type(item) is _Error:
            raise item.exc
        return item

    def close(self):
        self._done = True
        self._finalizer()


def _shutdown_pool(pool):
    pool.shutdown(wait=False, cancel_futures=True)


def _map_chunk(fn, elems):
    """Maps a list of elements; failures are kept in place as _Error (or upstream errors).

    Returns the results and the seconds spent per element.
    """
    start = time.perf_counter()
    out = []
    for e in elems:
        if type(e) is _Error:
            out.append(e)
            continue
        try:
            out.append(fn(e))
        except Exception as exc:  # noqa: BLE001 - delivered to the consumer in order
            out.append(_Error(exc))
    return out, (time.perf_counter() - start) / len(elems)


class ParallelMapIterator:
    """Applies `fn` to upstream elements on a thread pool.

    Work is handed out in chunks sized so that one chunk takes about `_TARGET` seconds:
    single elements for slow functions (full parallelism), up to 16 for fast ones so the
    per-task overhead and GIL hand-offs stay small next to the work. With `deterministic`,
    results come out in input order; otherwise chunks are returned in completion order.
    With `autotune` (tf.data.AUTOTUNE) the number of calls running at once is chosen by
    measuring: functions made of many small ops are bound by the GIL, and for them fewer
    threads are faster.
    """

    __slots__ = ("_upstream", "_fn", "_pool", "_pending", "_in_flight", "_exhausted",
                 "_deterministic", "_finalizer", "_ready", "_chunk", "_tuner", "__weakref__")

    _TARGET = 5e-4

    def __init__(self, upstream, fn, num_threads, deterministic=True, chunk=1,
                 autotune=False):
        self._upstream = upstream
        self._fn = fn
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=num_threads, thread_name_prefix="tf.data-map")
        self._pending = collections.deque()
        self._in_flight = 2 * num_threads
        self._exhausted = False
        self._deterministic = deterministic
        self._ready = collections.deque()
        self._chunk = chunk
        self._tuner = _Tuner(num_threads) if autotune and num_threads > 1 else None
        if self._tuner is not None:
            self._in_flight = self._tuner.level
        self._finalizer = weakref.finalize(self, _shutdown_pool, self._pool)

    def __iter__(self):
        return self

    def _fill(self):
        pending = self._pending
        upstream = self._upstream
        while not self._exhausted and len(pending) < self._in_flight:
            elems = []
            while len(elems) < self._chunk:
                try:
                    elems.append(next(upstream))
                except StopIteration:
                    self._exhausted = True
                    break
                except Exception as e:  # noqa: BLE001 - keep the error in order
                    elems.append(_Error(e))
            if elems:
                pending.append(self._pool.submit(_map_chunk, self._fn, elems))

    def __next__(self):
        ready = self._ready
        if not ready:
            if self._in_flight == 0 and not self._pending:
                return self._next_inline()
            self._fill()
            pending = self._pending
            if not pending:
                self._finalizer()
                raise StopIteration
            if self._deterministic:
                fut = pending.popleft()
            else:
                done, _ = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED)
                fut = next(f for f in pending if f in done)
                pending.remove(fut)
            results, per_element = fut.result()
            ready.extend(results)
            self._chunk = max(1, min(16, int(self._TARGET / max(per_element, 1e-6))))
            if self._tuner is not None:
                self._in_flight = self._tuner.record(len(results))
            self._fill()  # keep the workers busy while the consumer takes this chunk
        item = ready.popleft()
        if type(item) is _Error:
            raise item.exc
        return item

    def _next_inline(self):
        """Autotune level 0: map in the calling thread (best for GIL-bound functions)."""
        try:
            elem = next(self._upstream)
        except StopIteration:
            self._finalizer()
            raise
        self._in_flight = self._tuner.record(1)
        return self._fn(elem)

    def close(self):
        self._finalizer()
        close = getattr(self._upstream, "close", None)
        if close is not None:
            close()


class _Tuner:
    """Searches parallelism levels n..0 (0: map inline in the calling thread): times each
    level on a window of elements, keeps the fastest for a long stretch, then measures
    again."""

    __slots__ = ("_levels", "_i", "_rates", "_count", "_start", "_hold", "level")

    _WINDOW = 512
    _HOLD = 16384

    def __init__(self, n):
        self._levels = list(range(n, -1, -1))
        self._i = 0
        self._rates = {}
        self._count = 0
        self._start = time.perf_counter()
        self._hold = 0
        self.level = self._levels[0]

    def record(self, n_elements):
        """Counts produced elements; returns the level to use next."""
        self._count += n_elements
        if self._hold:
            self._hold = max(0, self._hold - n_elements)
            if not self._hold:
                self._i, self._rates = 0, {}
                self._restart(self._levels[0])
            return self.level
        if self._count < self._WINDOW:
            return self.level
        self._rates[self.level] = self._count / max(time.perf_counter() - self._start, 1e-9)
        self._i += 1
        if self._i < len(self._levels):
            self._restart(self._levels[self._i])
        else:
            self._restart(max(self._rates, key=self._rates.get))
            self._hold = self._HOLD
        return self.level

    def _restart(self, level):
        self.level = level
        self._count = 0
        self._start = time.perf_counter()
