"""Back office: lifting a person's login lockout, from their page (/backoffice/people/<id>/)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import users_visible_to
from common.decorators import staff_required
from common.steps import button_step
from security.services.lockout import lockout_lift


@require_POST
@staff_required
def person_lockout_lift(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(users_visible_to(request.user), pk=pk)
    return button_step(
        request,
        run=lambda: lockout_lift(user=person, by=request.user),
        success_message=(
            f"{person}'s lockout was lifted: they may log in again, and were told by e-mail."
        ),
        redirect_to=reverse("people:person", kwargs={"pk": person.pk}),
        refusals=(PermissionDenied, ValidationError),
    )
