"""Retention schedule, legal holds, purge runs (Celery) and pseudonymised test data."""
