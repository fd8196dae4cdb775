from django.urls import reverse

from common.roles import STAFF_ROLES, Role


def navigation(request):
    """The navigation links the signed-in person's role may follow."""
    user = getattr(request, "user", None)
    links = []
    if user is not None and user.is_authenticated:
        links.append(("My account", reverse("account:home")))
        links.append(("Security", reverse("account:security")))
        if getattr(user, "role", None) == Role.CLIENT_ADMIN:
            links.append(("Console", reverse("console:users")))
        if getattr(user, "role", None) in STAFF_ROLES:
            links.append(("Back office", reverse("backoffice:dashboard")))
        if user.is_superuser:
            links.append(("Django admin", reverse("admin:index")))
    else:
        links.append(("Your data rights", reverse("rights:new")))
    return {"nav_links": links}
