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
from recipients.forms import NoticeRecordForm, ProcessorContactForm
from recipients.models import Notice, WebhookDelivery
from recipients.services import (
    AlreadyConfirmed,
    notice_confirm_by_hand,
    notice_excuse,
    processor_contact_set,
)
from records.models import Processor


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


@require_GET
@dpo_required
def processor_contacts(request: HttpRequest) -> HttpResponse:
    # One query: the register's providers with their contacts joined.
    processors = list(Processor.objects.select_related("privacy_contact").order_by("name", "pk"))
    return render(
        request, "recipients/contacts.html", {"processors": processors, "rows": processors}
    )


@require_POST
@dpo_required
def processor_contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    processor = get_object_or_404(Processor, pk=pk)
    form = ProcessorContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{processor.name}: enter a valid e-mail address.")
        return redirect("recipients:contacts")
    processor_contact_set(processor=processor, email=form.cleaned_data["email"], by=request.user)
    messages.success(request, f"Saved the privacy contact of {processor.name}.")
    return redirect("recipients:contacts")
