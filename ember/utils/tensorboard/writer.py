"""`SummaryWriter`: torch.utils.tensorboard's writer for ember, on the tensorboard package.

Each ``add_*`` method turns its data into a `Summary` protocol buffer (``_summary.py``) and
hands it to a `FileWriter`, which wraps it in an `Event` and queues it for tensorboard's own
`EventFileWriter`, which appends it to ``<log_dir>/events.out.tfevents.*`` from a thread.
"""
import os
import socket
import time
from datetime import datetime

try:
    from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
except ImportError as e:  # tensorboard is an optional extra, not a dependency of ember
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: "
                      "pip install 'ember[tensorboard]' (or pip install tensorboard)") from e

from . import _embedding, _graph, _summary
from ._convert import figure_to_image, make_np

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes `Event` protocol buffers to one event file in ``log_dir``, asynchronously."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)  # protobuf refuses NumPy integers and 0-d tensors
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        graph, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph.SerializeToString()), None, walltime)
        trm = TaggedRunMetadata(tag="step1", run_metadata=run_metadata.SerializeToString())
        self.add_event(Event(tagged_run_metadata=trm), None, walltime)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


class SummaryWriter:
    """Writes scalars, histograms, images, text, graphs, hyperparameters and embeddings to
    event files in ``log_dir`` for TensorBoard; as torch.utils.tensorboard.SummaryWriter.

    Args:
        log_dir: default ``runs/<date>_<time>_<hostname><comment>``.
        comment: appended to the default log_dir (ignored when log_dir is given).
        purge_step: when a crashed run restarts at this step, hide its events from this step on.
        max_queue: events queued before an ``add_*`` call forces a flush.
        flush_secs: how often the queue is flushed to disk.
        filename_suffix: appended to the event file names.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        self.default_bins = _summary.tensorflow_bins()

    def _get_file_writer(self):
        """The writer of ``log_dir``; made again if the SummaryWriter was closed."""
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                # a START at purge_step tells TensorBoard to drop older events from that step on
                self.file_writer.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory the event files are written to."""
        return self.log_dir

    def _add(self, summary, global_step=None, walltime=None):
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ------------------------------------------------------------------ numbers
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number (a float, a one-element tensor or array) under ``tag``."""
        self._add(_summary.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers in one chart: each key is its own run, ``<log_dir>/<main_tag>_<key>``."""
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            path = root + "/" + main_tag.replace("/", "_") + "_" + tag
            if path not in self.all_writers:
                self.all_writers[path] = FileWriter(path, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers[path].add_summary(_summary.scalar(main_tag, value), global_step, walltime)

    def add_tensor(self, tag, tensor, global_step=None, walltime=None):
        """Log a whole tensor (the tensor plugin's data)."""
        from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboard.util.tensor_util import make_tensor_proto
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="tensor"))
        value = Summary.Value(tag=tag, metadata=meta, tensor=make_tensor_proto(make_np(tensor)))
        self._add(Summary(value=[value]), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """Log the distribution of ``values``; ``bins`` is 'tensorflow' or anything np.histogram takes."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._add(_summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,
                          global_step=None, walltime=None):
        """Log a histogram computed elsewhere (right edges and counts of its buckets)."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._add(_summary.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts),
                  global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        """Log a precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        self._add(_summary.pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime)

    # ------------------------------------------------------------------ images and text
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Log an image: float values in [0, 1] or uint8 in [0, 255]; ``dataformats`` 'CHW', 'HWC', 'HW'."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Log a batch of images as one grid image, eight to a row."""
        self._add(_summary.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them) as an image; needs matplotlib."""
        fmt = "NCHW" if isinstance(figure, list) else "CHW"
        self.add_image(tag, figure_to_image(figure, close), global_step, walltime, dataformats=fmt)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a string (rendered as Markdown)."""
        self._add(_summary.text(tag, text_string), global_step, walltime)

    # ------------------------------------------------------------------ models and experiments
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Run ``model(*input_to_model)`` once and log the graph its autograd recorded.

        Args:
            model: an ember Module, or any callable (``named_parameters()`` names its parameters).
            use_strict_trace: accepted for torch's signature; ember has no tracer to configure.
        """
        self._get_file_writer().add_graph(_graph.graph(model, input_to_model, verbose))

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one trial's hyperparameters and its final metrics in a sub-run ``<log_dir>/<run_name>``."""
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        summaries = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        with SummaryWriter(log_dir=logdir) as w:
            for s in summaries:
                w.file_writer.add_summary(s, global_step)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Log an (N, D) matrix for the projector, with optional labels and (N, C, H, W) thumbnails."""
        from google.protobuf import text_format
        from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
        mat = make_np(mat)
        global_step = 0 if global_step is None else global_step
        subdir = f"{str(global_step).zfill(5)}/{_escape(tag)}"
        root = self._get_file_writer().get_logdir()
        path = os.path.join(root, subdir)
        if os.path.isdir(path):
            print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
        elif os.path.exists(path):
            raise NotADirectoryError(f"Path: `{path}` exists, but is a file. Cannot proceed.")
        else:
            os.makedirs(path)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")
            _embedding.write_metadata(metadata, path, metadata_header)
        if label_img is not None:
            label_img = make_np(label_img)
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError("#images should equal with #data points")
            _embedding.write_sprite(label_img, path)
        if mat.ndim != 2:
            raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
        _embedding.write_tsv(mat, path)
        # the config lists every embedding logged so far; the file is rewritten whole each time
        if not hasattr(self, "_projector_config"):
            self._projector_config = ProjectorConfig()
        self._projector_config.embeddings.append(
            _embedding.embedding_info(tag, global_step, subdir, metadata is not None, label_img))
        with open(os.path.join(root, "projector_config.pbtxt"), "wb") as f:
            f.write(text_format.MessageToString(self._projector_config).encode())

    # ------------------------------------------------------------------ lifetime
    def flush(self):
        """Write every queued event to disk."""
        for w in (self.all_writers or {}).values():
            w.flush()

    def close(self):
        """Flush and close the event files; a later ``add_*`` opens new ones."""
        for w in (self.all_writers or {}).values():
            w.flush()
            w.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()


def _escape(tag):
    """A tag made safe as one folder name: '%', '/' and '\\' become %xx escapes."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")
