"""Public pages: cookie settings and policy, the consent form, preferences, analytics, notices."""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cookies.catalogue import (
    ANALYTICS_COOKIE,
    FUNCTIONALITY,
    PERFORMANCE,
    THEME_COOKIE,
    catalogue_get,
)
from cookies.consent import (
    consent_cookie_write,
    consent_of,
    cookie_flags,
    current_theme,
    gpc_signal,
    new_visitor_token,
    visitor_hash,
)
from cookies.forms import ConsentForm, ThemeForm
from cookies.markdown import render_markdown
from cookies.models import ConsentRecord, PolicyVersion
from cookies.notice.content import fixed_facts
from cookies.notice.generate import notice_sections
from cookies.selectors import policy_current, policy_history
from cookies.services import consent_record_create, page_visit_record

ONE_YEAR = 60 * 60 * 24 * 365
MAX_ANALYTICS_BODY = 2048


def _cookie_table(catalogue):
    from cookie_consent.models import Cookie

    details = {
        c.name: c for c in Cookie.objects.select_related("cookiegroup", "detail").order_by("name")
    }
    return [
        {
            "group": group,
            "cookies": [details[name] for name in sorted(group.cookies) if name in details],
        }
        for group in catalogue.groups
    ]


@require_GET
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """The cookie settings page and the cookie policy generated from the groups."""
    catalogue = catalogue_get()
    consent = consent_of(request)
    policy = policy_current(PolicyVersion.Kind.COOKIES)
    context = {
        "catalogue": catalogue,
        "consent": consent,
        "groups": _cookie_table(catalogue),
        "policy": policy,
        "policy_html": render_markdown(policy.body) if policy else "",
        "history": policy_history(PolicyVersion.Kind.COOKIES),
        "theme_form": ThemeForm(initial={"theme": current_theme(request)}),
        "theme_allowed": consent.allows(FUNCTIONALITY),
        "accepted_names": [g.name for g in catalogue.optional if consent.allows(g.varname)],
        **fixed_facts(),
    }
    return render(request, "cookies/settings.html", context)


@require_POST
def consent_decide(request: HttpRequest) -> HttpResponse:
    catalogue = catalogue_get()
    form = ConsentForm(request.POST, catalogue=catalogue)
    if not form.is_valid():
        messages.error(request, "Your cookie choices were not understood; please choose again.")
        return redirect("cookies")
    accepted = form.accepted()
    method = form.cleaned_data["method"]
    gpc = gpc_signal(request)
    if gpc and accepted and method != ConsentRecord.Method.SETTINGS:
        # The signal is a refusal; only the settings page, which explains it, takes an opt-in
        # over it. The banner shown with the signal offers none: this one was an older page.
        messages.info(
            request,
            "Your browser asks sites not to track you (Global Privacy Control), so we use only "
            "strictly necessary cookies. To allow others, choose them on this page.",
        )
        return redirect("cookies")
    declined = {g.varname for g in catalogue.optional} - accepted
    token = consent_of(request).visitor_token or new_visitor_token()
    consent_record_create(
        visitor_id=visitor_hash(token),
        user=request.user,
        accepted=accepted,
        declined=declined,
        policy_version=catalogue.policy_version,
        method=method,
        gpc=gpc,
    )
    # The banner sends no "next" (a hidden copy of the path would echo it into every page,
    # 404s included): back to the page it was on, when the Referer is ours.
    target = form.cleaned_data["next"] or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("cookies")
    response = redirect(target)
    consent_cookie_write(
        response, accepted=accepted, catalogue=catalogue, visitor_token=token, gpc=gpc
    )
    if accepted:
        names = ", ".join(g.name for g in catalogue.optional if g.varname in accepted)
        override = (
            " This choice overrides your browser's Global Privacy Control signal on this site."
            if gpc
            else ""
        )
        messages.success(request, f"Cookie choices saved. Allowed: {names}.{override}")
    else:
        messages.success(request, "Cookie choices saved: only strictly necessary cookies.")
    return response


@require_POST
def theme_save(request: HttpRequest) -> HttpResponse:
    form = ThemeForm(request.POST)
    response = redirect(reverse("cookies") + "#display")
    if not consent_of(request).allows(FUNCTIONALITY):
        messages.error(request, "Allow functionality cookies first: the theme is kept in one.")
    elif form.is_valid():
        response.set_cookie(
            THEME_COOKIE, form.cleaned_data["theme"], max_age=ONE_YEAR, **cookie_flags()
        )
        messages.success(request, "Theme saved.")
    else:
        messages.error(request, "Choose one of the themes.")
    return response


@require_POST
def analytics_visit(request: HttpRequest) -> JsonResponse:
    """The analytics script reports a page visit here; without consent nothing is recorded."""
    if not consent_of(request).allows(PERFORMANCE):
        return JsonResponse({"recorded": False, "reason": "no consent"}, status=403)
    if len(request.body) > MAX_ANALYTICS_BODY:
        return JsonResponse({"recorded": False, "reason": "too large"}, status=413)
    try:
        path = json.loads(request.body or b"{}").get("path", "")
        match = resolve(path) if isinstance(path, str) and path.startswith("/") else None
    except (ValueError, AttributeError, RecursionError, Resolver404):
        match = None
    if match is None:
        return JsonResponse({"recorded": False, "reason": "unknown page"}, status=400)
    # The route ("rights/status/<str:reference>/"), never the path: paths may hold tokens.
    new_visitor = ANALYTICS_COOKIE not in request.COOKIES
    page_visit_record(route="/" + match.route, new_visitor=new_visitor)
    response = JsonResponse({"recorded": True})
    if new_visitor:
        response.set_cookie(
            ANALYTICS_COOKIE, new_visitor_token(), max_age=ONE_YEAR, **cookie_flags()
        )
    return response


def notice_context(version: PolicyVersion) -> dict:
    """A published version as it was published: a privacy notice with its frozen tables, or
    (a version from before the notice was generated, or the cookie policy) its Markdown."""
    if version.kind == PolicyVersion.Kind.PRIVACY and version.snapshot is not None:
        return {
            "generated": True,
            "intro_html": render_markdown(version.body),
            "shown": notice_sections(sections=version.sections, snapshot=version.snapshot),
            "snapshot": version.snapshot,
            **fixed_facts(),
        }
    return {"generated": False, "version_html": render_markdown(version.body)}


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    # Two queries: the current version whole, and the history without the versions' texts.
    notice = policy_current(PolicyVersion.Kind.PRIVACY)
    history = policy_history(PolicyVersion.Kind.PRIVACY)
    return render(
        request,
        "cookies/privacy.html",
        {
            "notice": notice,
            "history": history,
            "is_current": True,
            **(notice_context(notice) if notice else {}),
        },
    )


@require_GET
def policy_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    version = PolicyVersion.objects.filter(kind=kind, number=number).first()
    if version is None:
        raise Http404("No such version.")
    current = policy_current(kind)
    return render(
        request,
        "cookies/policy_version.html",
        {
            "version": version,
            "is_current": current is not None and current.pk == version.pk,
            "current": current,
            "history": policy_history(kind),
            **notice_context(version),
        },
    )
