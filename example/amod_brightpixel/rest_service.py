"""REST service of this module: ``python rest_service.py --help`` (http://localhost:5000/api)."""

from pathlib import Path

from rest import serve_main

if __name__ == "__main__":
    raise SystemExit(serve_main(default_target=Path(__file__).resolve().parent))
