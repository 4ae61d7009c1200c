"""Benchmarks: detection quality and speed on the shared corpus (see README.md)."""
