"""Benchmarks of `letters` against its performance goals: `python -m bench` (see docs/performance.md)."""
