"""Runtime and environment names programs touch even on a CPU, run through ember and torch:
torch.cuda's queries, torch.backends flags, deterministic algorithms, default device and dtype,
torch.jit, autocast and GradScaler, checkpoint, gradcheck, anomaly detection, the profiler."""
import contextlib
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

LIBS = (ember, torch)
RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 6)).astype(np.float32)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cpu_only = pytest.mark.skipif(ember.cuda.is_available(), reason="compares with torch's CPU-only answers")


def quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


# ---------------------------------------------------------------------- torch.cuda
@cpu_only
@pytest.mark.parametrize("name", ["is_available", "device_count", "is_initialized", "memory_allocated",
                                  "max_memory_allocated", "memory_reserved", "max_memory_reserved", "empty_cache",
                                  "get_arch_list", "is_bf16_supported", "memory_stats"])
def test_cuda_queries_answer_as_torch_without_a_gpu(name):
    e, t = getattr(ember.cuda, name)(), getattr(torch.cuda, name)()
    assert e == t or (isinstance(t, dict) and dict(e) == dict(t))


@cpu_only
@pytest.mark.parametrize("name", ["current_device", "get_device_name", "get_device_capability",
                                  "get_device_properties", "synchronize", "init", "mem_get_info", "initial_seed"])
def test_cuda_device_functions_raise_torchs_error_without_a_gpu(name):
    with pytest.raises(AssertionError) as te:
        getattr(torch.cuda, name)()
    with pytest.raises(AssertionError) as ee:
        getattr(ember.cuda, name)()
    assert "Torch not compiled with CUDA enabled" in str(te.value) and "CUDA" in str(ee.value)


def test_cuda_seeding_and_legacy_types():
    for L in LIBS:
        assert L.cuda.manual_seed(0) is None and L.cuda.manual_seed_all(0) is None
        assert L.cuda.FloatTensor.is_cuda and not isinstance(L.ones(2), L.cuda.FloatTensor)
    if not ember.cuda.is_available():
        for L in LIBS:
            with pytest.raises(TypeError, match="not available"):
                L.cuda.FloatTensor(2)
    with pytest.warns(FutureWarning):
        ember.cuda.amp.GradScaler(enabled=False)


def test_cuda_is_a_module_that_loads_lazily():
    code = "import sys, ember; assert 'ember.cuda' not in sys.modules; ember.cuda.is_available(); " \
           "assert 'ember.cuda' in sys.modules; assert 'ml_dtypes' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120,
                   env=dict(os.environ, PYTHONPATH=ROOT))


# ---------------------------------------------------------------------- torch.backends
def _unfrozen(L):
    """torch's own test utilities (imported by tests/test_op_sweep.py) freeze torch's global backend
    flags; this test checks what a program sets at top level, so it lifts that freeze for torch."""
    if L is torch and torch.backends.flags_frozen():
        return getattr(torch.backends, "__allow_nonbracketed_mutation")()
    return contextlib.nullcontext()


def test_backend_flags_are_settable():
    for L in LIBS:
        cudnn = L.backends.cudnn
        old = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled)
        with _unfrozen(L):
            try:
                cudnn.benchmark, cudnn.deterministic, cudnn.enabled = True, True, False
                assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == (True, True, False)
            finally:
                cudnn.benchmark, cudnn.deterministic, cudnn.enabled = old
        with cudnn.flags(enabled=False, benchmark=True):
            assert not cudnn.enabled and cudnn.benchmark
        assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == old
        assert L.backends.mps.is_available() is False and L.backends.mps.is_built() is False
        assert isinstance(L.backends.mkldnn.is_available(), bool) and isinstance(L.backends.mkl.is_available(), bool)
        assert isinstance(L.backends.openmp.is_available(), bool)
        L.backends.cuda.matmul.allow_tf32 = True
        assert L.backends.cuda.matmul.allow_tf32
        L.backends.cuda.matmul.allow_tf32 = False
    assert ember.backends.cudnn.is_available() == torch.backends.cudnn.is_available() is False
    import ember.backends.cudnn as cudnn  # `import torch.backends.cudnn as cudnn`
    assert cudnn is ember.backends.cudnn


