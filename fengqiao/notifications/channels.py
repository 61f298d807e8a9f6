"""Delivery channels. Each is called after the transaction commits and never raises:
a failed delivery is logged, the in-app notification stays."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    verb: str
    subject: str
    body: str
    case_number: str
    case_id: int | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def send_email(message: Message) -> None:
    if not message.emails:
        return
    try:
        send_mail(message.subject, message.body, None, list(message.emails), fail_silently=False)
    except Exception:  # noqa: BLE001  (any mail failure must not break the action)
        logger.exception("e-mail for case %s failed", message.case_number)


def send_webhooks(message: Message) -> None:
    """POST a JSON event to each configured URL, signed with HMAC-SHA256 when a secret is set."""
    payload = json.dumps(
        {"event": message.verb, "case": message.case_id, "number": message.case_number, "message": message.body},
        ensure_ascii=False,
    ).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if settings.FENGQIAO_WEBHOOK_SECRET:
        signature = hmac.new(settings.FENGQIAO_WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()
        headers["X-Fengqiao-Signature"] = f"sha256={signature}"
    for url in settings.FENGQIAO_WEBHOOK_URLS:
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.FENGQIAO_WEBHOOK_TIMEOUT) as response:
                response.read()
        except Exception:  # noqa: BLE001
            logger.exception("webhook %s for case %s failed", url, message.case_number)


class SmsBackend:
    """The SMS gateway adapter: subclass it for a provider and name it in FENGQIAO_SMS_BACKEND."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Writes each text message to the log: for development and for deployments without a gateway."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class OutboxSmsBackend(SmsBackend):
    """Keeps messages in memory: for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def send_sms(message: Message) -> None:
    if not message.phones or not settings.FENGQIAO_SMS_BACKEND:
        return
    backend: SmsBackend = import_string(settings.FENGQIAO_SMS_BACKEND)()
    for phone in message.phones:
        try:
            backend.send(phone, message.body)
        except Exception:  # noqa: BLE001
            logger.exception("SMS for case %s failed", message.case_number)


def deliver(message: Message) -> None:
    send_email(message)
    send_sms(message)
    send_webhooks(message)
