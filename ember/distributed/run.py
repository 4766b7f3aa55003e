"""``ember run --nproc N [--hostfile F] script.py [args]``: a thin convenience over
``mpiexec -n N [-f F] python script.py [args]`` (torch's torchrun, on MPI).

mpiexec starts the ranks (on the hosts of the hostfile, in order, filling each one's slots);
``init_process_group()`` reads rank and world size from MPI. If a rank dies or raises, MPI ends
the others (see ``init_process_group``), so a job never hangs on a lost rank; to go on from the
last checkpoint, run the same command again (MPI itself does not restart ranks).
"""
import argparse
import os
import shutil
import sys


def find_mpiexec():
    """The mpiexec beside this Python (the mpich wheel's), else the first one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.access(here, os.X_OK):
        return here
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise RuntimeError("mpiexec not found: pip install 'ember[distributed]' (the mpich wheel brings it)")
    return found


def inside_mpi():
    """True in a process that mpiexec started (MPICH's or Open MPI's environment)."""
    return "PMI_SIZE" in os.environ or "PMI_RANK" in os.environ or "OMPI_COMM_WORLD_SIZE" in os.environ


def torchrun_env(environ=None):
    """The variables torchrun gives each rank (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE),
    from MPI's own; scripts written for torchrun read them."""
    e = os.environ if environ is None else environ
    pairs = (("RANK", ("PMI_RANK", "OMPI_COMM_WORLD_RANK")), ("WORLD_SIZE", ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")),
             ("LOCAL_RANK", ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK")),
             ("LOCAL_WORLD_SIZE", ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE")))
    out = {}
    for name, sources in pairs:
        for src in sources:
            if src in e:
                out[name] = e[src]
                break
    return out


def command(nproc, argv, hostfile=None, python=True):
    """The mpiexec command line that runs `argv` (a script and its arguments) on `nproc` ranks;
    each rank starts through this module, which sets torchrun's variables, then runs the script."""
    cmd = [find_mpiexec(), "-n", str(nproc)]
    if hostfile:
        cmd += ["-f", hostfile]
    if python:
        cmd += [sys.executable, "-m", "ember.distributed.run", "--rank-of-mpiexec"]
    return cmd + list(argv)


def launch(nproc, argv, hostfile=None, python=True):
    """Replace this process by mpiexec running `argv` on `nproc` ranks (one BLAS thread per rank
    unless OMP_NUM_THREADS says otherwise, as torchrun does)."""
    if "OMP_NUM_THREADS" not in os.environ:
        os.environ["OMP_NUM_THREADS"] = "1"
    cmd = command(nproc, argv, hostfile, python)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)


def add_arguments(p):
    p.add_argument("--nproc", "--nproc-per-node", "--nproc_per_node", dest="nproc", type=int, default=1,
                   help="number of processes (ranks)")
    p.add_argument("--hostfile", help="MPI hostfile: one 'host:slots' per line, for several machines")
    p.add_argument("script", help="the Python script to run on every rank")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")


def _run_rank(argv):
    """On a rank that `ember run` started: torchrun's variables, then the script as __main__."""
    import runpy
    for k, v in torchrun_env().items():
        os.environ.setdefault(k, v)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")  # read by some scripts; MPI does not need them
    os.environ.setdefault("MASTER_PORT", "29500")
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(argv)
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name="__main__")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rank-of-mpiexec"]:
        return _run_rank(argv[1:])
    p = argparse.ArgumentParser(prog="ember run", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    args = p.parse_args(argv)
    if args.nproc < 1:
        p.error("--nproc must be at least 1")
    launch(args.nproc, [args.script] + args.args, args.hostfile)


if __name__ == "__main__":
    main()
