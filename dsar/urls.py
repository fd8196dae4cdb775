"""The public side of rights requests, under /rights/."""

from django.urls import path

from dsar import executor_views, intake_views

app_name = "rights"

urlpatterns = [
    path("", intake_views.new, name="new"),
    path("submitted/", intake_views.submitted, name="submitted"),
    path("verify/<str:token>/", intake_views.verify, name="verify"),
    path("status/<str:token>/", intake_views.status, name="status"),
    path("status/<str:token>/reply/", intake_views.reply, name="reply"),
    path("status/<str:token>/withdraw/", intake_views.withdraw, name="withdraw"),
    path(
        "status/<str:token>/package/<int:package_id>/code/",
        executor_views.package_code,
        name="package_code",
    ),
    path(
        "status/<str:token>/package/<int:package_id>/",
        executor_views.package_unlock,
        name="package_unlock",
    ),
    path(
        "status/<str:token>/package/<int:package_id>/download/",
        executor_views.package_download,
        name="package_download",
    ),
]
