"""The smallest eager autograd on NumPy that runs the benchmark's graph and linear-regression
cases: a stand-in, written here, for the "100-line eager NumPy autograd" that #2's speed
targets cite (that program itself is not in the repository).

It has none of what makes a framework torch-compatible: no dtype promotion or checks, no
shape errors, no version counters (an in-place change gives a wrong gradient silently), no
views, hooks, graph freeing, retain_graph or create_graph. Each op keeps a closure; backward
sorts the graph depth first and calls them. `benchmarks/run.py` times it as a third library
(column ``mini/torch``): what a framework costs when it does nothing but differentiate.
"""
import contextlib

import numpy as np

_recording = [True]


@contextlib.contextmanager
def no_grad():
    _recording.append(False)
    try:
        yield
    finally:
        _recording.pop()


def _unbroadcast(g, shape):
    if g.shape == shape:
        return g
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdims=True)
    return g


class Tensor:
    __slots__ = ("data", "grad", "requires_grad", "_g", "_parents", "_backward")

    def __init__(self, data, parents=(), backward=None):
        self.data, self.grad, self._g, self._parents, self._backward = data, None, None, parents, backward
        self.requires_grad = backward is not None

    def _op(self, data, parents, backward):
        """The result of an op: recorded when an input requires grad and grad mode is on."""
        if _recording[-1]:
            for p in parents:
                if p.requires_grad:
                    return Tensor(data, parents, backward)
        return Tensor(data)

    def _accumulate(self, g):
        if self.requires_grad:
            self._g = g if self._g is None else self._g + g

    def __add__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(np.asarray(other, self.data.dtype))

        def backward(g):
            self._accumulate(_unbroadcast(g, self.data.shape))
            other._accumulate(_unbroadcast(g, other.data.shape))
        return self._op(self.data + other.data, (self, other), backward)

    __radd__ = __add__

    def __neg__(self):
        return self._op(-self.data, (self,), lambda g: self._accumulate(-g))

    def __sub__(self, other):
        return self + (-other)

    def __mul__(self, other):
        if not isinstance(other, Tensor):
            return self._op(self.data * other, (self,), lambda g: self._accumulate(g * other))

        def backward(g):
            self._accumulate(_unbroadcast(g * other.data, self.data.shape))
            other._accumulate(_unbroadcast(g * self.data, other.data.shape))
        return self._op(self.data * other.data, (self, other), backward)

    __rmul__ = __mul__

    def __matmul__(self, other):
        def backward(g):
            self._accumulate(g.dot(other.data.T))
            other._accumulate(self.data.T.dot(g))
        return self._op(self.data.dot(other.data), (self, other), backward)

    def __pow__(self, p):
        return self._op(self.data ** p, (self,), lambda g: self._accumulate(g * p * self.data ** (p - 1)))

    def __isub__(self, other):
        self.data -= other.data
        return self

    def tanh(self):
        y = np.tanh(self.data)
        return self._op(y, (self,), lambda g: self._accumulate(g * (1 - y * y)))

    def mean(self):
        n = self.data.size
        return self._op(np.asarray(self.data.mean()), (self,),
                        lambda g: self._accumulate(np.broadcast_to(g / n, self.data.shape)))

    def zero_(self):
        self.data.fill(0)
        return self

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth first: a tensor after everything it was made from
            t, done = stack.pop()
            if done:
                order.append(t)
            elif id(t) not in seen:
                seen.add(id(t))
                stack.append((t, True))
                stack.extend((p, False) for p in t._parents)
        self._g = np.ones_like(self.data)
        for t in reversed(order):  # each tensor after all that were made from it
            g, t._g = t._g, None
            if g is None:
                continue
            if t._backward is not None:
                t._backward(g)
            else:  # a leaf that requires grad
                t.grad = Tensor(g) if t.grad is None else Tensor(t.grad.data + g)


def tensor(data, requires_grad=False):
    t = Tensor(np.array(data))
    t.requires_grad = requires_grad
    return t


def zeros(*shape, requires_grad=False):
    return tensor(np.zeros(shape, np.float32), requires_grad)
