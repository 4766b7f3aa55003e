"""ember serve MODEL: a model `ember train` wrote (or an .onnx file) behind HTTP, until SIGTERM or Ctrl-C."""
import contextlib
import signal
import sys


EXTRA = {"uvicorn", "starlette", "prometheus_client", "multipart", "python_multipart", "PIL"}  # ember[serve]


def add_arguments(p):
    p.add_argument("model", metavar="MODEL",
                   help="a folder `ember train` wrote (e.g. runs/ember-train), its best.pt, or an .onnx file")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--max-batch", type=int, default=32,
                   help="most samples in one batched forward pass (default: 32; 1 turns batching off)")
    p.add_argument("--max-wait-ms", type=float, default=2.0,
                   help="how long the first request of a batch waits for others (default: 2 ms)")
    p.add_argument("--max-body", type=int, default=1 << 20, help="largest request body in bytes (default: 1 MiB)")
    # one BLAS thread, as `ember train`: the batches are small and the event loop needs a core
    p.add_argument("--threads", type=int, default=1, help="BLAS threads for the model (default: 1)")


def check_arguments(parser, args):
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if args.max_batch < 1:
        parser.error("--max-batch must be at least 1")
    if not args.max_wait_ms >= 0:
        parser.error("--max-wait-ms must be non-negative")
    if args.max_body < 1:
        parser.error("--max-body must be positive")
    if args.threads < 1:
        parser.error("--threads must be at least 1")


def run(args):
    """Serve until SIGTERM or Ctrl-C; 0 after a clean shutdown, 2 when the model cannot be served."""
    try:
        import uvicorn
        from .app import create_app
    except ModuleNotFoundError as e:
        if e.name not in EXTRA:
            raise
        print(f"ember serve: error: {e.name} is missing: pip install 'ember[serve]'", file=sys.stderr)
        return 2
    import ember
    from .loading import ModelError, load_predictor
    ember.set_num_threads(args.threads)
    try:
        predictor = load_predictor(args.model)
    except ModelError as e:
        print(f"ember serve: error: {e}", file=sys.stderr)
        return 2
    app = create_app(predictor, args.max_batch, args.max_wait_ms, args.max_body)
    print(f"ember serve: {predictor.info.get('source', args.model)} ({predictor.info.get('format', '')}), "
          f"input {list(predictor.input_shape)}, {len(predictor.classes)} classes; "
          f"http://{args.host}:{args.port}/", flush=True)
    config = uvicorn.Config(app, host=args.host, port=args.port, access_log=False, log_level="info",
                            timeout_graceful_shutdown=30)
    server = _uvicorn_server(config)
    server.run()
    return 0 if server.started else 1


def _uvicorn_server(config):
    """uvicorn's server, without re-raising SIGTERM/SIGINT after its graceful shutdown.

    uvicorn finishes the requests in flight on SIGTERM or Ctrl-C, then raises the signal again so
    the process ends "killed by a signal". A deliberate stop is a success for ``ember serve``:
    ``run()`` returns, and the command exits with status 0.
    """
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server(config)
