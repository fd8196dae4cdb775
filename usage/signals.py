"""What usage tells other apps without importing them."""

from django.dispatch import Signal

# A client admin saw or pulled a usage report: the data of the people in it went to the client.
# Sent with organisation (the recipient), legal_basis, categories, description,
# subject_user_ids, by and optionally recipient_name (the recipient in words, e.g. a group
# company with its relation to the employer; the organisation's name otherwise) and repeat_key
# (the same report again the same day: one disclosure, one more view);
# records/ writes it to the disclosure log (records/receivers.py). A signal, not a call into
# records: records also renders the retention schedule, and retention purges usage's tables,
# so records imports usage and usage never imports records.
usage_report_disclosed = Signal()

# A write committed events to days before today (usage.events marks them): usage's receivers
# queue the re-roll. A signal because the task module imports the writers, not the reverse.
usage_days_touched = Signal()
