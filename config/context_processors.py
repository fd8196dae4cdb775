from django.urls import reverse


def navigation(request):
    """The navigation links the signed-in person's role may follow."""
    user = getattr(request, "user", None)
    links = []
    if user is not None and user.is_authenticated:
        links.append(("My account", reverse("account:home")))
        if user.is_superuser:
            links.append(("Django admin", reverse("admin:index")))
    return {"nav_links": links}
