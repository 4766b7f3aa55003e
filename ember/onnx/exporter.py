"""``ember.onnx.export``: trace a forward pass (ember/autograd/trace.py) and write it as ONNX.

What the forward executed becomes the graph: each recorded op is one entry of ``OPS`` (ops) or
``MODULES`` (modules exported whole, e.g. LSTM as ONNX's LSTM), which emits ONNX nodes. Values
that do not depend on the inputs are folded into initializers. With ``dynamic_axes`` the forward
is traced twice, the second time with every dynamic axis grown: a Python int that differs
between the two traces came from a dynamic size, and is exported as a shape computation (or as
Reshape's 0/-1), so ``x.view(x.size(0), -1)`` serves any batch size.
"""
import enum
import functools
import inspect
import math
import os

import numpy as np

from .._tensor import Tensor
from ..autograd import trace as _trace
from ..autograd.function import Function

INT64_MAX = np.iinfo(np.int64).max


class OnnxExporterError(RuntimeError):
    """Export failed (torch.onnx.errors.OnnxExporterError)."""


ExportError = OnnxExporterError


class UnsupportedOperatorError(OnnxExporterError):
    """An executed op has no ONNX mapping (torch.onnx.errors.UnsupportedOperatorError)."""


class TrainingMode(enum.IntEnum):
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OperatorExportTypes(enum.IntEnum):
    ONNX = 0
    ONNX_ATEN = 1
    ONNX_ATEN_FALLBACK = 2
    ONNX_FALLTHROUGH = 3


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ember.onnx needs the onnx package: pip install 'ember[onnx]'") from None
    return onnx


@functools.lru_cache(maxsize=None)
def default_opset():
    """The newest opset (at least 17) that both onnx and the installed onnxruntime run; 17 without onnxruntime."""
    onnx = _onnx()
    from onnx import helper, TensorProto
    newest = onnx.defs.onnx_opset_version()
    try:
        import onnxruntime as ort
    except ImportError:
        return min(17, newest)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    for opset in range(newest, 16, -1):
        graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "probe", [x], [y])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = _ir_version(opset)
        try:
            ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
            return opset
        except Exception:
            continue
    return 17


def _ir_version(opset):
    from onnx import helper
    try:
        return helper.find_min_ir_version_for([helper.make_opsetid("", opset)], True)
    except Exception:
        return 8


# ---------------------------------------------------------------- the graph being built
class Graph:
    """ONNX nodes and initializers, and which ONNX value each ember tensor is."""

    def __init__(self, opset):
        from onnx import helper, numpy_helper
        self.helper, self.numpy_helper = helper, numpy_helper
        self.opset = opset
        self.nodes, self.inits, self.inputs = [], [], []
        self.env = {}           # id(tensor) or id(array) -> ONNX value name
        self.keep = []          # objects whose ids are in env (kept alive)
        self.names = set()
        self.consts = {}        # (dtype, shape, bytes) of small constants -> name, to share them
        self.params = {}        # id(parameter or buffer) -> its state_dict name
        self.as_inputs = False  # export_params=False: parameters are graph inputs
        self.dims = []          # (input name, axis, size in trace A, size in trace B)
        self.dim_cache = {}
        self.scope = ""

    def fresh(self, base):
        base = base or "v"
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    def bind(self, t, name):
        self.env[id(t)] = name
        self.keep.append(t)
        if isinstance(t, Tensor):
            self.env[id(t._data)] = name
            self.keep.append(t._data)

    def op(self, op_type, *inputs, outputs=1, **attrs):
        """Add a node; returns its output name (or list of names when outputs > 1)."""
        prefix = f"/{self.scope.replace('.', '/')}/" if self.scope else "/"
        outs = [self.fresh(f"{prefix}{op_type}_output_{i}".lstrip("/")) for i in range(outputs)]
        ins = ["" if i is None else i for i in inputs]
        while ins and ins[-1] == "":
            ins.pop()
        self.nodes.append(self.helper.make_node(op_type, ins, outs, name=self.fresh(f"{prefix}{op_type}"),
                                                **{k: v for k, v in attrs.items() if v is not None}))
        return outs[0] if outputs == 1 else outs

    def const(self, value, dtype=None, name=None):
        """An initializer holding `value` (shared for small equal constants)."""
        a = np.asarray(value, dtype=dtype)
        if a.dtype == np.float64 and dtype is None and not isinstance(value, np.ndarray):
            a = a.astype(np.float32)
        small = a.size <= 16
        key = (a.dtype.str, a.shape, a.tobytes()) if small else None
        if key is not None and key in self.consts and name is None:
            return self.consts[key]
        n = self.fresh(name or "onnx::Const")
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(a), n))
        if key is not None and name is None:
            self.consts[key] = n
        return n

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64))

    def v(self, x, like=None):
        """The ONNX value for an op's input: a tensor or array already in the graph, a parameter,
        or a constant (Python scalars take the dtype of `like`, an array dtype)."""
        if x is None:
            return None
        name = self.env.get(id(x))
        if name is not None:
            return name
        if isinstance(x, Tensor):
            name = self.env.get(id(x._data))  # a tensor sharing a traced value's array (detach(), .data)
            if name is not None:
                return name
            pname = self.params.get(id(x))
            if pname is not None:
                name = pname
                if self.as_inputs:
                    self.inputs.append(self.helper.make_tensor_value_info(
                        pname, self.helper.np_dtype_to_tensor_dtype(x._data.dtype), list(x._data.shape)))
                else:
                    self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(_np(x._data)), pname))
                self.names.add(pname)
                self.bind(x, name)
                return name
            self._check_constant(x)
            name = self.const(_np(x._data))
            self.bind(x, name)
            return name
        if isinstance(x, np.ndarray):
            self._check_constant(x)
            return self.const(x)
        if isinstance(x, (bool, int, float, np.generic)):
            return self.const(np.asarray(x, dtype=like if like is not None else None))
        raise OnnxExporterError(f"cannot export a value of type {type(x).__name__} as an ONNX input")

    def _check_constant(self, x):
        pass  # replaced per export: compares a constant with its twin in the second trace

    # sizes that depend on a dynamic axis
    def dim(self, a, b):
        """A 1-D int64 ONNX value holding one size: constant when a == b (the same in both
        traces), else the size of the graph input's dynamic axis it came from."""
        if a == b:
            return self.ints([a])
        if (a, b) in self.dim_cache:
            return self.dim_cache[(a, b)]
        for name, axis, sa, sb in self.dims:
            if (sa, sb) == (a, b):
                shape = self.op("Shape", name, start=axis, end=axis + 1)
                self.dim_cache[(a, b)] = shape
                return shape
        raise OnnxExporterError(f"a size ({a}) depends on the dynamic axes but is not one of them (e.g. a product "
                                "of sizes); export with a static shape or reshape with -1")

    def shape_operand(self, target_a, target_b, in_a=None, in_b=None, fill=None):
        """An int64 shape for Reshape (fill "reshape": 0 copies an input dim, one -1 is inferred) or
        Expand (fill "expand": 1 keeps an input dim), shape-generic where the traces differ."""
        target_a, target_b = list(target_a), list(target_b)
        if target_a == target_b:
            return self.ints(target_a)
        out, dynamic = list(target_a), []
        for i, (a, b) in enumerate(zip(target_a, target_b)):
            if a == b:
                continue
            if fill == "reshape" and in_a is not None and i < len(in_a) and (in_a[i], in_b[i]) == (a, b):
                out[i] = 0
            elif fill == "expand" and in_a is not None:
                j = i - (len(target_a) - len(in_a))
                if 0 <= j < len(in_a) and (in_a[j], in_b[j]) == (a, b):
                    out[i] = 1
                else:
                    dynamic.append(i)
            else:
                dynamic.append(i)
        if fill == "reshape" and len(dynamic) == 1 and -1 not in out:
            out[dynamic[0]] = -1
            return self.ints(out)
        if not dynamic:
            return self.ints(out)
        parts = [self.dim(target_a[i], target_b[i]) if i in dynamic else self.ints([out[i]])
                 for i in range(len(out))]
        return self.op("Concat", *parts, axis=0)

    def reduce(self, op_type, x, axes, keepdims):
        """A Reduce* node (axes an input from opset 18, and for ReduceSum from 13)."""
        if axes is None:
            return self.op(op_type, x, keepdims=int(keepdims))
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, x, self.ints(list(axes)), keepdims=int(keepdims))
        return self.op(op_type, x, axes=list(axes), keepdims=int(keepdims))


