"""Back office: recipients told of rights requests (Article 19), the DPO's alone. Those not
yet confirmed, with webhook messages that failed, and the DPO's record of a confirmation
received another way or of why none can be obtained."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from common.decorators import dpo_required
from recipients.forms import NoticeRecordForm
from recipients.models import Notice, WebhookDelivery
from recipients.services import AlreadyConfirmed, notice_confirm_by_hand, notice_excuse


@require_GET
@dpo_required
def notice_list(request: HttpRequest) -> HttpResponse:
    # One query: the awaiting notices, each marked if a webhook message to it failed.
    failed = WebhookDelivery.objects.filter(
        notice=OuterRef("pk"), status=WebhookDelivery.Status.FAILED
    )
    notices = list(
        Notice.objects.filter(status=Notice.Status.AWAITING)
        .annotate(webhook_failed=Exists(failed))
        .order_by("-webhook_failed", "created_at", "pk")[:200]
    )
    return render(
        request,
        "recipients/list.html",
        {"notices": notices, "rows": notices, "form": NoticeRecordForm()},
    )


@require_POST
@dpo_required
def notice_record(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    form = NoticeRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what happened and write a note.")
        return redirect("recipients:list")
    record = notice_confirm_by_hand if form.cleaned_data["outcome"] == "confirmed" else None
    try:
        if record:
            record(notice=notice, note=form.cleaned_data["note"], by=request.user)
        else:
            notice_excuse(notice=notice, reason=form.cleaned_data["note"], by=request.user)
    except AlreadyConfirmed:
        messages.error(request, f"{notice.recipient_label} was already recorded.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Recorded for {notice.recipient_label}.")
    return redirect("recipients:list")
