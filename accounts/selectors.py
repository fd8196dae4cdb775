from datamap import Subject
from datamap.engines import ExportSection, export_subject


def user_subject(user) -> Subject:
    return Subject.of(user_ids=[user.pk], emails=[user.email])


def user_data_held(user) -> list[ExportSection]:
    """What the data map says we hold about this user, entry by entry."""
    return export_subject(user_subject(user))
