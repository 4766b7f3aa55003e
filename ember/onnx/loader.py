"""``ember.onnx.load``: an ONNX file as an ``nn.Module`` that runs its graph with ember ops.

Inference only. Each ONNX operator is one entry of ``RUN`` (a function of the node's input
tensors and its attributes, written with ember's ops), next to the operator's name; the module
runs the nodes in the file's order (ONNX graphs are topologically sorted). Shapes computed in the
graph (Shape, Gather, Concat...) are int64 tensors like any other, turned into Python ints where
an operator needs a size.
"""
import math
import os

import numpy as np

from .._tensor import Tensor
from ..nn.module import Module
from .exporter import _registrar


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ember.onnx needs the onnx package: pip install 'ember[onnx]'") from None
    return onnx


def load(path):
    """An ``nn.Module`` running the ONNX model at `path` (or a file object, bytes or a ModelProto).

    Call it with one tensor (or array) per graph input, in order or by name; it returns the output
    tensor, or a tuple when the graph has several outputs.
    """
    onnx = _onnx()
    if isinstance(path, onnx.ModelProto):
        proto = path
    elif isinstance(path, (bytes, bytearray)):
        proto = onnx.load_from_string(bytes(path))
    elif isinstance(path, (str, os.PathLike)):
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: no such ONNX file")
        proto = onnx.load(os.fspath(path))
    else:
        proto = onnx.load(path)
    return OnnxModule(proto)


class OnnxModule(Module):
    """An ONNX graph run with ember ops (see :func:`load`)."""

    def __init__(self, proto):
        super().__init__()
        from onnx import numpy_helper
        g = proto.graph
        opsets = {o.domain: o.version for o in proto.opset_import}
        self.opset = opsets.get("", opsets.get("ai.onnx", 17))
        for n in g.node:
            if n.domain not in ("", "ai.onnx"):
                raise NotImplementedError(f"ONNX operator {n.domain}::{n.op_type} (custom domain) is not supported")
            if n.op_type not in RUN:
                raise NotImplementedError(f"ONNX operator {n.op_type} (node {n.name!r}) is not supported by "
                                          "ember.onnx.load")
        self._nodes = [_Node(n) for n in g.node]
        inits = {i.name: _tensor(numpy_helper.to_array(i)) for i in g.initializer}
        self._consts = inits
        self.input_names = [i.name for i in g.input if i.name not in inits]
        self.output_names = [o.name for o in g.output]
        # the weights, as buffers under names without dots (what state_dict() shows)
        for k, (name, t) in enumerate(inits.items()):
            self.register_buffer(f"c{k}_" + "".join(ch if ch.isalnum() else "_" for ch in name)[:60], t)

    def forward(self, *args, **kwargs):
        from .. import from_numpy, no_grad
        if len(args) > len(self.input_names):
            raise TypeError(f"the ONNX graph takes {len(self.input_names)} inputs ({self.input_names}), got "
                            f"{len(args)}")
        env = dict(self._consts)
        for name, a in list(zip(self.input_names, args)) + list(kwargs.items()):
            if name not in self.input_names:
                raise TypeError(f"unknown input {name!r}; the graph's inputs are {self.input_names}")
            env[name] = a if isinstance(a, Tensor) else from_numpy(np.ascontiguousarray(a))
        missing = [n for n in self.input_names if n not in env]
        if missing:
            raise TypeError(f"missing inputs {missing}")
        with no_grad():
            for node in self._nodes:
                ins = [env[i] if i else None for i in node.inputs]
                out = RUN[node.op_type](*ins, **node.attrs)
                outs = out if isinstance(out, (tuple, list)) else (out,)
                for name, t in zip(node.outputs, outs):
                    if name:
                        env[name] = t
        res = tuple(env[n] for n in self.output_names)
        return res[0] if len(res) == 1 else res


class _Node:
    __slots__ = ("op_type", "inputs", "outputs", "attrs")

    def __init__(self, n):
        from onnx import helper, numpy_helper, AttributeProto
        self.op_type, self.inputs, self.outputs = n.op_type, list(n.input), list(n.output)
        attrs = {}
        for a in n.attribute:
            v = helper.get_attribute_value(a)
            if a.type == AttributeProto.TENSOR:
                v = numpy_helper.to_array(v)
            elif isinstance(v, bytes):
                v = v.decode()
            elif isinstance(v, list) and v and isinstance(v[0], bytes):
                v = [s.decode() for s in v]
            attrs[a.name] = v
        self.attrs = attrs


