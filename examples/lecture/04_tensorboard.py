"""Task 4: task 3 with TensorBoard.

Every epoch's loss and the parameters go to an event file under runs/; view them with
    tensorboard --logdir runs
Swap the import for `import torch` and this runs unchanged on PyTorch.
"""
import numpy as np
import ember as torch
from ember.utils.tensorboard import SummaryWriter

torch.manual_seed(0)
rng = np.random.default_rng(0)
x = torch.tensor(rng.uniform(-1, 1, (100, 1)), dtype=torch.float32)
y = 2.0 + 3.0 * x + 0.1 * torch.tensor(rng.standard_normal((100, 1)), dtype=torch.float32)

model = torch.nn.Sequential(torch.nn.Linear(1, 1))
loss_function = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

with SummaryWriter("runs/linear_regression") as writer:
    writer.add_graph(model, x)                                   # the model's graph
    for epoch in range(500):
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        writer.add_scalar("loss/train", loss.item(), epoch)      # the loss curve
        writer.add_scalar("params/w0", model[0].bias.item(), epoch)
        writer.add_scalar("params/w1", model[0].weight.item(), epoch)
    writer.add_histogram("residuals", (model(x) - y).detach(), 500)
    print(f"w0 = {model[0].bias.item():.4f}, w1 = {model[0].weight.item():.4f}")
    print(f"logs in {writer.log_dir}: run  tensorboard --logdir runs")
