"""A usage report reaching the client, or a group company the client named, is a disclosure:
announced for records/ to log."""

from usage.signals import usage_report_disclosed

LEGAL_BASIS = "Legitimate interests: reporting usage to the client that employs the users"
GROUP_LEGAL_BASIS = (
    "Legitimate interests: reporting usage to the employer's group company, affiliate or "
    "business partner, on the employer's written request"
)


def usage_report_disclose(
    *, report, by, channel: str, once_a_day: bool = False, entitlement=None
) -> None:
    """A client admin saw or pulled a usage report: that is a disclosure to the client.

    ``once_a_day``: the console page, which an admin reloads and re-sorts. The same report
    (organisation, period, grouping) seen by the same admin on one UK day is one disclosure
    whose count of views goes up. A CSV file or an API pull is a copy that leaves each time,
    so each is its own disclosure.

    ``entitlement`` (an accounts.GroupCompany): the admin belongs to a group company, affiliate
    or partner the employer named, and the disclosure is to that organisation, named with its
    relation to the employer.
    """
    recipient = report.organisation if entitlement is None else entitlement.member
    usage_report_disclosed.send(
        sender=usage_report_disclose,
        organisation=recipient,
        recipient_name=recipient.name if entitlement is None else entitlement.recipient_name,
        legal_basis=LEGAL_BASIS if entitlement is None else GROUP_LEGAL_BASIS,
        categories=["usage"],
        description=(
            "Usage report "
            + ("" if entitlement is None else f"of {report.organisation.name} ")
            + f"{report.start:%d %b %Y} to {report.end:%d %b %Y} by {report.group_by}, {channel}"
        )[:300],
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
    *, report, recipient_organisation, recipients, cadence: str, entitlement=None
) -> None:
    """A scheduled report delivered to one organisation's admins: one disclosure to it.
    ``entitlement``: that organisation is a group company, affiliate or partner of the
    report's (accounts.GroupCompany), named with its relation."""
    usage_report_disclosed.send(
        sender=usage_report_delivery_disclose,
        organisation=recipient_organisation,
        recipient_name=(
            recipient_organisation.name if entitlement is None else entitlement.recipient_name
        ),
        legal_basis=LEGAL_BASIS if entitlement is None else GROUP_LEGAL_BASIS,
        categories=["usage"],
        description=(
            f"Scheduled {cadence} usage report "
            + ("" if entitlement is None else f"of {report.organisation.name} ")
            + f"{report.start:%d %b %Y} to {report.end:%d %b %Y} by {report.group_by}, "
            f"delivered to {len(recipients)} client admin{'s' if len(recipients) != 1 else ''}"
        )[:300],
        subject_user_ids=report.user_ids,
        by=None,
    )
