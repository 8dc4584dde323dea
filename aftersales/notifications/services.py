"""Writes of the outbox: enqueue messages (inside the caller's transaction), deliver the due
ones, retry a failed one.

Delivery claims rows with a lease, so any number of workers can run it at once and a worker
killed mid-way loses nothing: a claimed row's `next_attempt_at` is pushed `CLAIM_LEASE`
ahead and its `attempts` counted in one short transaction (PostgreSQL: the rows are picked
with SELECT ... FOR UPDATE SKIP LOCKED; SQLite: a conditional UPDATE per row under its
single writer lock). The message is sent after that commit; the outcome is written in a
second short transaction. A worker that dies between the two leaves the row pending, due
again when the lease ends: the message may go out twice, never zero times.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.audit import audit_record, snapshot
from aftersales.core.fields import mask_url
from aftersales.core.models import AuditAction
from aftersales.domain import notify
from aftersales.notifications.choices import NotificationChannel, NotificationStatus, WebhookKind
from aftersales.notifications.models import Notification, WebhookEndpoint

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
"""How long a claimed row stays invisible to other workers: longer than any one send
(webhook timeout, SMTP timeout) takes."""
ERROR_MAX_CHARS = 2000


@dataclass(frozen=True)
class Message:
    """One notification to write: an e-mail to `recipient`, or a webhook `payload` for
    `endpoint`."""

    channel: str
    recipient: str
    subject: str
    dedup_key: str
    body: str = ""
    payload: dict | None = None
    endpoint: WebhookEndpoint | None = None
    ticket: Any = None


def notification_enqueue(*, messages: list[Message], now: datetime | None = None,
                         deliver_after_commit: bool = False) -> int:
    """Write `messages` to the outbox in the caller's transaction; a message whose dedup_key
    is already there is ignored (so a rerun or a second worker adds nothing). Returns how
    many rows the call offered (one INSERT ... ON CONFLICT DO NOTHING, whatever the count).

    With `deliver_after_commit`, a background task delivers the due rows as soon as the
    transaction commits (urgent notices); otherwise the every-minute job does.
    """
    if not messages:
        return 0
    now = now or timezone.now()
    rows = []
    for message in messages:
        if message.channel not in NotificationChannel.values:
            raise ValueError(f"unknown channel {message.channel!r}")
        if message.channel == NotificationChannel.WEBHOOK and message.endpoint is None:
            raise ValueError("a webhook message needs its endpoint")
        rows.append(Notification(
            channel=message.channel, recipient=message.recipient[:500], endpoint=message.endpoint,
            subject=message.subject[:300], body=message.body, payload=message.payload or {},
            dedup_key=message.dedup_key[:200], status=NotificationStatus.PENDING, attempts=0,
            next_attempt_at=now, created_at=now, ticket=message.ticket))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if deliver_after_commit:
        from aftersales.notifications.tasks import deliver_notifications_task

        transaction.on_commit(lambda: deliver_notifications_task.enqueue())
    return len(rows)


def notification_retry(*, notification: Notification, actor, now: datetime | None = None) -> Notification:
    """Send a failed (given-up) notification again: pending, due now, a fresh set of attempts."""
    now = now or timezone.now()
    if notification.status != NotificationStatus.FAILED:
        raise ValidationError({"status": _("Only a failed notification can be retried.")})
    with transaction.atomic():
        before = snapshot(notification)
        updated = Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
            status=NotificationStatus.PENDING, attempts=0, next_attempt_at=now)
        if not updated:
            raise ValidationError({"status": _("Only a failed notification can be retried.")})
        notification.refresh_from_db()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=notification, before=before,
                     after=snapshot(notification))
    return notification


# --------------------------------------------------------------------------- delivery


def _claim(now: datetime, limit: int) -> list[Notification]:
    """Take up to `limit` due pending rows for this worker (see the module docstring)."""
    lease_until = now + CLAIM_LEASE
    due = Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.order_by("next_attempt_at", "id").select_for_update(skip_locked=True)
                       .values_list("pk", flat=True)[:limit])
            if ids:
                Notification.objects.filter(pk__in=ids).update(next_attempt_at=lease_until,
                                                               attempts=F("attempts") + 1)
        else:
            ids = []
            for pk in due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]:
                # The condition repeats the question: a row another worker claimed meanwhile
                # is no longer due and is skipped.
                if due.filter(pk=pk).update(next_attempt_at=lease_until, attempts=F("attempts") + 1):
                    ids.append(pk)
    return list(Notification.objects.filter(pk__in=ids).select_related("endpoint").order_by("next_attempt_at", "id"))


class DeliveryError(Exception):
    """A message could not be delivered; the text is what the outbox shows."""


def _send_email(notification: Notification, mail_connection) -> None:
    message = EmailMessage(subject=notification.subject, body=notification.body,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.recipient],
                           connection=mail_connection)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP errors come in many classes; all are recorded
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc


def _without_credentials(text: str, url: str, secret: str) -> str:
    """`text` (an error message the outbox shows) with the address, and its path and query
    (where the key or token sits), replaced by the masked address, and the secret by dots."""
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    for secret_part in sorted({url, tail, parts.query} - {"", "/"}, key=len, reverse=True):
        text = text.replace(secret_part, mask_url(url))
    return text.replace(secret, "••••••") if secret else text


def _send_webhook(notification: Notification, now: datetime) -> None:
    endpoint = notification.endpoint
    if endpoint is None:
        raise DeliveryError(_("The webhook endpoint was deleted."))
    if endpoint.credentials_unreadable:
        raise DeliveryError(_("The endpoint's address or secret cannot be decrypted (SECRET_KEY changed without "
                              "SECRET_KEY_FALLBACKS); enter them again on the endpoint's page."))
    try:
        _post_webhook(endpoint, notification.payload, now)
    except DeliveryError as exc:
        raise DeliveryError(_without_credentials(str(exc), endpoint.url, endpoint.secret)) from exc.__cause__


def _post_webhook(endpoint: WebhookEndpoint, payload: dict, now: datetime) -> None:
    url = endpoint.url
    if endpoint.kind == WebhookKind.DINGTALK and endpoint.secret:
        # Signed at send time: DingTalk refuses a timestamp more than an hour old.
        url = notify.dingtalk_signed_url(url, endpoint.secret, now)
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(_("A webhook URL must start with http:// or https://."))
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 - scheme checked above
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "Aftersales-notifications/1"})
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:  # noqa: S310 - scheme checked above
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", errors="replace")
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}: {detail}".strip()) from exc
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{exc.__class__.__name__}: {getattr(exc, 'reason', exc)}") from exc
    error = notify.robot_error(endpoint.kind, body)
    if error:
        raise DeliveryError(error)


def _record(notification: Notification, now: datetime, error: str | None) -> str:
    """Write the outcome of one attempt; returns the new status."""
    if error is None:
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.SENT, sent_at=now, last_error="")
        return NotificationStatus.SENT
    error = error[:ERROR_MAX_CHARS]
    if notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk).update(
            status=NotificationStatus.FAILED, last_error=error)
        return NotificationStatus.FAILED
    delay = notify.retry_delay(notification.attempts, base_seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=now + delay, last_error=error)
    return NotificationStatus.PENDING


def _close_quietly(mail_connection) -> None:
    try:
        mail_connection.close()
    except Exception:  # closing a broken SMTP session must not hide the results
        logger.warning("Closing the SMTP connection failed", exc_info=True)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send every due pending notification (batches of `limit` until none are due).
    Failures are recorded on the row and retried later with back-off; after
    NOTIFY_MAX_ATTEMPTS attempts a row is failed (an operator retries it from the outbox)."""
    report = DeliveryReport()
    start = now or timezone.now()
    while True:
        claimed = _claim(start, limit)
        if not claimed:
            return report
        mail_connection = None
        try:
            for notification in claimed:
                error = None
                try:
                    if notification.channel == NotificationChannel.EMAIL:
                        if mail_connection is None:
                            mail_connection = get_connection(fail_silently=False)
                        _send_email(notification, mail_connection)
                    else:
                        _send_webhook(notification, now or timezone.now())
                except DeliveryError as exc:
                    error = str(exc) or exc.__class__.__name__
                    if notification.channel == NotificationChannel.EMAIL and mail_connection is not None:
                        # The SMTP session may be broken; the next message opens a new one.
                        _close_quietly(mail_connection)
                        mail_connection = None
                    logger.warning("Notification %s to %s failed: %s", notification.pk, notification.recipient, error)
                status = _record(notification, now or timezone.now(), error)
                if status == NotificationStatus.SENT:
                    report.sent += 1
                elif status == NotificationStatus.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
        finally:
            if mail_connection is not None:
                _close_quietly(mail_connection)
        if len(claimed) < limit:
            return report


