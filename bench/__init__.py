"""Benchmarks: each compares genserve with its peers in one run, prints a table and writes JSON
to ``bench/results/``. Run them with ``make bench`` (or ``python -m bench.<name>``)."""
