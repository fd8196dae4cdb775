"""/.well-known/gpc.json: the site says it honours Global Privacy Control (the GPC
specification's support resource), and since when."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

# The day the site began to honour the signal; change it when what the signal does changes.
GPC_SINCE = "2026-12-03"


@require_GET
def gpc_support(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"gpc": True, "lastUpdate": GPC_SINCE})
