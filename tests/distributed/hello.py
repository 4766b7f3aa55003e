"""For `ember run`: each rank prints its rank, the world size and its arguments."""
import sys

import ember.distributed as dist

dist.init_process_group("gloo")
print(f"rank {dist.get_rank()} of {dist.get_world_size()} args {sys.argv[1:]}", flush=True)