def _np(a):
    return a if isinstance(a, np.ndarray) else np.asarray(a.get() if hasattr(a, "get") else a)


def _shape(t):
    return tuple(t._data.shape) if isinstance(t, Tensor) else tuple(np.shape(t))


def _dtype(t):
    return t._data.dtype if isinstance(t, Tensor) else np.asarray(t).dtype


# ---------------------------------------------------------------- the table: ember op -> ONNX
# Each entry: fn(g, r, b) -> the ONNX name of the op's output (or a list, one per output); r is the
# record (op instance after forward, inputs, options, outputs) and b its twin in the second trace
# (r itself without dynamic axes), whose Python ints tell which sizes are dynamic.
OPS = {}


def _registrar(table):
    """A decorator factory: @deco(*names) files the function in `table` under each name."""
    def register(*names):
        def deco(fn):
            for n in names:
                table[n] = fn
            return fn
        return deco
    return register


onnx_op = _registrar(OPS)


def _unary(onnx_name):
    return lambda g, r, b: g.op(onnx_name, g.v(r.inputs[0]))


for _name, _onnx_name in {"Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Sin": "Sin", "Cos": "Cos", "Tan": "Tan",
                          "Asin": "Asin", "Acos": "Acos", "Atan": "Atan", "Sinh": "Sinh", "Cosh": "Cosh",
                          "Tanh": "Tanh", "Asinh": "Asinh", "Acosh": "Acosh", "Atanh": "Atanh",
                          "Sigmoid": "Sigmoid", "Erf": "Erf", "Abs": "Abs", "Relu": "Relu", "Neg": "Neg",
                          "Clone": "Identity", "ToDevice": "Identity", "Conj": "Identity",
                          "HardswishOp": "HardSwish"}.items():
    OPS[_name] = _unary(_onnx_name)


def _operands(g, r):
    """Both operands of a binary op as ONNX values of the output's dtype (torch promotes first)."""
    dt = _dtype(r.outputs[0])
    out = []
    for x in r.inputs[:2]:
        name = g.v(x, like=dt)
        if isinstance(x, Tensor) and x._data.dtype != dt:
            name = g.op("Cast", name, to=g.helper.np_dtype_to_tensor_dtype(dt))
        out.append(name)
    return out


def _binary(onnx_name):
    return lambda g, r, b: g.op(onnx_name, *_operands(g, r))


for _name, _onnx_name in {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow",
                          "Maximum": "Max", "Minimum": "Min"}.items():
    OPS[_name] = _binary(_onnx_name)


@onnx_op("Log2", "Log10")
def _log_base(g, r, b):
    base = 2.0 if r.name == "Log2" else 10.0
    dt = _dtype(r.outputs[0])
    return g.op("Div", g.op("Log", g.v(r.inputs[0])), g.v(math.log(base), like=dt))


@onnx_op("Log1p")
def _log1p(g, r, b):
    dt = _dtype(r.outputs[0])
    return g.op("Log", g.op("Add", g.v(r.inputs[0]), g.v(1.0, like=dt)))


@onnx_op("Expm1")
def _expm1(g, r, b):
    dt = _dtype(r.outputs[0])
    return g.op("Sub", g.op("Exp", g.v(r.inputs[0])), g.v(1.0, like=dt))


@onnx_op("Erfc")
def _erfc(g, r, b):
    dt = _dtype(r.outputs[0])
    return g.op("Sub", g.v(1.0, like=dt), g.op("Erf", g.v(r.inputs[0])))


@onnx_op("FloorDivide")
def _floor_divide(g, r, b):
    x, y = _operands(g, r)
    if _dtype(r.outputs[0]).kind == "f":
        return g.op("Floor", g.op("Div", x, y))
    # integers: floor of the true quotient
    f32 = g.helper.np_dtype_to_tensor_dtype(np.dtype(np.float64))
    q = g.op("Floor", g.op("Div", g.op("Cast", x, to=f32), g.op("Cast", y, to=f32)))
    return g.op("Cast", q, to=g.helper.np_dtype_to_tensor_dtype(_dtype(r.outputs[0])))


@onnx_op("Remainder")
def _remainder(g, r, b):
    x, y = _operands(g, r)
    if _dtype(r.outputs[0]).kind in "iu":
        return g.op("Mod", x, y, fmod=0)  # Python's sign rule, as torch.remainder
    return g.op("Sub", x, g.op("Mul", g.op("Floor", g.op("Div", x, y)), y))


@onnx_op("Fmod")
def _fmod(g, r, b):
    return g.op("Mod", *_operands(g, r), fmod=1)


@onnx_op("Cast")
def _cast(g, r, b):
    return g.op("Cast", g.v(r.inputs[0]), to=g.helper.np_dtype_to_tensor_dtype(np.dtype(r.inputs[1])))


@onnx_op("Clamp")
def _clamp(g, r, b):
    x, lo, hi = r.inputs[:3]
    dt = _dtype(r.outputs[0])
    y = g.v(x)
    if lo is not None:
        y = g.op("Max", y, g.v(lo, like=dt))
    if hi is not None:
        y = g.op("Min", y, g.v(hi, like=dt))
    return y


@onnx_op("HardtanhOp")
def _hardtanh(g, r, b):
    x, lo, hi = r.inputs[:3]
    dt = _dtype(r.outputs[0])
    return g.op("Clip", g.v(x), g.v(lo, like=dt), g.v(hi, like=dt))


@onnx_op("HardsigmoidOp")
def _hardsigmoid(g, r, b):
    return g.op("HardSigmoid", g.v(r.inputs[0]), alpha=1 / 6, beta=0.5)


