"""POST /api/v1/triage/: what the model suggests for a text, before any case exists (for
intake systems that want to show it while the operator types)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fengqiao.core.errors import NotPermitted
from fengqiao.org import access as org_access

from .. import services
from .serializers import TriageInput, TriagePreviewOutput


class TriagePreviewApi(APIView):
    @extend_schema(request=TriageInput, responses=TriagePreviewOutput, operation_id="triage_preview")
    def post(self, request: Request) -> Response:
        user = request.user
        if not (user.is_superuser or org_access.is_staff_member(user)):  # type: ignore[arg-type]
            raise NotPermitted(_("Triage previews are for staff."))
        serializer = TriageInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggest(
            text=serializer.validated_data["text"], address=serializer.validated_data["address"]
        )
        return Response(
            {
                "subcategory": suggestion.subcategory,
                "category": suggestion.category,
                "department": suggestion.default_department,
                "case_type": suggestion.case_type,
                "urgent": suggestion.urgent,
                "urgent_probability": round(suggestion.urgent_probability, 4),
                "confidence": round(suggestion.confidence, 4),
                "case_type_confidence": round(suggestion.case_type_confidence, 4),
                "alternatives": suggestion.alternatives,
                "explanation": suggestion.explanation,
                "danger_words": suggestion.danger_words,
                "model_version": suggestion.model_version,
            }
        )
