"""Run under ``mpiexec -n 2``: rank 1 fails (an exception, or ``kill`` for SIGKILL) while rank 0
waits in a collective; every rank must end, with rank 1's error shown."""
import os
import signal
import sys

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
if dist.get_rank() == 1:
    if sys.argv[1:] == ["kill"]:
        os.kill(os.getpid(), signal.SIGKILL)
    raise ValueError("rank 1 failed on purpose")
dist.all_reduce(ember.ones(3))  # rank 0 would wait here forever without the abort
print("rank 0 finished", flush=True)