@onnx_op("Gelu")
def _gelu(g, r, b):
    # x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): the Erf form every runtime has (Gelu is opset 20)
    x, dt = g.v(r.inputs[0]), _dtype(r.outputs[0])
    e = g.op("Erf", g.op("Mul", x, g.v(math.sqrt(0.5), like=dt)))
    return g.op("Mul", g.op("Mul", x, g.v(0.5, like=dt)), g.op("Add", e, g.v(1.0, like=dt)))


@onnx_op("GeluTanh")
def _gelu_tanh(g, r, b):
    x, dt = g.v(r.inputs[0]), _dtype(r.outputs[0])
    c = lambda v: g.v(v, like=dt)  # noqa: E731
    inner = g.op("Mul", g.op("Add", x, g.op("Mul", g.op("Mul", g.op("Mul", x, x), x), c(0.044715))),
                 c(math.sqrt(2 / math.pi)))
    return g.op("Mul", g.op("Mul", x, c(0.5)), g.op("Add", g.op("Tanh", inner), c(1.0)))


@onnx_op("SoftmaxOp")
def _softmax(g, r, b):
    return g.op("Softmax", g.v(r.inputs[0]), axis=int(r.inputs[1]))


@onnx_op("LogSoftmaxOp")
def _log_softmax(g, r, b):
    return g.op("LogSoftmax", g.v(r.inputs[0]), axis=int(r.inputs[1]))


@onnx_op("Where")
def _where(g, r, b):
    cond, x, y = r.inputs[:3]
    dt = _dtype(r.outputs[0])
    c = g.v(cond)
    if _dtype(cond) != np.bool_:
        c = g.op("Cast", c, to=g.helper.np_dtype_to_tensor_dtype(np.dtype(bool)))
    return g.op("Where", c, g.v(x, like=dt), g.v(y, like=dt))


@onnx_op("Logit")
def _logit(g, r, b):
    x, eps = r.inputs[:2]
    dt = _dtype(r.outputs[0])
    z = g.v(x)
    if eps is not None:
        z = g.op("Clip", z, g.v(eps, like=dt), g.v(1 - eps, like=dt))
    return g.op("Log", g.op("Div", z, g.op("Sub", g.v(1.0, like=dt), z)))


# comparisons and logic (recorded by their NumPy function's name), and steps with a zero gradient
def _compare(onnx_name, negate=False):
    def fn(g, r, b):
        x, y = r.inputs[:2]
        dt = np.result_type(*[_dtype(v) if isinstance(v, Tensor) else np.asarray(v).dtype for v in (x, y)]) \
            if all(isinstance(v, Tensor) for v in (x, y)) else _dtype(x if isinstance(x, Tensor) else y)
        out = g.op(onnx_name, *[_as(g, v, dt) for v in (x, y)])
        return g.op("Not", out) if negate else out
    return fn


def _as(g, v, dt):
    """`v` as an ONNX value of dtype `dt` (a cast where a tensor has another dtype)."""
    name = g.v(v, like=dt)
    if isinstance(v, Tensor) and _dtype(v) != dt:
        name = g.op("Cast", name, to=g.helper.np_dtype_to_tensor_dtype(np.dtype(dt)))
    return name


for _name, (_onnx_name, _neg) in {"greater": ("Greater", False), "less": ("Less", False), "equal": ("Equal", False),
                                  "not_equal": ("Equal", True), "greater_equal": ("GreaterOrEqual", False),
                                  "less_equal": ("LessOrEqual", False)}.items():
    OPS[_name] = _compare(_onnx_name, _neg)


def _logic(onnx_name):
    return lambda g, r, b: g.op(onnx_name, *[_as(g, v, np.dtype(bool)) for v in r.inputs])


for _name, _onnx_name in {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor",
                          "logical_not": "Not"}.items():
    OPS[_name] = _logic(_onnx_name)
def _bitwise(bool_name, int_name):
    def fn(g, r, b):
        dt = _dtype(r.outputs[0])
        return g.op(bool_name if dt == np.bool_ else int_name, *[g.v(v, like=dt) for v in r.inputs[:2]])
    return fn


for _name, (_bool, _int) in {"bitwise_and": ("And", "BitwiseAnd"), "bitwise_or": ("Or", "BitwiseOr"),
                              "bitwise_xor": ("Xor", "BitwiseXor")}.items():
    OPS[_name] = _bitwise(_bool, _int)
OPS["isnan"] = lambda g, r, b: g.op("IsNaN", g.v(r.inputs[0]))
OPS["invert"] = lambda g, r, b: g.op("Not" if _dtype(r.inputs[0]) == np.bool_ else "BitwiseNot", g.v(r.inputs[0]))
OPS["isinf"] = lambda g, r, b: g.op("IsInf", g.v(r.inputs[0]))

_STEPS = {"floor": "Floor", "ceil": "Ceil", "trunc": "Floor", "rint": "Round", "round": "Round", "_sign": "Sign"}


@onnx_op("_ZeroGrad")
def _zero_grad(g, r, b):
    fn, xs = r.inputs[0], r.inputs[1:]
    name = getattr(fn, "__name__", "")
    if name == "trunc":
        x = g.v(xs[0])
        return g.op("Mul", g.op("Sign", x), g.op("Floor", g.op("Abs", x)))
    if name in _STEPS and len(xs) == 1:
        return g.op(_STEPS[name], g.v(xs[0]))
    if name in ("floor_divide", "_trunc_div") and len(xs) == 2:
        q = g.op("Div", *[g.v(x, like=_dtype(r.outputs[0])) for x in xs])
        if name == "floor_divide":
            return g.op("Floor", q)
        return g.op("Mul", g.op("Sign", q), g.op("Floor", g.op("Abs", q)))
    raise UnsupportedOperatorError(f"the step function {name} has no ONNX mapping (module '{r.module}')")


# shapes
@onnx_op("Reshape")
def _reshape(g, r, b):
    x = r.inputs[0]
    shape = g.shape_operand(r.inputs[1], b.inputs[1], _shape(x), _shape(b.inputs[0]), fill="reshape")
    return g.op("Reshape", g.v(x), shape)


@onnx_op("Permute")
def _permute(g, r, b):
    return g.op("Transpose", g.v(r.inputs[0]), perm=[int(d) for d in r.inputs[1]])


@onnx_op("Expand")
def _expand(g, r, b):
    x = r.inputs[0]
    shape = g.shape_operand(r.inputs[1], b.inputs[1], _shape(x), _shape(b.inputs[0]), fill="expand")
    return g.op("Expand", g.v(x), shape)


@onnx_op("Cat")
def _cat(g, r, b):
    dim = r.options.get("dim", 0)
    xs = [x for x in r.inputs if isinstance(x, (Tensor, np.ndarray))]
    return g.op("Concat", *[g.v(x) for x in xs], axis=int(dim))


@onnx_op("Flip")
def _flip(g, r, b):
    dims = [int(d) for d in r.inputs[1]]
    n = len(dims)
    return g.op("Slice", g.v(r.inputs[0]), g.ints([-1] * n), g.ints([-INT64_MAX] * n), g.ints(dims), g.ints([-1] * n))


