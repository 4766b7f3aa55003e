"""nn.Module, Parameter and the containers against torch: registration, iteration,
state_dict / load_state_dict, modes, hooks, conversion, repr; and the 60-minute blitz
"Neural Networks" tutorial run through ember and torch from the same source text."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close


def build(lib):
    """The same model, written once for both libraries (shared weight, buffers, nesting)."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.register_buffer("scale", lib.ones(1))
            self.register_buffer("cache", lib.zeros(2), persistent=False)

        def forward(self, x):
            return lib.relu(self.bn(self.conv(x))) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(Block(3), nn.MaxPool2d(2), Block(4))
            self.heads = nn.ModuleList([nn.Linear(16, 5) for _ in range(3)])
            self.extra = nn.ModuleDict({"act": nn.GELU(), "drop": nn.Dropout(0.1)})
            self.tied = self.heads[0]          # the same module under two names
            self.alpha = nn.Parameter(lib.tensor(0.5))
            self.plist = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3)])

        def forward(self, x):
            h = self.features(x).mean((2, 3))
            h = lib.cat([h, h, h, h], 1)
            return sum(head(self.extra["act"](h)) for head in self.heads) * self.alpha

    return Net()


def pair(seed=0):
    torch.manual_seed(seed)
    t = build(torch)
    ember.manual_seed(seed)
    e = build(ember)
    return e, t


def test_parameter_basics():
    p = ember.nn.Parameter(ember.ones(2, 3))
    assert isinstance(p, ember.Tensor) and isinstance(p, ember.nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert repr(p).replace("ember", "torch") == repr(torch.nn.Parameter(torch.ones(2, 3)))
    q = ember.nn.Parameter(ember.ones(2), requires_grad=False)
    assert not q.requires_grad
    data = ember.zeros(3)
    r = ember.nn.Parameter(data)
    with ember.no_grad():
        data.add_(1)
    assert r.tolist() == [1.0, 1.0, 1.0]  # shares memory with its data, as torch
    d = copy.deepcopy(r)
    assert isinstance(d, ember.nn.Parameter) and d is not r and d.tolist() == r.tolist()
    u = pickle.loads(pickle.dumps(r))
    assert isinstance(u, ember.nn.Parameter) and u.requires_grad and u.tolist() == r.tolist()
    with pytest.raises(RuntimeError, match="floating point"):
        ember.nn.Parameter(ember.tensor([1, 2]))
    assert ember.nn.Parameter().shape == (0,)


def test_registration_and_iteration():
    e, t = pair()
    for fn in ("named_parameters", "named_buffers", "named_children", "named_modules"):
        assert [n for n, _ in getattr(e, fn)()] == [n for n, _ in getattr(t, fn)()], fn
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=True)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=True)]
    assert [n for n, _ in e.named_parameters(recurse=False)] == [n for n, _ in t.named_parameters(recurse=False)]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.buffers())) == len(list(t.buffers()))
    assert len(list(e.children())) == len(list(t.children()))
    assert len(list(e.modules())) == len(list(t.modules()))
    # attribute access finds parameters, buffers and modules
    assert e.alpha is e._parameters["alpha"]
    assert e.features[0].scale is e.features[0]._buffers["scale"]
    assert e.tied is e.heads[0]
    assert e.get_submodule("features.0.conv") is e.features[0].conv
    assert e.get_parameter("features.2.bn.weight") is e.features[2].bn.weight
    assert e.get_buffer("features.0.bn.running_mean") is e.features[0].bn.running_mean
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        e.get_submodule("features.nope")
    with pytest.raises(AttributeError, match="`conv` is not an nn.Parameter"):
        e.get_parameter("features.0.conv")
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        e.missing
    d = dir(e)
    assert "alpha" in d and "features" in d and "forward" in d and "0" not in dir(e.features)


