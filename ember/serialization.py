"""ember.save and ember.load: PyTorch's own checkpoint format, read and written without torch.

A file from ``torch.save`` (since PyTorch 1.6) is an uncompressed zip archive:

    archive/data.pkl        the object, pickled with protocol 2; every tensor is a call
                            ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``
                            whose storage is a persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
    archive/data/<key>      the raw bytes of each storage, 64-byte aligned so that they can be memory-mapped
    archive/byteorder               'little' or 'big'
    archive/.format_version, archive/.storage_alignment, archive/version, archive/.data/serialization_id

Tensors that are views of one NumPy array are saved as ONE storage plus their offsets and strides, so
after loading they share memory again. ``load`` also reads PyTorch's legacy format (before 1.6): five
pickles in a row followed by the raw storages.

``load`` never runs code from a file. Pickle's GLOBAL opcode names any callable in any module and REDUCE
calls it; our unpickler answers GLOBAL only from an allowlist, the one torch's ``weights_only=True``
unpickler uses, with each entry mapped to an ember/NumPy stand-in. torch itself is never imported.
"""
import codecs
import contextlib
import functools
import io
import os
import pickle
import secrets
import struct
import sys
import zipfile
from collections import Counter, OrderedDict

import numpy as np

from . import _dtype
from ._backend import device as _device_type


# ---------------------------------------------------------------------------------------------------
# The seam to ember's Tensor: the only lines here that know what a Tensor is.

@functools.cache
def _tensor_class():
    from ._tensor import Tensor  # imported late: this module must import before (and without) the Tensor
    return Tensor


@functools.cache
def _parameter_class():
    try:
        from .nn import Parameter
    except ImportError:
        return None
    return Parameter


def _is_tensor(x):
    try:
        return isinstance(x, _tensor_class())
    except ImportError:  # no Tensor yet, so nothing can be one
        return False


def _to_array(tensor):
    """The NumPy array holding a tensor's values (the tensor's own memory, not a copy)."""
    return tensor._data


def _from_array(arr, requires_grad):
    """A Tensor sharing memory with `arr`."""
    from . import from_numpy
    t = from_numpy(arr)
    if requires_grad:
        t.requires_grad = True
    return t


# ---------------------------------------------------------------------------------------------------
# dtypes. torch and NumPy name their shared dtypes alike ('float32', 'int64', 'bool', ...).

# The storage class torch names in the pickle for each dtype that has one (torch's legacy typed storages).
_STORAGE_NAMES = {
    "float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage", "int8": "CharStorage",
    "uint8": "ByteStorage", "bool": "BoolStorage",
    "complex128": "ComplexDoubleStorage", "complex64": "ComplexFloatStorage",
}
# Newer dtypes have no typed storage: torch pickles a byte UntypedStorage plus the dtype (_rebuild_tensor_v3).
_UNTYPED_DTYPES = ("uint16", "uint32", "uint64")


def _dtype_object(name):
    """What a pickled ``torch.<name>`` dtype loads as: ember's dtype, or NumPy's where ember has none."""
    return _dtype._names.get(name) or np.dtype(name)


def _np_dtype(d):
    return d.np if isinstance(d, _dtype.dtype) else np.dtype(d)


# ---------------------------------------------------------------------------------------------------
# Saving

class _Global:
    """A module attribute that pickles as a plain GLOBAL opcode. pickle's own save_global imports the
    module to check the name; ember must write 'torch._utils _rebuild_tensor_v2' without importing torch."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle checks that a reduce function is callable; it is never called
        raise TypeError(f"{self.module}.{self.name} only names a torch function inside a pickle")


_global = functools.cache(_Global)  # one object per name, so that pickle's memo writes each name once


class _StorageRef:
    """Stands for one storage inside the pickle; the pickler writes it as a persistent id."""
    __slots__ = ("key", "dtype", "numel")

    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel = key, dtype, numel


class _PlainTensor:
    """A Parameter's tensor, to be pickled as a plain tensor inside _rebuild_parameter."""
    __slots__ = ("tensor",)

    def __init__(self, tensor):
        self.tensor = tensor


def _address(a):
    return a.__array_interface__["data"][0]


