"""torch.func's per-sample-gradients recipe: vmap over grad of a functional_call computes each
example's gradient at once; compared with the loop over examples it replaces, and used to clip
per-example gradients (the core of DP-SGD)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

torch.manual_seed(0)


class SimpleMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(F.tanh(self.fc1(x)))


model = SimpleMLP()
data = torch.randn(16, 10)
targets = torch.randint(4, (16,))


def compute_grad(sample, target):
    sample, target = sample.unsqueeze(0), target.unsqueeze(0)
    loss = F.cross_entropy(model(sample), target)
    return torch.autograd.grad(loss, list(model.parameters()))


per_sample_grads = [compute_grad(data[i], targets[i]) for i in range(16)]
per_sample_grads = list(zip(*per_sample_grads))
per_sample_grads = [torch.stack(shards) for shards in per_sample_grads]

params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def compute_loss(params, buffers, sample, target):
    batch, targets = sample.unsqueeze(0), target.unsqueeze(0)
    predictions = functional_call(model, (params, buffers), (batch,))
    return F.cross_entropy(predictions, targets)


ft_compute_sample_grad = vmap(grad(compute_loss), in_dims=(None, None, 0, 0))
ft_per_sample_grads = ft_compute_sample_grad(params, buffers, data, targets)
for per_sample_grad, (name, ft_grad) in zip(per_sample_grads, ft_per_sample_grads.items()):
    print(name, tuple(ft_grad.shape), (per_sample_grad - ft_grad).abs().max().item() < 1e-5)
    print(name, "per-example norms", ft_grad.flatten(1).norm(dim=1)[:6])

# DP-SGD's step: clip every example's gradient to norm 1, average, add noise, descend
norms = torch.stack([g.flatten(1).norm(dim=1) for g in ft_per_sample_grads.values()]).norm(dim=0)
factor = (1.0 / (norms + 1e-6)).clamp(max=1.0)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(5):
    params = {k: v.detach() for k, v in model.named_parameters()}
    g = ft_compute_sample_grad(params, buffers, data, targets)
    norms = torch.stack([v.flatten(1).norm(dim=1) for v in g.values()]).norm(dim=0)
    factor = (1.0 / (norms + 1e-6)).clamp(max=1.0)
    for (name, p) in model.named_parameters():
        clipped = (g[name] * factor.view(-1, *([1] * (g[name].dim() - 1)))).mean(0)
        p.grad = clipped + 0.01 * torch.randn_like(clipped)
    optimizer.step()
    with torch.no_grad():
        print("step", step, "loss", F.cross_entropy(model(data), targets).item(), "mean norm", norms.mean().item())
