"""Request handling for ``ember serve``: the Starlette app, its endpoints and metrics.

``create_app(predictor)`` needs only something callable with ``input_shape``, ``classes``,
``value_range`` and ``metadata()`` (a :class:`~ember.serve.loading.Predictor`, or a stand-in in a
test); the batching is :class:`~ember.serve.batching.Batcher`.
"""
import contextlib
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .batching import Batcher
from .inputs import BadInput, from_image, from_json
from .page import PAGE

MiB = 1 << 20


class Metrics:
    """The server's Prometheus metrics, in a registry of its own (two apps in one process, as in
    the tests and the benchmark, do not collide in the global one)."""

    def __init__(self, max_batch):
        self.registry = CollectorRegistry()
        self.requests = Counter("ember_serve_requests", "HTTP requests by endpoint and status code",
                                ["endpoint", "status"], registry=self.registry)
        self.latency = Histogram("ember_serve_request_duration_seconds", "Time to answer a request",
                                 ["endpoint"], registry=self.registry,
                                 buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
        sizes = [1]
        while sizes[-1] < max_batch:
            sizes.append(min(2 * sizes[-1], max_batch))
        self.batch_size = Histogram("ember_serve_batch_size", "Samples per forward pass of the model",
                                    registry=self.registry, buckets=sizes)


def create_app(predictor, max_batch=32, max_wait_ms=2.0, max_body=MiB):
    """The ASGI app serving ``predictor``: /, /health, /metadata, /predict, /metrics."""
    metrics = Metrics(max_batch)
    batcher = Batcher(predictor, max_batch, max_wait_ms, on_batch=metrics.batch_size.observe)
    settings = {"max_batch": max_batch, "max_wait_ms": max_wait_ms, "max_body": max_body}

    def observed(endpoint, handler):
        async def endpoint_fn(request):
            start = time.perf_counter()
            try:
                response = await handler(request)
            except ClientDisconnect:  # gone before its body arrived: nobody to answer (nginx's 499)
                response = Response(status_code=499)
            except Exception as e:  # a bug, not the client's fault; the server goes on
                response = JSONResponse({"error": f"internal error: {type(e).__name__}: {e}"}, 500)
            metrics.requests.labels(endpoint, str(response.status_code)).inc()
            metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
            return response
        return endpoint_fn

    async def page(request):
        return HTMLResponse(PAGE)

    async def health(request):
        return JSONResponse({"status": "ok"})

    async def metadata(request):
        return JSONResponse({**predictor.metadata(), **settings})

    async def predict(request):
        try:
            x = await read_inputs(request, predictor, max_body)
        except BadInput as e:
            return JSONResponse({"error": str(e)}, e.status)
        probabilities = await batcher(x)
        predictions = probabilities.argmax(axis=1)
        return JSONResponse({"predictions": predictions.tolist(),
                             "labels": [predictor.classes[i] for i in predictions],
                             "probabilities": probabilities.tolist()})

    async def prometheus(request):
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await batcher.start()
        try:
            yield
        finally:  # uvicorn has finished the requests in flight by now
            await batcher.stop()

    app = Starlette(routes=[
        Route("/", observed("/", page)),
        Route("/health", observed("/health", health)),
        Route("/metadata", observed("/metadata", metadata)),
        Route("/predict", observed("/predict", predict), methods=["POST"]),
        Route("/metrics", observed("/metrics", prometheus)),
    ], lifespan=lifespan)
    app.state.predictor, app.state.metrics, app.state.batcher = predictor, metrics, batcher
    return app


JSON_TYPES = ("application/json",)


async def read_inputs(request, predictor, max_body):
    """The request's body as a batch of inputs: JSON, an image, or a multipart upload of one."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (media in JSON_TYPES or media.endswith("+json") or media.startswith("image/")
            or media == "multipart/form-data"):
        raise BadInput(f"unsupported content type {media or '(none)'!r}: send application/json "
                       f"{{\"inputs\": ...}}, an image (image/png, image/jpeg) or multipart/form-data with "
                       f"an image file", 415)
    invert = _flag(request.query_params.get("invert"))
    body = await read_body(request, max_body)
    if media.startswith("image/"):
        return from_image(body, predictor.input_shape, predictor.value_range, invert)
    if media == "multipart/form-data":
        return await _from_multipart(request, body, predictor, invert)
    return from_json(body, predictor.input_shape)


def _flag(value):
    if value is None or value.lower() == "auto":
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise BadInput(f"invert={value!r}: use true, false or auto")


async def read_body(request, limit):
    """The body, refusing (413) as soon as it is known to be larger than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadInput(f"the body is {int(declared)} bytes; the limit is {limit} (ember serve --max-body)", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadInput(f"the body is over {limit} bytes, the limit (ember serve --max-body)", 413)
        chunks.append(chunk)
    return b"".join(chunks)


async def _from_multipart(request, body, predictor, invert):
    async def replay():  # hand the already-read (size-checked) body to Starlette's form parser
        return {"type": "http.request", "body": body, "more_body": False}
    try:
        form = await Request(request.scope, replay).form()
    except Exception as e:
        raise BadInput(f"the multipart body cannot be parsed ({type(e).__name__}: {e})") from None
    try:
        for value in form.values():
            if hasattr(value, "read"):
                return from_image(await value.read(), predictor.input_shape, predictor.value_range, invert)
    finally:
        await form.close()
    raise BadInput("the multipart body has no file; upload the image as a file field (e.g. -F file=@digit.png)")
