"""What the public GETs may show of a case's free text: the reporter's own name, phone and
e-mail are masked wherever they appear, and so is anything shaped like a mainland mobile
number, an ID-card number or an e-mail address."""

from __future__ import annotations

import re
from collections.abc import Iterable

from fengqiao.core.masking import mask_id_number, mask_name, mask_phone

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_email(value: str) -> str:
    local, _at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def redact(
    text: str,
    *,
    names: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    secrets: Iterable[str] = (),
) -> str:
    """The given names (张**), phones (138****5678), e-mails (x***@example.org) and other
    secrets (***) are masked wherever they appear, then anything shaped like them."""
    replacements = {value.strip(): mask_name(value) for value in names if len(value.strip()) >= 2}
    replacements.update({value.strip(): mask_phone(value) for value in phones if len(value.strip()) >= 3})
    replacements.update({value.strip(): mask_email(value.strip()) for value in emails if "@" in value})
    replacements.update({value.strip(): "***" for value in secrets if len(value.strip()) >= 3})
    for value in sorted(replacements, key=len, reverse=True):
        text = text.replace(value, replacements[value])
    text = ID_NUMBER.sub(lambda match: mask_id_number(match.group()), text)
    text = MOBILE.sub(lambda match: mask_phone(match.group()), text)
    return EMAIL.sub(lambda match: mask_email(match.group()), text)
