"""``ember serve``: a trained model behind HTTP, with dynamic batching, Prometheus metrics, clear
errors and a page to draw on (the ``serve`` extra: Starlette, uvicorn, prometheus_client, Pillow).

Three small pieces, each usable alone:
- ``loading.py``: MODEL (a folder ``ember train`` wrote, its ``best.pt``, an ``.onnx`` file) -> a
  :class:`Predictor` from training-data units to class probabilities;
- ``batching.py``: :class:`Batcher`, requests arriving together run as one forward pass;
- ``app.py`` (with ``inputs.py`` and ``page.py``): the Starlette app and its endpoints.
``server.py`` is the command: arguments, uvicorn, shutdown on SIGTERM.
"""
import importlib

# what each public name is loaded from, on first use: `ember serve`'s command line (server.py)
# stays quick to import, and Starlette is needed only by create_app
_NAMES = {"Batcher": "batching", "ModelError": "loading", "Predictor": "loading", "load_predictor": "loading"}


def __getattr__(name):
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def create_app(predictor, max_batch=32, max_wait_ms=2.0, max_body=1 << 20):
    """The Starlette app serving ``predictor`` (see :func:`ember.serve.app.create_app`)."""
    try:
        from .app import create_app as create
    except ModuleNotFoundError as e:
        raise ImportError(f"ember.serve needs {e.name}: pip install 'ember[serve]'") from None
    return create(predictor, max_batch, max_wait_ms, max_body)


__all__ = ["Batcher", "ModelError", "Predictor", "create_app", "load_predictor"]