@onnx_op("Repeat")
def _repeat(g, r, b):
    x, reps = r.inputs[0], list(r.inputs[1])
    v = g.v(x)
    extra = len(reps) - len(_shape(x))
    if extra > 0:
        v = g.op("Unsqueeze", v, g.ints(list(range(extra))))
    return g.op("Tile", v, g.ints(reps))


@onnx_op("BasicIndex")
def _basic_index(g, r, b):
    x, xb = r.inputs[0], b.inputs[0]
    shape_a, shape_b = _shape(x), _shape(xb)
    items_a, items_b = _expand_index(r.inputs[1], len(shape_a)), _expand_index(b.inputs[1], len(shape_b))
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis = out_axis = 0
    dynamic_ends = {}
    for ia, ib in zip(items_a, items_b):
        if ia is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        if isinstance(ia, (int, np.integer)):
            i = int(ia)
            if i != int(ib):
                i = i - shape_a[axis] if i >= 0 and i - shape_a[axis] == int(ib) - shape_b[axis] else None
                if i is None:
                    raise OnnxExporterError("an index that depends on a dynamic axis cannot be exported")
            starts.append(i)
            ends.append(i + 1 if i != -1 else INT64_MAX)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        elif ia != slice(None):
            step = 1 if ia.step is None else int(ia.step)
            start = ia.start if ia.start is not None else (0 if step > 0 else -1)
            stop = ia.stop if ia.stop is not None else (INT64_MAX if step > 0 else -INT64_MAX)
            if ia.start is not None and ib.start != ia.start:
                start = _dynamic_bound(g, ia.start, ib.start, shape_a[axis], shape_b[axis])
            if ia.stop is not None and ib.stop != ia.stop:
                stop = _dynamic_bound(g, ia.stop, ib.stop, shape_a[axis], shape_b[axis])
                if isinstance(stop, str):
                    dynamic_ends[len(ends)] = stop
            starts.append(start)
            ends.append(stop)
            axes.append(axis)
            steps.append(step)
            out_axis += 1
        else:
            out_axis += 1
        axis += 1
    y = g.v(x)
    if axes:
        if dynamic_ends or any(isinstance(s, str) for s in starts):
            start_v = g.op("Concat", *[s if isinstance(s, str) else g.ints([s]) for s in starts], axis=0)
            end_v = g.op("Concat", *[e if isinstance(e, str) else g.ints([e]) for e in ends], axis=0)
        else:
            start_v, end_v = g.ints(starts), g.ints(ends)
        y = g.op("Slice", y, start_v, end_v, g.ints(axes), g.ints(steps))
    if squeeze:
        y = g.op("Squeeze", y, g.ints(squeeze))
    if unsqueeze:
        y = g.op("Unsqueeze", y, g.ints(unsqueeze))
    return y if y != g.v(x) else g.op("Identity", y)


def _dynamic_bound(g, a, b, size_a, size_b):
    """A slice bound that differs between the traces: the end of the axis, or a dynamic size."""
    if a == size_a and b == size_b:
        return INT64_MAX
    if a - size_a == b - size_b and a < 0 <= a + size_a:
        return a - size_a
    return g.dim(a, b)


def _expand_index(index, ndim):
    items = list(index) if isinstance(index, tuple) else [index]
    n = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        k = items.index(Ellipsis)
        items[k:k + 1] = [slice(None)] * (ndim - n)
    else:
        items += [slice(None)] * (ndim - n)
    return items


@onnx_op("IndexPut")
def _index_put(g, r, b):
    """``x[ints and slices] = scalar``: Where over a mask that broadcasts along the whole axes."""
    x, basic, adv, v = r.inputs[:4]
    if adv is not None or (isinstance(v, Tensor) and v._data.ndim):
        raise UnsupportedOperatorError("index_put: only a number written at ints and slices exports to ONNX "
                                       f"(module '{r.module}')")
    shape, shape_b = _shape(x), _shape(b.inputs[0])
    items = _expand_index(basic, len(shape))
    if any(i is None for i in items):
        raise UnsupportedOperatorError("index_put with None in the index has no ONNX mapping")
    mask_shape = [1 if i == slice(None) else n for i, n in zip(items, shape)]
    if any(m != 1 and shape[d] != shape_b[d] for d, m in enumerate(mask_shape)):
        raise OnnxExporterError("index_put along a dynamic axis cannot be exported")
    mask = np.zeros(mask_shape, dtype=bool)
    mask[tuple(slice(None) if i == slice(None) else i for i in items)] = True
    dt = _dtype(x)
    value = g.v(v, like=dt) if not isinstance(v, Tensor) else _as(g, v, dt)
    return g.op("Where", g.const(mask), value, g.v(x))


@onnx_op("AdvancedIndex")
def _advanced_index(g, r, b):
    x, index = r.inputs[0], r.inputs[1]
    items = list(index) if isinstance(index, tuple) else [index]
    arrays = [(k, i) for k, i in enumerate(items) if isinstance(i, np.ndarray)]
    rest = [i for k, i in enumerate(items) if not isinstance(i, np.ndarray)]
    if len(arrays) == 1 and all(i == slice(None) or i is Ellipsis for i in rest) and arrays[0][1].dtype != np.bool_:
        k, idx = arrays[0]
        if Ellipsis in items[:k]:
            k = len(_shape(x)) - (len(items) - k)
        return g.op("Gather", g.v(x), g.v(idx.astype(np.int64)), axis=k)
    raise UnsupportedOperatorError("AdvancedIndex: only one integer index array (with slices of whole axes) "
                                   "exports to ONNX")


@onnx_op("Gather")
def _gather(g, r, b):
    x, dim, index = r.inputs[:3]
    return g.op("GatherElements", g.v(x), g.v(index), axis=int(dim))


@onnx_op("ConstantPad")
def _constant_pad(g, r, b):
    x, pads, value = r.inputs[:3]
    nd = len(_shape(x))
    lead = nd - len(pads)
    before = [0] * lead + [int(p[0]) for p in pads]
    after = [0] * lead + [int(p[1]) for p in pads]
    return g.op("Pad", g.v(x), g.ints(before + after), g.v(value, like=_dtype(x)), mode="constant")


# reductions
@onnx_op("Sum")
def _sum(g, r, b):
    x = r.inputs[0]
    o = r.options
    dims, keepdim, count = o.get("dims"), o.get("keepdim", False), o.get("count", 1)
    v = g.v(x)
    if o.get("dtype") is not None:
        v = g.op("Cast", v, to=g.helper.np_dtype_to_tensor_dtype(np.dtype(o["dtype"])))
    axes = None if dims is None else [int(d) for d in (dims if isinstance(dims, (tuple, list)) else (dims,))]
    if count != 1:
        shape_a, shape_b = _shape(x), _shape(b.inputs[0])
        red = range(len(shape_a)) if axes is None else axes
        if math.prod(shape_a[d] for d in red) == count and \
                math.prod(shape_b[d] for d in red) == b.options.get("count", 1):
            return g.reduce("ReduceMean", v, axes, keepdim)
        return g.op("Div", g.reduce("ReduceSum", v, axes, keepdim), g.v(count, like=_dtype(r.outputs[0])))
    return g.reduce("ReduceSum", v, axes, keepdim)


