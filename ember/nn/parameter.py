"""`Parameter`: a tensor that a Module registers as learnable; `Buffer`: one it registers as state."""
from .._tensor import Tensor
from ..autograd.trace import replayed


class Parameter(Tensor):
    """A tensor that, assigned as a Module attribute, joins the module's ``parameters()``.

    It shares memory (and the version counter) with `data`, as torch's does.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty
            data = empty(0)
        t = Tensor.__new__(cls)
        t._init(data._data)
        t._version = data._version
        t.requires_grad = requires_grad  # the setter refuses integer tensors, as torch does
        return t

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor.__init__ would read `data` as a shape)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self._rg))


class Buffer(Tensor):
    """torch.nn.Buffer: a tensor that, assigned as a Module attribute, becomes a buffer.

    ``persistent=False`` keeps it out of ``state_dict()``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .. import empty
            data = empty(0)
        t = Tensor.__new__(cls)
        t._init(data._data, data._rg)
        t._version = data._version
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


@replayed  # (it sets .grad directly: ember.compile calls it again on replay)
def zero_grads(params, set_to_none=True):
    """Module.zero_grad and Optimizer.zero_grad: drop each gradient (the default), or detach it
    from any graph and fill it with zeros in place."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad.detach_()
            else:
                p.grad.requires_grad_(False)
            p.grad.zero_()
