"""torch.fft against torch: every transform's values, dtypes and gradients (real and complex
inputs, n/s/dim/norm), the frequency helpers, view_as_real/view_as_complex, windows, stft/istft."""
import math

import numpy as np
import pytest
import torch

import ember
from helpers import assert_close

rng = np.random.default_rng(0)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def c(*shape, dtype=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def np_of(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().resolve_neg().numpy()
    return np.array(t.detach()._data)


def close(e, t, rtol, atol):
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (e.dtype, t.dtype)
    np.testing.assert_allclose(np_of(e), np_of(t), rtol=rtol, atol=atol)


def loss(lib, y, w):
    """A real loss that reads real and imaginary parts (through view_as_real for complex y)."""
    if y.is_complex():
        y = lib.view_as_real(y.resolve_conj() if lib is torch else y)
    return (y * lib.tensor(w)).sum()


def check(fn, x, rtol=1e-9, atol=1e-9, grad=True, second=False):
    outs, grads = [], []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=grad)
        y = fn(lib, t)
        outs.append(y)
        if grad:
            shape = tuple(y.shape) + ((2,) if y.is_complex() else ())
            w = np.random.default_rng(1).standard_normal(shape).astype(np.float32 if y.dtype in (
                lib.float32, lib.complex64) else np.float64)
            (g,) = lib.autograd.grad(loss(lib, y, w), t, create_graph=second)
            grads.append(g)
            if second:
                v = lib.tensor(np.random.default_rng(2).standard_normal(x.shape + ((2,) if np.iscomplexobj(x) else ()))
                               .astype(np.float64))
                gv = lib.view_as_real(g.resolve_conj() if lib is torch else g) if g.is_complex() else g
                (gg,) = lib.autograd.grad((gv * v).sum() + (gv ** 2).sum(), t)
                grads.append(gg)
    close(outs[0], outs[1], rtol, atol)
    for e, t in zip(grads[:len(grads) // 2], grads[len(grads) // 2:]):
        close(e, t, rtol, atol)


C2C = ["fft", "ifft"]
R2C = ["rfft", "ihfft"]
C2R = ["irfft", "hfft"]
NORMS = [None, "backward", "forward", "ortho"]


@pytest.mark.parametrize("name", C2C + R2C + C2R)
@pytest.mark.parametrize("norm", NORMS)
def test_1d(name, norm):
    x = r(3, 8) if name in R2C else c(3, 5)
    check(lambda lib, t: getattr(lib.fft, name)(t, norm=norm), x)


@pytest.mark.parametrize("name", C2C + R2C + C2R)
def test_1d_n_dim_float32(name):
    x = r(4, 6, dtype=np.float32) if name in R2C else c(4, 6, dtype=np.complex64)
    for n in (4, 9):
        check(lambda lib, t: getattr(lib.fft, name)(t, n=n, dim=0), x, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["fft", "ifft"])
def test_real_input_to_c2c(name):
    check(lambda lib, t: getattr(lib.fft, name)(t, n=7), r(2, 5))
    check(lambda lib, t: getattr(lib.fft, name)(t), r(6, dtype=np.float32), rtol=1e-5, atol=1e-5)


ND = [("fft2", {}), ("ifft2", {"norm": "ortho"}), ("fftn", {}), ("ifftn", {"s": (3, 4)}),
      ("fftn", {"dim": (0, 2), "norm": "forward"}), ("rfft2", {}), ("irfft2", {"s": (4, 6)}),
      ("rfftn", {"dim": (-1, 0)}), ("irfftn", {}), ("hfft2", {}), ("ihfft2", {"norm": "ortho"}),
      ("hfftn", {"s": (3, 5)}), ("ihfftn", {"s": (2, 5), "norm": "forward"}), ("rfftn", {"s": (4, 3, 5)})]


@pytest.mark.parametrize("k", range(len(ND)))
def test_nd(k):
    name, kw = ND[k]
    real_in = name.startswith(("rfft", "ihfft"))
    x = r(3, 4, 5) if real_in else c(3, 4, 5)
    check(lambda lib, t: getattr(lib.fft, name)(t, **kw), x)


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "hfft", "ihfft", "fft2", "irfftn"])
def test_second_order(name):
    x = r(6) if name in ("rfft", "ihfft") else c(6) if name in ("fft", "irfft", "hfft") else c(3, 4)
    def sq(lib, y):  # nonlinear, so the gradient depends on the input again
        return (lib.view_as_real(y.resolve_conj() if lib is torch else y) if y.is_complex() else y) ** 2
    check(lambda lib, t: sq(lib, getattr(lib.fft, name)(t)), x, second=True)


def test_int_input_becomes_default_float():
    x = np.arange(6)
    for name in ("fft", "rfft", "ifft"):
        close(getattr(ember.fft, name)(ember.tensor(x)), getattr(torch.fft, name)(torch.tensor(x)), 1e-5, 1e-5)


def test_freqs_and_shifts():
    for n in (1, 4, 7):
        for d in (1.0, 0.25):
            close(ember.fft.fftfreq(n, d), torch.fft.fftfreq(n, d), 0, 1e-7)
            close(ember.fft.rfftfreq(n, d), torch.fft.rfftfreq(n, d), 0, 1e-7)
    close(ember.fft.fftfreq(5, dtype=ember.float64), torch.fft.fftfreq(5, dtype=torch.float64), 0, 0)
    for kw in ({}, {"dim": 0}, {"dim": (1,)}, {"dim": (-1, 0)}):
        check(lambda lib, t: lib.fft.fftshift(t, **kw), r(5, 4))
        check(lambda lib, t: lib.fft.ifftshift(t, **kw), r(5, 3))


def test_view_as_real_complex():
    check(lambda lib, t: lib.view_as_real(t) * 2, c(3, 2))
    check(lambda lib, t: lib.view_as_complex(t) * 2, r(3, 2))
    check(lambda lib, t: lib.view_as_real(lib.view_as_complex(t).conj().resolve_conj() if lib is torch
                                          else lib.view_as_complex(t).conj()), r(4, 2))
    # views: a change through one is seen by the other
    for lib in (ember, torch):
        z = lib.tensor(c(3))
        lib.view_as_real(z)[0, 1] = 5.0
        assert z[0].imag.item() == 5.0
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="view_as_real is only supported for complex tensors"):
            lib.view_as_real(lib.ones(2))
        with pytest.raises(RuntimeError, match="Tensor must have a last dimension of size 2"):
            lib.view_as_complex(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="Tensor must have a last dimension with stride 1"):
            lib.view_as_complex(lib.ones(2, 4)[:, ::2])


