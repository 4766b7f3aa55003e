"""L-BFGS (torch.optim.LBFGS): a quasi-Newton method that keeps the last few steps and gradient changes.

All parameters are treated as one flat vector x. Each iteration turns the gradient g into a direction
d = -H g with the two-loop recursion (Nocedal & Wright, Algorithm 7.4), where H approximates the inverse
Hessian from the stored pairs s = x_{k+1} - x_k and y = g_{k+1} - g_k, then moves x by t d, t from a
fixed rule (lr) or from a strong-Wolfe line search (Algorithms 3.5 and 3.6). The state (``d``, ``t``,
``old_dirs`` = the y's, ``old_stps`` = the s's, ``ro`` = 1 / y.s, ``H_diag``, ...) carries over
between calls of ``step``, as in torch.
"""
import math

import ember
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad, enable_grad
from .optimizer import Optimizer


def _cubic_min(a, fa, ga, b, fb, gb, lo=None, hi=None):
    """Where the cubic through (a, fa), (b, fb) with slopes ga, gb has its minimum, clipped to [lo, hi]
    (default: between a and b); the middle of [lo, hi] if the cubic has no minimum (N&W eq. 3.59)."""
    if lo is None:
        lo, hi = min(a, b), max(a, b)
    if a > b:  # the formula below wants a <= b; swapping leaves d1 and the root unchanged
        a, fa, ga, b, fb, gb = b, fb, gb, a, fa, ga
    d1 = ga + gb - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - ga * gb
    if disc < 0:
        return (lo + hi) / 2
    d2 = math.sqrt(disc)
    x = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(probe, t, d, f0, g0, gtd0, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d meeting the strong Wolfe conditions, with at most `max_ls` trials after the first.

    `probe(t)` gives (loss, flat gradient) at x + t d and leaves x alone. A trial point is kept as
    [t, loss, gradient, slope along d]. Returns (loss, gradient, t, number of probes)."""
    def trial(t):
        f, g = probe(t)
        return [t, f, g, float(g.dot(d))]

    def armijo_fails(p):  # not enough decrease for a step this long
        return p[1] > f0 + c1 * p[0] * gtd0

    def flat_enough(p):  # the slope has shrunk enough (the strong curvature condition)
        return abs(p[3]) <= -c2 * gtd0

    d_max = float(d.abs().max())
    # Algorithm 3.5: lengthen the step until an interval [prev, cur] surely holds a good one
    prev, cur = [0, f0, g0, gtd0], trial(t)
    n, done, bracket = 0, False, None
    while n < max_ls:
        if armijo_fails(cur) or (n > 1 and cur[1] >= prev[1]):
            bracket = [prev, cur]
            break
        if flat_enough(cur):
            bracket, done = [cur], True
            break
        if cur[3] >= 0:  # the slope turned upward: a minimum lies between prev and cur
            bracket = [prev, cur]
            break
        # extrapolate: the cubic's minimum, at least 1% beyond cur and at most 10 times as far
        t_new = _cubic_min(prev[0], prev[1], prev[3], cur[0], cur[1], cur[3],
                           lo=cur[0] + 0.01 * (cur[0] - prev[0]), hi=cur[0] * 10)
        prev, cur = cur, trial(t_new)
        n += 1
    if n == max_ls:
        bracket = [[0, f0, g0, gtd0], cur]

    # Algorithm 3.6 (zoom): shrink the interval; `lo` indexes its end with the lower loss
    lo, hi = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    stalled = False
    while not done and n < max_ls:
        (ta, fa, _, ga), (tb, fb, _, gb) = bracket
        left, right = min(ta, tb), max(ta, tb)
        if (right - left) * d_max < tolerance_change:  # the interval is too short to matter
            break
        t = _cubic_min(ta, fa, ga, tb, fb, gb)
        # keep trials off the ends: if two in a row land within 10% of one, step 10% inside instead
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:
            if stalled or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        new = trial(t)
        n += 1
        if armijo_fails(new) or new[1] >= bracket[lo][1]:
            bracket[hi] = new
            lo, hi = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if flat_enough(new):
                done = True
            elif new[3] * (bracket[hi][0] - bracket[lo][0]) >= 0:
                bracket[hi] = bracket[lo]  # the slope says the minimum lies on lo's other side
            bracket[lo] = new
    t, f, g, _ = bracket[lo]
    return f, g, t, n + 1


def _two_loop(g, dirs, stps, ro, h_diag, alpha):
    """-H g, H the L-BFGS inverse Hessian of the pairs (stps[i], dirs[i]) (N&W Algorithm 7.4).

    `alpha` holds the first loop's coefficients (torch keeps it in the state as ``al``)."""
    q = -g
    for i in reversed(range(len(dirs))):
        alpha[i] = stps[i].dot(q) * ro[i]
        q = q - alpha[i] * dirs[i]
    r = q * h_diag
    for i in range(len(dirs)):
        beta = dirs[i].dot(r) * ro[i]
        r = r + (alpha[i] - beta) * stps[i]
    return r


class LBFGS(Optimizer):
    """L-BFGS over all parameters as one vector; one group only. ``step(closure)`` runs up to `max_iter`
    iterations (`max_eval` closure calls) and returns the loss of its first closure call."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr, max_iter=max_iter,
                                      max_eval=max_iter * 5 // 4 if max_eval is None else max_eval,
                                      tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ the flat view of the parameters
    def _flat_grad(self):
        """All gradients in one new vector (zeros for a parameter without one)."""
        return ember.cat([ember.zeros(p.numel(), dtype=p.dtype) if p.grad is None else p.grad.reshape(-1)
                          for p in self._params])

    def _move(self, t, d):
        """x += t d, d cut into the parameters' shapes."""
        start = 0
        for p in self._params:
            p.add_(d[start:start + p.numel()].view_as(p), alpha=float(t))
            start += p.numel()

    # ------------------------------------------------------------------ the iterations
    @no_grad()
    def step(self, closure):
        """Up to max_iter L-BFGS iterations; returns the loss the first closure call gave."""
        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]  # the whole state lives with the first parameter, as torch's
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = evaluate()
        loss, g = float(first_loss), self._flat_grad()
        evals = 1
        state["func_evals"] += 1
        if g.abs().max() <= tol_grad:
            return first_loss

        d, t = state.get("d"), state.get("t")
        dirs, stps, ro, h_diag = state.get("old_dirs"), state.get("old_stps"), state.get("ro"), state.get("H_diag")
        g_prev, loss_prev = state.get("prev_flat_grad"), state.get("prev_loss")
        for it in range(1, max_iter + 1):
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # no history yet: steepest descent
                d, dirs, stps, ro, h_diag = -g, [], [], [], 1
            else:
                y, s = g - g_prev, d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep a pair only if its curvature y.s is positive: H stays positive definite
                    if len(dirs) == group["history_size"]:
                        del dirs[0], stps[0], ro[0]
                    dirs.append(y)
                    stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)  # H0 = (s.y / y.y) I, N&W eq. 7.20
                d = _two_loop(g, dirs, stps, ro, h_diag, state.setdefault("al", [None] * group["history_size"]))
            g_prev, loss_prev = g.clone(), loss
            # the first step is scaled by 1 / |g|_1 (at most 1), as we know nothing of the curvature yet
            t = min(1.0, 1.0 / float(g.abs().sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(g.dot(d))
            if gtd > -tol_change:  # not a descent direction (to within tolerance)
                break

            n_ls = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = [p.clone() for p in self._params]
                loss, g, t, n_ls = _strong_wolfe(lambda step: self._probe(evaluate, x0, step, d), t, d, loss, g, gtd,
                                                 tolerance_change=tol_change)
                self._move(t, d)
                converged = g.abs().max() <= tol_grad
            else:
                self._move(t, d)
                converged = False
                if it != max_iter:  # the last iteration's loss is not needed: save a closure call
                    loss, g = float(evaluate()), self._flat_grad()
                    converged = g.abs().max() <= tol_grad
                    n_ls = 1
            evals += n_ls
            state["func_evals"] += n_ls

            if it == max_iter or evals >= max_eval or converged:
                break
            if (d * t).abs().max() <= tol_change or abs(loss - loss_prev) < tol_change:  # no progress
                break

        state.update(d=d, t=t, old_dirs=dirs, old_stps=stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=g_prev, prev_loss=loss_prev)
        return first_loss

    def _probe(self, evaluate, x0, t, d):
        """Loss and gradient at x0 + t d; the parameters go back to x0."""
        self._move(t, d)
        loss, g = float(evaluate()), self._flat_grad()
        for p, x in zip(self._params, x0):
            p.copy_(x)
        return loss, g
