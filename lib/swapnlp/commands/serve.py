"""`swapnlp serve --archive-path runs/boe/model.tar.gz`: the demo page and JSON API of a trained model."""

from __future__ import annotations

import argparse

from swapnlp.commands.options import add_autocast, add_include_package


def add_subparser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("serve", help="serve a trained model: a demo web page and a JSON API",
                                   description="Serve an archived model on a demo page (GET /) and a JSON API "
                                               "(POST /predict, POST /predict_batch, GET /api/schema, GET /health; "
                                               "reference at /docs). Stop it with Ctrl+C.")
    parser.add_argument("--archive-path", required=True, help="model.tar.gz written by `swapnlp train`")
    parser.add_argument("--predictor", help="a registered predictor name (default: the model's own)")
    parser.add_argument("--field-name", action="append", default=[], metavar="NAME",
                        help="a request field the page shows (repeatable; default: the predictor's fields)")
    parser.add_argument("--static-dir", help="serve this folder's index.html and files instead of the built-in page")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to "
                             "your network, with no authentication)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--title", help="the page's title (default: Swappable NLP demo)")
    parser.add_argument("--cuda-device", type=int, default=-1, help="-1 = CPU (default), N = GPU N")
    limits = parser.add_argument_group("connection limits (against careless or hostile clients)")
    limits.add_argument("--limit-concurrency", type=int, default=128, metavar="N",
                        help="connections and requests served at once; more are answered 503 (default 128)")
    limits.add_argument("--timeout-keep-alive", type=int, default=5, metavar="S",
                        help="close a connection idle this many seconds after a response (default 5)")
    limits.add_argument("--request-timeout", type=float, default=15.0, metavar="S",
                        help="close a connection that takes longer than this to send a request's headers, and "
                             "answer 408 to a body that takes longer (default 15)")
    add_autocast(parser)
    add_include_package(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import gc

    from swapnlp.common.errors import ConfigurationError
    from swapnlp.serving import connections
    from swapnlp.serving.app import create_app_from_archive
    from swapnlp.serving.validation import Limits
    from swapnlp.nn.devices import resolve_device

    resolve_device(args.cuda_device, where="--cuda-device")  # a missing GPU: one clear line, before loading
    options = connections.ServerOptions(args.limit_concurrency, args.timeout_keep_alive, args.request_timeout)
    if not 0 <= args.port <= 65535:
        raise ConfigurationError(f"--port {args.port}: a port is a number from 1 to 65535 (0 picks a free one).")
    app = create_app_from_archive(args.archive_path, args.predictor, cuda_device=args.cuda_device,
                                  autocast=args.autocast, limits=Limits(body_timeout_s=args.request_timeout),
                                  field_names=args.field_name or None, static_dir=args.static_dir, title=args.title)
    # Everything loaded so far (torch, the model, the vocabulary) lives as long as the server: move it out of
    # the garbage collector's sight. Full collections then stop re-scanning it while requests allocate
    # tokens, which doubles prediction throughput on long reviews (benchmarks/README.md, "Demo server").
    gc.collect()
    gc.freeze()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {args.host}: other machines can reach this server, and it has no authentication.")
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
    with connections.bind_socket(args.host, args.port) as sock:  # a taken port: one clear line
        port = sock.getsockname()[1]  # the real one, also with --port 0
        print(f"serving {args.archive_path} on http://{shown_host}:{port}/ (API reference: /docs). "
              f"Ctrl+C to stop.", flush=True)
        connections.run_server(app, sock, options)
    return 0