def test_errors():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match='Invalid normalization mode: "bad"'):
            lib.fft.fft(lib.ones(4), norm="bad")
        with pytest.raises(RuntimeError, match="Invalid number of data points \\(0\\) specified"):
            lib.fft.fft(lib.ones(4), n=0)
        with pytest.raises(RuntimeError, match="rfft expects a real input tensor"):
            lib.fft.rfft(lib.ones(4, dtype=lib.complex64))
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.fft.fft(lib.ones(4), dim=2)


# ---------------------------------------------------------------- windows and stft
WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
def test_windows(name):
    for n in (0, 1, 2, 5, 16):
        for periodic in (True, False):
            close(getattr(ember, name)(n, periodic), getattr(torch, name)(n, periodic), 1e-6, 1e-6)
    close(getattr(ember, name)(9, dtype=ember.float64), getattr(torch, name)(9, dtype=torch.float64), 1e-12, 1e-12)
    if name == "hamming_window":
        close(ember.hamming_window(8, True, 0.5, 0.4), torch.hamming_window(8, True, 0.5, 0.4), 1e-6, 1e-6)
    if name == "kaiser_window":
        close(ember.kaiser_window(10, False, 5.0), torch.kaiser_window(10, False, 5.0), 1e-6, 1e-6)


STFT = [dict(n_fft=16), dict(n_fft=16, hop_length=4, window="hann"), dict(n_fft=16, win_length=10, window="hann"),
        dict(n_fft=8, center=False, normalized=True), dict(n_fft=16, onesided=False, window="hann"),
        dict(n_fft=16, pad_mode="constant")]


def _kw(lib, kw):
    kw = dict(kw)
    if kw.get("window") == "hann":
        kw["window"] = lib.hann_window(kw.get("win_length", kw["n_fft"]), dtype=lib.float64)
    return kw


@pytest.mark.parametrize("k", range(len(STFT)))
def test_stft(k):
    check(lambda lib, t: lib.stft(t, return_complex=True, **_kw(lib, STFT[k])), r(2, 64))
    check(lambda lib, t: lib.stft(t, return_complex=True, **_kw(lib, STFT[k])), r(50))


def test_stft_real_output_and_errors():
    check(lambda lib, t: lib.stft(t, 8, return_complex=False), r(40))
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="stft requires the return_complex parameter"):
            lib.stft(lib.ones(32), 8)


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_istft_roundtrip(k):
    kw = STFT[k]
    x = r(2, 64)
    spec = torch.stft(torch.tensor(x), return_complex=True, **_kw(torch, kw)).numpy()
    check(lambda lib, t: lib.istft(t, return_complex=kw.get("onesided") is False, **_kw(lib, kw))
          if kw.get("onesided") is False else lib.istft(t, **_kw(lib, kw)), spec)
    check(lambda lib, t: lib.istft(t, length=60, **_kw(lib, kw)) if kw.get("onesided") is not False else
          lib.istft(t, length=60, return_complex=True, **_kw(lib, kw)), spec)


def test_spectral_conv_example():
    """A spectral layer (FNO-style): rfft, multiply by complex weights, irfft; values and gradients.
    The complex product is written on view_as_real's parts."""
    x = r(2, 3, 16)
    wr = r(3, 9, 2)
    res = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        w = lib.tensor(wr, requires_grad=True)
        s = lib.view_as_real(lib.fft.rfft(xt, norm="ortho"))
        re = s[..., 0] * w[..., 0] - s[..., 1] * w[..., 1]
        im = s[..., 0] * w[..., 1] + s[..., 1] * w[..., 0]
        y = lib.fft.irfft(lib.view_as_complex(lib.stack([re, im], -1)), n=16, norm="ortho")
        (y ** 2).mean().backward()
        res.append((y, xt.grad, w.grad))
    for e, t in zip(*res):
        close(e, t, 1e-9, 1e-9)
