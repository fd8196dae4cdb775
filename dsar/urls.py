"""The public side of rights requests, under /rights/."""

from django.urls import path

from dsar import intake_views

app_name = "rights"

urlpatterns = [
    path("verify/<str:token>/", intake_views.verify, name="verify"),
    path("status/<str:token>/", intake_views.status, name="status"),
]
