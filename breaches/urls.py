from django.urls import path

from breaches import views

app_name = "breaches"

urlpatterns = [
    path("", views.breach_list, name="list"),
    path("new/", views.breach_new, name="new"),
    path("<int:pk>/", views.breach_detail, name="detail"),
    path("<int:pk>/edit/", views.breach_edit, name="edit"),
    path("<int:pk>/decisions/", views.breach_decision, name="decision"),
    path("<int:pk>/ico-report/", views.breach_ico_report, name="ico_report"),
    path("<int:pk>/updates/", views.breach_update_sent, name="update"),
    path("<int:pk>/close/", views.breach_close, name="close"),
    path("<int:pk>/report/", views.breach_report, name="report"),
]
