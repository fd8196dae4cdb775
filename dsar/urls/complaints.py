"""The DPO's queue of complaints, under /backoffice/complaints/ (each opens on its request
page, under /backoffice/requests/)."""

from django.urls import path

from dsar.views import complaints

app_name = "complaints"

urlpatterns = [
    path("", complaints.queue, name="queue"),
]
