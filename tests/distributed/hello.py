"""For `ember run`: each rank prints its rank, the world size, its arguments and torchrun's variables."""
import os
import sys

env = {k: os.environ.get(k) for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE")}  # torchrun's, before init

import ember.distributed as dist  # noqa: E402

dist.init_process_group("gloo")
print(f"rank {dist.get_rank()} of {dist.get_world_size()} args {sys.argv[1:]} env {env}", flush=True)