@onnx_op("triu", "tril")
def _trilu(g, r, b):
    x, k = r.inputs[:2]
    return g.op("Trilu", g.v(x), g.const(np.int64(k)), upper=int(r.name == "triu"))


@onnx_op("argmax", "argmin")
def _argmax(g, r, b):
    x, dim, keepdim = r.inputs[:3]
    return g.op("ArgMax" if r.name == "argmax" else "ArgMin", g.v(x), axis=int(dim), keepdims=int(keepdim))


@onnx_op("argsort")  # sort, argsort and topk record their indices
def _argsort(g, r, b):
    x, dim, descending, k = r.inputs[:4]
    n = g.dim(_shape(x)[dim], _shape(b.inputs[0])[dim]) if k is None else g.ints([k])
    return g.op("TopK", g.v(x), n, axis=int(dim), largest=int(bool(descending)), sorted=1, outputs=2)[1]


@onnx_op("Prod")
def _prod(g, r, b):
    x, dims, keepdim = r.inputs[:3]
    return g.reduce("ReduceProd", g.v(x), None if dims is None else list(dims), keepdim)


@onnx_op("Amax")
def _amax(g, r, b):
    x, dims, largest = r.inputs[:3]
    y = r.outputs[0]
    keep = len(_shape(y)) == len(_shape(x)) and len(_shape(x)) > 0
    return g.reduce("ReduceMax" if largest else "ReduceMin", g.v(x), None if dims is None else list(dims), keep)


@onnx_op("Var")
def _var(g, r, b):
    x, dims, correction, keepdim = r.inputs[:4]
    v, dt = g.v(x), _dtype(r.outputs[0])
    axes = list(range(len(_shape(x)))) if dims is None else list(dims)
    d = g.op("Sub", v, g.reduce("ReduceMean", v, axes, True))
    n = math.prod(_shape(x)[a] for a in axes)
    s = g.reduce("ReduceSum", g.op("Mul", d, d), axes, keepdim)
    if n == math.prod(_shape(b.inputs[0])[a] for a in axes):
        return g.op("Div", s, g.v(max(n - correction, 0), like=dt))
    # the count depends on a dynamic axis: the product of those sizes, from the input's shape
    count = g.reduce("ReduceProd", g.op("Gather", g.op("Shape", v), g.ints(axes)), [0], False)
    dof = g.op("Sub", g.op("Cast", count, to=g.helper.np_dtype_to_tensor_dtype(dt)), g.v(float(correction), like=dt))
    return g.op("Div", s, g.op("Max", dof, g.v(0.0, like=dt)))


@onnx_op("_SqrtOfVar")
def _sqrt_of_var(g, r, b):
    return g.op("Sqrt", g.v(r.inputs[0]))


@onnx_op("VectorNorm")
def _vector_norm(g, r, b):
    x, ord, dims = r.inputs[:3]
    v = g.v(x)
    axes = None if dims is None else list(dims)
    keep = len(_shape(r.outputs[0])) == len(_shape(x)) and len(_shape(x)) > 0
    if ord == 2:
        return g.reduce("ReduceL2", v, axes, keep)
    if ord == 1:
        return g.reduce("ReduceL1", v, axes, keep)
    if ord == math.inf:
        return g.reduce("ReduceMax", g.op("Abs", v), axes, keep)
    dt = _dtype(r.outputs[0])
    p = g.v(float(ord), like=dt)
    s = g.reduce("ReduceSum", g.op("Pow", g.op("Abs", v), p), axes, keep)
    return g.op("Pow", s, g.v(1.0 / ord, like=dt))


@onnx_op("Cumsum")
def _cumsum(g, r, b):
    return g.op("CumSum", g.v(r.inputs[0]), g.ints(int(r.inputs[1])))


# products
@onnx_op("Matmul")
def _matmul(g, r, b):
    return g.op("MatMul", g.v(r.inputs[0]), g.v(r.inputs[1]))


@onnx_op("Einsum")
def _einsum(g, r, b):
    terms, out = r.options["terms"], r.options["out"]
    eq = ",".join("".join(t) if not isinstance(t, str) else t for t in terms) + "->" + \
        ("".join(out) if not isinstance(out, str) else out)
    return g.op("Einsum", *[g.v(x) for x in r.inputs], equation=eq)


@onnx_op("Addmm")
def _addmm(g, r, b):
    x, w, bias = r.inputs[:3]
    if len(_shape(x)) == 2:
        return g.op("Gemm", g.v(x), g.v(w), g.v(bias), transB=1)
    wt = g.const(_np(w._data).T, name=(g.params.get(id(w), "weight") + ".T")) \
        if id(w) not in g.env and not g.as_inputs and not g.dynamic(w) else g.op("Transpose", g.v(w), perm=[1, 0])
    y = g.op("MatMul", g.v(x), wt)
    return g.op("Add", y, g.v(bias)) if bias is not None else y


# nn
@onnx_op("Convolution")
def _conv(g, r, b):
    x, w, bias, (stride, pads, dilation, groups) = r.inputs[:4]
    return g.op("Conv", g.v(x), g.v(w), g.v(bias), kernel_shape=list(_shape(w)[2:]), strides=list(stride),
                pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(dilation), group=int(groups))


@onnx_op("ConvTranspose")
def _conv_transpose(g, r, b):
    x, w, bias, (stride, pads, dilation, groups), size = r.inputs[:5]
    k = _shape(w)[2:]
    out_pad = [int(size[i]) - ((_shape(x)[2 + i] - 1) * stride[i] - pads[i][0] - pads[i][1] +
                               dilation[i] * (k[i] - 1) + 1) for i in range(len(k))]
    return g.op("ConvTranspose", g.v(x), g.v(w), g.v(bias), kernel_shape=list(k), strides=list(stride),
                pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(dilation), group=int(groups),
                output_padding=out_pad if any(out_pad) else None)


@onnx_op("MaxPool")
def _max_pool(g, r, b):
    x, k, s, pads, d = r.inputs[:5]
    return g.op("MaxPool", g.v(x), kernel_shape=list(k), strides=list(s),
                pads=[p[0] for p in pads] + [p[1] for p in pads], dilations=list(d))


@onnx_op("WindowSum")
def _window_sum(g, r, b):
    # the sum of each window: the average with the zero padding counted, times the window size
    x, k, s, pads = r.inputs[:4]
    avg = g.op("AveragePool", g.v(x), kernel_shape=list(k), strides=list(s),
               pads=[p[0] for p in pads] + [p[1] for p in pads], count_include_pad=1)
    return g.op("Mul", avg, g.v(float(math.prod(k)), like=_dtype(x)))


