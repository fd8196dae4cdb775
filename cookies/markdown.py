"""Notices are written in Markdown by the DPO and sanitised on output: no script gets through."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe


def render_markdown(text: str) -> SafeString:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html))  # noqa: S308 (nh3 has just sanitised it)
