"""Task 2: the same linear regression with tensors and autograd.

Swap the import for `import torch` and this runs unchanged on PyTorch.
"""
import numpy as np
import ember as torch

rng = np.random.default_rng(0)
x = torch.tensor(rng.uniform(-1, 1, 100), dtype=torch.float32)
y = 2.0 + 3.0 * x + 0.1 * torch.tensor(rng.standard_normal(100), dtype=torch.float32)

# requires_grad=True: autograd records every operation on these tensors
w0 = torch.zeros(1, requires_grad=True)
w1 = torch.zeros(1, requires_grad=True)
lr = 0.1
for epoch in range(500):
    loss = ((w0 + w1 * x - y) ** 2).mean()
    loss.backward()              # computes dL/dw0, dL/dw1 and accumulates them in .grad
    with torch.no_grad():        # the update itself must not be recorded
        w0 -= lr * w0.grad
        w1 -= lr * w1.grad
    w0.grad.zero_()              # gradients accumulate: reset them before the next step
    w1.grad.zero_()
    if epoch % 100 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

print(f"w0 = {w0.item():.4f}, w1 = {w1.item():.4f}")
