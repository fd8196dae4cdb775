"""Site-wide views: the home page, the health check and the error pages."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import workspace_url
from common.api import error_body
from common.redis_client import redis_client
from scim.errors import scim_error

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(workspace_url(request.user))
    return render(request, "home.html")


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=True)
        return "down"
    return "ok"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        redis_client(settings.CELERY_BROKER_URL).ping()
    except redis.RedisError:
        logger.warning("healthz: broker unreachable")
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = "down" not in checks.values()
    body = {"status": "ok" if healthy else "down", **checks}
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _is_scim(request: HttpRequest) -> bool:
    return request.path.startswith("/scim/")


def _error(request, status: int, code: str, message: str, template: str) -> HttpResponse:
    if _is_scim(request):
        return scim_error(status, message)
    if _wants_json(request):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, template, {"message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", "The request could not be understood.", "400.html")


def permission_denied(request, exception=None):
    return _error(
        request, 403, "permission_denied", "You do not have permission to do that.", "403.html"
    )


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", "There is nothing at this address.", "404.html")


def server_error(request):
    # No template context processors: they may be what failed.
    if _is_scim(request):
        return scim_error(500, "Something went wrong on our side.")
    if _wants_json(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side."), status=500
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)