def test_setattr_delattr_rules():
    for lib in (ember, torch):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.ones(1))
        m.sub = lib.nn.Linear(1, 1)
        m.register_buffer("b", lib.zeros(1))
        m.b = lib.ones(2)                  # assigning a tensor to a buffer name replaces the buffer
        assert m._buffers["b"].shape == (2,)
        with pytest.raises(TypeError, match="cannot assign"):
            m.w = lib.ones(1)              # a plain tensor where a Parameter lives
        with pytest.raises(TypeError, match="cannot assign"):
            m.sub = 3
        m.w = None
        assert "w" in m._parameters and m._parameters["w"] is None
        m.sub = lib.nn.ReLU()
        del m.sub
        assert "sub" not in m._modules
        with pytest.raises(KeyError, match="attribute 'b' already exists|already exists"):
            m.register_parameter("b", lib.nn.Parameter(lib.ones(1)))
        with pytest.raises(KeyError, match="contain"):
            m.register_buffer("a.b", lib.ones(1))
        m.buf = lib.nn.Buffer(lib.ones(3), persistent=False)
        assert "buf" in m._buffers and "buf" not in m.state_dict()
        m.plain = lib.ones(1)              # plain tensors are plain attributes
        assert "plain" not in m._buffers
        del m.b
        assert "b" not in m._buffers
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(ember.nn.Module):
            def __init__(self):
                self.w = ember.nn.Parameter(ember.ones(1))
        Bad()
    with pytest.raises(ValueError, match="non-leaf"):
        ember.nn.Module().register_parameter("x", _nonleaf_param())


def _nonleaf_param():
    p = ember.nn.Parameter(ember.ones(2))
    q = p * 2
    q.__class__ = ember.nn.Parameter
    return q


def test_state_dict_matches_torch():
    e, t = pair()
    se, st = e.state_dict(), t.state_dict()
    assert isinstance(se, OrderedDict)
    assert list(se) == list(st)
    for k in st:
        assert tuple(se[k].shape) == tuple(st[k].shape)
        np.testing.assert_array_equal(se[k]._data, st[k].numpy(), err_msg=k)
        assert not se[k].requires_grad and se[k].grad_fn is None
    assert dict(se._metadata) == dict(st._metadata)
    assert "features.0.cache" not in se  # non-persistent
    kv = e.state_dict(keep_vars=True)
    assert kv["alpha"] is e.alpha
    assert list(e.state_dict(prefix="model.")) == list(t.state_dict(prefix="model."))


def test_load_state_dict_from_torch_and_back():
    e, t = pair(seed=1)
    _, t2 = pair(seed=2)
    # torch's weights into the ember model
    result = e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t2.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(t.load_state_dict(t2.state_dict()))
    for k, v in t2.state_dict().items():
        np.testing.assert_array_equal(e.state_dict()[k]._data, v.numpy())
    # parameters were copied in place: same objects, new values, no graph
    p = e.features[0].conv.weight
    e.load_state_dict(e.state_dict())
    assert e.features[0].conv.weight is p and p.is_leaf and p.requires_grad
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    e.eval()
    t.eval()
    assert_close(e(ember.tensor(x)), t(torch.tensor(x)), 1e-5, 1e-5)


