"""The back office's retention page: the schedule, legal holds, purge runs. DPO only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.reauth import reauthenticated
from common.decorators import dpo_required
from common.steps import form_page, form_step
from retention import selectors
from retention.forms import LegalHoldForm, PolicyForm, PurgeNowForm, ReleaseHoldForm
from retention.labels import category_label
from retention.models import LegalHold, RetentionPolicy
from retention.services import schedule


@require_GET
@dpo_required
def overview(request: HttpRequest) -> HttpResponse:
    dry_runs = selectors.latest_dry_runs()
    policies = selectors.policies()
    return render(
        request,
        "retention/overview.html",
        {
            "rows": [(policy, dry_runs.get(policy.category)) for policy in policies],
            "missing": [category_label(c) for c in selectors.categories_without_policy()],
            "holds": selectors.active_holds(),
            "released": selectors.released_holds(),
            "runs": selectors.recent_runs(),
        },
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def policy_edit(request: HttpRequest, category: str) -> HttpResponse:
    policy = get_object_or_404(RetentionPolicy, category=category)
    # The form validates a copy, so the preview can compare it with the saved policy.
    form = PolicyForm(request.POST or None, instance=RetentionPolicy.objects.get(pk=policy.pk))
    preview = None
    if request.method == "POST" and form.is_valid():
        if "save" in request.POST and reauthenticated(request, form):
            try:
                schedule.retention_policy_update(
                    policy=policy,
                    basis=form.cleaned_data["basis"],
                    days=form.cleaned_data["days"],
                    action=form.cleaned_data["action"],
                    rationale=form.cleaned_data["rationale"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(request, f"Retention of {policy.label} saved.")
                return redirect(reverse("retention:overview"))
        if "save" not in request.POST or form.errors:
            preview = {
                "now": selectors.due_counts(policy),
                "then": selectors.due_counts(form.instance),
            }
    return render(
        request,
        "retention/policy_edit.html",
        {"policy": policy, "form": form, "preview": preview, "effect": _effect(preview)},
        status=400 if form.is_bound and form.errors else 200,
    )


def _effect(preview) -> list[dict] | None:
    if preview is None:
        return None
    names = sorted(set(preview["now"]) | set(preview["then"]))
    rows = []
    for name in names:
        now = sum(preview["now"].get(name, {}).values())
        then = sum(preview["then"].get(name, {}).values())
        rows.append(
            {
                "entry": selectors.counted_title(name),
                "now": now,
                "then": then,
                "change": then - now,
            }
        )
    return rows


@require_POST
@dpo_required
def dry_run(request: HttpRequest) -> HttpResponse:
    categories = schedule.dry_runs_request(by=request.user)
    messages.success(
        request, f"Dry runs started for {len(categories)} categories; the counts appear below."
    )
    return redirect(reverse("retention:overview"))


@require_http_methods(["GET", "POST"])
@dpo_required
def hold_new(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    return form_step(
        request,
        form,
        run=lambda: schedule.legal_hold_place(
            user=form.cleaned_data.get("user"),
            organisation=form.cleaned_data.get("organisation"),
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        success_message="Legal hold placed: nothing it covers is purged or erased.",
        redirect_to=reverse("retention:overview"),
        render_form=form_page(request, "retention/hold_new.html"),
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(
        LegalHold.objects.active().select_related("user", "organisation"), pk=pk
    )
    form = ReleaseHoldForm(request.POST or None, user=request.user, hold=hold)
    if request.method == "POST" and form.is_valid():
        schedule.legal_hold_release(hold=hold, by=request.user)
        messages.success(request, "Legal hold released.")
        return redirect(reverse("retention:overview"))
    return render(
        request,
        "retention/hold_release.html",
        {"form": form, "hold": hold},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def purge_now(request: HttpRequest, category: str) -> HttpResponse:
    """Purge one category now rather than tonight: it deletes data, so re-authenticate."""
    policy = get_object_or_404(RetentionPolicy, category=category)
    form = PurgeNowForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        schedule.purge_request(category=policy.category, by=request.user)
        messages.success(request, f"Purge of {policy.label} started; the run appears below.")
        return redirect(reverse("retention:overview"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "retention/purge_now.html",
        {"policy": policy, "form": form},
        status=status,
    )