def _tensor(a):
    from .. import from_numpy
    return from_numpy(np.array(a))  # (a copy: the array ONNX gives may be read-only)


def _ints(t):
    """An int64 tensor (or None) as a list of Python ints."""
    return None if t is None else [int(v) for v in np.asarray(t.numpy() if isinstance(t, Tensor) else t).reshape(-1)]


def _np_dtype(onnx_type):
    from onnx import helper
    return np.dtype(helper.tensor_dtype_to_np_dtype(onnx_type))


# ---------------------------------------------------------------- the table: ONNX operator -> ember
RUN = {}
run = _registrar(RUN)


def _lazy():
    import ember
    from ..nn import functional as F
    return ember, F


def _binary(fn):
    def f(a, b, **_):
        return fn(a, b)
    return f


def _bind():
    ember, F = _lazy()
    RUN.update({
        "Add": _binary(lambda a, b: a + b), "Sub": _binary(lambda a, b: a - b),
        "Mul": _binary(lambda a, b: a * b), "Pow": _binary(_pow),
        "Max": lambda *xs: _fold(ember.maximum, xs), "Min": lambda *xs: _fold(ember.minimum, xs),
        "Sum": lambda *xs: _fold(lambda a, b: a + b, xs), "Mean": lambda *xs: _fold(lambda a, b: a + b, xs) / len(xs),
        "Neg": lambda x: -x, "Abs": lambda x: x.abs(), "Exp": lambda x: x.exp(), "Log": lambda x: x.log(),
        "Sqrt": lambda x: x.sqrt(), "Reciprocal": lambda x: x.reciprocal(), "Sin": lambda x: x.sin(),
        "Cos": lambda x: x.cos(), "Tan": lambda x: x.tan(), "Asin": lambda x: x.asin(), "Acos": lambda x: x.acos(),
        "Atan": lambda x: x.atan(), "Sinh": lambda x: x.sinh(), "Cosh": lambda x: x.cosh(),
        "Asinh": lambda x: x.asinh(), "Acosh": lambda x: x.acosh(), "Atanh": lambda x: x.atanh(),
        "Tanh": lambda x: x.tanh(), "Sigmoid": lambda x: x.sigmoid(), "Erf": lambda x: ember.erf(x),
        "Floor": lambda x: x.floor(), "Ceil": lambda x: x.ceil(), "Round": lambda x: x.round(),
        "Sign": lambda x: x.sign(), "Relu": lambda x: F.relu(x), "Softsign": lambda x: F.softsign(x),
        "Softplus": lambda x: F.softplus(x), "IsNaN": lambda x: x.isnan(), "Not": lambda x: x.logical_not(),
        "Identity": lambda x: x, "Equal": _binary(ember.eq), "Greater": _binary(ember.gt), "Less": _binary(ember.lt),
        "GreaterOrEqual": _binary(ember.ge), "LessOrEqual": _binary(ember.le), "And": _binary(ember.logical_and),
        "Or": _binary(ember.logical_or), "Xor": _binary(ember.logical_xor),
        "BitwiseAnd": _binary(ember.bitwise_and), "BitwiseOr": _binary(ember.bitwise_or),
        "BitwiseXor": _binary(ember.bitwise_xor), "MatMul": _binary(ember.matmul),
    })


def _fold(fn, xs):
    y = xs[0]
    for x in xs[1:]:
        y = fn(y, x)
    return y


def _pow(a, b):
    y = a ** b
    return y.to(a.dtype) if y.dtype != a.dtype else y  # ONNX's Pow keeps the base's type


@run("Div")
def _div(a, b):
    if a.dtype.is_floating_point:
        return a / b
    return a.div(b, rounding_mode="trunc")


@run("Mod")
def _mod(a, b, fmod=0):
    import ember
    return ember.fmod(a, b) if fmod else ember.remainder(a, b)


@run("IsInf")
def _isinf(x, detect_negative=1, detect_positive=1):
    if detect_negative and detect_positive:
        return x.isinf()
    return x.isposinf() if detect_positive else x.isneginf()


@run("Cast")
def _cast(x, to, saturate=1, round_mode=None):
    import ember
    return x.to(ember._dtype.from_np(_np_dtype(to)))


