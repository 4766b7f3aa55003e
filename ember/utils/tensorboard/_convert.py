"""Turning what users log (ember tensors, NumPy arrays, numbers, matplotlib figures) into
NumPy arrays, and images into PNG bytes."""
import struct
import zlib

import numpy as np

from ..._tensor import Tensor


def make_np(x):
    """A NumPy array on the host from an ember tensor, a NumPy array or a Python number."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return np.asarray(x)  # Tensor.__array__ copies a CuPy array to the host
    if np.isscalar(x):
        return np.array([x])
    if hasattr(x, "detach"):  # a tensor of another library (torch), as long as it converts
        x = x.detach().cpu()
    return np.asarray(x)


def convert_to_HWC(x, dataformats):
    """An image array in ``dataformats`` (``'CHW'``, ``'HWC'``, ``'HW'``, ``'NCHW'`` ...) as HWC.

    Grey images become 3 channels; a batch (4 letters) becomes one grid image, as torch does.
    """
    fmt = dataformats.upper()
    if len(set(fmt)) != len(fmt):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {dataformats}")
    if x.ndim != len(fmt):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{x.shape}, input_format: {dataformats}")
    if len(fmt) == 4:
        return make_grid(x.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        x = x.transpose([fmt.find(c) for c in "HWC"])
        return np.concatenate([x, x, x], 2) if x.shape[2] == 1 else x
    x = x.transpose([fmt.find(c) for c in "HW"])
    return np.stack([x, x, x], 2)


def make_grid(images, ncols=8):
    """N images (NCHW, C = 1 or 3) laid out row by row, ``ncols`` to a row, as one CHW image."""
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = images[i]
    return canvas


def to_uint8(x):
    """Pixel values as uint8: uint8 as it is, anything else read as [0, 1] and scaled by 255."""
    scale = 1 if x.dtype == np.uint8 else 255
    # truncation (not rounding) after clipping, as torch's writer does
    return (x.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


def encode_png(img):
    """PNG bytes of an HWC uint8 image with 1 to 4 channels: PIL when installed, zlib otherwise."""
    try:
        from PIL import Image
    except ImportError:
        return _png_zlib(img)
    import io
    buf = io.BytesIO()
    Image.fromarray(img[:, :, 0] if img.shape[2] == 1 else img).save(buf, format="PNG")
    return buf.getvalue()


def _png_zlib(img):
    """A minimal PNG encoder: 8-bit samples, one IDAT chunk, filter type 0 on every row."""
    h, w, c = img.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]  # grey, grey+alpha, RGB, RGBA

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = np.concatenate([np.zeros((h, 1), np.uint8), np.ascontiguousarray(img).reshape(h, w * c)], 1)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + chunk(b"IEND", b""))


def figure_to_image(figures, close=True):
    """A matplotlib figure as a CHW uint8 array (a list of figures as NCHW); needs matplotlib."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        w, h = canvas.get_width_height()
        rgb = np.asarray(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)[:, :, :3]
        if close:
            plt.close(figure)
        return rgb.transpose(2, 0, 1).copy()

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)
