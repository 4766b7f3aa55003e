"""Shared test helpers: run the same computation through ember and torch and compare."""
import os
import re
import subprocess
import sys

import numpy as np
import torch

import ember

TOL = {np.float16: (1e-2, 1e-2), np.float32: (1e-5, 1e-5), np.float64: (1e-10, 1e-10)}


def to_np(x):
    """An array from an ember tensor, a torch tensor, or a nested tuple/list of them."""
    if isinstance(x, ember.Tensor):
        return np.array(x.detach()._data)
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, (tuple, list)):
        return type(x)(to_np(v) for v in x)
    return np.asarray(x)


def assert_close(e, t, rtol=None, atol=None, check_dtype=True):
    """Compare an ember result with a torch result: values, shape and dtype."""
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            assert_close(a, b, rtol, atol, check_dtype)
        return
    a, b = to_np(e), to_np(t)
    assert a.shape == b.shape, f"shape {a.shape} != torch {b.shape}"
    if check_dtype and isinstance(e, ember.Tensor):
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], f"dtype {e.dtype} != torch {t.dtype}"
    r, at = TOL.get(b.dtype.type, (1e-5, 1e-6))
    np.testing.assert_allclose(a, b, rtol=rtol if rtol is not None else r, atol=atol if atol is not None else at,
                               equal_nan=True)


def check(fn, *arrays, grad=True, rtol=None, atol=None, kwargs_e=None, kwargs_t=None, fn_t=None):
    """Run fn(lib_tensors...) with lib = ember and lib = torch; compare outputs and gradients.

    `fn(lib, *tensors)` gets the library module first, so one lambda serves both:
    ``check(lambda lib, x: lib.exp(x), arr)``. Float arrays get requires_grad when grad=True.
    """
    fn_t = fn_t or fn
    et = [ember.tensor(a, requires_grad=grad and a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
          for a in arrays]
    tt = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
          for a in arrays]
    eo, to = fn(ember, *et), fn_t(torch, *tt)
    assert_close(eo, to, rtol, atol)
    if grad and isinstance(to, torch.Tensor) and to.requires_grad:
        g = np.random.default_rng(0).standard_normal(to.shape).astype(to_np(to).dtype)
        eo.backward(ember.tensor(g))
        to.backward(torch.tensor(g))
        for e, t in zip(et, tt):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert (e.grad is None) == (t.grad is None)
                if t.grad is not None:
                    assert_close(e.grad, t.grad, rtol, atol)
    return eo, to


def check_error(fn, *arrays):
    """fn(lib, *tensors) must raise in torch, and raise the same exception type in ember.

    Returns (ember_exception, torch_exception) so a test can also compare messages.
    """
    import pytest
    tt = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    et = [ember.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    with pytest.raises(Exception) as te:
        fn(torch, *tt)
    with pytest.raises(type(te.value)) as ee:
        fn(ember, *et)
    return ee.value, te.value


def check_double_backward(fn, *arrays, rtol=None, atol=None):
    """Second derivatives: grad(fn) with create_graph=True, then the gradient of <grad, v> again.

    fn(lib, *tensors) returns a tensor; every float array is an input that requires grad.
    """
    results = []
    for lib in (ember, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib, *xs)
        w = lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(arrays[0].dtype))
        gs = lib.autograd.grad(y, xs, w, create_graph=True)
        vs = [lib.tensor(np.random.default_rng(2 + i).standard_normal(a.shape).astype(a.dtype))
              for i, a in enumerate(arrays)]
        total = sum((g * v).sum() for g, v in zip(gs, vs))
        # a gradient that does not depend on the inputs (sum, mean) has nothing to differentiate
        gg = lib.autograd.grad(total, xs, allow_unused=True) if total.requires_grad else [None] * len(xs)
        results.append((gs, gg))
    (ge, gge), (gt, ggt) = results
    assert_close(list(ge), list(gt), rtol, atol)
    for e, t in zip(gge, ggt):
        assert (e is None) == (t is None)
        if t is not None:
            assert_close(e, t, rtol, atol)


# ---------------------------------------------------------------- whole programs, with `import torch` meaning ember
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def run_program(path, lib, modules, timeout, **env):
    """Run a program file as a user would and return what it prints. For lib "ember", `import
    torch` and `import torch<m>` for each m in `modules` resolve to ember's modules first (the
    program's text is not touched); `env` adds environment variables."""
    src = open(path).read()
    if lib == "ember":
        src = ("import importlib, sys\n"
               f"for _name in {tuple(modules)!r}:\n"
               "    sys.modules['torch' + _name] = importlib.import_module('ember' + _name)\n") + src
    r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT, **env), timeout=timeout)
    assert r.returncode == 0, r.stderr
    return r.stdout


def numbers(text):
    """The numbers a program printed, in order."""
    return np.array([float(v) for v in NUMBER.findall(text)])