def _message(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


def test_load_state_dict_errors_match_torch_and_change_nothing():
    e, t = pair()
    before = {k: v._data.copy() for k, v in e.state_dict().items()}
    se = {k: ember.tensor(v._data * 0 + 7) for k, v in e.state_dict().items()}
    st = {k: torch.tensor(v._data * 0 + 7) for k, v in e.state_dict().items()}
    cases = []
    # missing and unexpected keys
    a_e, a_t = dict(se), dict(st)
    del a_e["heads.1.bias"], a_t["heads.1.bias"]
    a_e["features.0.bogus"] = ember.ones(1)
    a_t["features.0.bogus"] = torch.ones(1)
    a_e["nothere.weight"] = ember.ones(1)
    a_t["nothere.weight"] = torch.ones(1)
    cases.append((a_e, a_t))
    # a shape mismatch (after every other tensor, which must not have been copied)
    b_e, b_t = dict(se), dict(st)
    b_e["plist.1"] = ember.ones(4)
    b_t["plist.1"] = torch.ones(4)
    cases.append((b_e, b_t))
    for ce, ct in cases:
        me = _message(lambda: e.load_state_dict(ce))
        mt = _message(lambda: t.load_state_dict(ct))
        assert me == mt.replace("torch.Size", "ember.Size")
        for k, v in e.state_dict().items():
            np.testing.assert_array_equal(v._data, before[k], err_msg=f"{k} changed by a failed load")
    # non-strict: loads what matches, reports the rest
    re_ = e.load_state_dict(cases[0][0], strict=False)
    rt = t.load_state_dict(cases[0][1], strict=False)
    assert re_.missing_keys == rt.missing_keys and re_.unexpected_keys == rt.unexpected_keys
    assert float(e.alpha) == 7.0
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        e.load_state_dict([1, 2])


def test_load_state_dict_assign_and_old_batchnorm():
    bn = ember.nn.BatchNorm1d(2)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""] = {"version": 1}  # a checkpoint from before num_batches_tracked
    assert bn.load_state_dict(sd).missing_keys == []
    lin = ember.nn.Linear(2, 2)
    w = ember.ones(2, 2)
    lin.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(lin.weight, ember.nn.Parameter) and lin.weight._data is w._data


def test_train_eval_zero_grad_requires_grad_apply():
    e, t = pair()
    assert e.training and e.features[0].bn.training
    e.eval()
    assert not e.training and not e.features[0].bn.training and not e.extra["drop"].training
    e.train()
    assert e.extra["drop"].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        e.train(1)
    x = ember.randn(2, 3, 8, 8)
    e(x).sum().backward()
    unused = {id(p) for p in e.plist}
    assert all(p.grad is not None for p in e.parameters() if id(p) not in unused)
    e.zero_grad(set_to_none=False)
    assert all(p.grad is None or not p.grad._data.any() for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    t_seen = []
    t.apply(lambda m: t_seen.append(type(m).__name__))
    assert seen == t_seen


def test_to_double_float_half_keep_parameter_identity():
    m = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.BatchNorm1d(2))
    w = m[0].weight
    m(ember.randn(4, 3)).sum().backward()
    m.double()
    assert m[0].weight is w and w.dtype == ember.float64 and w.grad.dtype == ember.float64
    assert m[1].running_mean.dtype == ember.float64
    assert m[1].num_batches_tracked.dtype == ember.int64  # integer buffers keep their dtype
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.half()
    assert w.dtype == ember.float16
    m.float()
    m.to("cpu")
    m.cpu()
    with pytest.raises(TypeError, match="floating point or complex"):
        m.to(ember.int64)
    assert m.to(ember.zeros(1, dtype=ember.float64)) is m and w.dtype == ember.float64


def test_forward_hooks():
    for lib in (ember, torch):
        m = lib.nn.Linear(3, 2)
        calls = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: calls.append(("post", args[0].shape)) or out + 1)
        h3 = m.register_forward_pre_hook(lambda mod, args: calls.append("first"), prepend=True)
        x = lib.ones(4, 3)
        with lib.no_grad():
            y = m(x)
            ref = lib.nn.functional.linear(x * 2, m.weight, m.bias) + 1
        assert lib.equal(y, ref)
        assert calls == ["first", ("post", (4, 3))]
        for h in (h1, h2, h3):
            h.remove()
        with lib.no_grad():
            assert lib.equal(m(x), lib.nn.functional.linear(x, m.weight, m.bias))
        h = m.register_forward_hook(lambda mod, args, kwargs, out: out * 0, with_kwargs=True)
        with lib.no_grad():
            assert not m(x).any()
        h.remove()
        h = m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
        with lib.no_grad():
            assert lib.equal(m(x), m.bias.expand(4, 2))
        h.remove()


