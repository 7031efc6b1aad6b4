"""Command-line entry points of the API, wired into ``infraplan`` by the lead.

* ``serve(host, port)``: run the HTTP service (``infraplan serve``).
* ``keys_create(role, name)``: make an API key in the service's database and print
  it once (``infraplan keys create --role admin``): how the first admin key is made.

``python -m api [--host H] [--port P]`` and ``python -m api keys create --role R``
run the same functions.

Both open the configured database and bring its schema up to date first; a
database that cannot be opened (a missing folder, a read-only or full file, a
PostgreSQL server that does not answer) is one sentence (:class:`DatabaseUnavailable`),
not a traceback, and the server is not started.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from scheduler.errors import InfraplanError

if TYPE_CHECKING:
    from api.db import Database

__all__ = ["DatabaseUnavailable", "keys_create", "main", "open_database", "serve"]


class DatabaseUnavailable(InfraplanError):
    """The configured database cannot be opened or its schema not brought up to date."""


def open_database(url: str) -> Database:
    """Open the database at ``url`` and apply the migrations (no connection pool).

    Raises
    ------
    DatabaseUnavailable
        If it cannot be opened or written: the sentence names the URL (without its
        password) and the driver's reason, e.g. ``unable to open database file``.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from api.db import Database

    db = Database(url, pooled=False)
    try:
        db.migrate()
    except (DBAPIError, OSError) as exc:
        db.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        shown = make_url(url).render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"cannot open the database {shown}: {reason}") from exc
    return db


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API with uvicorn until interrupted (settings from ``INFRAPLAN_*``).

    Raises
    ------
    DatabaseUnavailable
        If the configured database cannot be opened (checked before the server starts).
    """
    import logging

    import uvicorn

    from api.config import get_settings
    from api.main import create_app

    open_database(get_settings().database_url).dispose()

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
    DatabaseUnavailable
        If the configured database cannot be opened or written.
    """
    from sqlalchemy.exc import OperationalError

    from api.config import get_settings
    from api.deps import issue_key

    url = get_settings().database_url
    db = open_database(url)
    try:
        with db.session() as s:
            row, key = issue_key(s, role, name)
            key_id = row.id
    except OperationalError as exc:  # locked past the busy timeout, or full
        raise DatabaseUnavailable(f"the key was not stored: {exc.orig}") from exc
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
    try:
        if args.command == "keys":
            keys_create(args.role, args.name)
            return 0
        serve(args.host, args.port)
    except DatabaseUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
