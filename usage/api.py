"""REST: batch ingestion of usage events, and the client usage report (JSON or CSV)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiScope, GroupCompany, Organisation
from accounts.permissions import HasScope
from accounts.selectors import actor_is_api_key, actor_is_staff, report_entitlements_of
from common.api import PayloadTooLarge
from common.csv import csv_response
from common.renderers import JSONRenderer
from usage.forms import ReportForm
from usage.reports import report_csv_rows, report_json
from usage.selectors import GROUPINGS, usage_report
from usage.services import MAX_BATCH, BatchInvalid, usage_events_ingest, usage_report_disclose


class CsvRenderer(BaseRenderer):
    """Lets content negotiation accept `Accept: text/csv` and `?format=csv`; the view streams."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class KeyOnly(HasScope):
    """An API key with the scope: integrations send events, people do not."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not actor_is_api_key(request.user):
            return self._deny("Send usage events with an API key.")
        return super().has_permission(request, view)


class UsageEventsView(APIView):
    permission_classes = [KeyOnly(ApiScope.USAGE_WRITE)]

    @extend_schema(
        summary="Send a batch of usage events",
        description=(
            f"A JSON array of up to {MAX_BATCH} events for the key's organisation. All or "
            "nothing: one invalid item rejects the batch, with errors under `fields.items` by "
            "the item's index. An `event_id` already stored for the organisation is skipped, "
            "so a batch can be retried safely."
        ),
        request=inline_serializer(
            "UsageEventIn",
            {
                "event_id": serializers.CharField(max_length=100),
                "occurred_at": serializers.DateTimeField(),
                "action": serializers.CharField(max_length=60),
                "feature": serializers.CharField(max_length=100, required=False),
                "user_id": serializers.IntegerField(required=False),
                "user_email": serializers.EmailField(required=False),
                "path": serializers.CharField(required=False),
                "status_code": serializers.IntegerField(required=False),
                "duration_ms": serializers.IntegerField(required=False),
                "purpose": serializers.CharField(required=False),
                "ip_address": serializers.IPAddressField(required=False),
                "user_agent": serializers.CharField(required=False),
            },
            many=True,
        ),
        responses={
            201: inline_serializer(
                "UsageIngestResult",
                {"stored": serializers.IntegerField(), "duplicates": serializers.IntegerField()},
            )
        },
    )
    def post(self, request):
        items = request.data
        if not isinstance(items, list):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON array of events."]})
        if len(items) > MAX_BATCH:
            raise PayloadTooLarge(f"At most {MAX_BATCH} events in one batch; got {len(items)}.")
        try:
            result = usage_events_ingest(organisation=request.user.organisation, items=items)
        except BatchInvalid as invalid:
            raise exceptions.ValidationError({"items": invalid.errors}) from None
        return Response(
            {"stored": result.stored, "duplicates": result.duplicates},
            status=status.HTTP_201_CREATED,
        )


class UsageReportView(APIView):
    permission_classes = [HasScope(ApiScope.USAGE_READ)]
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        summary="The client usage report",
        description=(
            "Usage of the caller's organisation between two UK dates (inclusive), grouped by "
            "user, feature, purpose or day, from the daily rollups. `Accept: text/csv` or "
            "`?format=csv` answers CSV. Staff name the organisation with `organisation`; a "
            "client admin or key may name an organisation that named theirs as its group "
            "company, affiliate or business partner (each read is a disclosure to theirs), "
            "and any other organisation answers 404. `minutes` is server time: how long our "
            "servers took to answer the requests, not time people spent on tasks."
        ),
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUPINGS)),
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                description="slug: any for staff; otherwise your own or one entitling yours",
            ),
        ],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): str},
    )
    def get(self, request):
        form = ReportForm(
            {
                "start": request.query_params.get("start"),
                "end": request.query_params.get("end"),
                "group_by": request.query_params.get("group_by", "user"),
            }
        )
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors.get_json_data())
        organisation, entitlement = self._organisation(request)
        report = usage_report(organisation=organisation, **form.cleaned_data)
        wants_csv = request.accepted_renderer.format == "csv"
        usage_report_disclose(
            report=report,
            by=request.user,
            channel="API, CSV" if wants_csv else "API, JSON",
            entitlement=entitlement,
        )
        if wants_csv:
            header, rows = report_csv_rows(report)
            return csv_response(
                f"usage-{report.start}-{report.end}-by-{report.group_by}.csv", header, rows
            )
        return Response(report_json(report))

    def _organisation(self, request) -> tuple[Organisation, GroupCompany | None]:
        """Whose report, and the entitlement that lets a group company read it (None for the
        caller's own, and for staff)."""
        slug = request.query_params.get("organisation")
        if actor_is_staff(request.user):
            if not slug:
                raise exceptions.ValidationError({"organisation": ["Name the organisation."]})
            return get_object_or_404(Organisation, slug=slug), None
        own = request.user.organisation
        if not slug or slug == own.slug:
            return own, None
        entitlement = report_entitlements_of(own.pk).filter(organisation__slug=slug).first()
        if entitlement is None:
            raise exceptions.NotFound("No report of that organisation is yours to read.")
        return entitlement.organisation, entitlement

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are always JSON, whatever format the report was asked in.
        if isinstance(response, Response) and response.exception:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
