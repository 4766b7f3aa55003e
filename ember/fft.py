"""ember.fft: torch.fft on NumPy's pocketfft, and the top-level spectral functions
(torch.view_as_real/view_as_complex, stft/istft and the window functions).

Three primitives carry every transform and its gradient, as in torch: C2C (complex to
complex), R2C (real to the one-sided half spectrum) and C2R (half spectrum to real). Each
backward is another of them (the adjoint of a DFT is the opposite DFT with the same scale),
so gradients of any order follow. Gradients use torch's convention for complex numbers: for
a real loss L of z = x + iy, the gradient is dL/dx + i dL/dy.
"""
import math

import numpy as np

from ._tensor import Tensor, _wrap
from .autograd.function import Op
from . import _dtype
from .ops import pointwise as P

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _complex_dtype(dt):
    return np.dtype(np.complex128) if dt in (np.float64, np.complex128) else np.dtype(np.complex64)


def _real_dtype(dt):
    return np.dtype(np.float64) if dt in (np.float64, np.complex128) else np.dtype(np.float32)


def _dft(x, dims, forward):
    """The unscaled DFT over `dims` (e^-i for forward, e^+i for inverse)."""
    if not dims:
        return x.astype(_complex_dtype(x.dtype))
    if forward:
        return np.fft.fftn(x, axes=dims)
    return np.fft.ifftn(x, axes=dims, norm="forward")  # "forward" puts 1/n on fftn, none here


# ---------------------------------------------------------------- primitives
class Resize(Op):
    """Crop or zero-pad `dims` to `sizes` (torch's n= / s= arguments)."""
    save = False

    def forward(self, x, dims, sizes):
        self.old = [x.shape[d] for d in dims]
        self.dims = dims
        out = x
        for d, n in zip(dims, sizes):
            if n < out.shape[d]:
                out = np.take(out, np.arange(n), axis=d)
            elif n > out.shape[d]:
                pad = [(0, 0)] * out.ndim
                pad[d] = (0, n - out.shape[d])
                out = np.pad(out, pad)
        return out if out is not x else x.copy()

    def backward(self, gy):
        return Resize.apply(gy, self.dims, self.old), None, None


class C2C(Op):
    """scale * DFT over dims, complex to complex (a real input is taken as complex)."""
    save = False

    def forward(self, x, dims, scale, forward):
        self.dims, self.scale, self.fwd, self.real_in = dims, scale, forward, x.dtype.kind != "c"
        y = _dft(x, dims, forward)
        return (y * scale if scale != 1 else y).astype(_complex_dtype(x.dtype), copy=False)

    def backward(self, gy):
        # the adjoint of scale * DFT is scale * (the opposite DFT)
        gx = C2C.apply(gy, self.dims, self.scale, not self.fwd)
        return (P.real(gx) if self.real_in else gx), None, None, None