def test_repr_matches_torch():
    e, t = pair()
    assert repr(e).replace("ember.", "torch.") == repr(t)
    seq_e = ember.nn.Sequential(OrderedDict([("conv", ember.nn.Conv2d(1, 2, 3, stride=2, padding=1, bias=False)),
                                             ("act", ember.nn.LeakyReLU(0.2, inplace=True)),
                                             ("pool", ember.nn.AdaptiveAvgPool2d((1, 1)))]))
    seq_t = torch.nn.Sequential(OrderedDict([("conv", torch.nn.Conv2d(1, 2, 3, stride=2, padding=1, bias=False)),
                                             ("act", torch.nn.LeakyReLU(0.2, inplace=True)),
                                             ("pool", torch.nn.AdaptiveAvgPool2d((1, 1)))]))
    assert repr(seq_e) == repr(seq_t)
    pd_e = ember.nn.ParameterDict({"b": ember.nn.Parameter(ember.ones(2)), "a": ember.zeros(3, 1)})
    pd_t = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.ones(2)), "a": torch.zeros(3, 1)})
    assert repr(pd_e).replace("ember.", "torch.") == repr(pd_t)
    assert repr(ember.nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(ember.nn.Module()) == repr(torch.nn.Module())


def test_sequential_and_lists():
    for lib in (ember, torch):
        a, b, c, d = (lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.Sigmoid())
        s = lib.nn.Sequential(a, b, c)
        assert s[0] is a and s[-1] is c and len(s) == 3
        sl = s[1:]
        assert isinstance(sl, lib.nn.Sequential) and list(sl) == [b, c]
        assert [k for k in sl._modules] == ["1", "2"]       # slicing keeps the names, as torch
        s.append(d)
        assert s[3] is d
        s.insert(1, lib.nn.Identity())
        assert isinstance(s[1], lib.nn.Identity) and s[2] is b and len(s) == 5
        s.extend([lib.nn.ReLU()])
        assert len(s) == 6
        del s[1]
        assert list(s._modules) == ["0", "1", "2", "3", "4"] and s[1] is b
        s[0] = lib.nn.Linear(2, 2)
        assert s[0] is not a
        with pytest.raises(IndexError):
            s[10]
        assert len(s + lib.nn.Sequential(lib.nn.ReLU())) == 6
        ml = lib.nn.ModuleList([a, b])
        ml += [c]
        ml.append(d)
        ml.insert(0, lib.nn.Identity())
        assert len(ml) == 5 and ml[-1] is d and isinstance(ml[1:], lib.nn.ModuleList)
        assert ml.pop(0).__class__.__name__ == "Identity" and len(ml) == 4
        md = lib.nn.ModuleDict({"x": a})
        md["y"] = b
        md.update([("z", c)])
        assert list(md.keys()) == ["x", "y", "z"] and "y" in md and md.pop("y") is b and len(md) == 2
        pl = lib.nn.ParameterList([lib.ones(2)])
        pl.append(lib.nn.Parameter(lib.zeros(1)))
        assert all(isinstance(p, lib.nn.Parameter) for p in pl) and len(pl) == 2
        pd = lib.nn.ParameterDict({"w": lib.ones(1)})
        pd["v"] = lib.zeros(2)
        assert isinstance(pd["v"], lib.nn.Parameter) and list(pd.keys()) == ["w", "v"]
        assert len(list(lib.nn.Sequential(pl, pd).parameters())) == 4
        with pytest.raises(RuntimeError, match="ParameterList should not be called"):
            pl(1)


def test_sequential_forward_and_module_list_repr():
    torch.manual_seed(3)
    t = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.ModuleList(
        [torch.nn.Linear(4, 4) for _ in range(3)] + [torch.nn.ReLU()]))
    ember.manual_seed(3)
    e = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.ReLU(), ember.nn.ModuleList(
        [ember.nn.Linear(4, 4) for _ in range(3)] + [ember.nn.ReLU()]))
    assert repr(e) == repr(t)
    assert "(0-2): 3 x Linear" in repr(e)
    x = np.ones((2, 4), np.float32)
    assert_close(e[:2](ember.tensor(x)), t[:2](torch.tensor(x)))