# ---------------------------------------------------------------------- deterministic, default device and dtype
def test_deterministic_algorithms_flags():
    try:
        for L in LIBS:
            L.use_deterministic_algorithms(True)
            assert L.are_deterministic_algorithms_enabled() and not L.is_deterministic_algorithms_warn_only_enabled()
            assert L.get_deterministic_debug_mode() == 2
            L.use_deterministic_algorithms(True, warn_only=True)
            assert L.is_deterministic_algorithms_warn_only_enabled() and L.get_deterministic_debug_mode() == 1
            L.set_deterministic_debug_mode("default")
            assert not L.are_deterministic_algorithms_enabled()
            with pytest.raises(TypeError):
                L.use_deterministic_algorithms("yes")
            with pytest.raises(RuntimeError, match="invalid value of debug_mode"):
                L.set_deterministic_debug_mode(5)
    finally:
        torch.use_deterministic_algorithms(False)
        ember.use_deterministic_algorithms(False)


def test_default_device_and_device_context():
    for L in LIBS:
        assert L.get_default_device() == L.device("cpu")
        with L.device("cpu") as d:
            assert d == L.device("cpu") and L.zeros(1).device == L.device("cpu")
        L.set_default_device("cpu")
        assert L.randn(2).device.type == "cpu"
        L.set_default_device(None)


@cpu_only
def test_default_device_cuda_without_a_gpu_fails_on_creation():
    try:
        for L in LIBS:
            L.set_default_device("cuda")
            with pytest.raises((AssertionError, RuntimeError)):
                L.zeros(2)
    finally:
        for L in LIBS:
            L.set_default_device(None)  # (None, not "cpu": torch keeps a function mode installed for "cpu")
    assert ember.zeros(1).device.type == "cpu"


def test_set_default_dtype():
    try:
        res = []
        for L in LIBS:
            L.set_default_dtype(L.float64)
            res.append([L.tensor([1.5]).dtype, L.zeros(2).dtype, L.arange(0.0, 1.0, 0.5).dtype, L.randn(1).dtype,
                        L.nn.Linear(2, 2).weight.dtype, (L.tensor([1]) * 0.5).dtype])
            with pytest.raises(TypeError):
                L.set_default_dtype(L.int64)
        assert [str(d)[6:] for d in res[0]] == [str(d)[6:] for d in res[1]]
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------------- torch.jit
class _Net:
    @staticmethod
    def build(L):
        class Net(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = L.nn.Linear(6, 3)

            def forward(self, x):
                return self.helper(self.fc(x)).relu()

            @L.jit.ignore
            def helper(self, x):
                return x * 2

            @L.jit.unused
            def unused_method(self, x):
                return x

            @L.jit.export
            def other(self, x):
                return self.fc(x).sum()
        return Net


def test_jit_script_and_trace_give_the_same_results():
    res = []
    for L in LIBS:
        L.manual_seed(0)
        net = _Net.build(L)()
        x = L.tensor(A)
        s = quiet(lambda: L.jit.script(net))
        tr = quiet(lambda: L.jit.trace(net, (x,)))
        f = quiet(lambda: L.jit.script(lambda_free))
        res.append((net(x), s(x), tr(x), s.other(x), f(x)))
        assert not L.jit.is_scripting() and not L.jit.is_tracing()
    assert_close(list(res[0]), list(res[1]))


def lambda_free(x):
    return x.sum(1) * 3


def test_jit_save_points_to_onnx_export():
    for L in LIBS:
        with pytest.warns(DeprecationWarning, match="`torch.jit.trace` is deprecated"):
            t = L.jit.trace(L.nn.Linear(2, 2), L.ones(1, 2))
        assert isinstance(t, L.nn.Module) and hasattr(t, "save") and isinstance(t.code, str)
        assert list(t.state_dict()) == ["weight", "bias"]
    m = quiet(lambda: ember.jit.script(ember.nn.Linear(2, 2)))
    assert isinstance(m, ember.nn.Linear)
    with pytest.raises(NotImplementedError, match="ember.onnx.export"):
        m.save("model.pt")
    with pytest.raises(NotImplementedError, match="ember.onnx.export"):
        ember.jit.save(m, "model.pt")
    with pytest.raises(NotImplementedError, match="ember.onnx"):
        ember.jit.load("model.pt")


def test_compile_returns_a_working_callable():
    res = []
    for L in LIBS:
        L.manual_seed(0)
        net = _Net.build(L)()
        c = L.compile(net) if L is ember else net  # (torch.compile needs a C++ compiler here)
        res.append(c(L.tensor(A)))
    assert_close(res[0], res[1])


# ---------------------------------------------------------------------- autocast and GradScaler
def _mlp_step(L, autocast_dtype=None, conv=False):
    L.manual_seed(0)
    m = L.nn.Sequential(L.nn.Linear(6, 16), L.nn.ReLU(), L.nn.Linear(16, 3))
    x, t = L.tensor(A), L.tensor([0, 1, 2, 0])
    with L.autocast("cpu", dtype=autocast_dtype):
        y = m(x)
        loss = L.nn.functional.cross_entropy(y, t)
        z = L.tensor(A) @ L.tensor(A).T
        mse = L.nn.functional.mse_loss(y, L.zeros(4, 3))
        s = y.sum()
    loss.backward()
    return [y, loss, z, mse, s, m[0].weight.grad, m[2].bias.grad]


def test_autocast_cpu_matches_torch_bfloat16():
    e, t = _mlp_step(ember), _mlp_step(torch)
    assert [str(v.dtype)[6:] for v in e] == [str(v.dtype)[6:] for v in t]
    assert str(e[0].dtype) == "ember.bfloat16" and str(e[1].dtype) == "ember.float32"
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.detach().float().numpy(), b.detach().float().numpy(), rtol=1e-2, atol=1e-3)


