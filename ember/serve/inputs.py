"""Request bodies -> input batches for ``ember serve``: JSON arrays and images, checked, with
errors a client can act on. Pure functions of bytes; no server needed to test them."""
import io
import json

import numpy as np


class BadInput(Exception):
    """A request the server refuses: ``status`` (400, 413, 415) and a message for the client."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _expected(shape):
    return f"expected one sample of shape {list(shape)} or a batch of shape [N, {', '.join(map(str, shape))}]"


def _no_constants(name):
    raise ValueError(f"{name} is not a number JSON allows")


def from_json(body, input_shape):
    """``{"inputs": X}`` -> a float32 batch ``(N, *input_shape)``; X one sample or a batch."""
    try:
        # Python's json accepts NaN and Infinity; a model input must not be either
        doc = json.loads(body, parse_constant=_no_constants)
    except (ValueError, RecursionError) as e:
        raise BadInput(f"the body is not valid JSON ({e}); send {{\"inputs\": ...}}, {_expected(input_shape)}") \
            from None
    if not isinstance(doc, dict) or "inputs" not in doc:
        raise BadInput(f"the JSON body needs the key \"inputs\"; {_expected(input_shape)}")
    try:
        x = np.array(doc["inputs"])
    except (ValueError, OverflowError):  # ragged nesting, or an integer too big for any dtype
        raise BadInput(f"\"inputs\" is not a rectangular array of numbers; {_expected(input_shape)}") from None
    if x.dtype.kind not in "iuf":  # strings, booleans, null or mixed nesting give another kind
        raise BadInput(f"\"inputs\" must contain only numbers (found {_kind(x)}); {_expected(input_shape)}")
    return check_batch(x, input_shape)


def _kind(x):
    return {"U": "strings", "b": "booleans", "O": "null, objects or mixed nesting"}.get(x.dtype.kind, str(x.dtype))


def check_batch(x, input_shape):
    """A sample or a batch of samples -> a finite float32 batch, or BadInput saying why not."""
    input_shape = tuple(input_shape)
    if x.shape == input_shape:
        x = x[None]
    elif x.shape[1:] != input_shape or len(x) == 0:
        raise BadInput(f"\"inputs\" has shape {list(x.shape)}; {_expected(input_shape)}")
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused just below
        x = x.astype(np.float32)
    if not np.all(np.isfinite(x)):
        raise BadInput(f"\"inputs\" contains NaN or infinite values (or numbers too large for float32); "
                       f"{_expected(input_shape)}")
    return x


MAX_PIXELS = 4096 * 4096  # a small compressed file can declare a huge image


def from_image(data, input_shape, value_range, invert=None):
    """An encoded image (PNG, JPEG, ...) -> a batch of one sample.

    The image is converted to the model's channels (1: grayscale, 3: RGB), resized to its height
    and width by area averaging (how the digits data was made from larger bitmaps), and its 0-255
    values mapped onto ``value_range``, the training data's units. Transparent pixels count as
    white paper. ``invert`` (for a one-channel model) turns dark-on-light into light-on-dark, as
    the digits are stored; ``None`` decides from the border: a light border means dark ink.
    """
    try:
        from PIL import Image
    except ImportError:
        raise BadInput("image uploads need Pillow on the server: pip install 'ember[serve]'", 415) from None
    c, h, w = _image_shape(input_shape)
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise BadInput(f"the image is {img.width}x{img.height}; at most {MAX_PIXELS} pixels")
        img.load()
    except BadInput:
        raise
    except Exception as e:  # Pillow raises many types for bad data
        raise BadInput(f"the upload is not an image Pillow can read ({type(e).__name__}: {e})") from None
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        paper = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, img)
    img = img.convert("L" if c == 1 else "RGB").resize((w, h), Image.Resampling.BOX)
    x = np.asarray(img, dtype=np.float32) / 255
    if c == 1:
        if invert is None:
            border = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
            invert = border.mean() > 0.5
        if invert:
            x = 1 - x
        x = x[None]
    else:
        x = x.transpose(2, 0, 1)
    lo, hi = value_range
    return (lo + x * (hi - lo))[None].astype(np.float32)


def _image_shape(input_shape):
    if len(input_shape) != 3 or input_shape[0] not in (1, 3):
        raise BadInput(f"this model's input {list(input_shape)} is not an image (channels 1 or 3, height, "
                       f"width); send JSON {{\"inputs\": ...}}", 415)
    return input_shape
