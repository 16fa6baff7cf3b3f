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


def _prefetch_worker(upstream, items, grants, stop):
    # `grants` carries permissions to produce: each entry is a number of elements. The
    # consumer hands back freed buffer places in groups (see PrefetchIterator), so a worker
    # that wakes up produces several elements in one go: fewer thread wake-ups and GIL
    # hand-offs with a training loop, whose NumPy calls release the GIL many times a step.
    # Both queues are SimpleQueues (implemented in C).
    put = items.put
    take_grant = grants.get
    try:
        while True:
            while True:
                try:
                    n = take_grant(timeout=0.05)
                    break
                except queue.Empty:
                    if stop.is_set():
                        return
            for _ in range(n):
                if stop.is_set():
                    return
                try:
                    item = next(upstream)
                except StopIteration:
                    item = _END
                except BaseException as e:  # noqa: BLE001 - delivered to the consumer
                    item = _Error(e)
                put(item)
                if item is _END:
                    return
    finally:
        close = getattr(upstream, "close", None)
        del upstream
        if close is not None:
            close()


def _stop_thread(stop, items, grants):
    stop.set()
    grants.put(0)  # wake a worker waiting for a grant
    # Drop the elements produced ahead so their memory is released now.
    try:
        while True:
            items.get_nowait()
    except queue.Empty:
        pass


class PrefetchIterator:
    """Runs `upstream` in a daemon thread, keeping up to `buffer_size` elements ready.

    The worker may produce as soon as a place is free, but freed places are granted back
    in groups of `buffer_size // 2` (at least 1): with a buffer of 8, the worker refills
    4 places per wake-up instead of 1.
    """

    __slots__ = ("_items", "_grants", "_group", "_freed", "_done", "_finalizer", "_thread",
                 "__weakref__")

    def __init__(self, upstream, buffer_size):
        size = max(1, buffer_size)
        self._items = queue.SimpleQueue()
        self._grants = queue.SimpleQueue()
        self._grants.put(size)
        self._group = max(1, size // 2)
        self._freed = 0
        stop = threading.Event()
        self._done = False
        thread = threading.Thread(target=_prefetch_worker,
                                  args=(upstream, self._items, self._grants, stop),
                                  name="tf.data-prefetch", daemon=True)
        self._finalizer = weakref.finalize(self, _stop_thread, stop, self._items, self._grants)
        self._thread = thread
        thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        items = self._items
        try:
            item = items.get_nowait()
        except queue.Empty:
            if self._freed:  # the worker may be waiting for these places
                self._grants.put(self._freed)
                self._freed = 0
            while True:
                try:
                    item = items.get(timeout=1.0)
                    break
                except queue.Empty:
                    if not self._thread.is_alive() and items.empty():
                        self._done = True
                        raise RuntimeError("The tf.data prefetch thread stopped "
                                           "unexpectedly.") from None
        if item is _END:
            self._done = True
            self._finalizer()
            raise StopIteration
        self._freed += 1
        if self._freed >= self._group:
            self._grants.put(self._freed)
            self._freed = 0
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
    level on a window of elements, keeps the fastest for a long stretch (the fewest threads
    within `_MARGIN` of the fastest rate), then measures again; the stretch doubles each
    time the same level wins again."""

    __slots__ = ("_levels", "_i", "_rates", "_count", "_start", "_hold", "_next_hold",
                 "_last_choice", "level")

    _WINDOW = 512
    _HOLD = 16384
    _MAX_HOLD = 16 * 16384
    _MARGIN = 1.15

    def __init__(self, n):
        self._levels = list(range(n, -1, -1))
        self._i = 0
        self._rates = {}
        self._count = 0
        self._start = time.perf_counter()
        self._hold = 0
        self._next_hold = self._HOLD
        self._last_choice = None
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
            # Fewer threads unless more are clearly faster: on GIL-bound functions all
            # levels run at about the same rate, and noise must not pick extra threads
            # (they cost CPU time and GIL hand-offs for nothing).
            best = max(self._rates.values())
            chosen = min(lv for lv, r in self._rates.items() if r >= best / self._MARGIN)
            # Measuring costs elements at the losing levels: when the same level wins
            # again, measure half as often (up to _MAX_HOLD), else go back to _HOLD.
            if chosen == self._last_choice:
                self._next_hold = min(2 * self._next_hold, self._MAX_HOLD)
            else:
                self._next_hold = self._HOLD
            self._last_choice = chosen
            self._restart(chosen)
            self._hold = self._next_hold
        return self.level

    def _restart(self, level):
        self.level = level
        self._count = 0
        self._start = time.perf_counter()
