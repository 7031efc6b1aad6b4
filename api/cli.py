"""Command-line entry points of the API, wired into ``infraplan`` by the lead.

* ``serve(host, port)``: run the HTTP service (``infraplan serve``).
* ``keys_create(role, name)``: make an API key in the service's database and print
  it once (``infraplan keys create --role admin``): how the first admin key is made.

``python -m api [--host H] [--port P]`` and ``python -m api keys create --role R``
run the same functions.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["keys_create", "main", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API with uvicorn until interrupted (settings from ``INFRAPLAN_*``)."""
    import logging

    import uvicorn

    from api.main import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


def keys_create(role: str, name: str = "") -> str:
    """Create an API key of ``role`` in the configured database; print it once; return it.

    Applies the migrations first, so it works on a new database.

    Raises
    ------
    ValueError
        If ``role`` is not planner, ministry or admin.
    """
    from api.config import get_settings
    from api.db import Database
    from api.deps import issue_key

    db = Database(get_settings().database_url, pooled=False)
    try:
        db.migrate()
        with db.session() as s:
            row, key = issue_key(s, role, name)
            key_id = row.id
    finally:
        db.dispose()
    print(key)
    print(f"(key {key_id}, role {role}; it is shown only this once)", file=sys.stderr)
    return key


def main(argv: list[str] | None = None) -> int:
    """``python -m api``: serve, or ``keys create``."""
    parser = argparse.ArgumentParser(prog="python -m api", description="infraplan HTTP API")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the API (default)")
    keys = sub.add_parser("keys", help="API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--role", required=True, choices=["planner", "ministry", "admin"])
    create.add_argument("--name", default="")
    args = parser.parse_args(argv)
    if args.command == "keys":
        keys_create(args.role, args.name)
        return 0
    serve(args.host, args.port)
    return 0
