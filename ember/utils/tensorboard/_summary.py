"""Builders of the `Summary` protocol buffers that TensorBoard's plugins read: one function
per kind of data (scalar, histogram, image, text, hparams, PR curve), all from NumPy arrays."""
import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.hparams import metadata as hp_metadata
from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo
from tensorboard.plugins.pr_curve import metadata as pr_metadata
from tensorboard.plugins.text import metadata as text_metadata

from ..._tensor import Tensor
from ._convert import convert_to_HWC, encode_png, make_np, to_uint8


def scalar(tag, value, new_style=False, double_precision=False):
    """One number: in the legacy ``simple_value`` field, or (new_style) as a scalars-plugin tensor."""
    x = make_np(value).squeeze()
    if x.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{x.size} and {x.ndim} dimensions.")
    x = float(x)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=x)])
    t = (TensorProto(double_val=[x], dtype="DT_DOUBLE") if double_precision
         else TensorProto(float_val=[x], dtype="DT_FLOAT"))
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=t, metadata=meta)])


def tensorflow_bins():
    """TensorFlow's default histogram edges: 0 and +-1e-12 * 1.1**k up to 1e20."""
    v, pos = 1e-12, []
    while v < 1e20:
        pos.append(v)
        v *= 1.1  # repeated multiplication (not 1.1**k) gives torch's edges bit for bit
    return [-v for v in reversed(pos)] + [0] + pos


def histogram(tag, values, bins, max_bins=None):
    """A histogram of ``values`` over NumPy's ``bins`` (edges, a count or a rule like 'auto')."""
    x = make_np(values).astype(float).reshape(-1)
    if x.size == 0:
        raise ValueError("The input has no element.")
    counts, limits = np.histogram(x, bins=bins)
    if max_bins is not None and len(counts) > max_bins:  # merge neighbouring bins
        k = len(counts) // max_bins
        counts = np.pad(counts, (0, -len(counts) % k)).reshape(-1, k).sum(1)
        limits = np.append(limits[:-1:k], limits[-1])
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    start, end = nonzero[0], nonzero[-1] + 1
    # TensorBoard keeps only right edges, so one empty bucket on the left keeps the leftmost edge
    counts = np.concatenate([[0], counts[:end]]) if start == 0 else counts[start - 1:end]
    limits = limits[start:end + 1]
    hist = HistogramProto(min=x.min(), max=x.max(), num=len(x), sum=x.sum(), sum_squares=x.dot(x),
                          bucket_limit=limits.tolist(), bucket=counts.tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram whose statistics and buckets the caller computed."""
    hist = HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                          bucket_limit=make_np(bucket_limits).tolist(), bucket=make_np(bucket_counts).tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def image(tag, img, dataformats="CHW"):
    """An image (or a grid of a batch) as a PNG."""
    x = to_uint8(convert_to_HWC(make_np(img), dataformats))
    h, w, c = x.shape
    pb = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(x))
    return Summary(value=[Summary.Value(tag=tag, image=pb)])


def text(tag, string):
    """A (Markdown) string for the text plugin, under ``<tag>/text_summary`` as torch writes it."""
    t = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf_8")],
                    tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    meta = text_metadata.create_summary_metadata(display_name=None, description=None)
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=t)])


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    """Precision-recall data at ``num_thresholds`` evenly spaced thresholds, as the PR-curve plugin reads it."""
    num_thresholds = min(num_thresholds, 127)  # torch's limit too
    labels, predictions = make_np(labels), make_np(predictions)
    weights = 1.0 if weights is None else make_np(weights)
    bucket = np.floor(predictions * (num_thresholds - 1)).astype(np.int32)
    pos = labels.astype(np.float64)
    tp_b, _ = np.histogram(bucket, bins=num_thresholds, range=(0, num_thresholds - 1), weights=pos * weights)
    fp_b, _ = np.histogram(bucket, bins=num_thresholds, range=(0, num_thresholds - 1), weights=(1 - pos) * weights)
    tp, fp = np.cumsum(tp_b[::-1])[::-1], np.cumsum(fp_b[::-1])[::-1]  # counts at or above each threshold
    tn, fn = fp[0] - fp, tp[0] - tp
    # a tiny floor keeps 0/0 at 0 where no prediction passes a threshold
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    data = np.stack((tp, fp, tn, fn, precision, recall))
    t = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                    tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in data.shape]))
    meta = pr_metadata.create_summary_metadata(display_name=tag, description="", num_thresholds=num_thresholds)
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=t)])


# (python type, field of struct_pb2.Value, hparams DataType); bool before int: bool is an int
_HPARAM_TYPES = ((bool, "bool_value", "DATA_TYPE_BOOL"), (str, "string_value", "DATA_TYPE_STRING"),
                 ((int, float), "number_value", "DATA_TYPE_FLOAT64"))


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries: experiment, session start info, session end info."""
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")
    ssi, infos = SessionStartInfo(), []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, (Tensor, np.ndarray, np.generic)):
            v = float(make_np(v).reshape(-1)[0])
        for types, field, dtype in _HPARAM_TYPES:
            if isinstance(v, types):
                break
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(ssi.hparams[k], field, v)
        domain = None
        if k in domains:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in domains[k]])
        infos.append(HParamInfo(name=k, type=DataType.Value(dtype), domain_discrete=domain))
    exp = Experiment(hparam_infos=infos, metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    sei = SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))
    return tuple(
        Summary(value=[Summary.Value(tag=tag, metadata=hp_metadata.create_summary_metadata(data))])
        for tag, data in ((hp_metadata.EXPERIMENT_TAG, HParamsPluginData(experiment=exp)),
                          (hp_metadata.SESSION_START_INFO_TAG, HParamsPluginData(session_start_info=ssi)),
                          (hp_metadata.SESSION_END_INFO_TAG, HParamsPluginData(session_end_info=sei))))
