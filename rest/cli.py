"""The ``serve`` command: ``amodule serve TARGET``, ``python -m rest TARGET`` and a module's
own ``rest_service.py`` (``serve_main(default_target=...)``) share these options."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .config import DEFAULT_CACHE_SIZE, DEFAULT_MAX_REQUEST_MB, DEFAULT_WORKER_TIMEOUT

__all__ = ["configure_serve", "run_serve", "serve_main", "build_serve_parser"]

DESCRIPTION = "Serve an analytics module's methods over HTTP (REST API at /api)"


def _port(text: str) -> int:
    value = _integer(text, "a port")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 1 to 65535 (got {text!r})")
    return value


def _int_from(minimum: int, what: str, bound: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``what`` that is at least ``minimum``."""

    def convert(text: str) -> int:
        value = _integer(text, what)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {bound} (got {text!r})")
        return value

    return convert


def _positive_float(unit: str) -> Callable[[str], float]:
    """An argparse type: a finite number of ``unit`` above 0."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number of {unit} (got {text!r})") from None
        if not 0 < value < float("inf"):  # also refuses nan
            raise argparse.ArgumentTypeError(f"must be a number of {unit} above 0 (got {text!r})")
        return value

    return convert


_positive_int = _int_from(1, "a count", "1 or more")
_non_negative_int = _int_from(0, "a count", "0 or more")
_whole_seconds = _int_from(1, "a number of seconds", "1 second or more")
_megabytes = _positive_float("megabytes")
_seconds = _positive_float("seconds")


def _folder(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {text!r}")
    return path.resolve()


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, a whole number (got {text!r})") from None


def configure_serve(parser: argparse.ArgumentParser, *, default_target: str | None = None) -> None:
    """Add the serve options to ``parser`` (TARGET is optional when ``default_target`` is set)."""
    if default_target is None:
        parser.add_argument(
            "target", metavar="TARGET",
            help="Module folder (with module.py and specification.py) or importable package name",
        )
    else:
        parser.add_argument(
            "target", metavar="TARGET", nargs="?", default=default_target,
            help=f"Module folder or importable package name (default: {default_target})",
        )
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=_port, default=5000, help="Port to listen on (default: 5000)")
    parser.add_argument("--threaded", action="store_true",
                        help="Handle requests in threads (default: one request at a time per process)")
    parser.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                        help="Run N worker processes under gunicorn (default: 1, Flask's own server)")
    parser.add_argument("--timeout", type=_whole_seconds, default=DEFAULT_WORKER_TIMEOUT, metavar="SECONDS",
                        help=f"With --workers: restart a worker busy with one request for longer than "
                             f"this (default: {DEFAULT_WORKER_TIMEOUT})")
    parser.add_argument("--file-root", dest="file_roots", type=_folder, action="append", default=[],
                        metavar="DIR",
                        help="Allow file:// URLs for files inside DIR (repeat for several folders; "
                             "default: file:// refused)")
    parser.add_argument("--allow-private-urls", action="store_true",
                        help="Fetch http(s) URLs on loopback, private and link-local addresses "
                             "(default: refused)")
    parser.add_argument("--max-request-mb", type=_megabytes, default=DEFAULT_MAX_REQUEST_MB, metavar="N",
                        help=f"Largest request body, query string and download in megabytes "
                             f"(default: {DEFAULT_MAX_REQUEST_MB:g})")
    parser.add_argument("--cache", dest="cache_size", type=_non_negative_int, default=DEFAULT_CACHE_SIZE,
                        metavar="N",
                        help=f"Results kept per process in the result cache (default: {DEFAULT_CACHE_SIZE}; "
                             f"0 disables it)")
    parser.add_argument("--fetch-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="Longest time one http(s) URL input may take to download (default: 10)")
    parser.add_argument("--trusted-proxies", type=_non_negative_int, default=0, metavar="N",
                        help="Number of reverse proxies in front whose X-Forwarded-* headers are "
                             "trusted (default: 0, ignored)")
    parser.add_argument("--debug", action="store_true",
                        help="Include tracebacks in 500 answers (never enables an interactive debugger)")


def run_serve(args: argparse.Namespace) -> int:
    """Create the app (failing fast on a broken module) and serve it; the exit status."""
    from amodule_core.errors import AModuleError

    from .app import create_app
    from .config import RestConfig
    from .server import serve_gunicorn, serve_werkzeug

    prog = getattr(args, "prog", None) or "amodule serve"
    try:
        config = RestConfig(
            file_roots=tuple(args.file_roots),
            allow_private_urls=args.allow_private_urls,
            max_request_mb=args.max_request_mb,
            cache_size=args.cache_size,
            debug=args.debug,
            trusted_proxies=args.trusted_proxies,
            fetch_timeout=args.fetch_timeout,
        )
        app = create_app(args.target, config)
    except (AModuleError, ValueError) as exc:
        print(f"{prog}: {args.target}: {exc}", file=sys.stderr)
        return 1
    service = app.extensions["amodule"]
    methods = ", ".join(service.methods) or "none"
    print(f"{prog}: serving {service.name!r} (methods: {methods}) on "
          f"http://{_url_host(args.host)}:{args.port}/api", file=sys.stderr, flush=True)
    if args.workers > 1:
        try:
            return serve_gunicorn(app, args.host, args.port, workers=args.workers, threaded=args.threaded,
                                  timeout=args.timeout)
        except ImportError:
            print(f"{prog}: --workers needs gunicorn: pip install 'amodule[serve]'", file=sys.stderr)
            return 1
    serve_werkzeug(app, args.host, args.port, threaded=args.threaded)
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def build_serve_parser(prog: str | None = None, default_target: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``python -m rest`` and ``rest_service.py``."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    configure_serve(parser, default_target=default_target)
    return parser


def serve_main(
    argv: Sequence[str] | None = None,
    default_target: str | os.PathLike[str] | None = None,
    *,
    prog: str | None = None,
) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and serve; the exit status.

    ``default_target`` makes TARGET optional (a module's own folder); ``prog`` names the
    command in messages (default: the script's name).

    A module's ``rest_service.py`` is::

        from pathlib import Path
        from rest import serve_main

        if __name__ == "__main__":
            raise SystemExit(serve_main(default_target=Path(__file__).parent))
    """
    default = os.fspath(default_target) if default_target is not None else None
    parser = build_serve_parser(prog, default)
    args = parser.parse_args(argv)
    args.prog = parser.prog
    return run_serve(args)