def test_autocast_float16_and_conv():
    e, t = _mlp_step(ember, ember.float16), _mlp_step(torch, torch.float16)
    assert [str(v.dtype)[6:] for v in e] == [str(v.dtype)[6:] for v in t]
    res = []
    for L in LIBS:
        L.manual_seed(0)
        conv = L.nn.Conv2d(2, 3, 3)
        x = L.randn(1, 2, 6, 6)
        with L.autocast("cpu"):
            y = conv(x)
            with L.autocast("cpu", enabled=False):
                z = conv(x)
        res.append((y, z))
    assert str(res[0][0].dtype) == "ember.bfloat16" and str(res[0][1].dtype) == "ember.float32"
    np.testing.assert_allclose(res[0][0].detach().float().numpy(), res[1][0].detach().float().numpy(), rtol=1e-2,
                               atol=1e-2)
    assert_close(res[0][1], res[1][1])


def test_autocast_cuda_without_a_gpu_disables_with_a_warning():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    for L in LIBS:
        with pytest.warns(UserWarning, match="CUDA is not available"):
            with L.autocast("cuda"):
                assert (L.ones(2, 2) @ L.ones(2, 2)).dtype == L.float32
    with pytest.warns(FutureWarning):
        ember.cpu.amp.autocast()


def test_bfloat16_conversions_round_as_torch():
    x = RNG.standard_normal(50).astype(np.float32) * 100
    e = ember.tensor(x).to(ember.bfloat16)
    t = torch.tensor(x).to(torch.bfloat16)
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    assert e.type() == t.type() == "torch.BFloat16Tensor"
    assert (e + 1).dtype == ember.bfloat16 and (e + ember.ones(50)).dtype == ember.float32
    assert ember.promote_types(ember.bfloat16, ember.float16) == ember.float32


def test_bfloat16_without_ml_dtypes_names_the_extra():
    code = ("import sys; sys.modules['ml_dtypes'] = None\nimport ember\ntry:\n    ember.bfloat16\nexcept ImportError "
            "as e:\n    assert \"ember[amp]\" in str(e), e\nelse:\n    raise SystemExit('no error')")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120,
                   env=dict(os.environ, PYTHONPATH=ROOT))


def _scaler_run(L, inject_inf_at=(2,)):
    L.manual_seed(0)
    m = L.nn.Linear(6, 2)
    opt = L.optim.SGD(m.parameters(), lr=0.1)
    scaler = L.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    scales, skipped = [], []
    for step in range(6):
        opt.zero_grad()
        loss = m(L.tensor(A)).pow(2).mean()
        scaler.scale(loss).backward()
        if step in inject_inf_at:
            m.weight.grad[0, 0] = float("inf")
        r = scaler.step(opt)
        skipped.append(r is None)
        scaler.update()
        scales.append(scaler.get_scale())
    return m.weight.detach().clone(), m.bias.detach().clone(), scales, scaler.state_dict()


