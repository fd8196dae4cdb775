"""The DPO's queue of rights requests, under /backoffice/requests/."""

from django.urls import path

from dsar.views import letters, queue, rights_request

app_name = "requests"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("new/", queue.log_request, name="new"),
    path("letters/", letters.letters, name="letters"),
    path("letters/<slug:key>/", letters.letter_edit, name="letter_edit"),
    path("<str:reference>/", rights_request.detail, name="detail"),
    path("<str:reference>/assign/", rights_request.assign, name="assign"),
    path("<str:reference>/notes/", rights_request.note, name="note"),
    path("<str:reference>/messages/", rights_request.message, name="message"),
    path(
        "<str:reference>/subjects/<int:user_id>/confirm/",
        rights_request.subject,
        {"action": "confirm"},
        name="subject_confirm",
    ),
    path(
        "<str:reference>/subjects/<int:user_id>/remove/",
        rights_request.subject,
        {"action": "remove"},
        name="subject_remove",
    ),
    path("<str:reference>/steps/<slug:slug>/", rights_request.step, name="step"),
]
