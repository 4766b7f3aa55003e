"""ember on a GPU (CuPy arrays behind the same ops) against torch on the CPU: forward values,
gradients, a training run and where results live. Skipped where CuPy or a GPU is missing."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

needs_gpu = pytest.mark.skipif(not ember.cuda.is_available(), reason="needs CuPy and an NVIDIA GPU")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 5)).astype(np.float32)
B = RNG.standard_normal((5, 3)).astype(np.float32)
C = RNG.standard_normal((4, 5)).astype(np.float32)

CASES = {  # f(lib, a, b, c) -> a scalar or tensor; a, c are 4x5, b is 5x3
    "arith": lambda L, a, b, c: (a * c + a / (c.abs() + 1) - 2.5 * a + 3) ** 2,
    "unary": lambda L, a, b, c: a.exp().tanh() + a.sigmoid() * a.sin() + (a.abs() + 1).log() + a.relu(),
    "matmul": lambda L, a, b, c: (a @ b).tanh() @ b.T,
    "reductions": lambda L, a, b, c: a.sum(1) + a.mean(0).sum() + a.amax(1) + L.logsumexp(a, 1) + a.var(1),
    "shape": lambda L, a, b, c: L.cat([a.T, c.T], 1).reshape(2, -1)[:, 3:9].flip(0) + a.unsqueeze(0).expand(2, 4, 5).sum((0, 1))[:1].sum(),
    "index": lambda L, a, b, c: a[1:3, [0, 2, 4]] * c[a[:, 0] > 0].sum() + L.where(a > 0, a, c)[0, :3],
    "broadcast": lambda L, a, b, c: a * c[:1] + a.sum(0, keepdim=True) - c[:, :1],
    "softmax_ce": lambda L, a, b, c: L.nn.functional.cross_entropy(a, L.tensor([0, 4, 2, 1], device=a.device))
    + L.nn.functional.log_softmax(c, 1).mean(),
    "embedding_pool": lambda L, a, b, c: L.nn.functional.embedding(L.tensor([[0, 3], [3, 1]], device=a.device), a)
    + L.nn.functional.max_pool1d(c.unsqueeze(0), 2).sum(),
    "mse": lambda L, a, b, c: L.nn.functional.mse_loss(a, c) + L.nn.functional.linear(a, b.T, b[0]).sum(),
    "max_min": lambda L, a, b, c: a.max(1).values + a.min(0).values.sum() + a.argmax(1).float() + a.amin(0).sum(),
    "sort_topk": lambda L, a, b, c: a.sort(1).values[:, :2] + a.topk(2, 1).values + a.argsort(1)[:, :2].float(),
    "cumulative": lambda L, a, b, c: a.cumsum(1) + (a.abs() + 0.5).cumprod(1),
    "median_prod_norm": lambda L, a, b, c: a.median(1).values + (a.abs() + 0.5).prod(1) + a.norm(dim=1) + a.std(1),
    "logic": lambda L, a, b, c: L.where(a.isfinite() & (a > 0).any(1, keepdim=True), a, c)
    + L.count_nonzero(a > 0).float(),
    "special": lambda L, a, b, c: L.erf(a) + L.erfc(a) + a.clamp(-0.5, 0.5) + L.lerp(a, c, 0.3) + L.atan2(a, c)
    + a.abs().pow(c.abs()) + L.maximum(a, c),
    "rounding": lambda L, a, b, c: a.floor() + a.round() + a.sign() + L.remainder(a, 0.7) + a * c.sign(),
    "shape_more": lambda L, a, b, c: L.stack([a, c]).sum(0) + L.cat(a.split(2, 1), 1) + a.roll(1, 0) + a.tril()
    + c.triu(1) + a.repeat(2, 1)[:4] + a.flip(1).T.T,
    "gather_scatter": lambda L, a, b, c: a.gather(1, L.tensor([[0, 1], [2, 3], [4, 0], [1, 1]], device=a.device)).sum()
    + L.zeros(4, 5, device=a.device).scatter_add(1, L.tensor([[0, 1], [2, 3], [4, 0], [1, 1]], device=a.device), c[:, :2])
    + a.index_select(0, L.tensor([3, 0], device=a.device)).sum() + a.masked_fill(a > 1, 0.0),
    "linalg": lambda L, a, b, c: L.linalg.inv(a @ a.T + 5 * L.eye(4, device=a.device)).sum()
    + L.linalg.det(a @ a.T + 5 * L.eye(4, device=a.device)) + L.einsum("ij,jk->ik", a, b).sum()
    + L.bmm(a.unsqueeze(0), b.unsqueeze(0)).sum() + L.linalg.solve(a @ a.T + 5 * L.eye(4, device=a.device), c).sum(),
    "norm_act": lambda L, a, b, c: L.nn.functional.layer_norm(a, (5,)) + L.nn.functional.gelu(a)
    + L.nn.functional.softmax(c, 1) + L.nn.functional.silu(a)
    + L.nn.functional.group_norm(a.unsqueeze(-1), 1).squeeze(-1) + L.nn.functional.batch_norm(a, None, None, training=True),
    "conv_pool": lambda L, a, b, c: L.nn.functional.conv2d(a.reshape(1, 1, 4, 5), c[:2, :3].reshape(2, 1, 1, 3), padding=1).sum()
    + L.nn.functional.conv_transpose2d(a.reshape(1, 1, 4, 5), c[:2, :3].reshape(1, 2, 1, 3)).sum()
    + L.nn.functional.avg_pool2d(a.reshape(1, 1, 4, 5), 2).sum()
    + L.nn.functional.adaptive_avg_pool2d(a.reshape(1, 1, 4, 5), (2, 2)).sum()
    + L.nn.functional.interpolate(a.reshape(1, 1, 4, 5), scale_factor=2, mode="bilinear").sum()
    + L.nn.functional.pad(a.reshape(1, 1, 4, 5), (1, 1)).sum(),
    # ops that make new arrays (indices, ranks, zeros): on the input's device
    "zero_dim": lambda L, a, b, c: a[0, 0].sort().values + a[1, 1].max(0).values + a[2, 2].topk(1).values
    + a[0, 1].median(0).values + a[1, 2].mode().values + a[0, 3].argmax(0).float() + a[0, 4].kthvalue(1).values
    + a[3, 3].argsort().float() + a[3, 4].min(0).indices.float(),
    "cum_quantile_mode": lambda L, a, b, c: a.cummax(1).values + a.cummin(0).values
    + L.quantile(a, 0.3, dim=1, keepdim=True) + L.nanquantile(c, 0.6, dim=1, keepdim=True)
    + a.mode(1).values.unsqueeze(1) + L.median(a) + L.logsumexp(c, 1, keepdim=True),
    "repeat_isin_diag": lambda L, a, b, c: a.repeat_interleave(2, dim=0)[:4]
    + L.repeat_interleave(L.tensor([1, 2], device=a.device)).float().sum()
    + a.repeat_interleave(L.tensor([1, 0, 2, 1], device=a.device), dim=0)[:4]
    + L.isin(a, c[0]).float() + L.isin(a, 0.5).float() + L.diag_embed(a[0])[:4].sum() + a.diagonal().sum()
    + L.cat([a, L.zeros(0, device=a.device)]) + L.addmm(c[:, :3], a, b, beta=0).sum(),
}


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_gpu)])
@pytest.mark.parametrize("name", CASES)
def test_ops_on_the_gpu_match_torch(name, device):
    # (on the CPU too: the same cases, so a failure on the GPU is the GPU's)
    f = CASES[name]
    out = {}
    for lib, dev in ((ember, device), (torch, "cpu")):
        a, b, c = (lib.tensor(v, requires_grad=True, device=dev) for v in (A, B, C))
        y = f(lib, a, b, c)
        y.sum().backward()
        out[lib] = (y, a.grad, b.grad, c.grad)
    (ye, *ge), (yt, *gt) = out[ember], out[torch]
    assert ye.device.type == device and all(g is None or g.device.type == device for g in ge)
    assert_close(ye.cpu(), yt, rtol=1e-4, atol=1e-5)
    for e, t in zip(ge, gt):
        assert (e is None) == (t is None)
        if e is not None:
            assert_close(e.cpu(), t, rtol=1e-4, atol=1e-5)


@needs_gpu
def test_double_backward_on_the_gpu():
    out = {}
    for lib, dev in ((ember, "cuda"), (torch, "cpu")):
        x = lib.tensor(A, requires_grad=True, device=dev)
        (g,) = lib.autograd.grad((x.tanh() * x).sum(), x, create_graph=True)
        (g * g).sum().backward()
        out[lib] = x.grad
    assert_close(out[ember].cpu(), out[torch], rtol=1e-4, atol=1e-5)


def _lenet(lib):
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 6, 5, padding=2, bias=False)  # (a bias before BN gets only noise)
            self.bn = lib.nn.BatchNorm2d(6)
            self.conv2 = lib.nn.Conv2d(6, 16, 5)
            self.fc1 = lib.nn.Linear(16 * 5 * 5, 32)
            self.drop = lib.nn.Dropout(0.0)
            self.fc2 = lib.nn.Linear(32, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.bn(self.conv1(x))), 2)
            x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
            return self.fc2(self.drop(F.relu(self.fc1(lib.flatten(x, 1)))))
    return Net()


@needs_gpu
def test_training_on_the_gpu_matches_torch():
    # same seed, same initial weights (ember draws as torch does); ten Adam steps on the GPU
    x = RNG.standard_normal((16, 1, 28, 28)).astype(np.float32)
    y = RNG.integers(0, 10, 16)
    params = {}
    for lib, dev in ((ember, "cuda"), (torch, "cpu")):
        lib.manual_seed(0)
        model = _lenet(lib).to(dev)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        xs, ys = lib.tensor(x, device=dev), lib.tensor(y, device=dev)
        for _ in range(10):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(xs), ys)
            loss.backward()
            opt.step()
        params[lib] = (loss.item(), {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    (le, pe), (lt, pt) = params[ember], params[torch]
    assert abs(le - lt) < 1e-4
    assert pe.keys() == pt.keys()
    for k in pe:
        np.testing.assert_allclose(pe[k], pt[k], rtol=1e-3, atol=1e-4, err_msg=k)


@needs_gpu
def test_moving_between_devices():
    x = ember.tensor(A, requires_grad=True)
    y = x.cuda() * 2  # the copy to the GPU is part of the graph, as in torch
    assert y.device == ember.device("cuda", 0)
    y.sum().backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), np.full_like(A, 2.0))
    with pytest.raises(TypeError):
        y.detach().numpy()  # as torch: a GPU tensor must come to the CPU first
    np.testing.assert_allclose(y.detach().cpu().numpy(), 2 * A)
