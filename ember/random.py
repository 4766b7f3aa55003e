"""PyTorch's CPU random number generation, reproduced bit for bit on NumPy.

torch's CPU generator is a Mersenne Twister (mt19937) seeded with ``init_genrand``,
which is exactly NumPy's legacy MT19937 seeding. Every torch sampler turns the
32-bit words of that stream into numbers in its own way; each method below repeats
one of those transformations (ATen's TransformationHelper.h, DistributionsHelper.h,
native/cpu/DistributionTemplates.h, TensorFactories.cpp randperm, Distributions.cpp
multinomial) with the same rounding steps, so the same seed gives the same values.

Three facts about the shipped x86 torch binary matter for the last bit:
  * its kernels are compiled with FMA contraction, so ``a * b + c`` rounds once;
    ``_fma32`` and ``_fma64`` emulate that;
  * ``double`` kernels call glibc's ``log``/``log1p``; NumPy's own SIMD versions
    differ in the last bit now and then, so ``_libm`` calls glibc through ``math``;
  * float32 ``randn`` with 16 or more elements runs the AVX2 kernel with the
    Cephes-style ``log256_ps``/``sincos256_ps`` of avx_mathfun.h, ported below.
"""
import math
import os

import numpy as np

from .autograd.trace import replayed as _replayed  # (ember.compile records each draw and draws again on replay)

f16, f32, f64, u64 = np.float16, np.float32, np.float64, np.uint64

DEFAULT_SEED = 67280421310721  # torch's default_rng_seed_val
_MT_N = 624

# torch.Generator.get_state() is a memcpy of CPUGeneratorImplState (5056 bytes).
_STATE = np.dtype([
    ("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
    ("state", "<u8", _MT_N),  # the 624 uint32 words, widened to uint64 (legacy layout)
    ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"),
    ("normal_is_valid", "<i4"), ("pad0", "<i4"),
    ("next_float_normal_sample", "<f4"), ("is_next_float_normal_sample_valid", "u1"), ("pad1", "u1", 3),
])
_LEGACY_STATE_SIZE = 5048  # the same struct without the float normal cache


# ---------------------------------------------------------------- exact arithmetic

def _fma32(a, b, c):
    """float32 ``a * b + c`` rounded once, as the FMA instruction does."""
    p = np.multiply(a, b, dtype=f64)  # exact: two 24-bit significands fit in 53 bits
    s = p + c
    r = s.astype(f32)
    # s is already rounded to float64; rounding it again to float32 can only go wrong
    # when s lands exactly halfway between two float32s (its low 29 bits are 1000...0).
    tie = (s.view(np.int64) & 0x1FFFFFFF) == 0x10000000
    if tie.any():
        i = np.nonzero(tie)
        p, c, s = p[i], np.broadcast_to(np.asarray(c, f64), tie.shape)[i], s[i]
        err = _two_sum_err(p, c, s)
        s = np.where(err != 0, np.nextafter(s, np.copysign(np.inf, err)), s)
        r[i] = s.astype(f32)
    return r


def _two_sum_err(a, b, s):
    """The exact rounding error of ``s = a + b`` (Knuth's TwoSum)."""
    bb = s - a
    return (a - (s - bb)) + (b - bb)


def _split(a):
    """Veltkamp split of a float64 into two 26-bit halves."""
    t = 134217729.0 * a  # 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def _fma64(a, b, c):
    """float64 ``a * b + c`` rounded once (Boldo-Melquiond: exact product, round-to-odd sum)."""
    a, b, c = np.broadcast_arrays(np.asarray(a, f64), np.asarray(b, f64), np.asarray(c, f64))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    pe = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + pe == a * b exactly (Dekker)
    hi = c + p
    lo = _two_sum_err(c, p, hi)
    v = lo + pe
    ve = _two_sum_err(lo, pe, v)
    # Round v to odd: an inexact v with an even last bit moves one ulp toward the truth,
    # which makes the final rounding of hi + v correct.
    odd = (ve != 0) & ((v.view(np.int64) & 1) == 0)
    v = np.where(odd, np.nextafter(v, np.copysign(np.inf, ve)), v)
    return np.where(v == 0, hi, hi + v)  # an exact hi keeps its signed zero (-0 + -0 is -0)


def _libm(fn, x):
    """Apply a ``math`` function (glibc's, the one torch's double kernels call) elementwise."""
    return np.fromiter(map(fn, x.ravel().tolist()), f64, x.size).reshape(x.shape)


# ------------------------------------------------- avx_mathfun.h (float32 randn >= 16)

_LOG_P = [f32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                            1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                            3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = f32(-2.12194440e-4), f32(0.693359375)
_DP = [f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)]
_SIN_P = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)]
_COS_P = [f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2)]
_ONE, _HALF = f32(1), f32(0.5)


