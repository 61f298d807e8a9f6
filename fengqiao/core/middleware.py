"""Request middleware: one id per request for the audit trail, and the page language."""

import uuid
from contextvars import ContextVar

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Chinese unless the person chose English with the language switch.

    A browser set to English (common on office PCs) does not make the pages English; the
    choice is the person's, kept in the language cookie. API clients still get error
    messages in the language their Accept-Language header asks for.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not translation.check_for_language(language):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
