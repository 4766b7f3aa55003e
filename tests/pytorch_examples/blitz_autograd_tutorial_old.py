# "Deep Learning with PyTorch: A 60 Minute Blitz" (PyTorch 0.3 era): "Autograd: automatic
# differentiation", with Variable, .data and .grad, and a non-scalar backward.
import torch
from torch.autograd import Variable

torch.manual_seed(0)

# Create a variable:
x = Variable(torch.ones(2, 2), requires_grad=True)
print(x)

# Do an operation of variable:
y = x + 2
print(y)

# y was created as a result of an operation, so it has a grad_fn.
print(y.grad_fn is not None)

# Do more operations on y
z = y * y * 3
out = z.mean()

print(z, out)

# Let's backprop now out.backward() is equivalent to doing out.backward(torch.Tensor([1.0]))
out.backward()

# print gradients d(out)/dx
print(x.grad)

# You can do many crazy things with autograd!
x = torch.randn(3)
x = Variable(x, requires_grad=True)

y = x * 2
while y.data.norm() < 1000:
    y = y * 2

print(y)

gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
y.backward(gradients)

print(x.grad)

# the gradient accumulates
z = (x * x).sum()
z.backward()
print(x.grad, x.grad.data.norm())
x.grad.data.zero_()
print(x.grad)
