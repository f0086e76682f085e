"""Serve this module over HTTP: ``python rest_service.py [--port N] ...`` (``--help`` lists the options)."""

from pathlib import Path

from rest import serve_main

if __name__ == "__main__":
    raise SystemExit(serve_main(default_target=Path(__file__).resolve().parent))
