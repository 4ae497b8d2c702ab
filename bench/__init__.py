"""Benchmarks of the probe on a 100,000-play archive: run them all with ``bash bench/run``."""
