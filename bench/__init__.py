"""Benchmarks: each one measures against a baseline run in the same process, and prints ratios.

Run with `make bench` (all) or `python -m bench usage_reports --scale 10000000`.
They need PostgreSQL and Redis: DATABASE_URL and REDIS_URL, or by default
privacydesk_bench and Redis database 14 on 127.0.0.1.
"""
