from django.urls import path

from communications import views

# Mounted at /account/communications/, where these pages were when accounts served them.
app_name = "communications"

urlpatterns = [
    path("", views.communications, name="communications"),
    path("object/", views.communications_object, name="communications_object"),
    path(
        "withdraw-objection/",
        views.communications_withdraw_objection,
        name="communications_withdraw_objection",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
