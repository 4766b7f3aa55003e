"""Hugging Face's safetensors format for ember tensors, as ``safetensors.torch`` offers it for torch.

A ``.safetensors`` file is an 8-byte header length, a JSON header (name -> dtype, shape, byte
range; plus ``__metadata__``) and the raw little-endian bytes. The ``safetensors`` package does
the format through its NumPy interface; this module only converts between ember tensors and
arrays. torch is never imported. Files are written with ``__metadata__ = {"format": "pt"}``,
which Hugging Face's libraries require of a PyTorch checkpoint.
"""

import numpy as np

from .._backend import to_device
from .._tensor import Tensor, _wrap

__all__ = ["save_file", "load_file", "save", "load", "save_model", "load_model"]


def _safetensors():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("ember.utils.safetensors needs the safetensors package: "
                          "pip install 'ember[safetensors]'") from None
    return safetensors


def _arrays(tensors):
    """Name -> contiguous CPU array, as safetensors' serializer needs (it reads raw memory)."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, ember.Tensor] but received {type(tensors)}")
    out = {}
    for k, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected ember.Tensor but received {type(t)}")
        a = to_device(t._data, "cpu")
        out[k] = a if a.flags.c_contiguous else a.copy()  # (np.ascontiguousarray makes 0-d arrays 1-d)
    return out


def _metadata(metadata):
    return {"format": "pt", **(metadata or {})}


def save(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (a dict of name -> Tensor)."""
    st = _safetensors()
    return st.numpy.save(_arrays(tensors), metadata=_metadata(metadata))


def save_file(tensors, filename, metadata=None):
    """Write `tensors` (a dict of name -> Tensor) to `filename` in safetensors format.

    The file is written atomically: to a temporary file in the same folder, then renamed onto
    `filename`, so an error never leaves half a file where a good one was.
    """
    from ..serialization import atomic_write
    data = save(tensors, metadata)
    atomic_write(filename, lambda fh: fh.write(data))


# safetensors' dtype codes. NumPy has no bfloat16, so BF16 tensors (common on the Hub) are
# widened to float32 on load: a bfloat16 is the top 16 bits of the float32 with the same value.
_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_, "C64": np.complex64,
           "U64": np.uint64, "U32": np.uint32, "U16": np.uint16}


def _to_tensor(info, device):
    shape, code = info["shape"], info["dtype"]
    if code == "BF16":
        a = (np.frombuffer(info["data"], dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    elif code in _DTYPES:
        # frombuffer gives a read-only view of the file's bytes; tensors must be writable
        a = np.frombuffer(info["data"], dtype=np.dtype(_DTYPES[code]).newbyteorder("<")).astype(_DTYPES[code])
    else:
        raise TypeError(f"ember can't load safetensors dtype {code}")
    a = a.reshape(shape)
    return _wrap(a if device is None or str(device) == "cpu" else to_device(a, device))


def load(data, device="cpu"):
    """The tensors (a dict of name -> Tensor) in `data`, the bytes of a safetensors file."""
    st = _safetensors()
    # safetensors.deserialize (which safetensors.numpy.load wraps) gives each tensor's raw bytes;
    # converting them here lets BF16 through, which safetensors.numpy rejects
    return {k: _to_tensor(v, device) for k, v in st.deserialize(bytes(data))}


def load_file(filename, device="cpu"):
    """The tensors (a dict of name -> Tensor) in the safetensors file `filename`."""
    _safetensors()
    with open(filename, "rb") as fh:
        return load(fh.read(), device)


def save_model(model, filename, metadata=None):
    """Save `model.state_dict()` to `filename` (tensors that share memory are each written whole)."""
    save_file({k: v.detach() for k, v in model.state_dict().items()}, filename, metadata)


def load_model(model, filename, strict=True, device="cpu"):
    """Load `filename` into `model`; returns (missing keys, unexpected keys) as safetensors.torch does."""
    result = model.load_state_dict(load_file(filename, device), strict=strict)
    return list(result.missing_keys), list(result.unexpected_keys)
