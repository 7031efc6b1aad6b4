"""infraplan HTTP API (FastAPI) over the :mod:`scheduler` package."""