@onnx_op("Normalize")
def _normalize(g, r, b):
    x, w, bias, axes, mean, var, eps = r.inputs[:7]
    dt = _dtype(x)
    if mean is not None:  # running statistics (batch norm in eval mode): one scale and one shift
        inv = 1.0 / np.sqrt(_np(var).astype(np.float64) + eps)
        if not g.dynamic(w) and not g.dynamic(bias) and not g.as_inputs:
            scale = inv * (1.0 if w is None else _np(w._data))
            shift = -_np(mean) * scale + (0.0 if bias is None else _np(bias._data))
            y = g.op("Mul", g.v(x), g.const(scale.astype(dt), name=_scoped(g, "scale")))
            return g.op("Add", y, g.const(shift.astype(dt), name=_scoped(g, "shift")))
        y = g.op("Mul", g.op("Sub", g.v(x), g.v(_np(mean).astype(dt))), g.v(inv.astype(dt)))
    else:
        nd = len(_shape(x))
        axes = [int(a) % nd for a in axes]
        k = len(axes)
        trailing = axes == list(range(nd - k, nd))
        if trailing and all(t is None or _shape(t) == _shape(x)[nd - k:] for t in (w, bias)):
            scale = g.v(w) if w is not None else g.const(np.ones(_shape(x)[nd - k:], dt))
            return g.op("LayerNormalization", g.v(x), scale, g.v(bias), axis=nd - k, epsilon=float(eps))
        v = g.v(x)
        d = g.op("Sub", v, g.reduce("ReduceMean", v, axes, True))
        var_v = g.reduce("ReduceMean", g.op("Mul", d, d), axes, True)
        y = g.op("Div", d, g.op("Sqrt", g.op("Add", var_v, g.v(float(eps), like=dt))))
    if w is not None:
        y = g.op("Mul", y, g.v(w))
    if bias is not None:
        y = g.op("Add", y, g.v(bias))
    return y


def _scoped(g, what):
    return f"{g.scope}.{what}" if g.scope else what


@onnx_op("arange")
def _arange(g, r, b):  # recorded by creation ops; exported only when a size made it (else folded)
    (s, e, st), dt = r.inputs, r.options["dtype"]
    if any(isinstance(v, float) for v in (s, e, st)) or (s, st) != tuple(b.inputs[::2]):
        raise OnnxExporterError("arange with float bounds, or a dynamic start or step, is not exported")
    end = g.op("Squeeze", g.dim(e, b.inputs[1]), g.ints([0]))
    y = g.op("Range", g.const(np.int64(s)), end, g.const(np.int64(st)))
    return y if dt == np.int64 else g.op("Cast", y, to=g.helper.np_dtype_to_tensor_dtype(dt))


@onnx_op("full")
def _full(g, r, b):
    (size, value), dt = r.inputs, r.options["dtype"]
    shape = g.shape_operand(size, b.inputs[0])
    return g.op("ConstantOfShape", shape, value=g.numpy_helper.from_array(np.asarray([value], dtype=dt)))


@onnx_op("Fill")
def _fill(g, r, b):  # x.fill_(value) inside a forward: the value spread to x's shape
    x, value = r.inputs
    return g.op("Expand", g.const(np.asarray(value, dtype=_dtype(x))), g.op("Shape", g.v(x)))


@onnx_op("EmbeddingOp")
def _embedding(g, r, b):
    w, idx = r.inputs[:2]
    return g.op("Gather", g.v(w), g.v(idx))


@onnx_op("Attention")
def _attention(g, r, b):  # ember.models.bert's fused attention
    q, k, v, mask, scale = r.inputs[:5]
    dt = _dtype(q)
    s = g.op("MatMul", g.op("Mul", g.v(q), g.v(float(scale), like=dt)), g.op("Transpose", g.v(k), perm=[0, 1, 3, 2]))
    if mask is not None:
        s = g.op("Add", s, g.v(mask))
    return g.op("MatMul", g.op("Softmax", s, axis=-1), g.v(v))


# ---------------------------------------------------------------- modules exported whole
MODULES = {}
onnx_module = _registrar(MODULES)


def _rnn_weights(mod, layer, suffix, kind):
    """ONNX's W, R, B for one layer and direction from torch's weight_ih/hh and biases."""
    w_ih = _np(getattr(mod, f"weight_ih_l{layer}{suffix}")._data)
    w_hh = _np(getattr(mod, f"weight_hh_l{layer}{suffix}")._data)
    h = mod.hidden_size
    if mod.bias:
        b_ih = _np(getattr(mod, f"bias_ih_l{layer}{suffix}")._data)
        b_hh = _np(getattr(mod, f"bias_hh_l{layer}{suffix}")._data)
    else:
        b_ih = b_hh = np.zeros(w_ih.shape[0], w_ih.dtype)
    if kind == "LSTM":      # torch's gates i, f, g, o -> ONNX's i, o, f, c
        order = [0, 3, 1, 2]
    elif kind == "GRU":     # torch's r, z, n -> ONNX's z, r, h
        order = [1, 0, 2]
    else:
        order = [0]

    def re(a):
        return np.concatenate([a[i * h:(i + 1) * h] for i in order], axis=0)
    return re(w_ih), re(w_hh), np.concatenate([re(b_ih), re(b_hh)])


@onnx_module("LSTM", "GRU", "RNN")
def _rnn(g, r, b):
    mod = r.op
    kind = type(mod).__name__
    if getattr(mod, "proj_size", 0):
        raise UnsupportedOperatorError("LSTM with proj_size has no ONNX mapping")
    x = r.inputs[0]
    hx = r.inputs[1] if len(r.inputs) > 1 else r.options.get("hx")
    if _shape(x) and len(_shape(x)) == 2:
        raise UnsupportedOperatorError(f"{kind} on an unbatched input is not exported")
    dirs = 2 if mod.bidirectional else 1
    h = mod.hidden_size
    dt = _dtype(x)
    y = g.v(x)
    if mod.batch_first:
        y = g.op("Transpose", y, perm=[1, 0, 2])
    hs, cs = [], []
    if kind == "LSTM":
        h0, c0 = (None, None) if hx is None else hx
    else:
        h0, c0 = hx, None
    for layer in range(mod.num_layers):
        ws = [_rnn_weights(mod, layer, s, kind) for s in (["", "_reverse"] if dirs == 2 else [""])]
        W = g.const(np.stack([w[0] for w in ws]).astype(dt), name=_scoped(g, f"W_l{layer}"))
        R = g.const(np.stack([w[1] for w in ws]).astype(dt), name=_scoped(g, f"R_l{layer}"))
        B = g.const(np.stack([w[2] for w in ws]).astype(dt), name=_scoped(g, f"B_l{layer}"))
        sl = slice(layer * dirs, (layer + 1) * dirs)
        init_h = None if h0 is None else g.op("Slice", g.v(h0), g.ints([sl.start]), g.ints([sl.stop]), g.ints([0]))
        init_c = None if c0 is None else g.op("Slice", g.v(c0), g.ints([sl.start]), g.ints([sl.stop]), g.ints([0]))
        attrs = dict(hidden_size=h, direction="bidirectional" if dirs == 2 else "forward")
        if kind == "GRU":
            attrs["linear_before_reset"] = 1
        if kind == "RNN":
            attrs["activations"] = ["Tanh" if mod.nonlinearity == "tanh" else "Relu"] * dirs
        ins = [y, W, R, B, None, init_h] + ([init_c] if kind == "LSTM" else [])
        outs = g.op(kind, *ins, outputs=3 if kind == "LSTM" else 2, **attrs)
        seq, hn = outs[0], outs[1]
        hs.append(hn)
        if kind == "LSTM":
            cs.append(outs[2])
        # Y: (seq, dirs, batch, hidden) -> (seq, batch, dirs * hidden)
        y = g.op("Reshape", g.op("Transpose", seq, perm=[0, 2, 1, 3]), g.ints([0, 0, dirs * h]))
    if mod.batch_first:
        y = g.op("Transpose", y, perm=[1, 0, 2])
    h_n = hs[0] if len(hs) == 1 else g.op("Concat", *hs, axis=0)
    if kind == "LSTM":
        c_n = cs[0] if len(cs) == 1 else g.op("Concat", *cs, axis=0)
        return [y, h_n, c_n]
    return [y, h_n]


