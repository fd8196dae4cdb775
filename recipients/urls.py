from django.urls import path

from recipients import views

app_name = "recipients"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/record/", views.notice_record, name="record"),
    path("contacts/", views.processor_contacts, name="contacts"),
    path("contacts/<int:pk>/", views.processor_contact_edit, name="contact-edit"),
]
