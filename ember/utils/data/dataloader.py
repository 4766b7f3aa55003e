"""The DataLoader: batches of a dataset, in the sampler's order, from this process or from workers.

Random draws happen where torch makes them: each iterator first draws a ``base_seed``
(worker k seeds itself with ``base_seed + k``), then a shuffling RandomSampler draws the
seed of its permutation. So ``ember.manual_seed(s)`` gives the batches torch gives after
``torch.manual_seed(s)``.
"""
import functools
import itertools
import multiprocessing
import queue

import numpy as np

from .dataset import IterableDataset, TensorDataset, Subset
from .sampler import SequentialSampler, RandomSampler, BatchSampler, _draw_seed
from ._collate import default_collate, default_convert
from . import _worker


class _InfiniteConstantSampler:
    """The 'sampler' of an iterable dataset: None forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


# ------------------------------------------------------------------ fetching one batch

class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate:
            batch = _tensor_batch(self.dataset, index)
            if batch is not None:
                return batch
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.collate_fn(self.dataset.__getitems__(index))
        return self.collate_fn([self.dataset[i] for i in index])


def _tensor_batch(dataset, indices):
    """A TensorDataset's batch as one fancy index per tensor: what default_collate would stack, in one op."""
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    ix = np.asarray(indices, dtype=np.int64)
    return [t[ix] for t in dataset.tensors]  # a list, as default_collate makes of tuples


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = list(itertools.islice(self.it, len(index)))
        if len(data) < len(index):
            self.ended = True
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def _make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    return (_IterableFetcher if iterable else _MapFetcher)(dataset, auto_collation, collate_fn, drop_last)


# ------------------------------------------------------------------ the loader

class DataLoader:
    """Iterate over `dataset` in batches of `batch_size` (see torch.utils.data.DataLoader).

    Args:
        pin_memory, pin_memory_device: accepted and ignored (there is no GPU memory to pin on NumPy).
        in_order: accepted; batches always come back in order.
        timeout: used by worker processes; ignored when num_workers == 0.
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                             f"(num_workers > 0), but got num_workers={num_workers}")

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset, self.num_workers, self.prefetch_factor = dataset, num_workers, prefetch_factor
        self.pin_memory, self.pin_memory_device, self.in_order = pin_memory, pin_memory_device, in_order
        self.timeout, self.worker_init_fn, self.generator = timeout, worker_init_fn, generator
        self.multiprocessing_context = multiprocessing_context
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None else default_convert)
        self.persistent_workers = persistent_workers
        self._iterable = iterable
        self._iterator = None
        self._initialized = True

    def __setattr__(self, name, value):
        if getattr(self, "_initialized", False) and name in (
                "batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _fetcher_factory(self):
        return functools.partial(_make_fetcher, self._iterable, self.dataset, self._auto_collation,
                                 self.collate_fn, self.drop_last)

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)


class _BaseIter:
    def __init__(self, loader):
        self._loader = loader
        self._sampler_iter = iter(loader._index_sampler)
        self._base_seed = _draw_seed(loader.generator)  # drawn even without workers, as torch does

    def _reset(self, loader):
        self._sampler_iter = iter(loader._index_sampler)

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = loader._fetcher_factory()()

    def __next__(self):
        return self._fetcher.fetch(next(self._sampler_iter))


class _MultiProcessIter(_BaseIter):
    """Worker k gets batches k, k + W, ... (round robin, as torch); results are put back in order."""

    def __init__(self, loader):
        super().__init__(loader)
        ctx = loader.multiprocessing_context
        ctx = multiprocessing.get_context(ctx) if isinstance(ctx, str) or ctx is None else ctx
        w = loader.num_workers
        self._num_workers, self._timeout = w, loader.timeout
        self._persistent = loader.persistent_workers
        self._prefetch = loader.prefetch_factor * w
        self._data_queue, self._done_event = ctx.Queue(), ctx.Event()
        self._index_queues, self._workers = [], []
        for i in range(w):
            q = ctx.Queue()
            q.cancel_join_thread()
            p = ctx.Process(target=_worker.worker_loop, daemon=True,
                            args=(loader._fetcher_factory(), loader.dataset, q, self._data_queue, self._done_event,
                                  self._base_seed, loader.worker_init_fn, i, w))
            p.start()
            self._index_queues.append(q)
            self._workers.append(p)
        self._shut = False
        self._reset(loader, first=True)

    def _reset(self, loader, first=False):
        super()._reset(loader)
        self._send_idx = self._rcvd_idx = 0
        self._tasks = {}  # task number -> [worker id] or [worker id, data] once it arrived early
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:  # persistent workers: start a new epoch and drop what the last one left behind
            for q in self._index_queues:
                q.put(_worker.ResumeIteration())
            waiting = self._num_workers
            while waiting:
                task, _ = self._get()
                waiting -= isinstance(task, _worker.ResumeIteration)
        for _ in range(self._prefetch):
            self._put_index()

    def _put_index(self):
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            wid = next(self._cycle)
            if self._active[wid]:
                break
        else:
            return
        self._index_queues[wid].put((self._send_idx, indices))
        self._tasks[self._send_idx] = [wid]
        self._send_idx += 1

    def __next__(self):
        while True:
            # skip the tasks of workers whose iterable dataset ran out
            while self._rcvd_idx < self._send_idx:
                info = self._tasks[self._rcvd_idx]
                if len(info) == 2 or self._active[info[0]]:
                    break
                del self._tasks[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            if len(self._tasks[self._rcvd_idx]) == 2:
                return self._deliver(self._tasks.pop(self._rcvd_idx)[1])
            task, data = self._get()
            if isinstance(data, _worker.IterableStopped):
                self._active[data.worker_id] = False
                self._put_index()
            elif isinstance(task, _worker.ResumeIteration):
                continue
            elif task != self._rcvd_idx:
                self._tasks[task].append(data)  # early: keep it until its turn
            else:
                del self._tasks[task]
                return self._deliver(data)

    def _deliver(self, data):
        self._rcvd_idx += 1
        self._put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _get(self):
        if self._timeout > 0:
            try:
                return self._data_queue.get(timeout=self._timeout)
            except queue.Empty:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        while True:
            try:
                return self._data_queue.get(timeout=5.0)
            except queue.Empty:
                dead = [str(p.pid) for p in self._workers if not p.is_alive()]
                if dead:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(dead)}) exited unexpectedly") from None

    def _shutdown(self):
        if self._shut:
            return
        self._shut = True
        self._done_event.set()
        for q in self._index_queues:
            q.put(None)
        for p in self._workers:
            p.join(timeout=5.0)
            if p.is_alive():
                p.terminate()
        for q in self._index_queues:
            q.close()
        self._data_queue.cancel_join_thread()
        self._data_queue.close()

    def __del__(self):
        if not getattr(self, "_shut", True):
            try:
                self._shutdown()
            except Exception:  # interpreter shutdown: the queues may be gone already
                pass