# --------------------------------------------------------------------------- retention


DEFAULT_SENT_RETENTION_DAYS = 90
DEFAULT_FAILED_RETENTION_DAYS = 365
PRUNE_CHUNK = 1000
"""Rows deleted per transaction: short locks, and a crash loses nothing but progress."""


def retention_days() -> tuple[int, int]:
    """(sent, failed): days a sent message, and a failed one (kept longer, as evidence that a
    notice did not go out), stay in the outbox. From NOTIFICATION_RETENTION_DAYS and
    NOTIFICATION_FAILED_RETENTION_DAYS; ValueError when either is not a whole number of at
    least one day."""
    days = (getattr(settings, "NOTIFICATION_RETENTION_DAYS", DEFAULT_SENT_RETENTION_DAYS),
            getattr(settings, "NOTIFICATION_FAILED_RETENTION_DAYS", DEFAULT_FAILED_RETENTION_DAYS))
    for name, value in zip(("NOTIFICATION_RETENTION_DAYS", "NOTIFICATION_FAILED_RETENTION_DAYS"), days, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of days, at least 1 (it is {value!r}).")
    return days


@dataclass
class PruneReport:
    sent: int = 0
    failed: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        return f"{verb} {self.sent + self.failed} notifications ({self.sent} sent, {self.failed} failed)"


def prunable_notifications(*, now: datetime, sent_days: int, failed_days: int):
    """(sent, failed) querysets of what the retention removes: messages sent more than
    `sent_days` ago, and failed ones neither created nor last tried within `failed_days`.
    Pending messages are never removed."""
    sent_before = now - timedelta(days=sent_days)
    failed_before = now - timedelta(days=failed_days)
    sent = Notification.objects.filter(status=NotificationStatus.SENT, sent_at__lt=sent_before)
    failed = Notification.objects.filter(status=NotificationStatus.FAILED, created_at__lt=failed_before,
                                         next_attempt_at__lt=failed_before)
    return sent, failed


def _delete_in_chunks(queryset, chunk: int) -> int:
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                return removed
            # The condition repeats the question: a row retried meanwhile is no longer old.
            removed += queryset.filter(pk__in=ids).delete()[0]
        if len(ids) < chunk:
            return removed


def notifications_prune(*, now: datetime | None = None, sent_days: int | None = None,
                        failed_days: int | None = None, dry_run: bool = False,
                        chunk: int = PRUNE_CHUNK) -> PruneReport:
    """Delete old outbox rows (see `prunable_notifications`), `chunk` rows per transaction;
    days default to the settings (`retention_days`). With `dry_run`, count and delete nothing."""
    now = now or timezone.now()
    if sent_days is None or failed_days is None:
        default_sent, default_failed = retention_days()
        sent_days = default_sent if sent_days is None else sent_days
        failed_days = default_failed if failed_days is None else failed_days
    if sent_days < 1 or failed_days < 1:
        raise ValueError("Notifications are kept at least one day.")
    sent, failed = prunable_notifications(now=now, sent_days=sent_days, failed_days=failed_days)
    if dry_run:
        return PruneReport(sent=sent.count(), failed=failed.count(), dry_run=True)
    report = PruneReport(sent=_delete_in_chunks(sent, chunk), failed=_delete_in_chunks(failed, chunk))
    if report.sent or report.failed:
        logger.info("Outbox retention: %s", report)
    return report