def _memory_of(a):
    """The array that owns `a`'s memory and all of that memory as flat bytes, or (None, None)."""
    owner = a
    while True:
        base = owner.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)  # as_strided hides its base inside a DummyArray
        if not isinstance(base, np.ndarray):
            break
        owner = base
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return None, None
    return owner, owner.ravel(order="K").view(np.uint8)  # ravel in memory order: a view, not a copy


def _fits(a, region):
    """Whether `a` is (offset, strides) in whole elements of `region`, non-negative, as torch needs."""
    item = a.dtype.itemsize
    start = _address(a) - _address(region)
    end = start + item + sum((n - 1) * s for n, s in zip(a.shape, a.strides))
    return (a.size > 0 and a.dtype.isnative and region.nbytes % item == 0 and start % item == 0
            and all(s >= 0 and s % item == 0 for s in a.strides)  # torch has no negative strides
            and 0 <= start and end <= region.nbytes)


class _Pickler(pickle._Pickler):
    """torch.save's pickler: tensors become _rebuild_tensor_v2 calls on storages named by persistent ids.

    This is pickle's pure-Python Pickler, because only it lets us write a GLOBAL opcode for a module
    (torch) that is not imported. It pickles just the structure: tensor bytes go straight from their
    arrays into the zip file.
    """
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(owner array) -> (_StorageRef, owner): views of one owner share a storage
        self.records = []   # (key, bytes of the storage) in key order

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, (np.number, np.bool_)):
            obj = obj.item()  # torch's loader refuses numpy's globals; torch's own files hold Python numbers
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is not _StorageRef:
            return None
        name = _STORAGE_NAMES.get(obj.dtype.name)
        if name is None:  # an UntypedStorage counts bytes, not elements
            return ("storage", _global("torch.storage", "UntypedStorage"), obj.key, "cpu",
                    obj.numel * obj.dtype.itemsize)
        return ("storage", _global("torch", name), obj.key, "cpu", obj.numel)

    def reducer_override(self, obj):
        parameter = _parameter_class()
        if parameter is not None and isinstance(obj, parameter):
            return (_global("torch._utils", "_rebuild_parameter"),
                    (_PlainTensor(obj), bool(obj.requires_grad), OrderedDict()))
        if type(obj) is _PlainTensor:
            return self._reduce_array(_to_array(obj.tensor), False)
        if _is_tensor(obj):
            return self._reduce_array(_to_array(obj), bool(obj.requires_grad))
        if isinstance(obj, _device_type):
            return (_global("torch", "device"), (str(obj),))
        if isinstance(obj, tuple) and type(obj).__name__ == "Size":
            return (_global("torch", "Size"), (tuple(obj),))
        return NotImplemented

    def _reduce_array(self, a, requires_grad):
        name = a.dtype.name
        if name not in _STORAGE_NAMES and name not in _UNTYPED_DTYPES:
            raise TypeError(f"ember.save can't store a tensor of dtype {a.dtype}: torch has no such dtype")
        ref, offset, stride = self._locate(a)
        # The last argument, an empty OrderedDict, is where torch once pickled backward hooks.
        args = (ref, offset, a.shape, stride, requires_grad, OrderedDict())
        if name in _STORAGE_NAMES:
            return (_global("torch._utils", "_rebuild_tensor_v2"), args)
        return (_global("torch._utils", "_rebuild_tensor_v3"), args + (_global("torch", name),))

    def _locate(self, a):
        """The storage holding array `a`, and a's offset and strides in elements within it."""
        owner, region = _memory_of(a)
        if owner is None or not _fits(a, region):
            # Negative strides, byte-swapped or empty arrays: save a private contiguous copy instead.
            a = np.array(a, dtype=a.dtype.newbyteorder("="), order="C")
            owner, region = a, a.reshape(-1).view(np.uint8)
        item = a.dtype.itemsize
        ref, _ = self.storages.get(id(owner), (None, None))
        if ref is None:
            ref = _StorageRef(str(len(self.records)), a.dtype, region.nbytes // item)
            self.storages[id(owner)] = (ref, owner)  # holding owner keeps its id from being reused
            self.records.append((ref.key, region))
        elif ref.dtype != a.dtype:  # torch's own rule, since one storage has one dtype
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data "
                               "as different types")
        stride = tuple(s // item for s in a.strides)
        return ref, (_address(a) - _address(region)) // item, stride

    def _save_global_name(self, g):
        self.write(pickle.GLOBAL + f"{g.module}\n{g.name}\n".encode())
        self.memoize(g)

    def _save_dtype(self, d):
        self.save(_global("torch", d.name))

    dispatch[_Global] = _save_global_name
    dispatch[_dtype.dtype] = _save_dtype


def _write_record(z, name, payload):
    """Add an uncompressed record whose bytes start on a 64-byte boundary, as torch's writer does,
    so that load(mmap=True) can map them in place."""
    payload = memoryview(payload)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # a fixed date: same object, same bytes
    info.file_size = payload.nbytes
    zip64 = payload.nbytes * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's own rule; it adds a 20-byte field then
    # The local header is 30 bytes + the name + the extra field; pad the extra field (id 'FB', like torch).
    header = 30 + len(name.encode()) + 4 + (20 if zip64 else 0)
    pad = -(z.start_dir + header) % 64
    info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
    with z.open(info, "w", force_zip64=zip64) as out:
        out.write(payload)


def _write_zip(pickler, data, fh):
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as z:
        # torch names the folder after the file; any name works, as readers take it from the first record
        def record(name, payload):
            _write_record(z, "archive/" + name, payload)
        record("data.pkl", data)
        record(".format_version", b"1")
        record(".storage_alignment", b"64")
        record("byteorder", sys.byteorder.encode())
        for key, region in pickler.records:
            record(f"data/{key}", region)
        record("version", b"3\n")
        record(".data/serialization_id", f"{secrets.randbelow(10 ** 40):040d}".encode())


def save(obj, f, pickle_protocol=2):
    """Save `obj` (tensors, state_dicts, nested containers, numbers, strings) to `f` in torch.save's format.

    Args:
        f: a path (str or os.PathLike) or a writable binary file object. A path is written atomically: to a
            temporary file in the same folder, fsync'ed, then renamed onto `f`, so a crash or an error never
            leaves a half-written checkpoint where a good one was.
    """
    data = io.BytesIO()
    pickler = _Pickler(data, pickle_protocol)
    pickler.dump(obj)  # pickle first: an object that can't be pickled fails before any file is touched
    if not isinstance(f, (str, os.PathLike)):
        _write_zip(pickler, data.getbuffer(), f)
        return
    atomic_write(f, lambda fh: _write_zip(pickler, data.getbuffer(), fh))


def atomic_write(path, write):
    """Write a file atomically: ``write(fh)`` fills a temporary file in the same folder, which
    is synced and then renamed onto `path`, so a crash never leaves half a file where a good
    one was (and an error leaves no temporary file behind)."""
    folder, name = os.path.split(os.path.realpath(path))  # realpath: a symlinked file keeps its link
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 gives the permissions plain open() would (tempfile.mkstemp would give 0o600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, os.path.join(folder, name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder):
    # On POSIX the rename itself survives a crash only once its folder is synced. Some filesystems can't
    # fsync a folder; the file is complete by then, so that is no reason to fail the save.
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# ---------------------------------------------------------------------------------------------------
# Loading: the allowlisted globals and what each becomes.

class _Refused(pickle.UnpicklingError):
    """The file asked for something load never does (a global off the allowlist, a foreign persistent id)."""


class _StorageType:
    """What ``torch.FloatStorage`` and friends load as: just the dtype of the storage's elements."""
    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)


_TENSOR_TYPE = object()  # ``torch.Tensor``: only ever an argument of _rebuild_from_type_v2


def _view(storage, dtype, offset, size, stride):
    """The array a torch tensor describes: `size` and `stride` (in elements) from `offset` into `storage`."""
    if not isinstance(storage, np.ndarray):  # storages only come from persistent_load
        raise _Refused(f"a tensor was rebuilt from {type(storage).__name__}, not from a storage")
    # Only a dtype from the allowlist may reinterpret a storage's bytes (never, say, NumPy's object dtype).
    if dtype is None:
        dtype = storage.dtype
    elif isinstance(dtype, (_dtype.dtype, np.dtype)):
        dtype = _np_dtype(dtype)
    if not isinstance(dtype, np.dtype) or dtype.name not in (*_STORAGE_NAMES, *_UNTYPED_DTYPES):
        raise _Refused(f"a tensor was rebuilt with dtype {dtype!r}")
    size, stride = tuple(size), tuple(stride)
    if (len(size) != len(stride) or not all(type(n) is int and n >= 0 for n in size + stride)
            or type(offset) is not int or offset < 0):
        raise ValueError(f"invalid tensor geometry: offset {offset}, size {size}, stride {stride}")
    if 0 in size:  # torch lets an empty tensor point anywhere, even past its storage's end
        return np.empty(size, dtype)
    if storage.dtype != dtype:  # _rebuild_tensor_v3 reads the storage's bytes as `dtype`
        u8 = storage.view(np.uint8)
        storage = u8[:u8.size // dtype.itemsize * dtype.itemsize].view(dtype)
    # np.ndarray checks that every element lies inside the buffer, so a crafted stride can't read past it
    return np.ndarray(size, dtype, buffer=storage, offset=offset * dtype.itemsize,
                      strides=tuple(s * dtype.itemsize for s in stride))


def _with_metadata(arr, metadata):
    # torch saves a lazily conjugated / negated tensor as its plain data plus a flag; apply the flags here
    if metadata and metadata.get("conj"):
        arr = np.conj(arr)
    if metadata and metadata.get("neg"):
        arr = np.negative(arr)
    return arr


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _from_array(_view(storage, None, storage_offset, size, stride), False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    # backward_hooks: torch pickles an empty OrderedDict there and does not restore hooks; neither do we
    arr = _view(storage, None, storage_offset, size, stride)
    return _from_array(_with_metadata(arr, metadata), bool(requires_grad))


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    arr = _view(storage, dtype, storage_offset, size, stride)
    return _from_array(_with_metadata(arr, metadata), bool(requires_grad))


def _set_state(tensor, state):
    """Restore the Python attributes torch pickled with a tensor (a dict, or a (dict, slots) pair)."""
    for part in state if isinstance(state, tuple) else (state,):
        for key, value in (part or {}).items():
            if not isinstance(key, str) or key.startswith("__"):
                raise _Refused(f"refusing to set attribute {key!r} on a loaded tensor")
            setattr(tensor, key, value)
    return tensor


def _parameter(data, requires_grad=True):
    if not _is_tensor(data):
        raise _Refused(f"a Parameter was built from {type(data).__name__}, not from a tensor")
    parameter = _parameter_class()
    if parameter is None:  # ember.nn not there yet: a plain tensor that requires grad
        data.requires_grad = bool(requires_grad)
        return data
    return parameter(data, requires_grad=bool(requires_grad))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_parameter(data, requires_grad), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    # torch's wrapper for a tensor carrying Python attributes; tensor subclasses are refused
    if func not in _TENSOR_REBUILDERS or new_type is not _TENSOR_TYPE:
        raise _Refused("_rebuild_from_type_v2 may only rebuild a plain torch.Tensor")
    return _set_state(func(*args), state)


def _device(type, index=None):
    return _device_type(type, index)


_TENSOR_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3)

# torch's weights_only allowlist (torch/_weights_only_unpickler.py), restricted to what NumPy can hold.
_SAFE_GLOBALS = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "builtins.set": set,
    "builtins.complex": complex,
    "builtins.bytearray": bytearray,
    "_codecs.encode": codecs.encode,  # protocol 2 pickles bytes as encode(str, 'latin1')
    "torch.Size": tuple,  # ember has no Size class; shapes are tuples
    "torch.device": _device,
    "torch.Tensor": _TENSOR_TYPE,
    "torch.nn.parameter.Parameter": _parameter,
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.storage.UntypedStorage": _StorageType(np.uint8),
}
for _name, _storage in _STORAGE_NAMES.items():
    _SAFE_GLOBALS[f"torch.{_storage}"] = _SAFE_GLOBALS[f"torch.cuda.{_storage}"] = _StorageType(_name)
for _name in (*_STORAGE_NAMES, *_UNTYPED_DTYPES):
    _SAFE_GLOBALS[f"torch.{_name}"] = _dtype_object(_name)
del _name, _storage

# Protocol 2 writes Python 3's builtins under their Python 2 module name.
_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


class _Unpickler(pickle._Unpickler):
    """An unpickler that builds only data: GLOBAL is answered from _SAFE_GLOBALS, persistent ids must be
    storages, and BUILD may only set attributes of a fresh OrderedDict (a state_dict's ``_metadata``).

    This is pickle's pure-Python Unpickler: the C one can't restrict BUILD, which would let a file change
    attributes of the shared objects above (say ember.float32's NumPy dtype) for the rest of the process.
    """
    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, file, load_storage=None):
        super().__init__(file)
        self._load_storage = load_storage

    def find_class(self, module, name):
        module = _PY2_MODULES.get(module, module)
        try:
            return _SAFE_GLOBALS[f"{module}.{name}"]
        except KeyError:
            pass
        hint = (" (ember rebuilds plain tensors of the dtypes NumPy has)" if module.startswith("torch")
                else " (ember.load never runs code from a file)")
        raise _Refused(f"Unsupported global: GLOBAL {module}.{name} is not on ember.load's allowlist{hint}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] in ("storage", b"storage")
                and self._load_storage):
            raise _Refused(f"Unsupported persistent id {pid!r}: only tensor storages may be referenced")
        storage_type, key, numel = pid[1], pid[2], pid[4]
        if not (isinstance(storage_type, _StorageType) and isinstance(key, str)
                and type(numel) is int and numel >= 0):
            raise _Refused(f"malformed storage reference {pid!r}")
        return self._load_storage(storage_type.dtype, key, numel, *pid[5:])

    def load_build(self):
        if type(self.stack[-2]) not in (OrderedDict, Counter):
            kind = type(self.stack[-2]).__name__
            raise _Refused(f"BUILD may only set attributes of an OrderedDict, not of {kind}")
        super().load_build()

    def load_ext(self):
        # EXT opcodes name globals by number through copyreg's process-wide cache, which skips find_class
        raise _Refused("Unsupported opcode: pickle extension codes (EXT1/EXT2/EXT4) are not allowed")

    dispatch[pickle.BUILD[0]] = load_build
    dispatch.update(dict.fromkeys((pickle.EXT1[0], pickle.EXT2[0], pickle.EXT4[0]), load_ext))


