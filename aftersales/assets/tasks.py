"""Background work of the assets app: warranty-end notices to the contracts' sales owners."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from aftersales.assets.models import WarrantyNotice
from aftersales.assets.selectors import equipment_queryset, terms_ending
from aftersales.core.jobs import scheduled_job
from aftersales.domain import warranty as rules

logger = logging.getLogger(__name__)

# Warranty days are calendar days where the customers are; the business calendar's zone.
BUSINESS_TIME_ZONE = ZoneInfo("Asia/Shanghai")
INSERT_BATCH = 200


def _insert_new_notices(candidates: list[dict], now: datetime) -> list[int]:
    """Insert the notices not already there and return the ids of exactly those rows.

    INSERT ... ON CONFLICT DO NOTHING RETURNING (PostgreSQL, SQLite >= 3.35) lets the unique
    key decide: a notice another worker or an earlier, interrupted run already inserted is
    skipped and not returned, so it is never mailed twice.
    """
    if not candidates:
        return []
    meta = WarrantyNotice._meta
    columns = ["equipment", "term", "days_before", "ends_on", "recipient", "recipient_email", "created_at"]
    quote, column = connection.ops.quote_name, (lambda name: meta.get_field(name).column)
    quoted = ", ".join(quote(column(name)) for name in columns)
    unique_key = ", ".join(quote(column(name)) for name in ["equipment", "term", "days_before", "ends_on"])
    created_at = connection.ops.adapt_datetimefield_value(now)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(candidates), INSERT_BATCH):
            batch = candidates[start:start + INSERT_BATCH]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(batch))
            params: list = []
            for row in batch:
                params += [row["equipment_id"], row["term_id"], row["days_before"],
                           connection.ops.adapt_datefield_value(row["ends_on"]), row["recipient_id"],
                           row["recipient_email"], created_at]
            cursor.execute(
                # Table and column names come from the model; every value is a parameter.
                f"INSERT INTO {quote(meta.db_table)} ({quoted}) VALUES {placeholders} "  # noqa: S608
                f"ON CONFLICT ({unique_key}) DO NOTHING RETURNING {quote(meta.pk.column)}",
                params,
            )
            ids += [row[0] for row in cursor.fetchall()]
    return ids


def _describe(notice: WarrantyNotice) -> str:
    unit = notice.equipment
    scope = notice.term.component.name if notice.term.component_id else "整机 whole system"
    return (f"- {unit.serial}  {unit.product.model} {unit.product.name}  {unit.customer.name}  "
            f"[{scope}]  ends {notice.ends_on:%Y-%m-%d} ({notice.days_before} days notice)")


def _send_owner_mail(email: str, notice_ids: list[int], lines: list[str]) -> None:
    subject = f"质保即将到期 Warranties ending soon: {len(lines)} unit(s)"
    body = "\n".join([
        "以下设备的质保即将到期，请联系客户续保或安排到期前回访。",
        "The warranty of these units ends soon; please contact the customers about an extension.",
        "",
        *lines,
        "",
    ])
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    WarrantyNotice.objects.filter(pk__in=notice_ids, sent_at__isnull=True).update(sent_at=timezone.now())


def _send_after_commit(email: str, notice_ids: list[int], lines: list[str]) -> None:
    try:
        _send_owner_mail(email, notice_ids, lines)
    except Exception:
        # The rows stay unsent (sent_at empty) for an operator to see; the other owners still get theirs.
        logger.exception("Warranty notice mail to %s failed", email)


@scheduled_job("warranty_notices", every=timedelta(days=1))
def warranty_notices(now: datetime) -> str:
    """Notice each warranty term ending within 90 days (and again within 30), once, and
    mail the contract's sales owner one list of their units. Four queries and one insert
    per 200 notices, however many units there are."""
    today: date = timezone.localtime(now, BUSINESS_TIME_ZONE).date()
    window = max(rules.NOTICE_DAYS_BEFORE)
    candidates = []
    for ending in terms_ending(equipment_queryset(), today=today, within_days=window):
        days_before = rules.notice_due(ending.ends_on, today)
        if days_before is None:
            continue
        contract = ending.equipment.contract
        owner = contract.sales_owner if contract is not None else None
        candidates.append({
            "equipment_id": ending.equipment.pk, "term_id": ending.term.pk, "days_before": days_before,
            "ends_on": ending.ends_on, "recipient_id": owner.pk if owner else None,
            "recipient_email": owner.email if owner else "",
        })

    with transaction.atomic():
        new_ids = _insert_new_notices(candidates, now)
        notices = list(
            WarrantyNotice.objects.filter(pk__in=new_ids)
            .select_related("equipment__product", "equipment__customer", "term__component")
            .order_by("ends_on", "equipment__serial")
        )
        by_email: dict[str, list[WarrantyNotice]] = defaultdict(list)
        without_owner = []
        for notice in notices:
            if notice.recipient_email:
                by_email[notice.recipient_email].append(notice)
            else:
                without_owner.append(notice)
        for email, owned in by_email.items():
            ids, lines = [n.pk for n in owned], [_describe(n) for n in owned]
            transaction.on_commit(lambda e=email, i=ids, ln=lines: _send_after_commit(e, i, ln))

    summary = f"{len(notices)} notices"
    if notices:
        summary += f" for {len(by_email)} sales owners"
    if without_owner:
        serials = ", ".join(sorted({n.equipment.serial for n in without_owner}))
        summary += f"; {len(without_owner)} without a sales owner e-mail ({serials})"
    return summary
