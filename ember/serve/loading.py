"""Model loading for ``ember serve``: MODEL (a folder ``ember train`` wrote, its ``best.pt``, or an
``.onnx`` file) becomes a :class:`Predictor`, a function from inputs in the training data's units
to class probabilities, with the metadata the server shows.

This piece knows nothing of HTTP or batching: ``load_predictor(path)(x)`` works on its own.
"""
import json
import math
import os

import numpy as np


class ModelError(Exception):
    """A model that cannot be served, with a message for the user (never a traceback)."""


class Predictor:
    """A model ready to answer: ``predictor(x)`` maps a batch ``(N, *input_shape)`` in the units of
    the training data to class probabilities ``(N, len(classes))`` (float32).

    Args:
        forward: a function from a float32 batch of model inputs to the model's outputs (logits,
            or probabilities if the model ends in a softmax).
        input_shape: one sample's shape, e.g. ``(1, 8, 8)``.
        classes: class names, one per output.
        scale, mean, std: the model's preprocessing, ``(x / scale - mean[c]) / std[c]`` per
            channel c (what ``ember train`` did to its data; see ``ember.train.checkpoint_meta``).
        value_range: the range of the training data's units (``(0, 16)`` for digits); images
            (uploads, the drawing page) are mapped from 0-255 onto it.
    """

    def __init__(self, forward, input_shape, classes, scale=1.0, mean=(0.0,), std=(1.0,), value_range=(0.0, 1.0),
                 info=None):
        self.forward = forward
        self.input_shape = tuple(int(d) for d in input_shape)
        self.classes = [str(c) for c in classes]
        self.scale = float(scale)
        self.mean, self.std = [float(v) for v in np.ravel(mean)], [float(v) for v in np.ravel(std)]
        self.value_range = tuple(float(v) for v in value_range)
        self.info = dict(info or {})
        self.ends_in_softmax = None  # decided on the first call (the probe at load time), then fixed
        per_channel = (-1,) + (1,) * (len(self.input_shape) - 1)  # broadcast over a channel's pixels
        self._mean = np.asarray(self.mean, np.float32).reshape(per_channel)
        self._std = np.asarray(self.std, np.float32).reshape(per_channel)

    def preprocess(self, x):
        """Training-data units -> the model's input."""
        x = np.asarray(x, dtype=np.float32) / np.float32(self.scale)
        if self._mean.any() or (self._std != 1).any():
            x = (x - self._mean) / self._std
        return x

    def __call__(self, x):
        out = np.asarray(self.forward(self.preprocess(x)), dtype=np.float32)
        if out.ndim != 2 or out.shape[1] != len(self.classes):
            raise RuntimeError(f"the model returned shape {list(out.shape)}, expected [N, {len(self.classes)}]")
        if self.ends_in_softmax is None:
            # an exported model may already end in a softmax; a second one would flatten it. Decided
            # once, so that a sample's answer never depends on the batch it came in
            self.ends_in_softmax = _is_probabilities(out)
        return out if self.ends_in_softmax else softmax(out)

    def metadata(self):
        return {"input_shape": list(self.input_shape), "classes": self.classes,
                "value_range": list(self.value_range),
                "preprocessing": {"scale": self.scale, "mean": self.mean, "std": self.std}, **self.info}


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)  # subtract the row maximum: exp never overflows
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _is_probabilities(out):
    return bool(np.all(out >= 0) and np.all(out <= 1) and np.allclose(out.sum(axis=1), 1, atol=1e-4))


# ---------------------------------------------------------------- MODEL -> Predictor
def load_predictor(path):
    """A :class:`Predictor` for MODEL: a folder ``ember train`` wrote, a checkpoint, or an ``.onnx`` file."""
    if not os.path.exists(path):
        raise ModelError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        for name in ("best.pt", "model.onnx"):
            if os.path.isfile(os.path.join(path, name)):
                return load_predictor(os.path.join(path, name))
        raise ModelError(f"{path}: no best.pt or model.onnx in this folder (is it a folder `ember train --out` wrote?)")
    if path.endswith(".onnx"):
        return _from_onnx(path)
    return _from_checkpoint(path)


def _from_checkpoint(path):
    import ember
    from ember import train
    try:
        state = ember.load(path)
    except Exception as e:  # a truncated or foreign file: say so, no traceback
        raise ModelError(f"{path}: not a checkpoint ember can read ({type(e).__name__}: {e})") from None
    if not isinstance(state, dict):
        raise ModelError(f"{path}: expected the state_dict `ember train` saves, found {type(state).__name__}")
    meta = train.checkpoint_metadata(state)
    try:
        if meta is not None:
            model, meta = train.load_checkpoint_model(path)
        else:  # an older `ember train`, which saved the weights alone
            meta = _infer_meta(state, path)
            model = train.make_model(meta["arch"], tuple(meta["input_shape"]), len(meta["classes"]))
            model.load_state_dict(state)
            model.eval()
    except ModelError:
        raise
    except Exception as e:
        raise ModelError(f"{path}: cannot rebuild the model from this checkpoint ({type(e).__name__}: {e})") from None

    def forward(x):
        with ember.no_grad():
            return model(ember.from_numpy(x)).numpy()

    predictor = Predictor(forward, meta["input_shape"], meta["classes"], meta["scale"], meta["mean"], meta["std"],
                          meta["value_range"], info={"model": meta["arch"], "format": "ember checkpoint",
                                                     "source": os.path.abspath(path)})
    predictor.ends_in_softmax = False  # ember train's models end in a Linear layer: logits
    try:
        predictor(np.zeros((1, *predictor.input_shape), np.float32))  # fail now, not on the first request
    except Exception as e:
        raise ModelError(f"{path}: the model fails on an input of shape {[1, *predictor.input_shape]} "
                         f"({type(e).__name__}: {e})") from None
    return predictor


