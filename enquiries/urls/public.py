from django.urls import path

from enquiries.views import public as views

app_name = "enquiries"

urlpatterns = [
    path("", views.new, name="new"),
    path("sent/", views.sent, name="sent"),
]
