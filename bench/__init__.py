"""Haven's benchmarks: the real services under gunicorn, driven over HTTP, reported as ratios to baselines.

`python -m bench` (or `make bench`) runs everything and writes bench/results/. See bench/README.md.
"""
