"""Gaussian-process regression: an RBF kernel's length scale, output scale and noise fitted by
maximizing the marginal likelihood (MultivariateNormal.log_prob) with Adam, then the posterior mean
and variance at new points through a Cholesky factorization."""
import math

import torch
from torch.distributions import MultivariateNormal

torch.manual_seed(0)
train_x = torch.linspace(0, 1, 25, dtype=torch.float64)
train_y = torch.sin(train_x * (2 * math.pi)) + 0.2 * torch.randn(25, dtype=torch.float64)
test_x = torch.linspace(0, 1, 7, dtype=torch.float64)


def rbf(a, b, length_scale, output_scale):
    sq = (a.unsqueeze(-1) - b.unsqueeze(-2)) ** 2
    return output_scale * torch.exp(-0.5 * sq / length_scale ** 2)


raw = {name: torch.tensor(0.0, dtype=torch.float64, requires_grad=True) for name in ("length", "output", "noise")}
optimizer = torch.optim.Adam(raw.values(), lr=0.1)


def hyper():
    softplus = torch.nn.functional.softplus
    return softplus(raw["length"]), softplus(raw["output"]), softplus(raw["noise"]) + 1e-4


for step in range(60):
    optimizer.zero_grad()
    length, output, noise = hyper()
    K = rbf(train_x, train_x, length, output) + noise * torch.eye(25, dtype=torch.float64)
    mll = MultivariateNormal(torch.zeros(25, dtype=torch.float64), covariance_matrix=K).log_prob(train_y)
    (-mll / 25).backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step} mll {mll.item():.6f} length {length.item():.5f} noise {noise.item():.5f}")

with torch.no_grad():
    length, output, noise = hyper()
    K = rbf(train_x, train_x, length, output) + noise * torch.eye(25, dtype=torch.float64)
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(train_y.unsqueeze(-1), L)
    K_s = rbf(test_x, train_x, length, output)
    mean = (K_s @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(L, K_s.T, upper=False)
    var = rbf(test_x, test_x, length, output).diagonal() - (v ** 2).sum(0)
    print("posterior mean", mean)
    print("posterior std", var.sqrt())
    print("hyperparameters", length.item(), output.item(), noise.item())
    post = MultivariateNormal(mean, rbf(test_x, test_x, length, output) - v.T @ v + 1e-6 * torch.eye(7, dtype=torch.float64))
    print("posterior samples", post.sample((2,)))
