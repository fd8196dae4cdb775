"""The DPO's queue of rights requests, under /backoffice/requests/."""

from django.urls import path

from dsar.views import rights_request as views

app_name = "requests"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.log_request, name="new"),
    path("letters/", views.letters, name="letters"),
    path("letters/<slug:key>/", views.letter_edit, name="letter_edit"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/assign/", views.assign, name="assign"),
    path("<str:reference>/notes/", views.note, name="note"),
    path("<str:reference>/messages/", views.message, name="message"),
    path(
        "<str:reference>/subjects/<int:user_id>/confirm/",
        views.subject,
        {"action": "confirm"},
        name="subject_confirm",
    ),
    path(
        "<str:reference>/subjects/<int:user_id>/remove/",
        views.subject,
        {"action": "remove"},
        name="subject_remove",
    ),
    path("<str:reference>/steps/<slug:slug>/", views.step, name="step"),
]
