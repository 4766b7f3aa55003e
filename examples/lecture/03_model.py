"""Task 3: linear regression with a model, a loss function and an optimizer.

The lecture's four steps: define the model, the loss, the optimizer, the training loop.
Swap the import for `import torch` and this runs unchanged on PyTorch.
"""
import numpy as np
import ember as torch

torch.manual_seed(0)
rng = np.random.default_rng(0)
x = torch.tensor(rng.uniform(-1, 1, (100, 1)), dtype=torch.float32)
y = 2.0 + 3.0 * x + 0.1 * torch.tensor(rng.standard_normal((100, 1)), dtype=torch.float32)

model = torch.nn.Sequential(torch.nn.Linear(1, 1))          # 1. the model: f(x) = w0 + w1 x
loss_function = torch.nn.MSELoss()                          # 2. the loss
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)     # 3. the optimizer

model.train()
for epoch in range(500):                                    # 4. the training loop
    optimizer.zero_grad()                # reset the accumulated gradients
    outputs = model(x)                   # forward
    loss = loss_function(outputs, y)
    loss.backward()                      # backward: gradients into .grad
    optimizer.step()                     # update the parameters
    if epoch % 100 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

model.eval()
linear = model[0]
print(f"w0 = {linear.bias.item():.4f}, w1 = {linear.weight.item():.4f}")
torch.save(model.state_dict(), "model_weights.pt")          # saving, as on the lecture's slide
model.load_state_dict(torch.load("model_weights.pt"))