class R2C(Op):
    """scale * DFT of a real x over dims, keeping the first n // 2 + 1 entries of the last dim."""
    save = False

    def forward(self, x, dims, scale, forward, onesided=True):
        self.dims, self.scale, self.fwd, self.onesided = dims, scale, forward, onesided
        self.n = x.shape[dims[-1]]
        y = _dft(x, dims, forward)
        if onesided:
            y = np.take(y, np.arange(self.n // 2 + 1), axis=dims[-1])
        return (y * scale if scale != 1 else y).astype(_complex_dtype(x.dtype), copy=False)

    def backward(self, gy):
        # pad the half spectrum with zeros back to n, apply the adjoint DFT, keep the real part
        g = Resize.apply(gy, [self.dims[-1]], [self.n]) if self.onesided else gy
        return P.real(C2C.apply(g, self.dims, self.scale, not self.fwd)), None, None, None, None


class C2R(Op):
    """scale * the real signal of length n (last dim) whose half spectrum is x (Hermitian extension)."""
    save = False

    def forward(self, x, dims, n, scale, forward):
        self.dims, self.n, self.scale, self.fwd = dims, n, scale, forward
        s = [x.shape[d] for d in dims[:-1]] + [n]
        x = x.astype(_complex_dtype(x.dtype), copy=False)
        if forward:  # the e^-i transform of a Hermitian signal is the conjugate's e^+i one
            x = np.conj(x)
        y = np.fft.irfftn(x, s=s, axes=dims, norm="forward")
        return (y * scale if scale != 1 else y).astype(_real_dtype(x.dtype), copy=False)

    def backward(self, gy):
        # torch's fft_c2r_backward: the r2c transform of gy, with the entries that stand for two
        # (a bin and its mirror image) doubled
        g = R2C.apply(gy, self.dims, self.scale, not self.fwd)
        half = g.shape[self.dims[-1]]
        double = self.n - half
        if double > 0:
            w = np.ones(half, dtype=_real_dtype(gy.dtype if not isinstance(gy, Tensor) else gy._data.dtype))
            w[1:1 + double] = 2
            shape = [1] * g.ndim
            shape[self.dims[-1]] = half
            g = g * _wrap(w.reshape(shape))
        return g, None, None, None, None


# ---------------------------------------------------------------- argument handling
def _norm_scale(norm, n, forward):
    """torch's norm=: "backward" (default) scales the inverse by 1/n, "forward" the forward one,
    "ortho" both by 1/sqrt(n)."""
    if norm is None or norm == "backward":
        return 1.0 if forward else 1.0 / n
    if norm == "forward":
        return 1.0 / n if forward else 1.0
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _float_input(x, name, complex_ok=True):
    """Integers become the default float type, as torch's fft does."""
    k = x._data.dtype.kind
    if k == "c" and not complex_ok:
        raise RuntimeError(f"{name} expects a real input tensor, but got {P._tname(x._data.dtype)}")
    if k in "biu":
        return x.to(_dtype.get_default_dtype())
    if x._data.dtype == np.float16:
        raise RuntimeError(f"Unsupported dtype Half")
    return x


def _dims_sizes(x, s, dim, name):
    """torch's rule for (s, dim) of the n-dimensional transforms."""
    nd = x._data.ndim
    if dim is None:
        dims = list(range(nd)) if s is None else list(range(nd - len(s), nd))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [d + nd if d < 0 else d for d in dims]
        if any(d < 0 or d >= nd for d in dims):
            bad = next(d for d in ([dim] if isinstance(dim, int) else dim) if not -nd <= d < nd)
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {bad})")
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{name} dims must be unique")
    if s is not None:
        s = [s] if isinstance(s, int) else list(s)
        if len(s) != len(dims):
            raise RuntimeError(f"When given, dim and shape arguments must have the same length")
        sizes = [x._data.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    else:
        sizes = [x._data.shape[d] for d in dims]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _resize(x, dims, sizes):
    if all(x._data.shape[d] == n for d, n in zip(dims, sizes)):
        return x
    return Resize.apply(x, dims, sizes)


def _c2c(x, s, dim, norm, forward, name):
    x = _float_input(x, name)
    dims, sizes = _dims_sizes(x, s, dim, name)
    x = _resize(x, dims, sizes)
    return C2C.apply(x, dims, _norm_scale(norm, math.prod(sizes), forward), forward)


def _r2c(x, s, dim, norm, forward, name):
    x = _float_input(x, name, complex_ok=False)
    dims, sizes = _dims_sizes(x, s, dim, name)
    x = _resize(x, dims, sizes)
    return R2C.apply(x, dims, _norm_scale(norm, math.prod(sizes), forward), forward)


def _c2r(x, s, dim, norm, forward, name):
    """irfft-style: the last dim's output length is n (default 2 * (input - 1)); the input is
    cropped or padded to n // 2 + 1 there."""
    x = _float_input(x, name)
    dims, sizes = _dims_sizes(x, s, dim, name)
    if s is None or (isinstance(s, (list, tuple)) and s[-1] == -1) or (isinstance(s, int) and s == -1):
        sizes[-1] = 2 * (x._data.shape[dims[-1]] - 1)
    n = sizes[-1]
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    x = _resize(x, dims, sizes[:-1] + [n // 2 + 1])
    if x._data.dtype.kind != "c":
        x = x.to(_dtype.from_np(_complex_dtype(x._data.dtype)))
    return C2R.apply(x, dims, n, _norm_scale(norm, math.prod(sizes), forward), forward)


_SWAP = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def _swap(norm):
    if norm not in _SWAP:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return _SWAP[norm]


# ---------------------------------------------------------------- torch.fft
def fft(input, n=None, dim=-1, norm=None):
    """The 1-D discrete Fourier transform."""
    return _c2c(input, None if n is None else [n], [dim], norm, True, "fft")


def ifft(input, n=None, dim=-1, norm=None):
    return _c2c(input, None if n is None else [n], [dim], norm, False, "ifft")


def fft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2c(input, s, dim, norm, True, "fft2")


def ifft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2c(input, s, dim, norm, False, "ifft2")


def fftn(input, s=None, dim=None, norm=None):
    return _c2c(input, s, dim, norm, True, "fftn")


def ifftn(input, s=None, dim=None, norm=None):
    return _c2c(input, s, dim, norm, False, "ifftn")


def rfft(input, n=None, dim=-1, norm=None):
    """The one-sided (n // 2 + 1 entries) transform of a real signal."""
    return _r2c(input, None if n is None else [n], [dim], norm, True, "rfft")


def irfft(input, n=None, dim=-1, norm=None):
    """The real signal (length n, default 2 * (input - 1)) of a one-sided spectrum."""
    return _c2r(input, None if n is None else [n], [dim], norm, False, "irfft")


def rfft2(input, s=None, dim=(-2, -1), norm=None):
    return _r2c(input, s, dim, norm, True, "rfft2")


def irfft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2r(input, s, dim, norm, False, "irfft2")


def rfftn(input, s=None, dim=None, norm=None):
    return _r2c(input, s, dim, norm, True, "rfftn")


def irfftn(input, s=None, dim=None, norm=None):
    return _c2r(input, s, dim, norm, False, "irfftn")


def hfft(input, n=None, dim=-1, norm=None):
    """The (real) transform of a Hermitian-symmetric signal given by its first half."""
    return _c2r(input, None if n is None else [n], [dim], norm, True, "hfft")


def ihfft(input, n=None, dim=-1, norm=None):
    """The inverse of hfft: the one-sided inverse transform of a real signal."""
    return _r2c(input, None if n is None else [n], [dim], norm, False, "ihfft")


def hfft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2r(input, s, dim, norm, True, "hfft2")


def ihfft2(input, s=None, dim=(-2, -1), norm=None):
    return _r2c(input, s, dim, norm, False, "ihfft2")


def hfftn(input, s=None, dim=None, norm=None):
    return _c2r(input, s, dim, norm, True, "hfftn")


def ihfftn(input, s=None, dim=None, norm=None):
    return _r2c(input, s, dim, norm, False, "ihfftn")


def _freq_dtype(dtype):
    return _dtype.to_np(dtype) if dtype is not None else _dtype.to_np(_dtype.get_default_dtype())


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of fft's bins: [0, 1, ..., n//2 - 1 (or n//2), -n//2, ..., -1] / (d n)."""
    dt = _freq_dtype(dtype)
    k = np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)]).astype(dt)
    t = _wrap(k * dt.type(1.0 / (n * d)) if n else k)  # torch scales in the result's dtype
    return t.requires_grad_(requires_grad) if requires_grad else t


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of rfft's bins: [0, 1, ..., n // 2] / (d n)."""
    dt = _freq_dtype(dtype)
    t = _wrap(np.arange(n // 2 + 1).astype(dt) * dt.type(1.0 / (n * d)))
    return t.requires_grad_(requires_grad) if requires_grad else t


def _shift(input, dim, sign):
    from .ops.shape import roll
    nd = input._data.ndim
    dims = list(range(nd)) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    shifts = [sign * (input._data.shape[d] // 2) if sign > 0 else -(input._data.shape[d] // 2) for d in dims]
    return roll(input, shifts, dims) if dims else input


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (roll by n // 2)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """fftshift's inverse (roll by -(n // 2))."""
    return _shift(input, dim, -1)


# ---------------------------------------------------------------- complex views
class ViewAsReal(Op):
    view, save = True, False

    def forward(self, x):
        return x[..., None].view(_real_dtype(x.dtype))  # a new last axis of size 1 splits into (re, im)

    def backward(self, gy):
        return ViewAsComplex.apply(gy.contiguous() if isinstance(gy, Tensor) else gy)


class ViewAsComplex(Op):
    view, save = True, False

    def forward(self, x):
        return x.view(_complex_dtype(x.dtype))[..., 0]

    def backward(self, gy):
        return ViewAsReal.apply(gy)


def view_as_real(input):
    """A real view (..., 2) of a complex tensor: real and imaginary parts."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """A complex view of a real tensor whose last dim (size 2, stride 1) holds real and imaginary parts."""
    a = input._data
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {P._tname(a.dtype)}")
    if not a.ndim or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(st % (2 * a.itemsize) for st in a.strides[:-1]) or not a.flags.c_contiguous and a.base is not None \
            and a.ctypes.data % (2 * a.itemsize):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return ViewAsComplex.apply(input)


# ---------------------------------------------------------------- windows
def _window(n, periodic, dtype, requires_grad, fn, name):
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    dt = _freq_dtype(dtype)
    if np.dtype(dt).kind not in "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if n <= 1:
        w = np.ones(n, dt)
    else:
        m = n + 1 if periodic else n
        w = fn(np.arange(n, dtype=np.float64), m).astype(dt)  # computed in float64, rounded once
    t = _wrap(w)
    return t.requires_grad_(True) if requires_grad else t


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.5 - 0.5 * np.cos(2 * math.pi * k / (m - 1)), "hann_window")


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    return _window(window_length, periodic, dtype, requires_grad,
                   lambda k, m: alpha - beta * np.cos(2 * math.pi * k / (m - 1)), "hamming_window")


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, dtype, requires_grad,
                   lambda k, m: (0.42 - 0.5 * np.cos(2 * math.pi * k / (m - 1))
                                 + 0.08 * np.cos(4 * math.pi * k / (m - 1))),
                   "blackman_window")


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _window(window_length, periodic, dtype, requires_grad,
                   lambda k, m: 1 - np.abs(2 * k / (m - 1) - 1), "bartlett_window")


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    from .special import _i0_np
    return _window(window_length, periodic, dtype, requires_grad,
                   lambda k, m: _i0_np(beta * np.sqrt(np.maximum(0, 1 - ((k - (m - 1) / 2) / ((m - 1) / 2)) ** 2)))
                   / _i0_np(np.float64(beta)), "kaiser_window")


# ---------------------------------------------------------------- short-time Fourier transform
def _frame_window(window, n_fft, win_length, dtype):
    """The window (ones by default) zero-padded on both sides to n_fft, as torch centres it."""
    from .ops.shape import cat
    from .ops.creation import ones, zeros
    win_length = n_fft if win_length is None else win_length
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is None:
        window = ones(win_length, dtype=dtype)
    if window._data.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = cat([zeros(left, dtype=window.dtype), window,
                      zeros(n_fft - win_length - left, dtype=window.dtype)])
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None):
    """torch.stft: the DFTs of windowed frames, (…, n_fft // 2 + 1 or n_fft, n_frames), complex."""
    from .ops.shape import transpose, unsqueeze, squeeze
    if return_complex is None:
        if input._data.dtype.kind != "c" and (window is None or window._data.dtype.kind != "c"):
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    if input._data.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input._data.ndim}D")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    if hop_length <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop_length}")
    x = input if input._data.ndim == 2 else unsqueeze(input, 0)
    if center:
        x = _pad_signal(x, n_fft // 2, pad_mode)
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    n_frames = 1 + (length - n_fft) // hop_length
    idx = np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)[None, :]
    frames = x[:, _wrap(idx)]  # (batch, n_frames, n_fft)
    frames = frames * _frame_window(window, n_fft, win_length, x.dtype)
    complex_in = frames._data.dtype.kind == "c"
    onesided = (not complex_in) if onesided is None else onesided
    norm = "ortho" if normalized else "backward"
    spec = rfft(frames, dim=-1, norm=norm) if onesided else fft(frames, dim=-1, norm=norm)
    spec = transpose(spec, -1, -2)
    if input._data.ndim == 1:
        spec = squeeze(spec, 0)
    return spec if return_complex else view_as_real(spec)


def _pad_signal(x, pad, mode):
    """Pad the last dim of (batch, length) by `pad` on both sides (reflect, constant, replicate, circular)."""
    n = x.shape[-1]
    if mode == "constant":
        from .ops.shape import cat
        from .ops.creation import zeros
        z = zeros(x.shape[0], pad, dtype=x.dtype)
        return cat([z, x, z], -1)
    k = np.arange(-pad, n + pad)
    if mode == "reflect":
        if pad >= n:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({pad}, {pad}) at dimension 1 of input [{x.shape[0]}, {n}]")
        k = np.abs(k)
        k = np.where(k > n - 1, 2 * (n - 1) - k, k)
    elif mode == "replicate":
        k = np.clip(k, 0, n - 1)
    elif mode == "circular":
        k = k % n
    else:
        raise RuntimeError(f"Unrecognised padding mode {mode}")
    return x[:, _wrap(k)]


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """torch.istft: stft's inverse by windowed overlap-add, divided by the summed squared window."""
    from .ops.shape import transpose, unsqueeze, squeeze, reshape
    from .ops.creation import zeros
    if input._data.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    spec = input if input._data.ndim == 3 else unsqueeze(input, 0)
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win = _frame_window(window, n_fft, win_length, _dtype.from_np(_real_dtype(input._data.dtype)))
    n_freq, n_frames = spec.shape[-2], spec.shape[-1]
    onesided = (n_freq != n_fft) if onesided is None else onesided
    if onesided and n_freq != n_fft // 2 + 1:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the input tensor to "
                           f"match n_fft / 2 + 1 when onesided=True, but got {n_freq}")
    norm = "ortho" if normalized else "backward"
    frames = transpose(spec, -1, -2)  # (batch, n_frames, freq)
    if return_complex:
        frames = ifft(frames, n=n_fft, dim=-1, norm=norm)
    elif onesided:
        frames = irfft(frames, n=n_fft, dim=-1, norm=norm)
    else:
        frames = P.real(ifft(frames, n=n_fft, dim=-1, norm=norm))
    frames = frames * win
    total = n_fft + hop_length * (n_frames - 1)
    idx = (np.arange(n_frames)[:, None] * hop_length + np.arange(n_fft)[None, :]).reshape(-1)
    # overlap-add as a product with a fixed 0/1 matrix (differentiable, and exact)
    place = np.zeros((n_frames * n_fft, total), _real_dtype(input._data.dtype))
    place[np.arange(n_frames * n_fft), idx] = 1
    y = reshape(frames, (frames.shape[0], n_frames * n_fft)) @ _wrap(place.astype(frames._data.dtype))
    env = (np.asarray(win._data, np.float64) ** 2)[None, :].repeat(n_frames, 0).reshape(-1) @ place.astype(np.float64)
    start = n_fft // 2 if center else 0
    end = total - n_fft // 2 if center else total
    if length is not None:
        end = start + length
    env = env[start:min(end, total)]
    if np.abs(env).min(initial=1.0) < 1e-11:
        raise RuntimeError("istft: window overlap add min: " + str(float(np.abs(env).min())))
    y = y[:, start:min(end, total)] / _wrap(env.astype(_real_dtype(y._data.dtype)))
    if length is not None and y.shape[-1] < length:
        y = _cat_zeros(y, length - y.shape[-1])
    return squeeze(y, 0) if input._data.ndim == 2 else y


def _cat_zeros(y, k):
    from .ops.shape import cat
    from .ops.creation import zeros
    return cat([y, zeros(y.shape[0], k, dtype=y.dtype)], -1)


from ._out import add_out as _add_out  # noqa: E402
_add_out(globals(), "fft")  # torch.fft.<fn>(..., out=t), as the top-level functions (ember/_out.py)
