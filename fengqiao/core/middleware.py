"""One id per request, shared by every audit row the request writes."""

import uuid
from contextvars import ContextVar

_request_id: ContextVar[uuid.UUID | None] = ContextVar("fengqiao_request_id", default=None)


def current_request_id() -> uuid.UUID:
    """The current request's id; outside a request (commands, tests) a fresh one each call."""
    return _request_id.get() or uuid.uuid4()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4()
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = str(request_id)
        return response
