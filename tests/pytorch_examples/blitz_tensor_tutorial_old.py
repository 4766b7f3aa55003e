# "Deep Learning with PyTorch: A 60 Minute Blitz" (PyTorch 0.3 era): "What is PyTorch?". Tensors
# made with torch.Tensor and torch.rand, the add forms (operator, torch.add, out=, add_), indexing,
# view, and the NumPy bridge.
import torch
import numpy as np

torch.manual_seed(0)

# Construct a 5x3 matrix, uninitialized:
x = torch.Tensor(5, 3)
print(x.size())

# Construct a randomly initialized matrix
x = torch.rand(5, 3)
print(x)

# Get its size
print(x.size())

# Addition: syntax 1
y = torch.rand(5, 3)
print(x + y)

# Addition: syntax 2
print(torch.add(x, y))

# Addition: giving an output tensor
result = torch.Tensor(5, 3)
torch.add(x, y, out=result)
print(result)

# Addition: in-place
# adds x to y
y.add_(x)
print(y)

# You can use standard numpy-like indexing with all bells and whistles!
print(x[:, 1])

# Resizing: If you want to resize/reshape tensor, you can use torch.view
x = torch.randn(4, 4)
y = x.view(16)
z = x.view(-1, 8)  # the size -1 is inferred from other dimensions
print(x.size(), y.size(), z.size())

# Converting torch Tensor to numpy Array
a = torch.ones(5)
print(a)
b = a.numpy()
print(b)

# See how the numpy array changed in value.
a.add_(1)
print(a)
print(b)

# Converting numpy Array to torch Tensor
a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a)
print(b)

# more out= forms of the reference docs
c = torch.Tensor()
torch.mul(x, 2, out=c)
torch.matmul(x, x, out=c)
print(c)
d = torch.LongTensor()
torch.arange(0, 10, 3, out=d)
print(d, torch.sum(x, 1, out=torch.Tensor()))
values, indices = torch.Tensor(), torch.LongTensor()
torch.max(x, 1, out=(values, indices))
print(values, indices)
