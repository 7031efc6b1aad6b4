"""The ``infraplan`` console script: the planner's commands plus the service and benchmarks.

:mod:`scheduler.cli` holds ``plan``, ``template``, ``convert`` and ``export`` and knows
nothing of the HTTP service or the benchmarks; this module adds, as
:class:`scheduler.cli.Command`:

* ``serve [--host H] [--port P]``: the HTTP API (:func:`api.cli.serve`);
* ``keys create --role R [--name N]``: an API key, printed once (:func:`api.cli.keys_create`);
* ``bench psplib|scale|risk ...``: the benchmarks (:func:`benchmarks.main`).

Exit codes are those of :func:`scheduler.cli.main` (0 ok, 1 infeasible, 2 bad input or
arguments, 3 no plan found within the time limit).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from scheduler.cli import Command
from scheduler.cli import main as _planner_main

__all__ = ["COMMANDS", "main"]


def _port(text: str) -> int:
    """argparse type: a TCP port from 1 to 65535."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(
            f"the port must be a whole number from 1 to 65535, not {text!r}"
        )
    return int(text)


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port, 1-65535 (default 8000)")


def _serve(args: argparse.Namespace) -> int:
    from api.cli import serve

    serve(args.host, args.port)
    return 0


def _keys_arguments(p: argparse.ArgumentParser) -> None:
    ks_sub = p.add_subparsers(dest="keys_command", required=True)
    kc = ks_sub.add_parser("create", help="create an API key and print it once")
    kc.add_argument(
        "--role",
        required=True,
        choices=["planner", "ministry", "admin"],
        help="planner: upload and solve; ministry: read; admin: everything",
    )
    kc.add_argument("--name", default="", help="who the key is for (shown in the versions)")


def _keys(args: argparse.Namespace) -> int:
    from api.cli import keys_create

    keys_create(args.role, args.name)  # prints the key once
    return 0


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "args", nargs=argparse.REMAINDER, help="psplib | scale | risk, and their options"
    )


def _bench(args: argparse.Namespace) -> int:
    from benchmarks import main as bench_main

    return int(bench_main(args.args))


#: The commands this composition root adds after the planner's own, in help order.
COMMANDS: tuple[Command, ...] = (
    Command("serve", "start the HTTP API", _serve_arguments, _serve),
    Command("keys", "manage API keys", _keys_arguments, _keys),
    Command("bench", "benchmarks (PSPLIB, national scale, risk)", _bench_arguments, _bench),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``infraplan``; returns the process exit code.

    Parameters
    ----------
    argv
        Arguments after the program name (``None``: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 a plan was found or the command succeeded, 1 the plan is proven infeasible,
        2 the input or the arguments are invalid (argparse exits 2 itself on bad
        arguments), 3 no plan was found within the time limit (status ``unknown``).
    """
    return _planner_main(argv, extra=COMMANDS)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
