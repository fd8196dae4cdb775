"""Signal receivers: each one only hands the event to a service.

accounts sends the account events (accounts/signals.py), because accounts may not import dsar.
"""

from django.dispatch import receiver

from accounts.signals import staff_assignments_must_return
from dsar.services import steps


@receiver(staff_assignments_must_return, dispatch_uid="dsar.requests.return")
def rights_requests_return_on_offboarding(sender, user, by, **kwargs):
    steps.rights_requests_return_to_queue(assignee=user, by=by)
