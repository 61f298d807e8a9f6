"""API glue: domain errors become 4xx responses with a readable `detail`."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        data = response.data
        if isinstance(data, dict) and "detail" not in data:
            response.data = {"detail": _flatten(data), "errors": data}
    return response


def _flatten(errors) -> str:
    """One readable sentence from DRF's nested error dict: `field: message; ...`."""
    parts = []
    if isinstance(errors, dict):
        for field, messages in errors.items():
            text = _flatten(messages)
            parts.append(text if field == "non_field_errors" else f"{field}: {text}")
    elif isinstance(errors, list):
        parts.extend(_flatten(item) for item in errors)
    else:
        parts.append(str(errors))
    return "; ".join(parts)
