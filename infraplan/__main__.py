"""``python -m infraplan ...`` runs the ``infraplan`` console script."""

from infraplan.cli import main

if __name__ == "__main__":  # worker processes re-import the main module: no side effects
    raise SystemExit(main())
