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


# ---------------------------------------------------------------------------- DistributedDataParallel
@needs_mpi
def test_ddp_and_sync_batchnorm_match_single_process(tmp_path):
    # MLP and CNN (plain, SyncBatchNorm, BatchNorm), Adam, small buckets, a weight used twice,
    # no_sync, find_unused_parameters, model mismatches, a rank-0 checkpoint resumed on 2 and 1
    rc, out, err = mpirun("ddp.py", tmp_path, timeout=180)
    assert rc == 0, out + err
    assert "ddp ok" in out and int(out.split("ddp ok")[1].split()[0]) > 200


def test_post_accumulate_grad_hook_matches_torch():
    # the hook DDP starts its reductions from: it sees .grad after accumulation. torch calls it
    # once per backward; ember once per gradient delivered (p * p delivers two), so the last
    # call of each backward is torch's one call
    seen = {}
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        calls, step = {}, [0]
        p.register_post_accumulate_grad_hook(lambda t: calls.setdefault(step[0], []).append(t.grad.clone().numpy()))
        for f in (lambda: (p * 3).sum(), lambda: (p * p).sum(), lambda: (p.exp() * p).sum()):
            f().backward()
            step[0] += 1
        seen[lib.__name__] = calls
    assert len(seen["ember"][0]) == len(seen["torch"][0]) == 1
    for k, calls in seen["torch"].items():
        np.testing.assert_allclose(seen["ember"][k][-1], calls[-1], rtol=1e-6)
    with pytest.raises(RuntimeError):
        (ember.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError):
        (torch.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_sync_batchnorm_without_process_group_is_batchnorm():
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)
    for train in (True, False):
        e, t = ember.nn.SyncBatchNorm(3), torch.nn.SyncBatchNorm(3)
        e.train(train)
        t.train(train)
        np.testing.assert_allclose(e(ember.from_numpy(x)).detach().numpy(), t(torch.from_numpy(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(e.running_var.numpy(), t.running_var.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        ember.nn.SyncBatchNorm(3)(ember.ones(3))
    with pytest.raises(ValueError, match="expected at least 2D input"):
        torch.nn.SyncBatchNorm(3)(torch.ones(3))


def test_convert_sync_batchnorm_like_torch():
    def build(nn):
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4)))
    e, t = build(ember.nn), build(torch.nn)
    e[1].eval()
    t[1].eval()
    ec = ember.nn.SyncBatchNorm.convert_sync_batchnorm(e)
    tc = torch.nn.SyncBatchNorm.convert_sync_batchnorm(t)
    assert [type(m).__name__ for m in ec.modules()] == [type(m).__name__ for m in tc.modules()]
    assert list(ec.state_dict()) == list(tc.state_dict())
    assert ec[1].weight is e[1].weight and ec[1].running_mean is e[1].running_mean
    assert ec[1].training is False and ec[2][1].training is True


# ---------------------------------------------------------------------------- launching
@needs_mpi
@pytest.mark.parametrize("hostfile", [False, True])
def test_ember_run_starts_the_ranks(tmp_path, hostfile):
    cmd = [sys.executable, "-m", "ember", "run", "--nproc", "2"]
    if hostfile:  # the several-machines form, here with this machine's name
        hosts = tmp_path / "hosts"
        hosts.write_text(f"{os.uname().nodename}:2\n")
        cmd += ["--hostfile", str(hosts)]
    rc, out, err = launch(cmd + [os.path.join(SCRIPTS, "hello.py"), "--lr", "3", "x"], timeout=60)
    assert rc == 0, out + err
    # the ranks' lines can arrive interleaved through mpiexec: look for each one
    for r in range(2):
        env = {"RANK": str(r), "LOCAL_RANK": str(r), "WORLD_SIZE": "2"}
        assert f"rank {r} of 2 args ['--lr', '3', 'x'] env {env}" in out, out


@needs_mpi
def test_ember_train_nproc_2_matches_one_process(tmp_path):
    common = ["--model", "mlp", "--epochs", "3", "--no-augment"]
    results = {}
    for nproc in (1, 2):
        out_dir = tmp_path / f"n{nproc}"
        rc, out, err = launch([sys.executable, "-m", "ember", "train", "--nproc", str(nproc), *common,
                               "--out", str(out_dir)], timeout=240)
        assert rc == 0, out + err
        assert out.count("epoch   1 ") == 1, out  # rank 0 alone logs
        results[nproc] = float(out.split("test accuracy ")[1].split()[0])
        assert len(os.listdir(out_dir / "runs")) == 1  # one TensorBoard run: rank 0's
        from ember.train import load_checkpoint_model
        model, meta = load_checkpoint_model(str(out_dir))  # plain BatchNorm again, loads as one process's
        assert not any(isinstance(m, ember.nn.SyncBatchNorm) for m in model.modules())
    assert "data-parallel on 2 processes" in out
    # not the same batches (each rank draws its own share), so not the same bits: the same accuracy
    assert results[1] > 0.9 and results[2] > 0.9 and abs(results[1] - results[2]) < 0.03, results


# ---------------------------------------------------------------------------- a PyTorch DDP script
def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_torch_gloo(script, path, world=2, timeout=180):
    """The script on real torch: `world` processes joined by gloo over localhost (env://)."""
    env = dict(rank_env(), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE=str(world),
               GLOO_SOCKET_IFNAME="lo")
    procs = [subprocess.Popen([sys.executable, script, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(env, RANK=str(r), LOCAL_RANK=str(r)), start_new_session=True)
             for r in range(world)]
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=timeout)
            assert p.returncode == 0, out + err
            outs.append(out)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.communicate()
    return outs[0]


@needs_mpi
def test_pytorch_ddp_script_runs_unchanged_and_prints_torch_numbers(tmp_path):
    from test_pytorch_examples import numbers
    script = os.path.join(SCRIPTS, "torch_ddp_example.py")
    want = run_torch_gloo(script, str(tmp_path / "torch.pt"))
    ember_script = tmp_path / "ember_ddp_example.py"
    ember_script.write_text(open(script).read().replace("import torch", "import ember as torch"))
    rc, got, err = launch([MPIEXEC, "-n", "2", sys.executable, str(ember_script), str(tmp_path / "ember.pt")])
    assert rc == 0, got + err
    assert got.count("train loss") == want.count("train loss") == 4 and "parameter sums" in got, (got, want)
    ne, nt = numbers(got), numbers(want)
    assert len(ne) == len(nt) > 15, (got, want)
    np.testing.assert_allclose(ne, nt, rtol=1e-4, atol=1e-5)
