from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/record/", views.notice_record, name="record"),
]
