"""Retention's writes: schedule (the DPO's retention policies, legal holds and purges asked
for by hand, each audited) and purge (the purge engine the Celery tasks run)."""