# ---------------------------------------------------------------------------------------------------
# Loading: the two file formats.

def _read_into(stream, out):
    """Fill the uint8 array `out` from `stream`, failing loudly if the file ends first."""
    view, done = memoryview(out), 0
    while done < out.nbytes:
        n = stream.readinto(view[done:done + (1 << 26)])  # 64 MiB at a time caps the reader's extra memory
        if not n:
            raise EOFError(f"the file ended {out.nbytes - done} bytes early")
        done += n


def _data_offset(fh, info):
    """Where a stored zip record's bytes start in the file (after its local header)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _load_zip(fh, mmap_path):
    with zipfile.ZipFile(fh) as z:
        names = z.namelist()
        prefix = names[0].split("/")[0] + "/" if names else ""  # the folder's name varies, as in torch
        if prefix + "data.pkl" not in names:
            raise RuntimeError("no data.pkl inside: not a file written by torch.save or ember.save")
        byteorder = z.read(prefix + "byteorder").decode() if prefix + "byteorder" in names else "little"
        storages = {}

        def load_storage(dtype, key, numel, *view):
            if key not in storages:
                info = z.getinfo(f"{prefix}data/{key}")
                nbytes = numel * dtype.itemsize
                if info.file_size != nbytes:
                    raise RuntimeError(f"storage data/{key} holds {info.file_size} bytes, expected {nbytes}")
                if mmap_path and nbytes and info.compress_type == zipfile.ZIP_STORED:
                    # mode 'c' (copy-on-write), like torch's default MAP_PRIVATE: writes never reach the file
                    u8 = np.memmap(mmap_path, np.uint8, "c", offset=_data_offset(fh, info), shape=(nbytes,))
                else:
                    u8 = np.empty(nbytes, np.uint8)
                    with z.open(info) as r:
                        _read_into(r, u8)
                storages[key] = u8.view(dtype)
                if byteorder != sys.byteorder:
                    storages[key].byteswap(inplace=True)
            return storages[key]

        # read it whole: the pure-Python unpickler reads byte by byte, cheap from memory, slow through zipfile
        return _Unpickler(io.BytesIO(z.read(prefix + "data.pkl")), load_storage).load()


_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C  # the legacy format's first pickle
_PROTOCOL_VERSION = 1001


def _load_legacy(fh):
    """PyTorch's format before 1.6: pickles of the magic number, the protocol version, sys info, the object
    and the storage keys, then each storage as an int64 element count and its little-endian bytes."""
    start = fh.tell()
    file_size = fh.seek(0, os.SEEK_END)
    fh.seek(start)
    try:
        magic = _Unpickler(fh).load()
    except Exception:  # a plain pickle, or garbage: either way not a checkpoint
        magic = None
    if magic != _MAGIC_NUMBER:
        raise RuntimeError("neither a zip archive nor PyTorch's legacy format (invalid magic number)")
    if _Unpickler(fh).load() != _PROTOCOL_VERSION:
        raise RuntimeError("Invalid protocol version")
    _Unpickler(fh).load()  # sys info: endianness and C type sizes, which only mattered to Lua Torch
    storages = {}

    def load_storage(dtype, key, numel, view=None):
        if key not in storages:
            if numel * dtype.itemsize > file_size:  # don't allocate what the file can't hold
                raise RuntimeError(f"storage {key} claims {numel} elements, more than the file holds")
            storages[key] = np.empty(numel, dtype)  # filled in place once the object is built
        storage = storages[key]
        if view is None:
            return storage
        _, offset, n = view  # files before PyTorch 0.4 could hold views of a storage
        if not (0 <= offset and offset + n <= storage.size):
            raise RuntimeError(f"storage view {view!r} is out of range")
        return storage[offset:offset + n]

    obj = _Unpickler(fh, load_storage).load()
    for key in _Unpickler(fh).load():
        storage = storages[key]
        (numel,) = struct.unpack("<q", _read_exact(fh, 8))
        if numel != storage.size:
            raise RuntimeError(f"storage {key} has {numel} elements in the file, expected {storage.size}")
        _read_into(fh, storage.view(np.uint8))
        if sys.byteorder == "big":  # torch wrote these bytes little-endian whatever the machine
            storage.byteswap(inplace=True)
    return obj


def _read_exact(fh, n):
    data = fh.read(n)
    if len(data) != n:
        raise EOFError(f"the file ended {n - len(data)} bytes early")
    return data


@contextlib.contextmanager
def _opened(f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            yield fh
    elif getattr(f, "seekable", lambda: False)():
        yield f
    else:  # both formats need to seek
        yield io.BytesIO(f.read())


def load(f, map_location=None, weights_only=True, mmap=None):
    """Load an object saved by ember.save or torch.save (zip or legacy format) without running its code.

    Args:
        map_location: accepted for torch compatibility (a device string or object, a dict or a callable);
            ember loads every tensor onto the CPU.
        weights_only: ember treats False like True. torch's False means "unpickle anything", i.e. run any
            code the file names; ember's load stays a data reader, so a checkpoint that needs arbitrary
            classes fails loudly here instead of executing. Save state_dicts, not whole modules.
        mmap: memory-map the storages of a zip file given by path instead of reading them (copy-on-write).

    Raises:
        pickle.UnpicklingError: the file names a global off the allowlist (the message names it).
        RuntimeError: the file is truncated, corrupt, or not a checkpoint (the message names the file).
    """
    if not (map_location is None or isinstance(map_location, (str, bytes, dict)) or callable(map_location)
            or hasattr(map_location, "type")):
        raise TypeError(f"map_location should be a device, a string, a dict or a callable, "
                        f"not {map_location!r}")
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    if mmap and not isinstance(f, (str, os.PathLike)):
        raise ValueError("f must be a file path in order to use the mmap argument")
    with _opened(f) as fh:
        start = fh.tell()
        is_zip = fh.read(4) == b"PK\x03\x04"
        fh.seek(start)
        if mmap and not is_zip:
            raise RuntimeError(f"{name}: mmap can only be used with files in the zip format (torch >= 1.6)")
        try:
            return _load_zip(fh, name if mmap else None) if is_zip else _load_legacy(fh)
        except _Refused:
            raise
        except Exception as e:  # whatever broke, the caller gets no half-built object and learns which file
            raise RuntimeError(f"ember.load could not read {name!r}: {type(e).__name__}: {e}") from e
