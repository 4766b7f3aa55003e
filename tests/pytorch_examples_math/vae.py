"""A variational autoencoder written with torch.distributions (the reparameterization trick through
Normal.rsample, the KL term through kl_divergence), trained on small synthetic binary images."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Bernoulli, Normal, kl_divergence

torch.manual_seed(0)

# 256 binary 8x8 "images": bright bars at random rows and columns
rows = torch.randint(0, 8, (256,))
cols = torch.randint(0, 8, (256,))
images = torch.zeros(256, 8, 8)
images[torch.arange(256), rows, :] = 1.0
images[torch.arange(256), :, cols] = 1.0
noise = torch.rand(256, 8, 8) < 0.05
data = (images + noise.float()).clamp(max=1.0).view(256, 64)


class VAE(nn.Module):
    def __init__(self, latent=4):
        super().__init__()
        self.enc = nn.Linear(64, 32)
        self.mu = nn.Linear(32, latent)
        self.logvar = nn.Linear(32, latent)
        self.dec1 = nn.Linear(latent, 32)
        self.dec2 = nn.Linear(32, 64)

    def encode(self, x):
        h = F.relu(self.enc(x))
        return Normal(self.mu(h), torch.exp(0.5 * self.logvar(h)))

    def decode(self, z):
        return Bernoulli(logits=self.dec2(F.relu(self.dec1(z))))

    def forward(self, x):
        q = self.encode(x)
        z = q.rsample()
        return q, self.decode(z)


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
prior = Normal(torch.zeros(4), torch.ones(4))

for epoch in range(1, 6):
    perm = torch.randperm(256)
    total, total_kl = 0.0, 0.0
    for i in range(0, 256, 64):
        x = data[perm[i:i + 64]]
        optimizer.zero_grad()
        q, p_x = model(x)
        recon = -p_x.log_prob(x).sum(-1)
        kl = kl_divergence(q, prior).sum(-1)
        loss = (recon + kl).mean()
        loss.backward()
        optimizer.step()
        total += loss.item()
        total_kl += kl.mean().item()
    print(f"epoch {epoch} loss {total / 4:.5f} kl {total_kl / 4:.5f}")

with torch.no_grad():
    z = prior.sample((3,))
    samples = model.decode(z).probs
    print("decoded means", samples.mean(-1))
    q = model.encode(data[:4])
    print("posterior mean", q.mean)
    print("posterior stddev", q.stddev)
    print("elbo", (model.decode(q.mean).log_prob(data[:4]).sum(-1) - kl_divergence(q, prior).sum(-1)))
