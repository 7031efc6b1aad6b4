"""``python -m api [--host H] [--port P]`` runs the service; ``keys create`` makes a key."""

from api.cli import main

if __name__ == "__main__":  # worker processes re-import the main module: no side effects
    raise SystemExit(main())
