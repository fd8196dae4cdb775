"""The DPO's executors for one request, under /backoffice/requests/<reference>/execute/."""

from django.urls import path

from dsar.views import executors as views

app_name = "executors"

urlpatterns = [
    path("package/", views.build_package, name="build_package"),
    path("not-applicable/", views.not_applicable, name="not_applicable"),
    path("rectifications/<int:item_id>/", views.rectification, name="rectification"),
    path("erasure/", views.erasure, name="erasure"),
    path("restriction/<slug:action>/", views.restriction, name="restriction"),
    path("objection/", views.objection, name="objection"),
]
