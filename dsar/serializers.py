"""REST input and output of rights requests (dsar.api)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from common.api import StrictSerializer
from datamap.purposes import Purpose
from dsar.forms.intake import CORRECTION_CHOICES
from dsar.models import ComplaintOutcome, RectificationItem, RequestEvent, RequestKind, State
from dsar.services.filing import objection_purposes_clean


class CorrectionIn(StrictSerializer):
    field = serializers.ChoiceField(choices=CORRECTION_CHOICES)
    value = serializers.CharField(max_length=254)

    def validate(self, attrs):
        if attrs["field"] == "email":
            serializers.EmailField().run_validation(attrs["value"])
        return attrs


class RightsRequestIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    requester_name = serializers.CharField(max_length=200)
    requester_email = serializers.EmailField(max_length=254)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    corrections = CorrectionIn(
        many=True,
        required=False,
        help_text="For a rectification request (at least one): the corrected values proposed.",
    )
    objection_purposes = serializers.MultipleChoiceField(
        choices=Purpose.choices,
        required=False,
        help_text="For an objection (at least one): the purposes objected to, each one the "
        "record of processing bases on legitimate interests.",
    )

    def validate(self, attrs):
        corrections = attrs.get("corrections") or []
        if attrs["kind"] == RequestKind.RECTIFICATION and not corrections:
            raise serializers.ValidationError(
                {"corrections": ["A rectification request proposes at least one correction."]}
            )
        if attrs["kind"] != RequestKind.RECTIFICATION and corrections:
            raise serializers.ValidationError(
                {"corrections": ["Corrections go with a rectification request only."]}
            )
        purposes = attrs.get("objection_purposes") or set()
        if attrs["kind"] == RequestKind.OBJECTION and not purposes:
            raise serializers.ValidationError(
                {"objection_purposes": ["An objection names at least one purpose."]}
            )
        try:
            attrs["objection_purposes"] = objection_purposes_clean(attrs["kind"], purposes)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs

    def correction_items(self) -> list[RectificationItem]:
        return [
            RectificationItem(field=item["field"], proposed_value=item["value"].strip())
            for item in self.validated_data.get("corrections") or []
        ]


class RightsRequestCreatedOut(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    state = serializers.ChoiceField(choices=State.choices)
    due_on = serializers.DateField(
        allow_null=True, help_text="Null until the requester's e-mail address is confirmed."
    )


class RequestEventOut(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=RequestEvent.Kind.choices)
    to_state = serializers.CharField(help_text="For a status change: the new status.")
    body = serializers.CharField()


class RightsRequestStatusOut(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    state = serializers.ChoiceField(choices=State.choices)
    received_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    paused = serializers.SerializerMethodField(
        help_text="True while the time limit is paused, awaiting the requester."
    )
    acknowledge_by = serializers.DateField(
        allow_null=True, help_text="A complaint only: the last day to acknowledge it."
    )
    acknowledged_at = serializers.DateTimeField(
        allow_null=True, help_text="A complaint only: when it was acknowledged."
    )
    complaint_outcome = serializers.ChoiceField(
        choices=ComplaintOutcome.choices,
        allow_null=True,
        help_text="A complaint only, once answered: upheld, partly upheld or not upheld.",
    )
    history = RequestEventOut(
        many=True, source="requester_events", help_text="What the requester may see, oldest first."
    )

    def get_paused(self, obj) -> bool:
        return obj.state == State.AWAITING_REQUESTER

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["complaint_outcome"] = data["complaint_outcome"] or None
        return data
