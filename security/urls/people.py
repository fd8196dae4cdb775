from django.urls import path

from security.views import lockouts as views

# Served under /backoffice/people/ in the "people" namespace, which config composes from
# accounts' list and this one.
urlpatterns = [
    path("<int:pk>/lockout/lift/", views.person_lockout_lift, name="lockout-lift"),
]
