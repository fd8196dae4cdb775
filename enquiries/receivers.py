"""Signal receivers: each one only hands the event to a service.

accounts sends the account events (accounts/signals.py), because accounts may not import
enquiries.
"""

from django.dispatch import receiver

from accounts.signals import staff_assignments_must_return
from enquiries import services


@receiver(staff_assignments_must_return, dispatch_uid="enquiries.enquiries.return")
def enquiries_return_on_offboarding(sender, user, by, **kwargs):
    services.enquiries_return_to_queue(assignee=user, by=by)
