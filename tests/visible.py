"""What a person sees of a page: its visible text, and the internals that must never be in it."""

import re
from html.parser import HTMLParser

# Elements whose content is never shown as text.
HIDDEN = {"script", "style", "template", "head", "title", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

# An ISO 8601 stamp as stored ("2026-12-02T13:43:09.783769+00:00").
ISO_STAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
# A column or code name as the code spells it: created_at, security_logs, page_view.
SNAKE_CASE = re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z0-9]+)+(?![\w@.-])")
# A dotted code (rights_request.verified, usage.events, accounts.User).
DOTTED_CODE = re.compile(r"(?<![\w@/.-])[a-z_]+\.[A-Za-z_]+(?![\w@/.-])")


# Elements that show a stored form on purpose: a cookie's name, a letter's placeholders, a
# file's name, the text being edited.
LITERAL = {"code", "kbd", "pre", "samp", "textarea"}


class _Text(HTMLParser):
    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0
        self._skip = HIDDEN | skip

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if tag in self._skip or self._hidden_depth or ("hidden", None) in attrs:
            self._hidden_depth += 1

    def handle_endtag(self, tag):
        if tag not in VOID and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(page, *, prose_only: bool = False) -> str:
    """The text a person can read on a page (a response or HTML), whitespace collapsed. Text in
    closed <details> counts: one click shows it. ``prose_only`` leaves out the elements that
    show a stored form on purpose (LITERAL)."""
    html = page if isinstance(page, str) else page.content.decode()
    parser = _Text(frozenset(LITERAL) if prose_only else frozenset())
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def internals_in(text: str) -> list[str]:
    """The stored forms in a text that a person should never meet."""
    found = [m.group(0) for m in ISO_STAMP.finditer(text)]
    found += SNAKE_CASE.findall(text)
    found += [m.group(0) for m in DOTTED_CODE.finditer(text)]
    # "None" is English ("None outside the company"); True and False are not, on a page.
    found += re.findall(r"\b(?:True|False)\b", text)
    return found