def test_grad_scaler_matches_torch():
    e, t = _scaler_run(ember), _scaler_run(torch)
    assert_close(e[0], t[0])
    assert_close(e[1], t[1])
    assert e[2] == t[2]
    assert e[3] == t[3]


def test_grad_scaler_errors_and_disabled():
    for L in LIBS:
        m = L.nn.Linear(2, 1)
        opt = L.optim.SGD(m.parameters(), lr=0.1)
        s = L.amp.GradScaler("cpu")
        s.scale(m(L.ones(1, 2)).sum()).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            s.unscale_(opt)
        off = L.amp.GradScaler("cpu", enabled=False)
        loss = m(L.ones(1, 2)).sum()
        assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}


# ---------------------------------------------------------------------- checkpoint
@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gives_the_same_gradients(use_reentrant):
    res = []
    for L in LIBS:
        cp = __import__(L.__name__ + ".utils.checkpoint", fromlist=["x"])
        L.manual_seed(0)
        block = L.nn.Sequential(L.nn.Linear(6, 8), L.nn.Tanh(), L.nn.Dropout(0.3), L.nn.Linear(8, 2))
        x = L.tensor(A, requires_grad=True)
        y = cp.checkpoint(block, x, use_reentrant=use_reentrant)
        (y * y).sum().backward()
        res.append((y, x.grad, block[0].weight.grad, block[3].bias.grad))
    assert_close(list(res[0]), list(res[1]))


def test_checkpoint_sequential_and_warning():
    res = []
    for L in LIBS:
        cp = __import__(L.__name__ + ".utils.checkpoint", fromlist=["x"])
        L.manual_seed(0)
        seq = L.nn.Sequential(*[L.nn.Linear(6, 6) for _ in range(4)])
        x = L.tensor(A, requires_grad=True)
        y = cp.checkpoint_sequential(seq, 2, x, use_reentrant=False)
        y.sum().backward()
        res.append((y, x.grad, seq[0].weight.grad))
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            cp.checkpoint(seq, L.tensor(A, requires_grad=True))
    assert_close(list(res[0]), list(res[1]))


# ---------------------------------------------------------------------- gradcheck, anomaly
class _Square:
    @staticmethod
    def build(L, wrong):
        class Square(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return g * a if wrong else 2 * g * a
        return Square


def test_gradcheck_and_gradgradcheck():
    x = RNG.standard_normal((3,))
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        u = L.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
        assert L.autograd.gradcheck(lambda a, b: (a.unsqueeze(1) * b).tanh().sum(0), (t, u))
        assert L.autograd.gradgradcheck(lambda a: (a * a).sin(), (t,))
        assert L.autograd.gradcheck(_Square.build(L, False).apply, (t,))
        with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
            L.autograd.gradcheck(_Square.build(L, True).apply, (t,))
        assert L.autograd.gradcheck(_Square.build(L, True).apply, (t,), raise_exception=False) is False
        with pytest.warns(UserWarning, match="not a double precision"):
            L.autograd.gradcheck(lambda a: a * 2, (L.tensor(x.astype(np.float32), requires_grad=True),), atol=1e-2,
                                 rtol=1e-2, eps=1e-3)


@pytest.mark.parametrize("case", ["div", "pow"])
def test_detect_anomaly_names_the_function(case):
    msgs = []
    for L in LIBS:
        a = L.tensor([0.0, 1.0], requires_grad=True)
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            ctx = L.autograd.detect_anomaly()
        with quiet(lambda: ctx):
            y = a.sqrt() * 0
            out = (y / y) if case == "div" else y.pow(0.5)
            with pytest.raises(RuntimeError) as err:
                quiet(lambda: out.sum().backward())
        msgs.append(str(err.value))
        assert not L.is_anomaly_enabled()
    assert msgs[0] == msgs[1] and "returned nan values" in msgs[0]
    # without anomaly mode the same graph runs to the end
    a = ember.tensor([0.0, 1.0], requires_grad=True)
    (a.sqrt() * 0).pow(0.5).sum().backward()
    assert np.isnan(a.grad.numpy()).any()


def test_set_detect_anomaly():
    for L in LIBS:
        L.autograd.set_detect_anomaly(True)
        assert L.is_anomaly_enabled()
        L.autograd.set_detect_anomaly(False)
        assert not L.is_anomaly_enabled()
        L.set_anomaly_enabled(True)
        assert L.is_anomaly_enabled() and L.is_anomaly_check_nan_enabled()
        L.set_anomaly_enabled(False)
        with L.autograd.set_detect_anomaly(True, check_nan=False):
            assert L.is_anomaly_enabled() and not L.is_anomaly_check_nan_enabled()
        assert not L.is_anomaly_enabled() and L.is_anomaly_check_nan_enabled()


# ---------------------------------------------------------------------- profiler
def test_profiler_table_of_op_times():
    rows = []
    for L in LIBS:
        prof_mod = __import__(L.__name__ + ".profiler", fromlist=["x"])
        x = L.randn(32, 32)
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU]) as prof:
            for _ in range(3):
                with prof_mod.record_function("step"):
                    y = (x @ x).relu().sum()
        table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
        ka = {e.key: e for e in prof.key_averages()}
        assert "step" in ka and ka["step"].count == 3 and ka["step"].cpu_time_total > 0
        assert "Self CPU %" in table and "# of Calls" in table and "step" in table
        assert ka["step"].cpu_time_total >= ka["step"].self_cpu_time_total
        rows.append(ka)
    e = rows[0]
    assert any("Matmul" in k for k in e) and any("Relu" in k for k in e)
    assert sum(v.count for k, v in e.items() if "Matmul" in k) == 3


