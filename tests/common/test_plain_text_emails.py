"""Plain-text e-mails are not HTML: a name with an apostrophe or an ampersand reads as typed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

NAME = "Aoife O'Brien & <Partners>"
TEMPLATES = sorted(
    path.relative_to(settings.BASE_DIR / "templates").as_posix()
    for path in (settings.BASE_DIR / "templates").glob("*/emails/*.txt")
)


class Person:
    full_name = NAME
    first_name = NAME
    name = NAME
    email = "aoife@example.com"


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_plain_text_email_shows_a_name_as_typed(template):
    context = {"user": Person(), "enquiry": Person(), "at": timezone.now(), "now": timezone.now()}

    body = render_to_string(template, context)

    assert "&#x27;" not in body and "&amp;" not in body and "&lt;" not in body
    if "Hello" in body:
        assert NAME in body


def test_every_e_mail_template_is_checked():
    assert len(TEMPLATES) >= 20
    assert all(Path(settings.BASE_DIR / "templates" / name).exists() for name in TEMPLATES)
