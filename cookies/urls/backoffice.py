from django.urls import path

from cookies.views import backoffice as views

app_name = "backoffice-cookies"

urlpatterns = [
    path("", views.report, name="report"),
    path("consent-log.csv", views.export, name="export"),
    path("notices/", views.notices, name="notices"),
    path("notices/<str:kind>/draft/", views.notice_edit, name="notice-edit"),
    path("notices/<str:kind>/publish/", views.notice_publish, name="notice-publish"),
    path("notices/<str:kind>/discard/", views.notice_discard, name="notice-discard"),
    path("notices/<str:kind>/versions/<int:number>/", views.notice_version, name="notice-version"),
]
