"""Writes of the Open311 endpoint: API keys, and filing a request as a case.

A request becomes a case through fengqiao.cases.actions.do_create_case like any appeal (the
system is the actor, the channel is Open311), so it is triaged, routed and shown in the clerk's
workbench like the others. What only Open311 knows is kept beside it in Open311Request.
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases import actions as case_actions
from fengqiao.cases.models import Case, CaseEvent, Channel
from fengqiao.org.models import Unit

from . import locating, ratelimit
from .errors import BadRequest, Forbidden, TooManyRequests
from .inputs import RequestInput
from .models import KEY_PREFIX_LENGTH, ApiKey, Jurisdiction, Open311Request, hash_key

_CJK = re.compile(r"[\u3400-\u9fff]")


# API keys ---------------------------------------------------------------------------------------


@transaction.atomic
def do_create_api_key(*, name: str) -> tuple[ApiKey, str]:
    """A new key: (the row, the key itself). Only its hash is kept; show the key now or never."""
    name = name.strip()
    if not name:
        raise ValueError("An API key needs a name (the app or organisation it is for).")
    raw = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name, prefix=raw[:KEY_PREFIX_LENGTH], key_hash=hash_key(raw))
    return key, raw


def do_revoke_api_keys(*, keys: QuerySet[ApiKey]) -> int:
    """Revoke the keys that are still active; returns how many were."""
    return keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def authenticate(raw: str) -> ApiKey:
    """The active key for `raw`, counted against its rate; 403 for a missing, unknown or revoked
    key and 429 over the rate."""
    if not raw:
        raise Forbidden(_("api_key is required to file a request."))
    key = ApiKey.objects.filter(key_hash=hash_key(raw)).first()
    if key is None:
        raise Forbidden(_("api_key is not valid."))
    if key.revoked_at is not None:
        raise Forbidden(_("This api_key has been revoked."))
    allowed, retry_after = ratelimit.take(key.pk)
    if not allowed:
        raise TooManyRequests(
            _("Too many requests for this api_key; try again in %(seconds)s seconds.") % {"seconds": retry_after},
            retry_after=retry_after,
        )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


# Filing a request -----------------------------------------------------------------------------


def full_name(first: str, last: str) -> str:
    """王 + 小明 -> 王小明 (family name first, no space, for Chinese names); John Smith otherwise."""
    first, last = first.strip(), last.strip()
    if _CJK.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


@transaction.atomic
def do_submit_request(
    *, api_key: ApiKey, jurisdiction: Jurisdiction | None, data: RequestInput
) -> tuple[Case, Open311Request]:
    """File the request as a case in the unit its location names, and keep what the app sent."""
    within: Unit | None = jurisdiction.unit if jurisdiction else None
    unit, located_by = locating.locate(lat=data.lat, long=data.long, address=data.address_string, within=within)
    if unit is None:
        raise BadRequest(_("This server has no units yet, so it cannot take requests."))
    text = data.description or data.subcategory.name
    if data.attribute_lines:
        text = text + "\n\n" + "\n".join(data.attribute_lines)
    case, _created = case_actions.do_create_case(
        actor=None,
        unit=unit,
        text=text,
        subcategory=data.subcategory,
        channel=Channel.OPEN311,
        address=data.address_string,
        contact_name=full_name(data.first_name, data.last_name),
        phone=data.phone,
    )
    request = Open311Request.objects.create(
        case=case,
        jurisdiction=jurisdiction,
        api_key=api_key,
        lat=data.lat,
        long=data.long,
        address_string=data.address_string,
        address_id=data.address_id,
        located_by=located_by,
        device_id=data.device_id,
        account_id=data.account_id,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        media_url=data.media_url,
        attributes=data.attributes,
    )
    # The creation's audit row says which app filed the case and how it was placed; it is
    # written in this same transaction.
    created = CaseEvent.objects.get(case=case, action="case.create")
    created.data = {
        **created.data,
        "open311": {
            "api_key": api_key.name,
            "api_key_prefix": api_key.prefix,
            "jurisdiction": jurisdiction.jurisdiction_id if jurisdiction else None,
            "located_by": located_by,
        },
    }
    created.save(update_fields=["data"])
    return case, request
