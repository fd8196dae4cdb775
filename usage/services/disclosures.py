"""A usage report reaching the client is a disclosure: announced for records/ to log."""

from usage.signals import usage_report_disclosed

LEGAL_BASIS = "Legitimate interests: reporting usage to the client that employs the users"


def usage_report_disclose(*, report, by, channel: str, once_a_day: bool = False) -> None:
    """A client admin saw or pulled a usage report: that is a disclosure to the client.

    ``once_a_day``: the console page, which an admin reloads and re-sorts. The same report
    (organisation, period, grouping) seen by the same admin on one UK day is one disclosure
    whose count of views goes up. A CSV file or an API pull is a copy that leaves each time,
    so each is its own disclosure.
    """
    usage_report_disclosed.send(
        sender=usage_report_disclose,
        organisation=report.organisation,
        legal_basis=LEGAL_BASIS,
        categories=["usage"],
        description=(
            f"Usage report {report.start:%d %b %Y} to {report.end:%d %b %Y} "
            f"by {report.group_by}, {channel}"
        ),
        subject_user_ids=report.user_ids,
        by=by,
        repeat_key=(
            f"usage-report:{report.organisation.pk}:{report.start}:{report.end}:"
            f"{report.group_by}:{channel}"
            if once_a_day
            else ""
        ),
    )


def usage_report_delivery_disclose(
    *, report, recipient_organisation, recipients, cadence: str
) -> None:
    """A scheduled report delivered to one organisation's admins: one disclosure to it."""
    own = recipient_organisation.pk == report.organisation.pk
    usage_report_disclosed.send(
        sender=usage_report_delivery_disclose,
        organisation=recipient_organisation,
        legal_basis=LEGAL_BASIS,
        categories=["usage"],
        description=(
            f"Scheduled {cadence} usage report "
            + ("" if own else f"of {report.organisation.name} (group company) ")
            + f"{report.start:%d %b %Y} to {report.end:%d %b %Y} by {report.group_by}, "
            f"delivered to {len(recipients)} client admin{'s' if len(recipients) != 1 else ''}"
        )[:300],
        subject_user_ids=report.user_ids,
        by=None,
    )