@run("CastLike")
def _cast_like(x, like, saturate=1, round_mode=None):
    return x.to(like.dtype)


@run("Constant")
def _constant(value=None, value_float=None, value_floats=None, value_int=None, value_ints=None, **_):
    from .. import tensor
    if value is not None:
        return _tensor(value)
    if value_float is not None:
        return tensor(np.float32(value_float))
    if value_floats is not None:
        return tensor(np.asarray(value_floats, np.float32))
    if value_int is not None:
        return tensor(np.int64(value_int))
    return tensor(np.asarray(value_ints, np.int64))


@run("ConstantOfShape")
def _constant_of_shape(shape, value=None):
    from .. import from_numpy
    v = np.zeros(1, np.float32) if value is None else np.asarray(value).reshape(-1)
    return from_numpy(np.full(_ints(shape), v[0], dtype=v.dtype))


@run("Shape")
def _shape(x, start=0, end=None):
    from .. import tensor
    s = list(x.shape)
    return tensor(np.asarray(s[start:end], dtype=np.int64))


@run("Size")
def _size(x):
    from .. import tensor
    return tensor(np.int64(x.numel()))


@run("Range")
def _range(start, limit, delta):
    import ember
    s, e, d = (v.item() for v in (start, limit, delta))
    return ember.arange(s, e, d, dtype=start.dtype)


@run("Reshape")
def _reshape(x, shape, allowzero=0):
    s = _ints(shape)
    if not allowzero:
        s = [x.shape[i] if v == 0 else v for i, v in enumerate(s)]
    return x.reshape(s)


@run("Flatten")
def _flatten(x, axis=1):
    axis = axis + x.dim() if axis < 0 else axis  # (axis may equal the rank: then (numel, 1))
    return x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))


@run("Transpose")
def _transpose(x, perm=None):
    return x.permute(*(perm if perm is not None else reversed(range(x.dim()))))


@run("Squeeze")
def _squeeze(x, axes=None, axes_attr=None):
    axes = _ints(axes) if isinstance(axes, Tensor) else axes
    if axes is None:
        return x.squeeze()
    for a in sorted((a % x.dim() for a in axes), reverse=True):
        x = x.squeeze(a)
    return x


@run("Unsqueeze")
def _unsqueeze(x, axes=None):
    axes = _ints(axes) if isinstance(axes, Tensor) else axes
    n = x.dim() + len(axes)
    for a in sorted(a % n for a in axes):
        x = x.unsqueeze(a)
    return x


@run("Concat")
def _concat(*xs, axis):
    import ember
    return ember.cat([x for x in xs if x is not None], axis)


