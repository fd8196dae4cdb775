"""The public side of rights requests, under /rights/."""

from django.urls import path

from dsar.views import downloads, intake

app_name = "rights"

urlpatterns = [
    path("", intake.new, name="new"),
    path("submitted/", intake.submitted, name="submitted"),
    path("new-link/", intake.new_link, name="new_link"),
    path("new-link/sent/", intake.new_link_sent, name="new_link_sent"),
    path("verify/<str:token>/", intake.verify, name="verify"),
    path("status/<str:token>/", intake.status, name="status"),
    path("status/<str:token>/reply/", intake.reply, name="reply"),
    path("status/<str:token>/withdraw/", intake.withdraw, name="withdraw"),
    path(
        "status/<str:token>/package/<int:package_id>/code/",
        downloads.package_code,
        name="package_code",
    ),
    path(
        "status/<str:token>/package/<int:package_id>/",
        downloads.package_unlock,
        name="package_unlock",
    ),
    path(
        "status/<str:token>/package/<int:package_id>/download/",
        downloads.package_download,
        name="package_download",
    ),
]
