"""ember.distributed on MPI: the collectives under ``mpiexec -n 2`` against NumPy's reductions,
failure handling, ``ember run``, and DistributedSampler against torch's."""
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPTS = os.path.join(HERE, "distributed")


def find_mpiexec():
    """The mpiexec of the mpich wheel sits next to this Python; else the one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return here if os.access(here, os.X_OK) else shutil.which("mpiexec")


MPIEXEC = find_mpiexec()
try:
    import mpi4py  # noqa: F401
    HAVE_MPI = MPIEXEC is not None
except ImportError:
    HAVE_MPI = False
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason="needs mpi4py and mpiexec: pip install 'ember[distributed]'")


def rank_env():
    # one BLAS thread per rank (2 ranks on 2 cores), ember importable from the checkout
    return dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def launch(cmd, timeout=180, cwd=ROOT):
    """Run a command in its own process group; on a timeout the whole group is killed."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                         env=rank_env(), start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise AssertionError(f"timed out after {timeout} s: {cmd}\n{out}\n{err}")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    return p.returncode, out, err


def mpirun(script, *args, n=2, timeout=180):
    """``mpiexec -n 2 python tests/distributed/<script> args``; returns (rc, stdout, stderr)."""
    return launch([MPIEXEC, "-n", str(n), sys.executable, os.path.join(SCRIPTS, script), *map(str, args)],
                  timeout=timeout)


@needs_mpi
def test_collectives_match_numpy_reductions():
    rc, out, err = mpirun("collectives.py", timeout=120)
    assert rc == 0, out + err
    assert "collectives ok" in out
    assert int(out.split("collectives ok")[1].split()[0]) > 150  # every check ran


@needs_mpi
@pytest.mark.parametrize("how", ["exception", "kill"])
def test_a_failing_rank_ends_every_rank(how):
    # rank 0 waits in all_reduce while rank 1 fails: the job must end (not hang) and show the error
    rc, out, err = mpirun("fail.py", *(["kill"] if how == "kill" else []), timeout=60)
    assert rc != 0
    assert "rank 0 finished" not in out
    if how == "exception":
        assert "[rank 1]" in err and "ValueError: rank 1 failed on purpose" in err, err


def test_collectives_need_init():
    import ember.distributed as dist
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.all_reduce(ember.ones(2))


def test_is_available_and_lazy_import():
    # `import ember` must not load MPI; ember.distributed loads on first use
    code = ("import sys, ember; assert 'mpi4py' not in sys.modules and 'ember.distributed' not in sys.modules;"
            "import ember.distributed as d; print(d.is_available())")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=rank_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(HAVE_MPI)


# ---------------------------------------------------------------------------- DistributedSampler
@pytest.mark.parametrize("n", [0, 1, 10, 11, 37])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("shuffle,drop_last", [(True, False), (False, False), (True, True), (False, True)])
def test_distributed_sampler_matches_torch(n, replicas, shuffle, drop_last):
    from ember.utils.data.distributed import DistributedSampler
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    data = list(range(n))
    for rank in range(replicas):
        for seed in (0, 7):
            e = DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
                                   drop_last=drop_last)
            t = TorchSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
                             drop_last=drop_last)
            assert len(e) == len(t) and e.num_samples == t.num_samples and e.total_size == t.total_size
            for epoch in (0, 1, 5):
                e.set_epoch(epoch)
                t.set_epoch(epoch)
                assert list(e) == list(t), (rank, seed, epoch)


def test_distributed_sampler_errors_and_exports():
    import ember.utils.data as data
    from ember.utils.data.distributed import DistributedSampler
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    assert data.DistributedSampler is DistributedSampler
    for kwargs in ({"num_replicas": 2, "rank": 2}, {"num_replicas": 2, "rank": -1}):
        with pytest.raises(ValueError):
            TorchSampler(range(4), **kwargs)
        with pytest.raises(ValueError):
            DistributedSampler(range(4), **kwargs)
    # in a DataLoader: the rank's share of the dataset, in the sampler's order
    ds = data.TensorDataset(ember.arange(10))
    sampler = DistributedSampler(ds, num_replicas=2, rank=1, shuffle=True, seed=3)
    got = [int(v) for (b,) in data.DataLoader(ds, batch_size=2, sampler=sampler) for v in b]
    tds = torch.utils.data.TensorDataset(torch.arange(10))
    ts = TorchSampler(tds, num_replicas=2, rank=1, shuffle=True, seed=3)
    assert got == [int(v) for (b,) in torch.utils.data.DataLoader(tds, batch_size=2, sampler=ts) for v in b]
    assert np.unique(got).size == 5
