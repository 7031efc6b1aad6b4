"""Developer tools, not installed and not imported by the runtime packages.

Run from the repository root as ``python -m tools.NAME``: ``build_sample`` (the sample
workbook in ``data/``), ``agreement`` (the importers' agreement table in
``docs/IMPORTS.md``), ``loadtest`` (concurrent clients against a live server);
``liveserver`` starts a real server for the load test and the tests that need one;
``replay_hostile`` (hostile files through the CLI and the API, a table of outcomes).
"""
