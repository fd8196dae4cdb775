from django.urls import path

from backoffice.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_new, name="new"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/mfa/", views.organisation_mfa, name="mfa"),
    path("<int:pk>/domains/", views.organisation_domains, name="domains"),
    path("<int:pk>/group-companies/new/", views.group_company_new, name="group-company-new"),
    path(
        "<int:pk>/group-companies/<int:entitlement_pk>/end/",
        views.group_company_end_view,
        name="group-company-end",
    ),
    path("<int:pk>/export/", views.organisation_export_view, name="export"),
    path("<int:pk>/close/", views.organisation_close_view, name="close"),
    path("<int:pk>/reopen/", views.organisation_reopen_view, name="reopen"),
]
