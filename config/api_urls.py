"""REST v1: every app's endpoints under /api/v1/.

Register CRUD resources on ``router``; add other endpoints to ``urlpatterns``.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.api import UserViewSet
from dsar.api import RightsRequestDetailView, RightsRequestsView
from recipients.api import NoticeConfirmView, WebhookEndpointViewSet
from usage.api import UsageEventsView, UsageReportView

# SimpleRouter: no browsable root view, so every path under /api/v1/ is a documented endpoint.
router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns: list = [
    path("", include(router.urls)),
    path("usage/events/", UsageEventsView.as_view(), name="usage-events"),
    path("usage/report/", UsageReportView.as_view(), name="usage-report"),
    path("recipients/confirm/<str:token>/", NoticeConfirmView.as_view(), name="recipient-confirm"),
    path("rights-requests/", RightsRequestsView.as_view(), name="rights-requests"),
    path(
        "rights-requests/<str:reference>/",
        RightsRequestDetailView.as_view(),
        name="rights-request-detail",
    ),
]
