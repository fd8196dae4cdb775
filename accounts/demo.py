"""Demo communication choices for the embedded mode, made once each through the services a
real member uses."""

from accounts.communications import communication_preferences_update, marketing_object
from accounts.models import CommunicationPreferences, User


def communications_demo_seed() -> None:
    """A few members who asked for marketing e-mail, and one who objected to all of it."""
    choices = {
        "olivia.bennett@acme.example": (True, True, False),
        "harry.clarke@acme.example": (True, False, False),
        "george.patel@acme.example": (False, False, True),
        "grace.wood@brightwater.example": (True, False, True),
    }
    chose = set(
        CommunicationPreferences.objects.filter(
            user__email__in=[*choices, "amelia.hughes@acme.example"]
        ).values_list("user__email", flat=True)
    )
    for email, (newsletter, webinars, product_updates) in choices.items():
        if email not in chose:
            communication_preferences_update(
                user=User.objects.get(email=email),
                newsletter=newsletter,
                webinars=webinars,
                product_updates=product_updates,
            )
    if "amelia.hughes@acme.example" not in chose:
        amelia = User.objects.get(email="amelia.hughes@acme.example")
        marketing_object(user=amelia, by=amelia, source="account")
