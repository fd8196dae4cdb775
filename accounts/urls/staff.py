from django.urls import path

from accounts.views import staff as views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite_view, name="invite"),
    path("<int:pk>/reinvite/", views.staff_reinvite_view, name="reinvite"),
    path("<int:pk>/offboard/", views.staff_offboard_view, name="offboard"),
]