def _log256(x, fma):
    """log256_ps for positive normal float32 x (Cephes logf)."""
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 126).astype(f32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(f32)  # mantissa in [0.5, 1)
    small = m < f32(0.707106781186547524)
    x = (m - _ONE) + np.where(small, m, f32(0))  # 2m - 1 or m - 1, so x is near 0
    e = e - small.astype(f32)
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = fma(y, x, p)
    y = fma(y * x, z, e * _LOG_Q1)
    y = y - z * _HALF
    return (x + y) + e * _LOG_Q2  # e * Q2 is exact, so its FMA changes nothing


def _sincos256(x, fma):
    """sincos256_ps for non-negative float32 x (Cephes sinf/cosf): returns (sin, cos)."""
    j = (x * f32(1.27323954473516)).astype(np.int32)  # x * 4/pi, truncated
    j = (j + 1) & ~1
    y = j.astype(f32)
    for dp in _DP:  # x - j * pi/4 in three pieces ("extended precision modular arithmetic")
        x = fma(y, dp, x)
    z = x * x
    c = fma(fma(_COS_P[0], z, _COS_P[1]), z, _COS_P[2])
    c = fma(c * z, z, -(z * _HALF)) + _ONE
    s = fma(fma(_SIN_P[0], z, _SIN_P[1]), z, _SIN_P[2])
    s = fma(s * z, x, x)
    # Pick the polynomial per lane. (The kernel adds the other lane's masked +0, which
    # changes nothing: s and c are never -0.)
    sin_poly = (j & 2) == 0
    sin = np.where(sin_poly, s, c)
    cos = np.where(sin_poly, c, s)
    sin = np.where((j & 4) != 0, -sin, sin)
    cos = np.where(((j - 2) & 4) == 0, -cos, cos)
    return sin, cos


def _box_muller16_f32(u, mean, std):
    """normal_fill_16_AVX2 on each block of 16 uniforms: pairs (j, j + 8) give two normals."""
    # Chunks keep the float64 temporaries in cache.
    chunks = [u[i:i + 2**16] for i in range(0, len(u), 2**16)]
    return np.concatenate([_box_muller16_chunk(c, mean, std) for c in chunks])


def _box_muller16_chunk(u, mean, std):
    """_box_muller16_with, fast unless a rounding tie forces the exact FMA."""
    sums = []

    def fast_fma(a, b, c):
        # One float64 sum, rounded to float32: the FMA's result unless the sum is a float32 tie.
        s = np.multiply(a, b, dtype=f64)
        s += c
        sums.append(s.ravel())
        return s.astype(f32)

    z = _box_muller16_with(u, mean, std, fast_fma)
    # Ties are rare (about one element in millions): check them all at once, and only
    # then pay for the exact FMA everywhere.
    if ((np.concatenate(sums).view(np.int64) & 0x1FFFFFFF) == 0x10000000).any():
        z = _box_muller16_with(u, mean, std, _fma32)
    return z


def _box_muller16_with(u, mean, std, fma):
    """The AVX2 kernel's arithmetic, with `fma` standing in for the fused multiply-adds."""
    u = u.reshape(-1, 16)
    radius = np.sqrt(f32(-2) * _log256(_ONE - u[:, :8], fma))
    sin, cos = _sincos256(f32(2.0 * math.pi) * u[:, 8:], fma)
    z = np.concatenate([radius * cos, radius * sin], axis=1).ravel()
    return z + mean if std == 1 else fma(z, std, mean)  # _mm256_fmadd_ps; fma(z, 1, m) == z + m


# ------------------------------------------------------------------------ Generator

class Generator:
    """A CPU random number generator whose streams equal ``torch.Generator``'s."""
    __slots__ = ("device", "_bits", "_seed", "_next_double_normal", "_next_float_normal")

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"ember.random.Generator supports only the cpu device, got {device}")
        self.device = "cpu"
        self._bits = None
        self.manual_seed(DEFAULT_SEED)

    @property
    def _mt(self):
        """The mt19937 state, made and seeded on first use (numpy.random costs import time)."""
        if self._bits is None:
            self._bits = np.random.MT19937()
            self._bits._legacy_seeding(self._seed & 0xFFFFFFFF)
        return self._bits

    # ---- seeding and state

    def manual_seed(self, seed):
        """Seed with any integer in [-2**63, 2**64); returns self."""
        seed = int(seed)
        if not -2**63 <= seed < 2**64:
            raise RuntimeError(f"Overflow when unpacking long long: {seed}")
        self._seed = seed % 2**64  # negative seeds wrap, as in torch
        # mt19937 takes only the low 32 bits; init_genrand == NumPy's legacy seeding.
        if self._bits is not None:
            self._bits._legacy_seeding(self._seed & 0xFFFFFFFF)
        self._next_double_normal = self._next_float_normal = None
        return self

    def seed(self):
        """Seed from /dev/urandom (64 bits, as torch does) and return the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last given to manual_seed (or seed)."""
        return self._seed

    def get_state(self):
        """The state as torch's 5056-byte uint8 tensor would hold it."""
        mt = self._mt.state["state"]
        key, pos = mt["key"], mt["pos"]
        st = np.zeros((), _STATE)
        st["seed"], st["seeded"], st["state"] = self._seed, 1, key
        # torch counts down `left` to its next twist and reads key[next]; NumPy keeps pos.
        st["left"] = 625 - pos if pos < _MT_N else 1
        fresh = pos == _MT_N and np.array_equal(key, _seeded_key(self._seed))
        st["next"] = 0 if fresh else pos  # right after seeding torch has next == 0
        if self._next_double_normal is not None:
            st["normal_is_valid"], st["normal_y"] = 1, self._next_double_normal
        if self._next_float_normal is not None:
            st["is_next_float_normal_sample_valid"] = 1
            st["next_float_normal_sample"] = self._next_float_normal
        return np.frombuffer(st.tobytes(), np.uint8).copy()

    def set_state(self, new_state):
        """Load a state from get_state() or from torch.Generator.get_state(); returns self."""
        raw = np.ascontiguousarray(np.asarray(new_state), dtype=np.uint8).ravel()
        if raw.size == _STATE.itemsize:
            st = raw.view(_STATE)[0]
            fl = st["next_float_normal_sample"] if st["is_next_float_normal_sample_valid"] else None
            dbl = st["normal_y"] if st["normal_is_valid"] else None
        elif raw.size == _LEGACY_STATE_SIZE:
            st = np.frombuffer(raw.tobytes() + bytes(8), _STATE)[0]
            # The legacy layout cached Box-Muller inputs, no float sample: normal = rho * sin(2 pi x).
            fl, dbl = None, None
            if st["normal_is_valid"]:
                dbl = st["normal_rho"] * math.sin(2.0 * math.pi * st["normal_x"])
        else:
            raise RuntimeError(f"Expected either a CPUGeneratorImplStateLegacy of size {_LEGACY_STATE_SIZE} "
                               f"or a CPUGeneratorImplState of size {_STATE.itemsize} but found the input "
                               f"RNG state size to be {raw.size}")
        left, nxt = int(st["left"]), int(st["next"])
        if not (st["seeded"] and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        key = (st["state"] & 0xFFFFFFFF).astype(np.uint32)
        # left == 1 means the next draw twists first: NumPy's pos == 624.
        pos = _MT_N if left == 1 else nxt
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = int(st["seed"])
        self._next_double_normal = None if dbl is None else float(dbl)
        self._next_float_normal = None if fl is None else float(fl)
        return self

    # ---- raw words

    def _u32(self, n):
        """n mt19937 outputs (as uint64): torch's generator->random()."""
        return self._mt.random_raw(n)

    def _u64(self, n):
        """n 64-bit words: torch's random64() glues two draws, the first one high."""
        w = self._mt.random_raw(2 * n)
        return (w[0::2] << u64(32)) | w[1::2]

    def _float24(self, n):
        """n float32 uniforms in [0, 1) from the low 24 bits of n words."""
        return np.multiply(self._u32(n) & u64(0xFFFFFF), f32(2.0**-24), dtype=f32)

    def _double53(self, n):
        """n float64 uniforms in [0, 1) from the low 53 bits of n 64-bit words."""
        return np.multiply(self._u64(n) & u64(2**53 - 1), 2.0**-53, dtype=f64)

    # ---- distributions

    @_replayed
    def uniform(self, shape, dtype, low=0.0, high=1.0):
        """torch.rand / Tensor.uniform_(low, high)."""
        dtype = np.dtype(dtype)
        if dtype not in (f16, f32, f64):
            raise RuntimeError(f'"uniform_kernel_cpu" not implemented for {dtype}')
        if low > high:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, "
                               f"but found from={low} > to={high}")
        n = math.prod(shape)
        # Half samples in float (24 bits) and rounds; float64 uses 53 bits of a 64-bit draw.
        op = f64 if dtype == f64 else f32
        x = self._double53(n) if op == f64 else self._float24(n)
        lo, hi = op(low), op(high)
        if (lo, hi) != (0, 1):
            x = (_fma64 if op == f64 else _fma32)(x, hi - lo, lo)  # x * (to - from) + from
        x = x.astype(dtype, copy=False)
        if dtype == f16 or (lo, hi) != (0, 1):
            # torch never returns `to`: a value that rounded up to it becomes `from`.
            x[x == dtype.type(high)] = dtype.type(low)
        return x.reshape(shape)

    @_replayed
    def normal(self, shape, dtype, mean=0.0, std=1.0):
        """torch.randn / Tensor.normal_(mean, std) / torch.normal(mean, std)."""
        dtype = np.dtype(dtype)
        if dtype not in (f16, f32, f64):
            raise RuntimeError(f'"normal_kernel_cpu" not implemented for {dtype}')
        if np.ndim(std):
            # torch.normal(mean, std_tensor): sample N(0, 1), then mul_(std).add_(mean).
            if np.any(np.asarray(std) < 0):
                raise RuntimeError("normal expects all elements of std >= 0.0")
            z = self.normal(shape, dtype)
            return np.add(np.multiply(z, std).astype(dtype, copy=False), mean).astype(dtype, copy=False)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        if np.ndim(mean):  # torch.normal(mean_tensor, std): normal_(0, std).add_(mean)
            return np.add(self.normal(shape, dtype, 0.0, std), mean).astype(dtype, copy=False)
        n = math.prod(shape)
        if n < 16:
            z = self._normal_serial(n, mean, std)
        elif dtype == f64:
            z = self._normal_fill_f64(n, mean, std)
        else:
            z = self._normal_fill_f32(n, f32(mean), f32(std), dtype == f16)
        return z.astype(dtype, copy=False).reshape(shape)

    def _normal_serial(self, n, mean, std):
        """normal_distribution<double>, one sample at a time, caching the sine half of each pair."""
        out = np.empty(n, f64)
        k = 0
        if n and self._next_double_normal is not None:
            out[0], k = self._next_double_normal, 1
            self._next_double_normal = None
        pairs = (n - k + 1) // 2
        if pairs:
            u = self._double53(2 * pairs).reshape(pairs, 2)  # u1 -> angle, u2 -> radius
            r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
            theta = 2.0 * math.pi * u[:, 0]
            z = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).ravel()
            out[k:] = z[:n - k]
            if (n - k) % 2:
                self._next_double_normal = float(z[-1])
        return out + mean if std == 1 else _fma64(out, std, mean)

    def _normal_fill_f32(self, n, mean, std, half):
        """torch's vectorised float32 randn: blocks of 16; a ragged end redoes the last 16.

        float16 runs the same float32 maths and rounds, but draws its fresh 16 uniforms
        right after the whole blocks instead of after all n.
        """
        m = n - n % 16
        u = self._float24((m if half else n) + (16 if m < n else 0))
        if m < n:  # the whole blocks and the fresh last 16, in one pass
            u = np.concatenate([u[:m], u[-16:]])
        z = _box_muller16_f32(u, mean, std)
        return np.concatenate([z[:n - 16], z[m:]]) if m < n else z

    def _normal_fill_f64(self, n, mean, std):
        """normal_fill<double>: the same blocks of 16, with glibc's log, sin and cos."""
        m = n - n % 16
        u = self._double53(n + (16 if m < n else 0))

        def fill(u):
            u = u.reshape(-1, 16)
            radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - u[:, :8]))
            theta = 2.0 * math.pi * u[:, 8:]
            z = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1).ravel()
            return z + mean if std == 1 else _fma64(z, std, mean)

        out = np.empty(n, f64)
        out[:m] = fill(u[:m])
        if m < n:
            out[n - 16:] = fill(u[-16:])
        return out

    @_replayed
    def randint(self, low, high, shape, dtype):
        """torch.randint / Tensor.random_(low, high): (word % range) + low."""
        dtype = np.dtype(dtype)
        low, high = int(low), int(high)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', "
                               f"but got from={low} >= to={high}")
        if dtype.kind == "f":
            low, high = _update_from(low, dtype), _update_to(high, dtype)
        span, n = high - low, math.prod(shape)
        # Wide ranges take 64-bit words (the open-source build's threshold, for every dtype).
        w = self._u64(n) if span >= 2**28 else self._u32(n)
        # uint64 arithmetic, then reinterpreted as int64: torch's static_cast<int64_t>.
        x = ((w % u64(span)) + u64(low % 2**64)).view(np.int64)
        return x.astype(dtype).reshape(shape)

    @_replayed
    def randperm(self, n, dtype=np.int64):
        """torch.randperm(n): a Fisher-Yates shuffle of arange(n), one word per swap."""
        n = int(n)
        if n < 0:
            raise RuntimeError(f"n must be non-negative, got{n}")
        if n <= 1:
            return np.arange(n, dtype=dtype)
        if n < (2**32 - 1) // 20:
            # Step i swaps slots i and i + word % (n - i), for i = 0 .. n-2.
            z = self._u32(n - 1) % np.arange(n, 1, -1, dtype=u64)
            return _swap_forward(np.append(np.arange(n - 1) + z.view(np.int64), n - 1)).astype(dtype)
        # torch's "inside-out" shuffle for huge n, with 64-bit words (sequential; rarely used).
        z = (self._u64(n) % np.arange(1, n + 1, dtype=u64)).tolist()
        a = [0] * n
        for i, k in enumerate(z):
            a[i] = a[k]
            a[k] = i
        return np.array(a, dtype=dtype)

    @_replayed
    def bernoulli(self, p, shape, dtype):
        """Tensor.bernoulli_(p) (float p, as dropout uses) and torch.bernoulli(probs)."""
        n = math.prod(shape)
        if np.ndim(p) == 0 and not isinstance(p, np.ndarray):
            if not 0 <= p <= 1:
                raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
            # This torch build has no MKL RNG, so this is bernoulli_distribution<double>.
            x = self._double53(n) < p
        else:
            p = np.asarray(p)
            if np.any((p < 0) | (p > 1)):
                raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
            p = np.broadcast_to(p, shape).ravel()
            # double p samples a double uniform; any other float p a float one.
            x = (self._double53(n) if p.dtype == f64 else self._float24(n)) < p
        return x.astype(dtype).reshape(shape)

    @_replayed
    def exponential(self, shape, dtype, lambd=1.0):
        """Tensor.exponential_(lambd): -1/lambd * log1p(-u) in double."""
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        n = math.prod(shape)
        x = (-1.0 / lambd) * _libm(math.log1p, -self._double53(n))
        return x.astype(dtype).reshape(shape)

    @_replayed
    def multinomial(self, probs, num_samples, replacement=False):
        """torch.multinomial over the last dim of 1-D or 2-D probs; returns int64 indices."""
        probs = np.asarray(probs)
        if probs.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if probs.dtype.kind != "f":
            raise RuntimeError("multinomial only supports floating-point dtypes for input")
        n_cat = probs.shape[-1]
        if not replacement and num_samples > n_cat:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        if not np.all(np.isfinite(probs)) or np.any(probs < 0):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(probs.sum(-1) == 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement or num_samples == 1:
            # Gumbel-max trick: argmax / top-k of p / q with q ~ Exp(1).
            q = probs / self.exponential(probs.shape, probs.dtype)
            if num_samples == 1:
                return np.argmax(q, axis=-1, keepdims=True).astype(np.int64)
            return np.argsort(-q, axis=-1, kind="stable")[..., :num_samples].astype(np.int64)
        # With replacement: inverse CDF of each row, one double uniform per sample.
        rows = probs.reshape(-1, n_cat)
        acc = f32 if probs.dtype == f16 else probs.dtype  # half sums in float
        cdf = np.cumsum(rows, axis=-1, dtype=acc)  # sequential, like torch's loop
        cdf = (cdf / cdf[:, -1:]).astype(acc)
        cdf[:, -1] = 1
        u = self._double53(rows.shape[0] * num_samples).reshape(rows.shape[0], num_samples)
        out = np.stack([np.searchsorted(c.astype(f64), s, side="left") for c, s in zip(cdf, u)])
        return out.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64)


