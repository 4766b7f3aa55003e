"""ONNX export and import, as ``torch.onnx``: ``export(model, args, f, ...)`` writes what a forward
pass executes (read from the tracing seam, ember/autograd/trace.py); ``load(path)`` runs an ONNX
file with ember ops. Both need the ``onnx`` extra: ``pip install 'ember[onnx]'``."""
from .exporter import (export, OnnxExporterError, UnsupportedOperatorError, TrainingMode,  # noqa: F401
                       OperatorExportTypes)
from .loader import load  # noqa: F401

__all__ = ["export", "load", "OnnxExporterError", "UnsupportedOperatorError", "TrainingMode",
           "OperatorExportTypes"]
