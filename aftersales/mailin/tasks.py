"""Background work of the mail intake: polling the IMAP mailbox every minute."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from aftersales.core.jobs import scheduled_job


@scheduled_job("mailin.poll_imap", every=timedelta(minutes=1))
def poll_imap_job(now: datetime) -> str:
    if not settings.MAILIN_IMAP_HOST:
        return "IMAP polling is off (MAILIN_IMAP_HOST is not set)"
    from aftersales.mailin.intake import poll_imap

    return poll_imap().summary()
