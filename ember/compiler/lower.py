"""Lowering: the hottest ops of a training step replayed as direct NumPy calls, with no node.

The generic replay calls each op's forward on a fresh op object and, in backward, the node's
own backward method, which re-checks on every call what the capture already knows (tensor or
array, which inputs need gradients, the number of dimensions). For the ops below, on NumPy
arrays of a float dtype and the shapes each rule names, the program's code makes the calls
that op's forward and backward make in that case, in the same order, so a replay gives
eager's numbers bit for bit (tests/test_compile.py compares them). Anything else takes the
generic path.

A rule is a pair of functions:
  forward(x, c, y, meta) -> code lines, or None where the rule does not apply;
  backward(x, y, g, n) -> (code lines, one expression per input: None where no gradient).
`x` holds the inputs' names in the code (a constant's repr), `c` the constant inputs' values
(None for an array), `y` the output's name, `meta` maps a name to its array's (shape, dtype,
is an ndarray) as captured, `g` names the incoming gradient, `n` says which inputs need one.
"""
import math

from ..nn.linear import Addmm
from ..nn.loss import SquaredError
from ..ops.linalg import Matmul
from ..ops.pointwise import Relu


def _floats(meta, *names):
    return all(meta.get(v) is not None and meta[v][2] and meta[v][1].kind == "f" for v in names)


def _addmm_forward(x, c, y, meta):     # Addmm.forward with a 2-D input and a (out_features,) bias
    if not _floats(meta, x[0], x[1]) or len(meta[x[0]][0]) != 2 \
            or c[2] is None and not (_floats(meta, x[2]) and meta[x[2]][0] == meta[x[1]][0][:1]):
        return None
    lines = [f"{y} = {x[0]}.dot({x[1]}.T)"]
    if c[2] is None:  # (an array bias; None is a constant)
        lines.append(f"{y} += {x[2]}")
    return lines


def _addmm_backward(x, y, g, n):       # Addmm.backward: _mm(gy, w), _mm(gy.T, x), sum_to(gy, b.shape)
    return [], (f"{g}.dot({x[1]})" if n[0] else None, f"{g}.T.dot({x[0]})" if n[1] else None,
                f"_red({g}, (0,), keepdims=False)" if len(n) > 2 and n[2] else None)


def _matmul_forward(x, c, y, meta):    # Matmul.forward on two matrices
    if not _floats(meta, x[0], x[1]) or not len(meta[x[0]][0]) == 2 == len(meta[x[1]][0]):
        return None
    return [f"{y} = {x[0]}.dot({x[1]})"]


def _matmul_backward(x, y, g, n):      # Matmul.backward on two real matrices
    return [], (f"{g}.dot({x[1]}.mT)" if n[0] else None, f"{x[0]}.mT.dot({g})" if n[1] else None)


def _relu_forward(x, c, y, meta):      # Relu.forward
    return [f"{y} = _np.maximum({x[0]}, 0)"] if _floats(meta, x[0]) else None


def _relu_backward(x, y, g, n):        # Relu.backward, from the output
    return [], (f"_relu_grad({g}, {y})",)


def _squared_forward(x, c, y, meta):   # SquaredError.forward: its difference is kept for backward
    if not _floats(meta, x[0], x[1]) or meta[x[0]][0] != meta[x[1]][0] or c[2] is None:
        return None
    size = math.prod(meta[x[0]][0])
    d = f"d_{y}"
    total = f"_np.vdot({d}, {d})" if size <= 4096 and meta[x[0]][1].itemsize >= 4 else f"({d} * {d}).sum()"
    return [f"{d} = {x[0]} - {x[1]}", f"{y} = {total} / {x[2]}"]


def _squared_backward(x, y, g, n):     # SquaredError.backward on arrays
    gd = f"gd_{y}"
    return [f"{gd} = d_{y} * ({g} * (2.0 / {x[2]}))"], (gd if n[0] else None, f"-{gd}" if n[1] else None, None)


RULES = {
    Addmm: (_addmm_forward, _addmm_backward),
    Matmul: (_matmul_forward, _matmul_backward),
    Relu: (_relu_forward, _relu_backward),
    SquaredError: (_squared_forward, _squared_backward),
}
