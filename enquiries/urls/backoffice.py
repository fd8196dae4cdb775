from django.urls import path

from enquiries.views import backoffice as views

app_name = "backoffice-enquiries"

urlpatterns = [
    path("", views.enquiry_list, name="list"),
    path("<int:pk>/", views.enquiry_detail, name="detail"),
    path("<int:pk>/reply/", views.enquiry_reply_view, name="reply"),
    path("<int:pk>/close/", views.enquiry_close_view, name="close"),
    path("<int:pk>/assign/", views.enquiry_assign_view, name="assign"),
]