def test_deepcopy_and_pickle_module():
    e, _ = pair()
    c = copy.deepcopy(e)
    assert c.tied is c.heads[0]                      # sharing survives the copy
    assert c.alpha is not e.alpha and isinstance(c.alpha, ember.nn.Parameter)
    for (k, a), (_, b) in zip(e.state_dict().items(), c.state_dict().items()):
        np.testing.assert_array_equal(a._data, b._data)
    s = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.BatchNorm1d(3))
    p = pickle.loads(pickle.dumps(s))
    assert [n for n, _ in p.named_parameters()] == [n for n, _ in s.named_parameters()]
    assert isinstance(p[0].weight, ember.nn.Parameter) and p[0].weight.tolist() == s[0].weight.tolist()


def test_save_load_roundtrip(tmp_path):
    e, t = pair()
    path = tmp_path / "model.pt"
    ember.save(e.state_dict(), path)
    sd = torch.load(path)
    assert list(sd) == list(t.state_dict())
    t.load_state_dict(sd)
    back = ember.load(path)
    assert e.load_state_dict(back).missing_keys == []


BLITZ = '''
class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


torch.manual_seed(0)
net = Net()
printed = str(net)
params = list(net.parameters())
n_params = len(params)
conv1_size = params[0].size()
input = torch.randn(1, 1, 32, 32)
out = net(input)
first_out = out.detach().clone()
net.zero_grad()
out.backward(torch.randn(1, 10))
first_grads = [p.grad.clone() for p in net.parameters()]

output = net(input)
target = torch.randn(10)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
grad_fns = [loss.grad_fn,  # MSELoss
            loss.grad_fn.next_functions[0][0],  # Linear
            loss.grad_fn.next_functions[0][0].next_functions[0][0]]  # ReLU
net.zero_grad()     # zeroes the gradient buffers of all parameters
bias_grad_before = net.conv1.bias.grad
loss.backward()
bias_grad_after = net.conv1.bias.grad.clone()

learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)

optimizer = optim.SGD(net.parameters(), lr=0.01)
# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
final_loss = loss.item()
'''


def _run_blitz(lib):
    ns = {"torch": lib, "nn": lib.nn, "F": lib.nn.functional, "optim": lib.optim}
    exec(BLITZ, ns)
    return ns


def test_blitz_neural_networks_tutorial():
    pytest.importorskip("ember.optim")
    if not hasattr(ember.nn, "MSELoss"):
        pytest.skip("ember.nn.MSELoss not there yet")
    e, t = _run_blitz(ember), _run_blitz(torch)
    assert e["printed"] == t["printed"]
    assert e["n_params"] == t["n_params"] == 10
    assert all(f is not None for f in e["grad_fns"])
    assert tuple(e["conv1_size"]) == tuple(t["conv1_size"]) == (6, 1, 5, 5)
    # same seed: the same initial weights and input, bit for bit
    ember.manual_seed(0)
    torch.manual_seed(0)
    assert_close(e["first_out"], t["first_out"], 1e-5, 1e-6)
    for a, b in zip(e["first_grads"], t["first_grads"]):
        assert_close(a, b, 1e-4, 1e-6)
    assert e["bias_grad_before"] is None and t["bias_grad_before"] is None
    assert_close(e["bias_grad_after"], t["bias_grad_after"], 1e-4, 1e-7)
    assert abs(e["final_loss"] - t["final_loss"]) < 1e-5
    for (n, a), (_, b) in zip(e["net"].named_parameters(), t["net"].named_parameters()):
        assert_close(a, b, 1e-5, 1e-6)


def test_blitz_seeded_weights_bit_for_bit():
    src = BLITZ[:BLITZ.index("printed = ")]
    ns_e = {"torch": ember, "nn": ember.nn, "F": ember.nn.functional}
    ns_t = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    exec(src, ns_e)
    exec(src, ns_t)
    for (n, a), (_, b) in zip(ns_e["net"].state_dict().items(), ns_t["net"].state_dict().items()):
        np.testing.assert_array_equal(a._data, b.numpy(), err_msg=n)