@run("Split")
def _split(x, split=None, axis=0, num_outputs=None):
    sizes = _ints(split) if isinstance(split, Tensor) else split
    if sizes is None:
        n = num_outputs
        size = -(-x.shape[axis] // n)
        return tuple(x.split(size, axis))
    return tuple(x.split(list(sizes), axis))


@run("Slice")
def _slice(x, starts, ends, axes=None, steps=None):
    starts, ends = _ints(starts), _ints(ends)
    axes = _ints(axes) if axes is not None else list(range(len(starts)))
    steps = _ints(steps) if steps is not None else [1] * len(starts)
    index = [slice(None)] * x.dim()
    flips = []
    for s, e, a, st in zip(starts, ends, axes, steps):
        a %= x.dim()
        n = x.shape[a]
        if st > 0:
            s = min(max(s + n if s < 0 else s, 0), n)
            e = min(max(e + n if e < 0 else e, 0), n)
            index[a] = slice(s, e, st)
        else:  # a negative step: slice the reversed axis (ember, as torch, takes positive steps only)
            s = min(max(s + n if s < 0 else s, -1), n - 1)
            e = min(max(e + n if e < 0 else e, -1), n - 1)
            index[a] = slice(n - 1 - s, n - 1 - e, -st)
            flips.append(a)
    if flips:
        x = x.flip(flips)
    return x[tuple(index)]


@run("Gather")
def _gather(x, idx, axis=0):
    import ember
    i = idx.long()
    i = ember.where(i < 0, i + x.shape[axis], i)
    if i.dim() == 0:
        return x.select(axis, int(i.item()))
    flat = x.index_select(axis, i.reshape(-1))
    return flat.reshape(*x.shape[:axis], *i.shape, *x.shape[axis + 1:])


@run("GatherElements")
def _gather_elements(x, idx, axis=0):
    import ember
    i = idx.long()
    return ember.gather(x, axis, ember.where(i < 0, i + x.shape[axis], i))


@run("Expand")
def _expand(x, shape):
    s = _ints(shape)
    n = max(len(s), x.dim())
    xs = [1] * (n - x.dim()) + list(x.shape)
    s = [1] * (n - len(s)) + s
    target = [a if b == 1 else b for a, b in zip(xs, s)]
    return x.reshape(xs).expand(*target)


@run("Tile")
def _tile(x, repeats):
    return x.repeat(*_ints(repeats))


@run("Where")
def _where(c, a, b):
    import ember
    return ember.where(c, a, b)


@run("Clip")
def _clip(x, lo=None, hi=None, min=None, max=None):
    lo = lo.item() if lo is not None else min
    hi = hi.item() if hi is not None else max
    return x.clamp(lo, hi)


def _softmax_like(log):
    def f(x, axis=-1):
        _, F = _lazy()
        return (F.log_softmax if log else F.softmax)(x, axis)
    return f


RUN["Softmax"], RUN["LogSoftmax"] = _softmax_like(False), _softmax_like(True)


@run("LeakyRelu")
def _leaky_relu(x, alpha=0.01):
    return _lazy()[1].leaky_relu(x, alpha)


@run("Elu")
def _elu(x, alpha=1.0):
    return _lazy()[1].elu(x, alpha)


@run("Selu")
def _selu(x, alpha=1.6732632423543772, gamma=1.0507009873554805):
    import ember
    return gamma * ember.where(x > 0, x, alpha * (x.exp() - 1))


@run("Celu")
def _celu(x, alpha=1.0):
    return _lazy()[1].celu(x, alpha)


@run("HardSigmoid")
def _hard_sigmoid(x, alpha=0.2, beta=0.5):
    return (x * alpha + beta).clamp(0, 1)


@run("HardSwish")
def _hard_swish(x):
    return _lazy()[1].hardswish(x)


@run("Gelu")
def _gelu(x, approximate="none"):
    return _lazy()[1].gelu(x, approximate=approximate)


@run("PRelu")
def _prelu(x, slope):
    import ember
    return ember.where(x > 0, x, x * slope)


@run("Dropout")
def _dropout(x, ratio=None, training_mode=None, seed=None):
    return x


@run("Einsum")
def _einsum(*xs, equation):
    import ember
    return ember.einsum(equation, *xs)


@run("Gemm")
def _gemm(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    if transA:
        a = a.t()
    if transB:
        b = b.t()
    y = a @ b
    if alpha != 1.0:
        y = y * alpha
    if c is not None:
        y = y + (c * beta if beta != 1.0 else c)
    return y


def _reduce(name):
    def f(x, axes=None, keepdims=1, noop_with_empty_axes=0):
        axes = _ints(axes) if isinstance(axes, Tensor) else axes
        if not axes:
            if noop_with_empty_axes:
                return x
            axes = list(range(x.dim()))
        dims = tuple(a % max(x.dim(), 1) for a in axes)
        k = bool(keepdims)
        if name == "ReduceSum":
            return x.sum(dims, keepdim=k)
        if name == "ReduceMean":
            return x.mean(dims, keepdim=k)
        if name == "ReduceMax":
            return x.amax(dims, keepdim=k)
        if name == "ReduceMin":
            return x.amin(dims, keepdim=k)
        if name == "ReduceProd":
            for d in sorted(dims, reverse=True):
                x = x.prod(d, keepdim=True)
            return x if k else x.reshape([s for i, s in enumerate(x.shape) if i not in dims])
        if name == "ReduceL2":
            return (x * x).sum(dims, keepdim=k).sqrt()
        if name == "ReduceL1":
            return x.abs().sum(dims, keepdim=k)
        if name == "ReduceSumSquare":
            return (x * x).sum(dims, keepdim=k)
        if name == "ReduceLogSumExp":
            return x.logsumexp(dims, keepdim=k)
        raise AssertionError(name)
    return f


for _name in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceL1",
              "ReduceSumSquare", "ReduceLogSumExp"):
    RUN[_name] = _reduce(_name)


def _arg_like(largest):
    def f(x, axis=0, keepdims=1, select_last_index=0):
        if select_last_index:
            n = x.shape[axis]
            i = (x.flip(axis).argmax if largest else x.flip(axis).argmin)(axis, keepdim=bool(keepdims))
            return n - 1 - i
        return (x.argmax if largest else x.argmin)(axis, keepdim=bool(keepdims))
    return f


RUN["ArgMax"], RUN["ArgMin"] = _arg_like(True), _arg_like(False)


@run("TopK")
def _topk(x, k, axis=-1, largest=1, sorted=1):
    v, i = x.topk(int(k.reshape(-1)[0].item()), axis, bool(largest), bool(sorted))
    return v, i


@run("BitwiseNot")
def _bitwise_not(x):
    return x.bitwise_not()


@run("CumSum")
def _cumsum(x, axis, exclusive=0, reverse=0):
    d = int(axis.item())
    if reverse:
        x = x.flip(d)
    y = x.cumsum(d)
    if exclusive:
        y = y - x
    return y.flip(d) if reverse else y


# convolution and pooling
def _pads(pads, nd, auto_pad, x=None, k=None, s=None, d=None):
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        out = []
        for i in range(nd):
            n = x.shape[2 + i]
            o = -(-n // s[i])
            total = max((o - 1) * s[i] + (k[i] - 1) * d[i] + 1 - n, 0)
            lo = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            out.append((lo, total - lo))
        return out
    pads = pads or [0] * (2 * nd)
    return [(pads[i], pads[i + nd]) for i in range(nd)]


def _pad_input(x, pads, value=0.0):
    """x padded with (before, after) pairs on its spatial dims, when they are not symmetric."""
    _, F = _lazy()
    flat = []
    for lo, hi in reversed(pads):
        flat += [lo, hi]
    return F.pad(x, flat, value=value)


@run("Conv")
def _conv(x, w, b=None, auto_pad="NOTSET", dilations=None, group=1, kernel_shape=None, pads=None, strides=None):
    _, F = _lazy()
    nd = w.dim() - 2
    strides, dilations = strides or [1] * nd, dilations or [1] * nd
    p = _pads(pads, nd, auto_pad, x, list(w.shape[2:]), strides, dilations)
    if any(lo != hi for lo, hi in p):
        x, p = _pad_input(x, p), [(0, 0)] * nd
    fn = {1: F.conv1d, 2: F.conv2d}.get(nd)
    if fn is None:
        raise NotImplementedError(f"Conv with {nd} spatial dims")
    return fn(x, w, b, stride=strides, padding=[lo for lo, _ in p], dilation=dilations, groups=group)


@run("ConvTranspose")
def _conv_transpose(x, w, b=None, auto_pad="NOTSET", dilations=None, group=1, kernel_shape=None,
                    output_padding=None, output_shape=None, pads=None, strides=None):
    _, F = _lazy()
    nd = w.dim() - 2
    strides, dilations = strides or [1] * nd, dilations or [1] * nd
    output_padding = output_padding or [0] * nd
    p = _pads(pads, nd, "NOTSET")
    if output_shape is not None or any(lo != hi for lo, hi in p):
        raise NotImplementedError("ConvTranspose with output_shape or asymmetric pads")
    fn = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[nd]
    return fn(x, w, b, stride=strides, padding=[lo for lo, _ in p], output_padding=output_padding, groups=group,
              dilation=dilations)


@run("MaxPool")
def _max_pool(x, kernel_shape, auto_pad="NOTSET", ceil_mode=0, dilations=None, pads=None, storage_order=0,
              strides=None):
    _, F = _lazy()
    nd = len(kernel_shape)
    strides, dilations = strides or [1] * nd, dilations or [1] * nd
    p = _pads(pads, nd, auto_pad, x, kernel_shape, strides, dilations)
    if any(lo != hi for lo, hi in p) or any(lo > k // 2 for (lo, _), k in zip(p, kernel_shape)):
        x, p = _pad_input(x, p, value=float("-inf")), [(0, 0)] * nd
    fn = {1: F.max_pool1d, 2: F.max_pool2d}[nd]
    return fn(x, kernel_shape, strides, [lo for lo, _ in p], dilations, bool(ceil_mode))


@run("AveragePool")
def _avg_pool(x, kernel_shape, auto_pad="NOTSET", ceil_mode=0, count_include_pad=0, dilations=None, pads=None,
              strides=None):
    _, F = _lazy()
    nd = len(kernel_shape)
    strides = strides or [1] * nd
    p = _pads(pads, nd, auto_pad, x, kernel_shape, strides, [1] * nd)
    if any(lo != hi for lo, hi in p):
        if not count_include_pad:
            raise NotImplementedError("AveragePool with asymmetric pads that are not counted")
        x, p = _pad_input(x, p), [(0, 0)] * nd
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d}[nd]
    return fn(x, kernel_shape, strides, [lo for lo, _ in p], bool(ceil_mode), bool(count_include_pad))


@run("GlobalAveragePool")
def _global_avg_pool(x):
    return x.mean(tuple(range(2, x.dim())), keepdim=True)


@run("GlobalMaxPool")
def _global_max_pool(x):
    return x.amax(tuple(range(2, x.dim())), keepdim=True)


@run("Pad")
def _pad(x, pads, value=None, axes=None, mode="constant"):
    from .. import tensor
    _, F = _lazy()
    p = _ints(pads)
    n = len(p) // 2
    ax = _ints(axes) if axes is not None else list(range(n))
    full = [(0, 0)] * x.dim()
    for a, lo, hi in zip(ax, p[:n], p[n:]):
        full[a % x.dim()] = (lo, hi)
    if mode == "constant":
        while full and full[0] == (0, 0):
            full.pop(0)
        flat = []
        for lo, hi in reversed(full):
            flat += [lo, hi]
        return F.pad(x, flat, value=0.0 if value is None else value.item())
    # edge, reflect, wrap: gather each padded axis with the positions its mode reads
    for a, (lo, hi) in enumerate(full):
        if lo or hi:
            size = x.shape[a]
            i = np.arange(-lo, size + hi)
            if mode == "edge":
                i = np.clip(i, 0, size - 1)
            elif mode == "reflect":
                period = 2 * (size - 1)
                i = np.abs(i) % period if period else np.zeros_like(i)
                i = np.where(i >= size, period - i, i)
            else:  # wrap
                i = i % size
            x = x.index_select(a, tensor(i.astype(np.int64)))
    return x


# normalization
@run("BatchNormalization")
def _batch_norm(x, scale, bias, mean, var, epsilon=1e-5, momentum=0.9, training_mode=0):
    shape = [1, -1] + [1] * (x.dim() - 2)
    inv = (var + epsilon).rsqrt()
    return (x - mean.reshape(shape)) * (inv * scale).reshape(shape) + bias.reshape(shape)


@run("InstanceNormalization")
def _instance_norm(x, scale, bias, epsilon=1e-5):
    _, F = _lazy()
    return F.instance_norm(x, weight=scale, bias=bias, eps=epsilon)


@run("LayerNormalization")
def _layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5, stash_type=1):
    _, F = _lazy()
    axis %= x.dim()
    return F.layer_norm(x, list(x.shape[axis:]), scale, bias, epsilon)


# recurrent layers: ONNX's gate layouts (LSTM i, o, f, c; GRU z, r, h), run a step at a time
def _directions(direction):
    return {"forward": [False], "reverse": [True], "bidirectional": [False, True]}[direction]


def _rnn(kind):
    def f(x, W, R, B=None, seq_lens=None, h0=None, c0=None, P=None, activations=None, clip=None,
          direction="forward", hidden_size=None, layout=0, linear_before_reset=0, input_forget=0,
          activation_alpha=None, activation_beta=None):
        import ember
        if seq_lens is not None and not bool((seq_lens == x.shape[1 - layout if layout else 0]).all()):
            raise NotImplementedError(f"{kind} with sequence_lens shorter than the input")
        if P is not None or clip is not None or input_forget:
            raise NotImplementedError(f"{kind} with peepholes, clip or input_forget")
        if layout:
            x = x.transpose(0, 1)
        acts = activations or {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}[kind]
        fns = {"Sigmoid": ember.sigmoid, "Tanh": ember.tanh, "Relu": ember.relu}
        T, N = x.shape[0], x.shape[1]
        H = hidden_size or R.shape[-1]
        ys, hs, cs = [], [], []
        per = len(acts) // len(_directions(direction)) if activations else len(acts)
        for d, rev in enumerate(_directions(direction)):
            a = [fns[n] for n in acts[d * per:(d + 1) * per]] if activations else [fns[n] for n in acts]
            w, r = W[d], R[d]
            wb, rb = (B[d][:B.shape[-1] // 2], B[d][B.shape[-1] // 2:]) if B is not None else (None, None)
            h = h0[d] if h0 is not None else ember.zeros(N, H, dtype=x.dtype)
            c = c0[d] if c0 is not None else ember.zeros(N, H, dtype=x.dtype)
            xw = x @ w.t() + (wb if wb is not None else 0)  # every step's input part at once
            out = [None] * T
            for t in (range(T - 1, -1, -1) if rev else range(T)):
                hr = h @ r.t() + (rb if rb is not None else 0)
                if kind == "LSTM":
                    g = xw[t] + hr
                    i, o, fg, cc = g.split(H, -1)
                    c = a[0](fg) * c + a[0](i) * a[1](cc)
                    h = a[0](o) * a[2](c)
                elif kind == "GRU":
                    xz, xr, xh = xw[t].split(H, -1)
                    hz, hr_, hh = hr.split(H, -1)
                    z, rr = a[0](xz + hz), a[0](xr + hr_)
                    if linear_before_reset:
                        n = a[1](xh + rr * hh)
                    else:
                        rbh = rb[2 * H:] if rb is not None else 0
                        n = a[1](xh + (rr * h) @ r[2 * H:].t() + rbh)
                    h = (1 - z) * n + z * h
                else:
                    h = a[0](xw[t] + hr)
                out[t] = h
            ys.append(ember.stack(out, 0))
            hs.append(h)
            cs.append(c)
        y = ember.stack(ys, 1)  # (T, dirs, N, H)
        yh, yc = ember.stack(hs, 0), ember.stack(cs, 0)
        if layout:
            y, yh, yc = y.permute(2, 0, 1, 3), yh.transpose(0, 1), yc.transpose(0, 1)
        return (y, yh, yc) if kind == "LSTM" else (y, yh)
    return f


RUN["LSTM"], RUN["GRU"], RUN["RNN"] = _rnn("LSTM"), _rnn("GRU"), _rnn("RNN")


@run("Resize")
def _resize(x, roi=None, scales=None, sizes=None, mode="nearest", coordinate_transformation_mode="half_pixel",
            nearest_mode="round_prefer_floor", cubic_coeff_a=-0.75, exclude_outside=0, extrapolation_value=0.0,
            antialias=0, axes=None, keep_aspect_ratio_policy="stretch"):
    """torch's F.interpolate where ONNX's Resize means the same (what torch.onnx.export writes)."""
    _, F = _lazy()
    nd = x.dim() - 2
    if sizes is not None and sizes.numel():
        size = _ints(sizes)[-nd:]
    else:
        size = [int(math.floor(n * float(f))) for n, f in zip(x.shape[2:], scales.numpy().reshape(-1)[-nd:])]
    ct = coordinate_transformation_mode
    if mode == "nearest" and ct == "asymmetric" and nearest_mode == "floor":
        return F.interpolate(x, size=size, mode="nearest")
    if mode == "linear" and ct in ("half_pixel", "pytorch_half_pixel", "align_corners") and nd in (1, 2):
        return F.interpolate(x, size=size, mode="bilinear" if nd == 2 else "linear",
                             align_corners=ct == "align_corners")
    if mode == "cubic" and ct in ("half_pixel", "pytorch_half_pixel", "align_corners") and nd == 2:
        return F.interpolate(x, size=size, mode="bicubic", align_corners=ct == "align_corners")
    raise NotImplementedError(f"Resize with mode={mode!r}, coordinate_transformation_mode={ct!r}, "
                              f"nearest_mode={nearest_mode!r}")


@run("DepthToSpace")
def _depth_to_space(x, blocksize, mode="DCR"):
    n, c, h, w = x.shape
    b = blocksize
    if mode == "CRD":  # torch's pixel_shuffle
        y = x.reshape(n, c // (b * b), b, b, h, w).permute(0, 1, 4, 2, 5, 3)
    else:
        y = x.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
    return y.reshape(n, c // (b * b), h * b, w * b)


@run("SpaceToDepth")
def _space_to_depth(x, blocksize):
    n, c, h, w = x.shape
    b = blocksize
    y = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
    return y.reshape(n, c * b * b, h // b, w // b)


@run("Trilu")
def _trilu(x, k=None, upper=1):
    kk = int(k.item()) if k is not None else 0
    return x.triu(kk) if upper else x.tril(kk)


_bind()
