"""Helpers for the tests and the benchmarks: real servers with knobs the product never needs.

Not shipped (pyproject.toml packages only ``monitor``); pytest finds it through
``pythonpath = ["."]`` and the benchmarks run from the repository root.
"""
