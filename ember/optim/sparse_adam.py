"""SparseAdam: Adam for sparse gradients (nn.Embedding(sparse=True)); ember has no sparse tensors yet."""
from .._tensor import Tensor
from .optimizer import Optimizer, _check


class SparseAdam(Optimizer):
    """torch.optim.SparseAdam's interface and checks.

    ember's gradients are always dense, and SparseAdam, as torch's, refuses dense gradients
    (use Adam): every step with a gradient raises torch's RuntimeError.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check(0.0 < lr, f"Invalid learning rate: {lr}")
        _check(0.0 < eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if isinstance(p, Tensor) and p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def _update(self, p, g, state, group):
        raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
