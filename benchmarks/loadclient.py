"""A small HTTP load client: threads sending a fixed number of requests, bounded in time.

Run as a script (its own process, so it does not share a GIL with the measuring process)::

    python loadclient.py URL --requests 2000 --threads 4 [--body FILE --content-type TYPE] [--seconds 60]

Prints one JSON line: ``{"requests", "seconds", "errors", "rps"}``. Used when ``wrk`` is not
installed; each request opens its own connection (gunicorn's sync workers close it anyway).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Send the requests and print the figures."""
    parser = argparse.ArgumentParser(description="Fixed-count HTTP load client")
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--body", default=None, help="File whose bytes are POSTed (GET without it)")
    parser.add_argument("--content-type", default="application/json")
    parser.add_argument("--seconds", type=float, default=120.0, help="Stop after this long")
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    body = open(args.body, "rb").read() if args.body else None
    headers = {"Content-Type": args.content_type} if body is not None else {}
    lock = threading.Lock()
    state = {"left": args.requests, "done": 0, "errors": 0}
    deadline = time.perf_counter() + args.seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if state["left"] <= 0:
                    return
                state["left"] -= 1
            ok = False
            try:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                connection.request("POST" if body is not None else "GET", target, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                connection.close()
            except OSError:
                ok = False
            with lock:
                state["done"] += 1
                state["errors"] += not ok

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    print(json.dumps({"requests": state["done"], "seconds": seconds, "errors": state["errors"],
                      "rps": state["done"] / seconds if seconds else 0.0}))


if __name__ == "__main__":
    main()
