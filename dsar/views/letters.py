"""The standard letters in the back office: the list (DPO and support) and the DPO's edits."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from common.decorators import staff_required
from common.roles import Role
from common.steps import form_page, form_step
from dsar.forms.backoffice import LetterTemplateForm, placeholders_for
from dsar.models import LetterTemplate
from dsar.services.letter_templates import letter_template_update


@require_GET
@staff_required
def letters(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dsar/letters.html",
        {"letters": LetterTemplate.objects.all(), "may_edit": request.user.role == Role.DPO},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def letter_edit(request: HttpRequest, key: str) -> HttpResponse:
    if request.user.role != Role.DPO:
        return render(
            request,
            "403.html",
            {"message": "Only the DPO edits the standard letters."},
            status=403,
        )
    template = get_object_or_404(LetterTemplate, key=key)
    # The form validates against a copy: ModelForm writes the new wording onto its instance,
    # and the service must still see the old one to record it.
    form = LetterTemplateForm(
        request.POST or None, instance=LetterTemplate.objects.get(pk=template.pk)
    )

    return form_step(
        request,
        form,
        run=lambda: letter_template_update(
            template=template,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            by=request.user,
        ),
        success_message=lambda _: f"Letter “{form.cleaned_data['title']}” saved.",
        redirect_to=reverse("requests:letters"),
        render_form=form_page(
            request,
            "dsar/letter_edit.html",
            letter=template,
            placeholders=placeholders_for(key),
        ),
        refusals=(ValidationError, PermissionDenied),
    )
