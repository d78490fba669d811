"""Reproducible timing, memory and quality figures for the course: ``python -m benchmarks``.

See :mod:`benchmarks.run` for the command line and ``benchmarks/RESULTS.md`` for
the latest figures.
"""
