"""The GeoReport v2 endpoints, XML or JSON by the URL's suffix. Plain Django views: each reads
its arguments, calls a selector or an action, and renders; every failure is an Open311 error
document with the right status (400, 403, 404, 405, 429), never a 500 for bad input."""

from __future__ import annotations

import os
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from fengqiao.core.errors import DomainError
from fengqiao.taxonomy.models import route

from . import actions, inputs, representation, selectors
from .errors import BadRequest, Open311Error, TooManyRequests
from .inputs import Params
from .rendering import CONTENT_TYPES, render, render_errors

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's "changeset").
CHANGESET = "2026-11-27T00:00:00+08:00"
STATUSES = ("open", "closed")


def endpoint(*methods: str):
    """Checks the format and the method, speaks the caller's language, turns errors into documents."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in CONTENT_TYPES:
                return render_errors(
                    "xml", [(404, _("Unknown format “%(fmt)s”: use .xml or .json.") % {"fmt": fmt})], status=404
                )
            if request.method not in methods:
                response = render_errors(
                    fmt, [(405, _("Method %(method)s is not allowed here.") % {"method": request.method})], status=405
                )
                response["Allow"] = ", ".join(methods)
                return response
            with translation.override(translation.get_language_from_request(request)):
                try:
                    response = view(request, *args, fmt=fmt, **kwargs)
                except TooManyRequests as error:
                    response = render_errors(fmt, error.errors, status=error.status)
                    response["Retry-After"] = str(error.retry_after)
                except Open311Error as error:
                    response = render_errors(fmt, error.errors, status=error.status)
                except DomainError as error:
                    response = render_errors(fmt, [(error.status_code, error.message)], status=error.status_code)
            patch_vary_headers(response, ("Accept-Language",))
            return response

        # No cookies, no sessions: a client app is identified by its api_key, never by a CSRF token.
        return csrf_exempt(wrapper)

    return decorator


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/."""
    return render_errors("xml", [(404, _("No such Open311 resource: %(path)s") % {"path": request.path})], status=404)


def _setting(name: str) -> str:
    """A setting, else the environment variable of the same name (both optional)."""
    return getattr(settings, name, "") or os.environ.get(name, "")


def _jurisdiction(params: Params):
    return selectors.resolve_jurisdiction(params.get("jurisdiction_id"))


# Discovery and services ---------------------------------------------------------------------------


@endpoint("GET", "HEAD")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    root = reverse("open311:discovery", kwargs={"fmt": "xml"}).removesuffix("discovery.xml")
    url = _setting("FENGQIAO_OPEN311_URL") or request.build_absolute_uri(root)
    contact = _setting("FENGQIAO_OPEN311_CONTACT") or settings.DEFAULT_FROM_EMAIL
    data = {
        "changeset": CHANGESET,
        "contact": _("Write to %(contact)s.") % {"contact": contact},
        "key_service": _(
            "Reading is open to everyone. To file requests, ask the operator of this server for an "
            "API key (python manage.py open311_key NAME) and send it as api_key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, root="discovery", data=data)


@endpoint("GET", "HEAD")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(Params(request))
    rows = representation.service_rows(selectors.services(), unit=jurisdiction.unit if jurisdiction else None)
    return render(fmt, root="services", item="service", data=rows)


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, *, service_code: str, fmt: str) -> HttpResponse:
    _jurisdiction(Params(request))
    subcategory = selectors.service(service_code)
    data = representation.service_definition(subcategory, selectors.service_attributes(subcategory))
    return render(fmt, root="service_definition", data=data)


# Requests -------------------------------------------------------------------------------------------


@endpoint("GET", "HEAD", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    params = Params(request)
    jurisdiction = _jurisdiction(params)
    page, page_size = inputs.paging(params)
    numbers = inputs.comma_list(params.get("service_request_id"))
    if numbers:
        cases = selectors.case_list(jurisdiction=jurisdiction, numbers=numbers)
    else:
        statuses = inputs.comma_list(params.get("status").lower())
        unknown = [status for status in statuses if status not in STATUSES]
        if unknown:
            raise BadRequest(
                _("Unknown status “%(status)s”: use open, closed or both.") % {"status": "”, “".join(unknown)}
            )
        cases = selectors.case_list(
            jurisdiction=jurisdiction,
            service_codes=inputs.comma_list(params.get("service_code")),
            statuses=statuses,
            window=inputs.date_window(params),
        )
    offset = (page - 1) * page_size
    rows = representation.request_rows(cases[offset : offset + page_size])
    return render(fmt, root="service_requests", item="request", data=rows)


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = Params(request)
    api_key = actions.authenticate(params.get("api_key"))
    problems: list[str] = []
    try:
        jurisdiction = _jurisdiction(params)
    except BadRequest as error:  # a missing jurisdiction_id is one problem among the others
        jurisdiction = None
        problems += error.descriptions
    data = inputs.request_input(params, problems=problems)
    if problems or data is None:
        raise BadRequest(*problems)
    case, _request = actions.do_submit_request(api_key=api_key, jurisdiction=jurisdiction, data=data)
    notice = _("%(department)s will handle this within %(limit)s.") % {
        "department": route(unit=case.unit, subcategory=data.subcategory).name,
        "limit": data.subcategory.limit_label,
    }
    receipt = [{"service_request_id": case.number, "service_notice": notice}]
    return render(fmt, root="service_requests", item="request", data=receipt)


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, *, service_request_id: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(Params(request))
    case = selectors.case_by_number(jurisdiction=jurisdiction, number=service_request_id)
    return render(fmt, root="service_requests", item="request", data=representation.request_rows([case]))


@endpoint("GET", "HEAD")
def token_detail(request: HttpRequest, *, token: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(Params(request))
    found = selectors.request_by_token(jurisdiction=jurisdiction, token=token)
    data = [{"service_request_id": found.case.number, "token": str(found.token)}]
    return render(fmt, root="service_requests", item="request", data=data)


@endpoint("GET", "HEAD")
def request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """FixMyStreet's servicerequestupdates: public steps of cases, by the time they happened."""
    params = Params(request)
    jurisdiction = _jurisdiction(params)
    page, page_size = inputs.paging(params)
    events = selectors.case_updates(jurisdiction=jurisdiction, window=inputs.date_window(params))
    offset = (page - 1) * page_size
    rows = representation.update_rows(events[offset : offset + page_size])
    return render(fmt, root="service_request_updates", item="request_update", data=rows)
