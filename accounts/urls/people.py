from django.urls import path

from accounts.views import people as views

app_name = "people"

urlpatterns = [
    path("", views.people_search, name="search"),
    path("<int:pk>/", views.person_detail, name="person"),
    # The console's life-cycle steps: suspend, reactivate, terminate, reset-mfa, reinvite.
    path("<int:pk>/<slug:action>/", views.person_action, name="action"),
]
