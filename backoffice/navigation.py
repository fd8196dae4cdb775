"""The back office's navigation: one link per section, in three groups, each role seeing only
the sections it may open.

Sections are the first path segment under /backoffice/ (as in tests/backoffice/test_access.py),
so a section's sub-pages (a request, a breach, an executor step) mark its link current.
"""

from dataclasses import dataclass

from django.urls import reverse

from common.roles import Role


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    segment: str
    # Guarded by common.decorators.dpo_required: support would only meet a 403 there.
    dpo_only: bool = False


DASHBOARD = Section("Dashboard", "backoffice:dashboard", "")

GROUPS: tuple[tuple[str, tuple[Section, ...]], ...] = (
    (
        "Queues",
        (
            Section("Rights requests", "requests:queue", "requests"),
            Section("Complaints", "complaints:queue", "complaints"),
            Section("Investigations", "investigations:list", "investigations"),
            Section("Enquiries", "backoffice-enquiries:list", "enquiries"),
        ),
    ),
    (
        "Registers",
        (
            Section("Breaches", "breaches:list", "breaches", dpo_only=True),
            Section("Disclosures", "disclosures:list", "disclosures", dpo_only=True),
            Section("Record of processing", "processing:record", "processing", dpo_only=True),
            Section("Processors", "processors:list", "processors"),
            Section("Recipients told", "recipients:list", "recipients", dpo_only=True),
            Section("Audit trail", "audit:list", "audit", dpo_only=True),
            Section("People", "people:search", "people"),
            Section("Organisations", "organisations:list", "organisations"),
            Section("Staff", "staff:list", "staff"),
        ),
    ),
    (
        "Settings",
        (
            Section("Retention", "retention:overview", "retention", dpo_only=True),
            Section("Cookies and notices", "backoffice-cookies:report", "cookies", dpo_only=True),
            Section("Usage figures", "usage-aggregates:aggregates", "usage"),
            Section("Security self-check", "security-check:page", "security"),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Group:
    label: str
    links: list[Link]


@dataclass(frozen=True)
class Menu:
    dashboard: Link
    groups: list[Group]

    @property
    def current(self) -> Link | None:
        links = [self.dashboard, *(link for group in self.groups for link in group.links)]
        return next((link for link in links if link.current), None)


def section_of(path: str) -> str | None:
    """The section a back-office path belongs to ("" for the dashboard), None outside it."""
    if not path.startswith("/backoffice/"):
        return None
    return path.removeprefix("/backoffice/").split("/", 1)[0]


def may_open(user, section: Section) -> bool:
    return not section.dpo_only or getattr(user, "role", None) == Role.DPO


def backoffice_menu(user, path: str) -> Menu:
    here = section_of(path)

    def link(section: Section) -> Link:
        return Link(section.label, reverse(section.url_name), section.segment == here)

    groups = []
    for label, sections in GROUPS:
        links = [link(section) for section in sections if may_open(user, section)]
        if links:
            groups.append(Group(label, links))
    return Menu(dashboard=link(DASHBOARD), groups=groups)
