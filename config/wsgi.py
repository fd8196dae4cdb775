import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Every URL pattern and view imported now, in each worker as it starts, rather than on its first
# request: a new web node would otherwise keep its first health check (and its first user)
# waiting seconds, and the load balancer would take it for a failing node.
get_resolver().url_patterns  # noqa: B018 (loading them is the point)
