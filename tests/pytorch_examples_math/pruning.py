"""The pruning tutorial's steps on a LeNet-like network: train, prune (unstructured, structured,
global, iteratively), keep training with the masks in place, then make the pruning permanent."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def sparsity(t):
    return 100.0 * float(torch.sum(t == 0)) / float(t.nelement())


torch.manual_seed(0)
images = torch.randn(64, 1, 14, 14)
labels = torch.randint(0, 10, (64,))
model = LeNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def train(steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
    return loss.item()


print("loss before pruning", train(10))

module = model.conv1
prune.random_unstructured(module, name="weight", amount=0.3)
prune.l1_unstructured(module, name="bias", amount=3)
print(list(dict(module.named_parameters()).keys()), list(dict(module.named_buffers()).keys()))
print("conv1 weight sparsity", sparsity(module.weight))
# iterative pruning: structured on top of unstructured
prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
print("conv1 weight sparsity after ln_structured", sparsity(module.weight))
print("mask rows kept", module.weight_mask.sum(dim=(1, 2, 3)))

parameters_to_prune = ((model.conv2, "weight"), (model.fc1, "weight"), (model.fc2, "weight"))
prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=0.2)
for m, name in parameters_to_prune:
    print("sparsity", sparsity(getattr(m, name)))
print("global sparsity", 100.0 * sum(float(torch.sum(getattr(m, n) == 0)) for m, n in parameters_to_prune)
      / sum(float(getattr(m, n).nelement()) for m, n in parameters_to_prune))

# the optimizer still holds the same Parameter objects, now registered as weight_orig
print("loss after pruning, training on", train(10))
print("still pruned", sparsity(model.fc1.weight), prune.is_pruned(model))

for m, name in ((model.conv1, "weight"), (model.conv1, "bias")) + parameters_to_prune:
    prune.remove(m, name)
print(list(dict(model.conv1.named_parameters()).keys()), prune.is_pruned(model))
print("final sparsity", sparsity(model.conv1.weight), sparsity(model.fc1.weight))
print("final loss", F.cross_entropy(model(images), labels).item())
print("state_dict keys", sorted(model.state_dict().keys()))
