from django.urls import path

from audit import disclosure_views as views

app_name = "disclosures"

urlpatterns = [
    path("", views.disclosure_list, name="list"),
    path("csv/", views.disclosure_csv, name="csv"),
    path("new/", views.disclosure_new, name="new"),
    path("<int:pk>/", views.disclosure_detail, name="detail"),
]
