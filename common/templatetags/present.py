"""``{% load present %}``: the filters of common.present, for templates.

{{ event.at|when }}  {{ request.due_on|day }}  {{ row.accepted|yes_no }}
{{ policy.days|period }}  {{ code|choice:labels }}  {{ value|present }}
"""

from django import template

from common import present

register = template.Library()

register.filter("when", present.when)
register.filter("day", present.day)
register.filter("yes_no", present.yes_no)
register.filter("period", present.period)
register.filter("humanise", present.humanise)
register.filter("choice", present.choice)


@register.filter("present")
def present_value(value, labels=None):
    return present.value(value, labels)
