from django.urls import path

from security.views import backoffice as views

app_name = "investigations"

urlpatterns = [
    path("", views.investigation_list, name="list"),
    path("<int:pk>/", views.investigation_detail, name="detail"),
    path("<int:pk>/notes/", views.investigation_note, name="note"),
    path("<int:pk>/assignee/", views.investigation_assignee, name="assign"),
    path("<int:pk>/confirm-suspension/", views.investigation_confirm, name="confirm"),
    path("<int:pk>/outcome/", views.investigation_outcome, name="outcome"),
]
