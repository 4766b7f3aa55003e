"""torch.quasirandom: SobolEngine, Sobol' low-discrepancy points as torch draws them (Joe and Kuo's
direction numbers, Gray-code order, 30 bits; scrambling from torch's random stream). The direction
numbers come from SciPy's table (the `qmc` extra), read on first use."""
import numpy as np

from . import _dtype
from .ops import creation as C

MAXBIT = 30


def _direction_numbers(dimension):
    try:
        from scipy.stats import qmc
    except ImportError:
        raise ImportError("ember.quasirandom.SobolEngine needs SciPy's direction numbers: "
                          "pip install 'ember[qmc]'") from None
    return qmc.Sobol(dimension, scramble=False, bits=MAXBIT)._sv.astype(np.int64)


def _lowest_zero_bit(n):
    c = 0
    while n & 1:
        n >>= 1
        c += 1
    return c


class SobolEngine:
    MAXBIT = MAXBIT
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is [1, {self.MAXDIM}]")
        self.seed, self.scramble, self.dimension = seed, scramble, dimension
        self._state = _direction_numbers(dimension)
        if not scramble:
            self._shift = np.zeros(dimension, dtype=np.int64)
        else:
            self._scramble()
        self._quasi = self._shift.copy()
        self.num_generated = 0

    @property
    def sobolstate(self):
        return C.from_numpy(self._state)

    @property
    def shift(self):
        return C.from_numpy(self._shift)

    @property
    def quasi(self):
        return C.from_numpy(self._quasi)

    def _scramble(self):
        from .random import Generator
        from .ops.creation import randint
        g = None
        if self.seed is not None:
            g = Generator()
            g.manual_seed(self.seed)
        shift_bits = np.asarray(randint(2, (self.dimension, MAXBIT), generator=g)._data, dtype=np.int64)
        self._shift = shift_bits @ (2 ** np.arange(MAXBIT, dtype=np.int64))
        ltm = np.tril(np.asarray(randint(2, (self.dimension, MAXBIT, MAXBIT), generator=g)._data, dtype=np.int64))
        # torch's _sobol_engine_scramble_: ones on the diagonals, each row read as a number (first column
        # the high bit), then each direction number's bits go through the matrix over GF(2)
        ltm[:, np.arange(MAXBIT), np.arange(MAXBIT)] = 1
        rows = ltm @ (2 ** np.arange(MAXBIT - 1, -1, -1, dtype=np.int64))  # (dimension, MAXBIT)
        bits = (rows[:, :, None] >> np.arange(MAXBIT)) & 1                    # (d, p, k)
        vbits = (self._state[:, :, None] >> np.arange(MAXBIT)) & 1           # (d, j, k)
        t1 = np.einsum("dpk,djk->djp", bits, vbits) % 2                      # (d, j, p)
        weights = 2 ** (MAXBIT - 1 - np.arange(MAXBIT, dtype=np.int64))      # p = MAXBIT-1 has weight 1
        self._state = (t1 * weights).sum(-1)

    def _advance(self, n, start):
        rows = np.empty((n, self.dimension), dtype=np.int64)
        q = self._quasi
        for i in range(n):
            q = q ^ self._state[:, _lowest_zero_bit(start + i)]
            rows[i] = q
        self._quasi = q
        return rows

    def draw(self, n=1, out=None, dtype=None):
        dtype = dtype or _dtype.get_default_dtype()
        if self.num_generated == 0:
            rows = np.concatenate([self._quasi[None], self._advance(n - 1, 0)]) if n > 1 else self._quasi[None]
        else:
            rows = self._advance(n, self.num_generated - 1)
        self.num_generated += n
        result = C.from_numpy((rows / 2 ** MAXBIT).astype(dtype.np))
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError("The balance properties of Sobol' points require n to be a power of 2. "
                             f"{self.num_generated} points have been previously generated, then: "
                             f"n={self.num_generated}+2**{m}={total_n}. If you still want to do this, please use "
                             "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        self._quasi = self._shift.copy()
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        start = 0 if self.num_generated == 0 else self.num_generated - 1
        self._advance(n - 1 if self.num_generated == 0 else n, start)
        self.num_generated += n
        return self

    def __repr__(self):
        s = [f"dimension={self.dimension}"]
        if self.scramble:
            s.append("scramble=True")
        if self.seed is not None:
            s.append(f"seed={self.seed}")
        return f"SobolEngine({', '.join(s)})"
