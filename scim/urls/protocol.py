from django.urls import re_path

from scim.views import protocol as views

app_name = "scim"

# SCIM clients write paths with and without a trailing slash; both are one endpoint.
urlpatterns = [
    re_path(r"^Users/?$", views.users, name="users"),
    re_path(r"^Users/\.search/?$", views.users_search, name="users-search"),
    re_path(r"^Users/(?P<user_id>[^/]+)/?$", views.user, name="user"),
    re_path(
        r"^ServiceProviderConfig/?$",
        views.service_provider_config_view,
        name="service-provider-config",
    ),
    re_path(r"^ResourceTypes/?$", views.resource_types, name="resource-types"),
    re_path(r"^ResourceTypes/(?P<type_id>[^/]+)/?$", views.resource_types, name="resource-type"),
    re_path(r"^Schemas/?$", views.schemas, name="schemas"),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", views.schemas, name="schema"),
    re_path(r"^$", views.not_found, name="root"),
    re_path(r"^(?P<rest>.+)$", views.not_found, name="not-offered"),
]
