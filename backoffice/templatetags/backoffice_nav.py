from django import template

from backoffice.navigation import backoffice_menu

register = template.Library()


@register.inclusion_tag("backoffice/_nav.html", takes_context=True)
def backoffice_nav(context):
    request = context["request"]
    return {"menu": backoffice_menu(request.user, request.path)}
