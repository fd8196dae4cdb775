from django.urls import path

from usage import views

app_name = "usage-aggregates"

urlpatterns = [
    path("", views.aggregates, name="aggregates"),
]
