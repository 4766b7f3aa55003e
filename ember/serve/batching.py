"""Dynamic batching for ``ember serve``: requests that arrive within a few milliseconds of each
other run as one batched forward.

A small model spends most of a single-sample forward in Python overhead, the same for 1 row as for
32; one batched call answers many requests for about the price of one. This piece knows nothing
of HTTP or models: ``Batcher(fn)`` calls ``fn`` on the concatenation of what was submitted and
gives each caller its own rows back.
"""
import asyncio
import collections
import concurrent.futures

import numpy as np


class Batcher:
    """Collect submitted arrays into one call of ``fn``, at most ``max_batch`` rows, waiting at most
    ``max_wait_ms`` after the first one for others to join.

    The wait is paid only under load: after a batch of one request the next runs at once (a lone
    client gets the latency of an unbatched server); after a batch of several, the next one waits
    up to ``max_wait_ms`` for company. ``fn`` runs in one worker thread, so the event loop keeps
    accepting requests (which then form the next batch) while a batch computes; one thread also
    keeps calls of ``fn`` in order and never concurrent. ``on_batch(n)`` is called with each
    batch's number of rows (for metrics).
    """

    def __init__(self, fn, max_batch=32, max_wait_ms=2.0, on_batch=None):
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError("max_batch must be >= 1 and max_wait_ms >= 0")
        self.fn, self.max_batch, self.max_wait = fn, max_batch, max_wait_ms / 1000
        self.on_batch = on_batch
        self._crowded = False  # the last batch served several requests: wait for company
        self._queue = None
        self._task = None
        self._worker = None

    async def start(self):
        self._queue = asyncio.Queue()
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ember-serve-batch")
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self):
        """Finish what was submitted, then stop."""
        if self._task is None:
            return
        await self._queue.put(None)
        await self._task
        self._worker.shutdown(wait=True)
        self._task = None
        while not self._queue.empty():  # submitted after the stop: nothing will run them
            item = self._queue.get_nowait()
            if item is not None and not item[1].done():
                item[1].set_exception(RuntimeError("the server is shutting down"))

    async def __call__(self, x):
        """``fn``'s rows for ``x`` (an array with a leading batch dimension), computed in some batch."""
        if self._task is None or self._task.done():
            raise RuntimeError("the batcher is not running")
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((x, future))
        return await future

    async def _run(self):
        loop = asyncio.get_running_loop()
        waiting = collections.deque()  # taken from the queue but not yet run (would overflow a batch)
        stopping = False
        while not (stopping and not waiting):
            if not waiting:
                item = await self._queue.get()
                if item is None:
                    break
                waiting.append(item)
            batch, rows = [], 0
            deadline = loop.time() + (self.max_wait if self._crowded else 0)
            while True:
                while waiting and (not batch or rows + len(waiting[0][0]) <= self.max_batch):
                    item = waiting.popleft()
                    batch.append(item)
                    rows += len(item[0])
                if rows >= self.max_batch or waiting or stopping:
                    break
                try:  # take what is already queued without waiting, then wait up to the deadline
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    timeout = deadline - loop.time()
                    if timeout <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(self._queue.get(), timeout)
                    except asyncio.TimeoutError:
                        break
                if item is None:
                    stopping = True
                else:
                    waiting.append(item)
            self._crowded = len(batch) > 1
            await self._compute(loop, batch, rows)

    async def _compute(self, loop, batch, rows):
        batch = [(x, f) for x, f in batch if not f.cancelled()]  # a client that went away
        if not batch:
            return
        x = batch[0][0] if len(batch) == 1 else np.concatenate([x for x, _ in batch])
        try:
            out = await loop.run_in_executor(self._worker, self.fn, x)
        except Exception as e:  # every caller of this batch gets the error; the loop goes on
            for _, f in batch:
                if not f.done():
                    f.set_exception(e)
            return
        if self.on_batch is not None:
            self.on_batch(len(x))
        start = 0
        for xi, f in batch:
            if not f.done():
                f.set_result(out[start:start + len(xi)])
            start += len(xi)
