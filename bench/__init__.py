"""OnePic's benchmarks: `python -m bench [--quick]` (or `make bench` / `make bench-quick`).

Every figure is a ratio against a reference measured in the same run on the same machine;
see bench/README.md for what each suite starts, how it loads it and what it reports.
"""