def _infer_meta(state, path):
    """What an older ``ember train`` did not store, from the weights' shapes: the architecture, the
    input shape, the classes; and the digits data's units (pixels 0-16, divided by 16)."""
    shapes = {k: tuple(v.shape) for k, v in state.items() if hasattr(v, "shape")}
    linear = [k for k in shapes if k.endswith(".weight") and len(shapes[k]) == 2]
    first = shapes.get("0.weight")
    if not linear:
        raise ModelError(f"{path}: no linear layer in these weights; not a model `ember train` wrote")
    if first is not None and len(first) == 4:  # the CNN: conv, ..., max-pool 2, linear(32 * H/2 * W/2)
        arch, c = "cnn", first[1]
        side = 2 * int(round(math.sqrt(shapes[linear[0]][1] / 32)))
    elif "1.weight" in shapes and len(shapes["1.weight"]) == 2:  # the MLP: flatten, linear(C * H * W)
        arch, c = "mlp", 1
        side = int(round(math.sqrt(shapes["1.weight"][1])))
    else:
        raise ModelError(f"{path}: cannot tell which `ember train` model these weights belong to")
    return {"arch": arch, "input_shape": [c, side, side],
            "classes": [str(i) for i in range(shapes[linear[-1]][0])],
            "scale": 16.0, "mean": [0.0] * c, "std": [1.0] * c, "value_range": [0.0, 16.0]}


def _from_onnx(path):
    try:
        import onnx
    except ImportError:
        raise ModelError("serving an .onnx file needs the onnx package: pip install 'ember[onnx]'") from None
    try:
        proto = onnx.load(path)
    except Exception as e:
        raise ModelError(f"{path}: not an ONNX model ({type(e).__name__}: {e})") from None
    inits = {i.name for i in proto.graph.initializer}
    inputs = [i for i in proto.graph.input if i.name not in inits]
    if len(inputs) != 1:
        raise ModelError(f"{path}: ember serve needs a model with one input, this one has {len(inputs)}")
    dims = inputs[0].type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(shape) < 2 or any(d is None for d in shape[1:]):
        raise ModelError(f"{path}: the input's shape {shape} is not (batch, fixed sizes...)")
    # `ember train` puts its checkpoint metadata (ember.train.checkpoint_meta) in the file as JSON
    props = {p.key: p.value for p in proto.metadata_props}
    try:
        meta = json.loads(props.get("ember_train", "{}"))
    except ValueError:
        meta = {}
    meta = meta or _meta_beside(path, shape[1:])
    outputs = proto.graph.output[0].type.tensor_type.shape.dim
    n_out = outputs[-1].dim_value if outputs and outputs[-1].HasField("dim_value") else None
    if "classes" not in meta and n_out is None:
        raise ModelError(f"{path}: cannot tell the number of classes from the output's shape")
    c = shape[1]
    errors = []
    for engine, make in (("ember", _ember_onnx), ("onnxruntime", _onnxruntime)):
        try:
            forward = _fixed_batch(make(path, inputs[0].name), shape[0])
            predictor = Predictor(forward, shape[1:], meta.get("classes", range(n_out or 0)), meta.get("scale", 1.0),
                                  meta.get("mean", [0.0] * c), meta.get("std", [1.0] * c),
                                  meta.get("value_range", (0.0, 1.0)),
                                  info={"model": meta.get("arch", os.path.basename(path)), "format": f"onnx ({engine})",
                                        "source": os.path.abspath(path)})
            predictor(np.zeros((1, *predictor.input_shape), np.float32))  # fail now, not on the first request
            return predictor
        except Exception as e:  # ember may lack an operator the file uses: try onnxruntime
            errors.append(f"{engine}: {type(e).__name__}: {e}")
    raise ModelError(f"{path}: cannot run this ONNX model ({'; '.join(errors)})")


def _meta_beside(path, input_shape):
    """The metadata of the best.pt ``ember train`` wrote beside this .onnx file (the same model),
    if its input shape matches; else nothing (the file's inputs are then taken as they are)."""
    ckpt = os.path.join(os.path.dirname(os.path.abspath(path)), "best.pt")
    if not os.path.isfile(ckpt):
        return {}
    try:
        from ember import train
        meta = train.checkpoint_metadata(ckpt) or {}
    except Exception:  # an unreadable neighbour: serve the file without it
        return {}
    return meta if list(meta.get("input_shape", [])) == list(input_shape) else {}


def _ember_onnx(path, input_name):
    """The file run by ember's own ops (ember.onnx.load)."""
    import ember
    from ember.onnx import load
    module = load(path).eval()

    def run(x):
        with ember.no_grad():
            out = module(ember.from_numpy(x))
        return (out[0] if isinstance(out, (tuple, list)) else out).numpy()
    return run


def _onnxruntime(path, input_name):
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {input_name: x})[0]


def _fixed_batch(run, batch_dim):
    """``run`` for any number of rows, when the file was exported with a fixed batch size."""
    if not isinstance(batch_dim, int) or batch_dim <= 0:
        return run

    def run_rows(x):
        n = len(x)
        pad = np.zeros((-n % batch_dim, *x.shape[1:]), x.dtype)  # fill the last call up to the fixed size
        x = np.concatenate([x, pad])
        return np.concatenate([run(x[i:i + batch_dim]) for i in range(0, len(x), batch_dim)])[:n]
    return run_rows
