# The idioms of older PyTorch code collected from tutorials and forum answers: legacy tensor types
# as constructors, in isinstance checks and in x.type(), set_default_tensor_type, the alpha-first
# add_, out=, volatile Variables for inference, and size_average on a loss.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable

torch.manual_seed(0)

dtype = torch.FloatTensor
ltype = torch.LongTensor

x = torch.randn(3, 4).type(dtype)
idx = ltype([2, 0, 1])
print(x.type(), idx.type(), x[idx])
print(isinstance(x, torch.FloatTensor), isinstance(idx, torch.LongTensor), isinstance(x, torch.DoubleTensor))

d = x.type(torch.DoubleTensor)
print(d.type(), d.sum())
i = x.type('torch.IntTensor')
print(i.type(), (x * 10).type(torch.IntTensor))

mask = torch.ByteTensor([1, 0, 1])
print(mask.type(), torch.BoolTensor([True, False]).type())

# legacy constructor forms
print(torch.FloatTensor([[1, 2], [3, 4]]), torch.LongTensor(2, 3).size(), torch.Tensor([1.5, 2.5]))

# add_ with the scale first, the form of old optimizers' code: p.data.add_(-lr, grad)
p = torch.ones(4)
grad = torch.arange(4).float()
p.add_(-0.1, grad)
print(p)

# out=
out = torch.FloatTensor()
torch.mm(x, x.t(), out=out)
print(out)
torch.cat([x, x], 0, out=out)
print(out.size())

# volatile Variables (no effect since 0.4) and Variable(..., requires_grad=True)
net = nn.Linear(4, 2)
inp = Variable(x, volatile=True)
print(net(inp).requires_grad, net(inp))

w = Variable(torch.randn(4, 2), requires_grad=True)
loss_fn = nn.MSELoss(size_average=False)
loss = loss_fn(x.mm(w), Variable(torch.zeros(3, 2)))
loss.backward()
print(loss.item(), w.grad)

# a deprecated initializer and clip_grad_norm
torch.nn.init.xavier_uniform(net.weight)
net.weight.grad = torch.ones(2, 4) * 3
print(torch.nn.utils.clip_grad_norm(net.parameters(), 1.0), net.weight)

# softmax without dim
print(F.softmax(Variable(torch.Tensor([[1, 2, 3], [1, 1, 1]]))))

# set_default_tensor_type switches torch.Tensor and the factory functions to float64
torch.set_default_tensor_type('torch.DoubleTensor')
print(torch.Tensor([1, 2]).type(), torch.randn(2).dtype, torch.zeros(1).type())
torch.set_default_tensor_type(torch.FloatTensor)
print(torch.Tensor([1, 2]).type())