def test_profiler_schedule_and_trace(tmp_path):
    from ember import profiler
    seen = []
    sched = profiler.schedule(wait=1, warmup=1, active=2)
    with profiler.profile(schedule=sched, on_trace_ready=lambda p: seen.append(
            sum(e.count for e in p.key_averages() if e.key.endswith("Exp")))) as p:
        for _ in range(9):
            ember.ones(3).exp()
            p.step()
    assert seen == [2, 2]  # the two active steps' exp, in each cycle
    assert [sched(i) for i in range(5)] == [getattr(profiler.ProfilerAction, torch.profiler.schedule(
        wait=1, warmup=1, active=2)(i).name) for i in range(5)]
    p.export_chrome_trace(str(tmp_path / "t.json"))
    assert (tmp_path / "t.json").read_text().startswith('{"traceEvents"')


# ---------------------------------------------------------------------- autograd.functional
FUNCTIONAL_CASES = {
    "jacobian_tuple": lambda AF, L, x, y: AF.jacobian(lambda a, b: (a * b).sin().sum(0) + a.pow(2).sum(), (x, y)),
    "jacobian_one": lambda AF, L, x, y: AF.jacobian(lambda a: a.exp(), y),
    "jacobian_two_outputs": lambda AF, L, x, y: AF.jacobian(lambda a: (a.exp(), a.sum() * a), y),
    "hessian": lambda AF, L, x, y: AF.hessian(lambda a: (a ** 3).sum() * a[0], y),
    "hessian_tuple": lambda AF, L, x, y: AF.hessian(lambda a, b: (a.sum(0) * b).sin().sum(), (x, y)),
    "vjp": lambda AF, L, x, y: AF.vjp(lambda a: a.exp() * 2, y, y * 3),
    "jvp": lambda AF, L, x, y: AF.jvp(lambda a, b: a.sum(0) * b.tanh(), (x, y), (x * 0.5, y + 1)),
    "hvp": lambda AF, L, x, y: AF.hvp(lambda a: (a ** 3).sum() + a.prod(), y, y * 2),
    "vhp": lambda AF, L, x, y: AF.vhp(lambda a: (a ** 3).sum() + a.prod(), y, y * 2),
}


def _flat(r):
    return [t for v in r for t in _flat(v)] if isinstance(r, (tuple, list)) else [r]


