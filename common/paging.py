"""Paging of the back-office lists."""

from django.http import HttpRequest


def page_query(request: HttpRequest, *, drop: tuple[str, ...] = ("page",)) -> str:
    """The list's query parameters without ``drop``, ready for "?{{ page_query }}page=N"."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return f"{params.urlencode()}&" if params else ""
