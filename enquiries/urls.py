from django.urls import path

from enquiries import views

app_name = "enquiries"

urlpatterns = [
    path("", views.new, name="new"),
    path("sent/", views.sent, name="sent"),
]