@pytest.mark.parametrize("name", FUNCTIONAL_CASES)
def test_autograd_functional(name):
    res = []
    for L in LIBS:
        AF = __import__(L.__name__ + ".autograd.functional", fromlist=["x"])
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=L.float64)
        y = L.tensor([0.2, -0.4, 0.9], dtype=L.float64)
        res.append(_flat(FUNCTIONAL_CASES[name](AF, L, x, y)))
    assert_close(res[0], res[1])
    assert not any(t.requires_grad for t in res[0])


# ---------------------------------------------------------------------- more top-level runtime names
def test_top_level_runtime_names():
    try:
        for L in LIBS:
            assert L.get_float32_matmul_precision() == "highest"
            L.set_float32_matmul_precision("high")
            assert L.get_float32_matmul_precision() == "high"
            with pytest.warns(UserWarning, match="is not one of 'highest', 'high', or 'medium'"):
                L.set_float32_matmul_precision("fastest")
            assert L.typename(L.ones(2)) == "torch.FloatTensor" and L.typename(1.0) == "float"
            assert L.typename(L.ones(2, dtype=L.long)) == "torch.LongTensor"
            assert isinstance(L.get_num_interop_threads(), int) and isinstance(L.set_flush_denormal(False), bool)
            assert L.get_device_module("cpu").__name__.endswith(".cpu") and L.has_lapack and L.has_spectral
            assert not L.is_inference_mode_enabled()
            with L.inference_mode():
                assert L.is_inference_mode_enabled()
            assert L.GradScaler is L.amp.GradScaler
            assert L.autograd.is_multithreading_enabled()
            with L.autograd.set_multithreading_enabled(False):
                assert not L.autograd.is_multithreading_enabled()
            assert L.autograd.is_multithreading_enabled()
    finally:
        for L in LIBS:
            L.set_float32_matmul_precision("highest")


def test_autocast_state_functions():
    for L in LIBS:
        assert not L.is_autocast_enabled("cpu") and not L.is_autocast_enabled()
        assert L.get_autocast_dtype("cpu") == L.bfloat16 and L.get_autocast_dtype("cuda") == L.float16
        with L.autocast("cpu"):
            assert L.is_autocast_enabled("cpu") and not L.is_autocast_enabled("cuda") and not L.is_autocast_enabled()
            assert quiet(lambda: L.is_autocast_cpu_enabled())
        L.set_autocast_enabled("cpu", True)
        try:
            assert (L.ones(2, 2) @ L.ones(2, 2)).dtype == L.bfloat16
        finally:
            L.set_autocast_enabled("cpu", False)
        assert (L.ones(2, 2) @ L.ones(2, 2)).dtype == L.float32
        with pytest.warns(DeprecationWarning):
            assert L.get_autocast_cpu_dtype() == L.bfloat16
        assert L.is_autocast_cache_enabled()
        L.clear_autocast_cache()


@pytest.mark.parametrize("dev", ["mps", "xpu:0", "meta"])
def test_devices_without_a_backend_raise_not_implemented(dev):
    with pytest.raises(NotImplementedError, match=f"device type '{dev.split(':')[0]}' is not supported by ember"):
        ember.ones(2).to(dev)
    with pytest.raises(NotImplementedError):
        ember.zeros(2, device=dev)
    assert ember.backends.mps.is_available() is False


@cpu_only
def test_accelerator_and_out_of_memory_error():
    for L in LIBS:
        assert L.accelerator.is_available() is False and L.accelerator.current_accelerator() is None
        assert L.accelerator.device_count() == 0
        for name in ("current_device_index", "synchronize", "memory_allocated", "empty_cache"):
            with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
                getattr(L.accelerator, name)()
        assert issubclass(L.OutOfMemoryError, RuntimeError) and L.cuda.OutOfMemoryError is L.OutOfMemoryError
        assert issubclass(L.AcceleratorError, RuntimeError)
        assert (L.pi, L.e, L.inf, L.newaxis) == (torch.pi, torch.e, torch.inf, None) and L.nan != L.nan
        assert L.ones(3)[L.newaxis].shape == (1, 3)
        assert L.autograd.kineto_available() in (True, False) and not L.autograd.is_view_replay_enabled()
        assert L.autograd.is_tensor_like(L.ones(1)) and not L.autograd.is_tensor_like(1.0)
