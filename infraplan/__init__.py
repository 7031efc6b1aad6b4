"""The composition root of infraplan: the ``infraplan`` console script (:mod:`infraplan.cli`).

It is the one package that may import ``scheduler`` (the planner's core), ``api`` (the
HTTP service) and ``benchmarks`` together; none of those imports it.
"""
