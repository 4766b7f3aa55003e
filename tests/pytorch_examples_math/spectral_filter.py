"""Learning a filter in the frequency domain: a 1-D spectral convolution layer (the building block of
Fourier neural operators) keeps the lowest Fourier modes of its input, multiplies them by learned
complex weights and transforms back; trained to denoise signals and to map them to their derivative.
The complex product is written on (real, imaginary) pairs, as the original FNO code's compl_mul1d."""
import math
from functools import partial

import torch
import torch.nn as nn


def compl_mul1d(a, b):
    # (batch, in_channel, x, 2), (in_channel, out_channel, x, 2) -> (batch, out_channel, x, 2)
    op = partial(torch.einsum, "bix,iox->box")
    return torch.stack([
        op(a[..., 0], b[..., 0]) - op(a[..., 1], b[..., 1]),
        op(a[..., 1], b[..., 0]) + op(a[..., 0], b[..., 1])
    ], dim=-1)


class SpectralConv1d(nn.Module):
    def __init__(self, channels, modes):
        super().__init__()
        self.modes = modes
        scale = 1 / channels
        # complex weights stored as (real, imaginary) pairs
        self.weight = nn.Parameter(scale * torch.randn(channels, channels, modes, 2))

    def forward(self, x):
        x_ft = torch.view_as_real(torch.fft.rfft(x, norm="ortho"))
        out_ft = torch.zeros(x.shape[0], x.shape[1], x_ft.shape[-2], 2)
        out_ft[:, :, :self.modes] = compl_mul1d(x_ft[:, :, :self.modes], self.weight)
        return torch.fft.irfft(torch.view_as_complex(out_ft), n=x.shape[-1], norm="ortho")


torch.manual_seed(0)
n = 64
t = torch.linspace(0, 2 * math.pi, n + 1)[:-1]
freqs = torch.randint(1, 5, (32, 1)).float()
phases = torch.rand(32, 1) * 2 * math.pi
clean = torch.sin(freqs * t + phases).unsqueeze(1)
noisy = clean + 0.3 * torch.randn(32, 1, n)
derivative = (freqs * torch.cos(freqs * t + phases)).unsqueeze(1)

for name, target in (("denoise", clean), ("differentiate", derivative)):
    layer = SpectralConv1d(1, modes=8)
    opt = torch.optim.Adam(layer.parameters(), lr=0.05)
    inputs = noisy if name == "denoise" else clean
    for step in range(60):
        opt.zero_grad()
        loss = ((layer(inputs) - target) ** 2).mean()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            print(name, step, loss.item())
    print(name, "final", loss.item())
    with torch.no_grad():
        spectrum = torch.fft.rfft(layer(inputs[:1]).squeeze(), norm="ortho")
    print(name, "output spectrum magnitude", spectrum.abs()[:10])

# the power spectrum of the noisy signals, and the frequency axis it lives on
power = torch.fft.rfft(noisy.squeeze(1)).abs().pow(2).mean(0)
print("strongest bins", torch.topk(power, 4).indices)
print("freq axis", torch.fft.rfftfreq(n, d=1.0 / n)[:6])
print("fftshift", torch.fft.fftshift(torch.fft.fftfreq(8)))
