"""The production topology on one machine, and the drills that prove it (``make cluster``,
``make cluster-stop``, ``make cluster-test``).

Everything comes from Debian's and PyPI's packages: HAProxy in front of two gunicorn web
nodes, two Celery workers and one beat, Redis, a PostgreSQL primary and a streaming replica
made with ``pg_basebackup``, and a directory every node shares for generated files. supervisord
runs the processes; ``python -m cluster`` sets them up, seeds the drills' data once, and runs
the drills with locust. Nothing here is imported by the app.
"""
