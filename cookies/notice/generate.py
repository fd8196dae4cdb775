"""The privacy notice built from what the product holds: the records' tables, the settings'
names and addresses, the cookie groups; and the page a version (or a draft) reads as."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString

from cookies.catalogue import catalogue_get
from cookies.markdown import render_markdown
from cookies.notice.content import SECTIONS, TABLES, Section
from records.notice import notice_records


def cookie_types() -> list[dict]:
    return [
        {
            "name": group.name,
            "description": group.description,
            "consent": "Always on" if group.required else "Only with your consent",
        }
        for group in catalogue_get().groups
    ]


def notice_snapshot() -> dict:
    """Everything the notice generates, as it stands now: what a published version freezes."""
    return {
        **notice_records(),
        "controller": settings.CONTROLLER_NAME,
        "dpo_email": settings.DPO_EMAIL,
        "consumer_contact_url": settings.CONSUMER_CONTACT_NOTICE_URL,
        "cookie_types": cookie_types(),
    }


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ShownSection:
    section: Section
    prose: str
    tables: list[Table]

    @property
    def heading(self) -> str:
        return self.section.heading

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def prose_html(self) -> SafeString:
        return render_markdown(self.prose)


def tables_of(section: Section, snapshot: dict) -> list[Table]:
    tables = []
    for name in section.tables:
        spec = TABLES[name]
        rows = snapshot.get(spec.source) or []
        tables.append(
            Table(
                title=spec.title,
                headers=[heading for _, heading in spec.columns],
                rows=[[str(row.get(key, "")) for key, _ in spec.columns] for row in rows],
            )
        )
    return tables


def notice_sections(*, sections: dict, snapshot: dict) -> list[ShownSection]:
    """Each section of the notice in order: the DPO's prose, then the generated tables."""
    return [
        ShownSection(section, sections.get(section.key, ""), tables_of(section, snapshot))
        for section in SECTIONS
    ]