@onnx_module("AdaptiveMaxPool2d", "AdaptiveMaxPool1d")
def _adaptive_max_pool(g, r, b):
    mod, x = r.op, r.inputs[0]
    if mod.return_indices:
        raise UnsupportedOperatorError("AdaptiveMaxPool with return_indices has no ONNX mapping")
    nd = 1 if type(mod).__name__.endswith("1d") else 2
    size = _shape(x)[-nd:]
    out = mod.output_size if isinstance(mod.output_size, (tuple, list)) else (mod.output_size,) * nd
    out = [s if o is None else int(o) for o, s in zip(out, size)]
    if len(_shape(x)) == nd + 1:
        raise UnsupportedOperatorError("AdaptiveMaxPool on an unbatched input is not exported")
    if all(o == 1 for o in out):
        return g.op("GlobalMaxPool", g.v(x))
    if any(s % o for s, o in zip(size, out)):
        raise UnsupportedOperatorError(f"AdaptiveMaxPool to {out} from {list(size)}: uneven windows have no "
                                       "ONNX mapping")
    k = [s // o for s, o in zip(size, out)]
    return g.op("MaxPool", g.v(x), kernel_shape=k, strides=k)


def _module_outputs(result):
    """A leaf module's outputs, flattened (LSTM gives (output, (h, c)))."""
    out = []
    for o in result:
        out.extend(_module_outputs(o) if isinstance(o, tuple) else [o])
    return out


LEAVES = ("LSTM", "GRU", "RNN", "AdaptiveMaxPool2d", "AdaptiveMaxPool1d")


# ---------------------------------------------------------------- export
def export(model, args, f=None, export_params=True, verbose=False, training=TrainingMode.EVAL,
           input_names=None, output_names=None, operator_export_type=None, opset_version=None,
           do_constant_folding=True, dynamic_axes=None, keep_initializers_as_inputs=None, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True, dynamo=False, external_data=True,
           dynamic_shapes=None, **kwargs):
    """Export `model` (an nn.Module or a function of tensors) to ONNX, as torch.onnx.export.

    Args:
        args: the example inputs: a tensor, or a tuple of them (a final dict gives keyword inputs).
        f: a path or a binary file object; the file is written whole or not at all.
        dynamo: accepted; ember has one exporter (the traced one).
        training: TrainingMode.EVAL (the default) exports eval mode; PRESERVE keeps the model's mode.

    Returns None, as torch's TorchScript exporter.
    """
    onnx = _onnx()
    opset = opset_version or default_opset()
    if opset < 17:
        raise ValueError(f"ember exports ONNX opset 17 or newer, not {opset}")
    if isinstance(args, (Tensor, dict)) or not isinstance(args, (tuple, list)):
        args = (args,)
    args = tuple(args)
    kw = {}
    if args and isinstance(args[-1], dict):
        args, kw = args[:-1], dict(args[-1])
    modes = _set_mode(model, training)
    try:
        proto = _build(onnx, model, args, kw, opset, export_params, input_names, output_names,
                       do_constant_folding, dynamic_axes or {})
    finally:
        for m, mode in modes:
            m.training = mode
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    data = proto.SerializeToString()
    if f is None:
        return proto
    if isinstance(f, (str, os.PathLike)):
        from ..serialization import atomic_write
        atomic_write(os.fspath(f), lambda fh: fh.write(data))
    else:
        f.write(data)
    return None


def _set_mode(model, training):
    from ..nn import Module
    if not isinstance(model, Module) or training == TrainingMode.PRESERVE:
        return []
    modes = [(m, m.training) for m in model.modules()]
    model.train(training == TrainingMode.TRAINING)
    return modes


def _flat_tensors(x, out):
    if isinstance(x, Tensor):
        out.append(x)
    elif isinstance(x, dict):
        for v in x.values():
            _flat_tensors(v, out)
    elif isinstance(x, (tuple, list)):
        for v in x:
            _flat_tensors(v, out)
    return out


def _run(model, args, kw, leaves):
    from .. import no_grad
    from ..nn import Module
    root = model if isinstance(model, Module) else None
    leaf_types = ()
    if root is not None:
        leaf_types = tuple({type(m) for m in root.modules() if type(m).__name__ in leaves})
    with no_grad(), _trace.trace(root, leaves=leaf_types) as t:
        out = model(*args, **kw)
    return t.records, out


def _grow(args, growth):
    """The inputs with each dynamic axis made longer (by repeating its first entries)."""
    from .. import from_numpy

    def grow(x, axes):
        a = _np(x._data)
        for axis, k in axes.items():
            extra = np.take(a, np.arange(k) % a.shape[axis], axis=axis)
            a = np.concatenate([a, extra], axis=axis)
        return from_numpy(np.ascontiguousarray(a))

    return tuple(grow(a, growth[i]) if i in growth else a for i, a in enumerate(args))


def _shuffled(args):
    """The inputs with their values permuted (same shapes, dtypes and set of values)."""
    from .. import from_numpy
    rng = np.random.default_rng(12345)
    out = []
    for a in args:
        if isinstance(a, Tensor) and a._data.size > 1:
            v = _np(a._data)
            a = from_numpy(np.ascontiguousarray(rng.permutation(v.reshape(-1)).reshape(v.shape)))
        out.append(a)
    return tuple(out)


def _numbers(inputs, options):
    """The Python floats among an op's non-tensor arguments (nested too), in order."""
    out = []

    def walk(x):
        if isinstance(x, float):
            out.append(x if x == x else "nan")
        elif isinstance(x, (tuple, list)):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
    walk(inputs)
    walk(options)
    return out


def _input_names(model, n, input_names):
    names = list(input_names or [])
    if len(names) < n:
        try:
            fn = model.forward if hasattr(model, "forward") else model
            params = [p for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            auto = [p.name for p in params]
        except (TypeError, ValueError):
            auto = []
        for i in range(len(names), n):
            names.append(auto[i] if i < len(auto) and auto[i] not in names else f"input_{i}")
    return names


def _axes_of(spec, name):
    """dynamic_axes' entry for one name as {axis: symbolic name}."""
    axes = spec.get(name)
    if axes is None:
        return {}
    if isinstance(axes, dict):
        return {int(k): str(v) for k, v in axes.items()}
    return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}


def _build(onnx, model, args, kw, opset, export_params, input_names, output_names, fold, dynamic_axes):
    from onnx import helper
    if kw:
        raise OnnxExporterError("keyword inputs (a dict at the end of args) are not supported by ember's exporter")
    in_tensors = [a for a in args if isinstance(a, Tensor)]
    if len(in_tensors) != len(args) and any(isinstance(a, (tuple, list, dict)) for a in args):
        raise OnnxExporterError("nested inputs (tuples, lists, dicts of tensors) are not supported")
    names = _input_names(model, len(args), input_names)
    arg_names = {i: names[i] for i in range(len(args))}
    unknown = set(dynamic_axes) - set(names) - set(output_names or [])
    if unknown:
        raise ValueError(f"dynamic_axes names {sorted(unknown)} are neither input nor output names")
    sym_growth = {}
    growth = {}
    for i, a in enumerate(args):
        axes = _axes_of(dynamic_axes, arg_names[i]) if isinstance(a, Tensor) else {}
        if axes:
            growth[i] = {ax: sym_growth.setdefault(sym, len(sym_growth) + 1) for ax, sym in axes.items()}

    # Two traces: the second with the dynamic axes grown, or else with the input values shuffled.
    # What differs between them depends on the inputs: sizes become shape computations; a value
    # made outside the recorded ops, or a Python number, that differs is an error (not baked in).
    recs_a, out_a = _run(model, args, kw, LEAVES)
    args_b = _grow(args, growth) if growth else _shuffled(args)
    recs_b, out_b = _run(model, args_b, kw, LEAVES)
    if [r.name for r in recs_a] != [r.name for r in recs_b]:
        raise OnnxExporterError("the forward pass runs different ops for other inputs (control flow on sizes or "
                                "values): ember exports the ops one run executes, which would not hold for them")
    for ra, rb in zip(recs_a, recs_b):
        if _numbers(ra.inputs, ra.options) != _numbers(rb.inputs, rb.options):
            where = f"module '{ra.module}'" if ra.module else "the top level"
            raise OnnxExporterError(f"the op {ra.name} (in {where}) takes a Python number computed from the "
                                    "inputs' values (e.g. with .item()); it cannot be exported as a constant")

    g = Graph(opset)
    g.as_inputs = not export_params
    from ..nn import Module
    modules = dict(model.named_modules()) if isinstance(model, Module) else {}
    if isinstance(model, Module):
        for name, p in list(model.named_parameters()) + list(model.named_buffers()):
            g.params.setdefault(id(p), name)
            g.names.add(name)

    # graph inputs
    dynamic = set()  # ids of tensors/arrays that depend on the inputs
    inputs = []
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            continue
        name = arg_names[i]
        g.names.add(name)
        g.bind(a, name)
        dynamic.update((id(a), id(a._data)))
        axes = _axes_of(dynamic_axes, name)
        shape = [axes.get(d, s) for d, s in enumerate(a._data.shape)]
        inputs.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a._data.dtype), shape))
        sb = args_b[i]._data.shape
        for d, s in enumerate(a._data.shape):
            if s != sb[d]:
                g.dims.append((name, d, s, sb[d]))

    twins = {}  # id(tensor or array in trace A) -> its twin in trace B (to compare constants)
    for ra, rb in zip(recs_a, recs_b):
        for x, y in zip(_all_values(ra.inputs), _all_values(rb.inputs)):
            twins.setdefault(id(x), y)

    def check_constant(x):
        y = twins.get(id(x))
        a, b = (x._data, y._data) if isinstance(x, Tensor) and isinstance(y, Tensor) else (x, y)
        if y is not None and y is not x and (a.shape != b.shape or
                                             not np.array_equal(_np(a), _np(b), equal_nan=True)):
            raise OnnxExporterError("a tensor made outside the traced ops depends on the inputs (e.g. created "
                                    f"from a size or an input's values) near module '{g.scope}'; ember cannot "
                                    "export it as a computation")
    g._check_constant = check_constant
    g.dynamic = lambda t: t is not None and (id(t) in dynamic or (not fold and id(t) in g.params))

    for ra, rb in zip(recs_a, recs_b):
        g.scope = ra.module
        ts = _all_tensors(ra.inputs) + [v for v in ra.inputs if isinstance(v, np.ndarray)]
        live = any(id(t) in dynamic or (not fold and id(t) in g.params) for t in ts)
        if not live:
            shapes_differ = any(_shape(x) != _shape(y) for x, y in zip(ra.outputs, rb.outputs)
                                if isinstance(x, Tensor))
            if not shapes_differ:
                continue  # folded: its outputs become constants where they are used
        if ra.op == "inplace":
            x, v = ra.inputs
            name = g.v(v)
            g.bind(x, name)
            dynamic.update((id(x), id(x._data)))
            continue
        if isinstance(ra.op, Function) and all(id(t) in g.env for t in ra.outputs if isinstance(t, Tensor)):
            continue  # a custom Function whose forward ran recorded ops: those are its graph
        is_module = not isinstance(ra.op, str) and isinstance(ra.op, Module)
        table = MODULES if is_module else OPS
        fn = table.get(ra.name)
        if fn is None:
            where = f"'{ra.module}' ({type(modules[ra.module]).__name__})" if ra.module in modules else "the top level"
            raise UnsupportedOperatorError(f"ONNX export: the op {ra.name} has no ONNX mapping (called in module "
                                           f"{where})")
        out = fn(g, ra, rb)
        outs = _module_outputs(ra.outputs) if is_module else list(ra.outputs)
        names_out = out if isinstance(out, list) else [out]
        for t, n in zip(outs, names_out):
            if isinstance(t, Tensor):
                g.bind(t, n)
                dynamic.update((id(t), id(t._data)))

    # graph outputs
    flat_a, flat_b = _flat_tensors(out_a, []), _flat_tensors(out_b, [])
    onames = list(output_names or [])
    for i in range(len(onames), len(flat_a)):
        onames.append("output" if len(flat_a) == 1 else f"output_{i}")
    outputs = []
    g.scope = ""
    for t, tb, name in zip(flat_a, flat_b, onames):
        src = g.v(t)
        g.nodes.append(helper.make_node("Identity", [src], [name], name=g.fresh(f"/Identity_{name}")))
        axes = _axes_of(dynamic_axes, name)
        shape = []
        for d, (s, sb) in enumerate(zip(t._data.shape, tb._data.shape)):
            shape.append(axes.get(d) or (f"{name}_dim_{d}" if s != sb else s))
        outputs.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(t._data.dtype), shape))

    graph = helper.make_graph(g.nodes, type(model).__name__ if isinstance(model, Module) else "main",
                              inputs + g.inputs, outputs, initializer=g.inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="ember")
    proto.ir_version = _ir_version(opset)
    return proto


def _all_values(xs):
    """The tensors and arrays among an op's inputs (in nested tuples too), in order."""
    out = []
    for x in xs:
        if isinstance(x, (Tensor, np.ndarray)):
            out.append(x)
        elif isinstance(x, (tuple, list)):
            out.extend(_all_values(x))
    return out


def _all_tensors(xs):
    out = []
    for x in xs:
        if isinstance(x, Tensor):
            out.append(x)
        elif isinstance(x, (tuple, list)):
            out.extend(_all_tensors(x))
    return out
