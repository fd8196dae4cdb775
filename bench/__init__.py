"""Benchmarks: each one measures against a baseline run in the same process, and prints ratios.

Run with `make bench` (all) or `python -m bench usage_reports --scale 10000000`. They need
PostgreSQL and Redis on 127.0.0.1: each benchmark has a database of its own
(privacydesk_bench_NAME) unless DATABASE_URL names one, and Redis database 14 unless REDIS_URL
names another.
"""