def _swap_forward(j):
    """arange(n) after swapping slots i and j[i] >= i for i = 0, 1, ... n-1 in turn.

    The swaps look sequential, but they resolve without a Python loop. Before step i,
    slots below i are final and slot t holds whatever the last earlier step aimed at t
    parked there, or t itself. Step i takes the value at j[i] and parks there c[i],
    the value it found in slot i. So out[i] = c[prev[i]] (prev[i]: the last earlier
    step aimed at j[i]), or j[i] if there is none; and c[i] = c[k] for the last earlier
    step k aimed at i, or i: chains of pointers, resolved by pointer doubling.
    """
    n = len(j)
    idx = np.arange(n)
    key = np.sort(j * n + idx)  # steps grouped by target, in step order (keys are unique)
    target, step = np.divmod(key, n)
    same = target[1:] == target[:-1]
    prev = np.full(n, -1)
    prev[step[1:][same]] = step[:-1][same]
    last = np.full(n, -1)  # the last step aimed at each slot
    end = np.append(~same, True)
    last[target[end]] = step[end]
    before = np.where(last == idx, prev, last)  # ... excluding step i itself for slot i
    c = np.where(before < 0, idx, before)
    while True:  # log2(longest chain) rounds
        nxt = c[c]
        if np.array_equal(nxt, c):
            break
        c = nxt
    return np.where(prev >= 0, c[prev], j)


def _update_from(low, dtype):
    """Move a float `from` up so that from + 1 stays above it in `dtype` (torch's update_from)."""
    up = int(np.array(low + 1).astype(dtype).astype(np.int64))
    if up < low:
        n = abs(low + 1).bit_length() - 1
        low = up + (1 << (n - np.finfo(dtype).nmant))
    return low


def _update_to(high, dtype):
    """Move a float `to` down so that to - 1 stays below it in `dtype` (torch's update_to)."""
    down = int(np.array(high - 1).astype(dtype).astype(np.int64))
    if down >= high:
        n = abs(high - 1).bit_length() - 1
        high = down - (1 << (n - np.finfo(dtype).nmant))
    return high


def _seeded_key(seed):
    """The mt19937 key right after seeding (to tell a fresh state from a spent one)."""
    mt = np.random.MT19937()
    mt._legacy_seeding(seed & 0xFFFFFFFF)
    return mt.state["state"]["key"]


# ------------------------------------------------------------ the default generator

default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (torch.manual_seed) and return it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: 5056 uint8, interchangeable with torch.get_rng_state()."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator from get_rng_state() (or torch's)."""
    default_generator.set_state(new_state)
