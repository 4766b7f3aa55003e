"""Fitting a Gaussian mixture by maximum likelihood with torch.distributions: MixtureSameFamily over
Independent Normals, its log_prob minimized with Adam; then sampling from it and scoring points."""
import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

torch.manual_seed(0)
centers = torch.tensor([[-2.0, 0.0], [2.0, 1.0], [0.0, -2.5]])
assignments = torch.randint(0, 3, (300,))
data = centers[assignments] + 0.5 * torch.randn(300, 2)

logits = torch.zeros(3, requires_grad=True)
locs = torch.randn(3, 2, requires_grad=True)
raw_scales = torch.zeros(3, 2, requires_grad=True)
optimizer = torch.optim.Adam([logits, locs, raw_scales], lr=0.05)


def mixture():
    components = Independent(Normal(locs, torch.nn.functional.softplus(raw_scales) + 1e-3), 1)
    return MixtureSameFamily(Categorical(logits=logits), components)


for step in range(120):
    optimizer.zero_grad()
    nll = -mixture().log_prob(data).mean()
    nll.backward()
    optimizer.step()
    if step % 20 == 0:
        print("step", step, "nll", nll.item())

gmm = mixture()
print("weights", gmm.mixture_distribution.probs.detach())
print("means", gmm.component_distribution.mean.detach())
print("mixture mean", gmm.mean.detach(), "variance", gmm.variance.detach())
with torch.no_grad():
    samples = gmm.sample((5,))
    print("samples", samples)
    print("log_prob of samples", gmm.log_prob(samples))
    posterior = gmm.mixture_distribution.logits + gmm.component_distribution.log_prob(data[:4].unsqueeze(1))
    print("responsibilities", torch.softmax(posterior, dim=-1))
