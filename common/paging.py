"""Paging helpers shared by the back-office lists."""

from django.http import HttpRequest


def page_query(request: HttpRequest) -> str:
    """The list's query parameters but the page number, ready for "?{{ page_query }}page=N"."""
    params = request.GET.copy()
    params.pop("page", None)
    return f"{params.urlencode()}&" if params else ""
