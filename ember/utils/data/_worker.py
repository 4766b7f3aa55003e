"""What runs inside a DataLoader worker process, and what a dataset can ask about it."""
import queue
import random
import traceback

_worker_info = None  # set in each worker process


class WorkerInfo:
    """``id``, ``num_workers``, ``seed`` and ``dataset`` (this worker's copy) of the current worker."""

    def __init__(self, id, num_workers, seed, dataset):
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset})"


def get_worker_info():
    """The current worker's WorkerInfo in a DataLoader worker process; None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback as text."""

    def __init__(self, exc, where):
        self.exc_type = type(exc)
        self.msg = f"Caught {self.exc_type.__name__} {where}.\nOriginal " + "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__))

    def reraise(self):
        try:
            err = self.exc_type(self.msg)
        except Exception:  # an exception type whose constructor wants other arguments
            err = RuntimeError(self.msg)
        try:
            raise err
        finally:
            del err  # no frame -> exception -> traceback -> frame cycle: the loader's iterator dies promptly


class IterableStopped:
    """A worker's message that its copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class ResumeIteration:
    """Sent to persistent workers at the start of a new epoch: rebuild the fetcher."""


def numpy_seed(base_seed, worker_id):
    """The four 32-bit words torch seeds NumPy with in a worker (SeedSequence's hash, as torch writes it)."""
    mask = 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_const = [0x43B0D7E5]

    def hash_(value):
        value = (value ^ hash_const[0]) & mask
        hash_const[0] = (hash_const[0] * 0x931E8875) & mask
        value = (value * hash_const[0]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x, y):
        r = (((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)) & mask
        return (r ^ (r >> 16)) & mask

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    state, const_b = [], 0x8B51F9DD
    for value in pool:
        value = (value ^ const_b) & mask
        const_b = (const_b * 0x58F38DED) & mask
        value = (value * const_b) & mask
        state.append((value ^ (value >> 16)) & mask)
    return state


def worker_loop(make_fetcher, dataset, index_queue, data_queue, done_event, base_seed, init_fn,
                worker_id, num_workers):
    """Seed this process as torch does, then fetch every (task, indices) sent until told to stop (None)."""
    global _worker_info
    import numpy as np
    from ... import random as ember_random
    from ... import set_num_threads
    set_num_threads(1)
    seed = base_seed + worker_id
    random.seed(seed)
    ember_random.manual_seed(seed)
    np.random.seed(numpy_seed(base_seed, worker_id))
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher()
    except Exception as e:
        init_error = ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
    stopped = False  # this worker's iterable dataset ran out; wait for the next epoch or None
    while True:
        try:
            r = index_queue.get(timeout=1.0)
        except queue.Empty:
            if done_event.is_set():  # the loader shut down, even if its None never arrived
                break
            continue
        if r is None:
            break
        if isinstance(r, ResumeIteration):
            data_queue.put((r, None))
            stopped = False
            if init_error is None:
                fetcher = make_fetcher()
            continue
        if done_event.is_set() or stopped:
            continue
        task, indices = r
        if init_error is not None:
            data, init_error = init_error, None
        else:
            try:
                data = fetcher.fetch(indices)
            except StopIteration:
                data, stopped = IterableStopped(worker_id), True
            except Exception as e:
                data = ExceptionWrapper(e, f"in DataLoader worker process {worker_id}")
        data_queue.put((task, data))
        del data, r
    if done_event.is_set():
        data_queue.cancel_join_thread()  # nobody reads any more: don't block exit flushing the queue
        data_queue.close()
