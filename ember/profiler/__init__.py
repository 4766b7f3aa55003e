"""``torch.profiler``: time what a program runs and print a table of it.

While a :class:`profile` is open, ember's tracing seam (``ember.autograd.trace``) reports each op
as it finishes; the time since the previous op finished (or since a ``record_function`` region
began) is that op's self time, so the Python between two ops counts toward the second. A
``record_function`` region's total is its wall time. ``key_averages().table()`` prints torch's
columns. There is no CUDA or memory timeline.
"""
import enum
import functools
import time

_clock = time.perf_counter_ns


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 2
    XPU = 1
    MTIA = 3


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """torch's step schedule: which action ``profile.step()`` number n takes."""
    def fn(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return fn


class FunctionEventAvg:
    """One row of ``key_averages()``: times in microseconds, as torch's."""

    def __init__(self, key):
        self.key, self.count = key, 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.device_time_total = self.self_device_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    @property
    def cpu_time(self):
        return self.cpu_time_total / max(self.count, 1)

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total:.3f}us "
                f"cpu_time={self.cpu_time:.3f}us count={self.count}>")


def _fmt(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """The rows of ``key_averages()``; ``table()`` prints them as torch does."""

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55, header=None,
              top_level_events_only=False, **kwargs):
        rows = list(self)
        if sort_by not in (None, "none"):
            key = {"cpu_time": "cpu_time", "cpu_time_total": "cpu_time_total",
                   "self_cpu_time_total": "self_cpu_time_total", "count": "count"}.get(sort_by, "cpu_time_total")
            rows.sort(key=lambda e: getattr(e, key), reverse=True)
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        width = min(max([len(e.key) for e in rows] + [4]) + 2, max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        line = "-" * width + "  " + "  ".join(["-" * 12] * len(cols)) + "  "
        out = [line, f"{'Name':>{width}}  " + "  ".join(f"{c:>12}" for c in cols) + "  ", line]
        for e in rows:
            vals = [f"{100 * e.self_cpu_time_total / total:.2f}%", _fmt(e.self_cpu_time_total),
                    f"{100 * e.cpu_time_total / total:.2f}%", _fmt(e.cpu_time_total), _fmt(e.cpu_time), str(e.count)]
            out.append(f"{e.key[:width]:>{width}}  " + "  ".join(f"{v:>12}" for v in vals) + "  ")
        out += [line, f"Self CPU time total: {_fmt(total)}", ""]
        return "\n".join(out)

    def total_average(self):
        t = FunctionEventAvg("Total")
        for e in self:
            t.count += e.count
            t.cpu_time_total += e.cpu_time_total
            t.self_cpu_time_total += e.self_cpu_time_total
        return t


_current = None  # the open profile, which record_function reports to


class profile:
    """Record op and ``record_function`` times inside the block (``with profile() as prof:``)."""

    def __init__(self, activities=None, *, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None,
                 enabled=True, **kwargs):
        self.schedule, self.on_trace_ready, self.enabled = schedule, on_trace_ready, enabled
        self.events = []  # (name, start_ns, self_ns, total_ns)
        self.step_num = 0
        self._stack = []  # open record_function regions: [name, start, time of ops inside]
        self._last = None
        self._prev_hook = self._prev_current = None
        self._recording = False

    # the op layer's seam calls this after each op's forward
    def _on_op(self, op, inputs, options, outputs):
        now = _clock()
        dt = now - self._last
        self._last = now
        name = op if isinstance(op, str) else type(op).__name__
        self.events.append(("ember::" + name, now - dt, dt, dt))
        for region in self._stack:
            region[2] += dt
        if self._prev_hook is not None:
            self._prev_hook(op, inputs, options, outputs)

    def _start(self):
        global _current
        from ..autograd import trace as _trace
        if self._recording:
            return
        self._prev_hook, _trace.active = _trace.active, self._on_op
        self._prev_current, _current = _current, self
        self._last, self._recording = _clock(), True

    def _stop(self):
        global _current
        from ..autograd import trace as _trace
        if not self._recording:
            return
        _trace.active, _current = self._prev_hook, self._prev_current
        self._recording = False

    def __enter__(self):
        if self.enabled:
            self.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.stop()
        return False

    def start(self):
        if self.schedule is None or self.schedule(self.step_num) in (ProfilerAction.RECORD,
                                                                     ProfilerAction.RECORD_AND_SAVE):
            self._start()

    def stop(self):
        self._stop()
        if self.on_trace_ready is not None and self.schedule is None:
            self.on_trace_ready(self)

    def step(self):
        """Advance the schedule one step (a training iteration)."""
        if self.schedule is None:
            self.step_num += 1
            return
        action = self.schedule(self.step_num)
        self.step_num += 1
        nxt = self.schedule(self.step_num)
        if action == ProfilerAction.RECORD_AND_SAVE:
            self._stop()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
            self.events = []  # the next cycle reports its own steps
        if nxt in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._start()
        elif self._recording:
            self._stop()

    # regions
    def _enter_region(self, name):
        self._stack.append([name, _clock(), 0])
        self._last = _clock()

    def _exit_region(self):
        name, start, inner = self._stack.pop()
        now = _clock()
        total = now - start
        self.events.append((name, start, max(total - inner, 0), total))
        for region in self._stack:  # an enclosing region's ops include this one's
            region[2] += total - inner
        self._last = now

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        rows = {}
        for name, _, self_ns, total_ns in self.events:
            e = rows.get(name)
            if e is None:
                e = rows[name] = FunctionEventAvg(name)
            e.count += 1
            e.self_cpu_time_total += self_ns / 1e3
            e.cpu_time_total += total_ns / 1e3
        return EventList(rows.values())

    def export_chrome_trace(self, path):
        """Write the events in Chrome's trace format (chrome://tracing, Perfetto)."""
        import json
        evs = [{"name": n, "ph": "X", "ts": s / 1e3, "dur": t / 1e3, "pid": 0, "tid": 0, "cat": "cpu_op"}
               for n, s, _, t in self.events]
        with open(path, "w") as f:
            json.dump({"traceEvents": evs}, f)

    def self_cpu_time_total(self):
        return sum(e[2] for e in self.events) / 1e3


class record_function:
    """Name a region: its time appears as one row of the profile's table."""

    def __init__(self, name, args=None):
        self.name = name

    def __enter__(self):
        self.prof = _current
        if self.prof is not None:
            self.prof._enter_region(self.name)
        return self

    def __exit__(self, *exc):
        if self.prof is not None:
            self.prof._exit_region()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        return wrapper


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` that writes a Chrome trace file into `dir_name`."""
    import os

    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        name = f"{worker_name or os.getpid()}.{int(time.time() * 1000)}.pt.trace.json"
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler
