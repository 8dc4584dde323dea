"""Writes of service requests: create (grade, route, number, SLA targets with their
warnings), re-grade, pause and resume, targets met, assignment, status, comments.

Each service runs in one transaction, writes the timeline event users see and the audit
record, and sends mail only through `transaction.on_commit`. Due times come from
`aftersales.domain.sla`; the rules are in docs/decisions/0007-ticket-sla-clocks.md.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.choices import Role
from aftersales.calendars.selectors import UnknownCalendar, business_calendar
from aftersales.core import dataversion, onetrip, rows
from aftersales.core.audit import audit_entry, audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.customers.models import Contract
from aftersales.domain import grading, routing
from aftersales.domain import sla as clocks
from aftersales.domain.calendar import BusinessCalendar
from aftersales.tickets.choices import OPEN_STATUSES, EventKind, Status, TargetKind
from aftersales.tickets.models import (
    GradeChange,
    RoutingRule,
    SlaPause,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
)

# The calendar of a ticket whose customer has no contract: the hotline answers around the clock.
NO_CONTRACT_CALENDAR = "7x24"
URGENT_LEVELS = (grading.Level.L1, grading.Level.L2)
# Fields a caller may set when creating a ticket; everything else the service decides.
CREATE_FIELDS = {"customer", "site", "equipment", "contact", "category", "impact", "outage_started_at",
                 "outage_ended_at", "subject", "description", "caller_name", "caller_phone"}
_VALIDATED_ON_CREATE = (CREATE_FIELDS | {"channel"}) - {"customer", "site", "equipment", "contact"}
_NOT_VALIDATED_ON_CREATE = [f.name for f in Ticket._meta.concrete_fields if f.name not in _VALIDATED_ON_CREATE]


def policy_for(ticket: Ticket) -> clocks.Policy:
    """The SLA policy the ticket was created under: its contract's own policy as it stood
    then (snapshotted on the ticket, so editing the contract later never moves promises
    already made), or the tenders' defaults. Reads no database."""
    return clocks.policy_or_default(ticket.sla_policy)


def contract_policy_data(contract: Contract | None) -> dict | None:
    """What a new ticket under `contract` snapshots: the contract's own policy, or None for
    the tenders' defaults. `contract.sla_policy` is on the row already loaded."""
    return (contract.sla_policy or None) if contract is not None else None


def calendar_for(ticket: Ticket, versions: dict[str, str] | None = None) -> BusinessCalendar:
    try:
        return business_calendar(ticket.service_calendar, versions=versions)
    except UnknownCalendar:
        raise ValidationError({"contract": _("The contract's service calendar %(code)s is not defined.")
                               % {"code": ticket.service_calendar}}) from None


def _domain_pauses(ticket: Ticket, *, close_at: datetime | None = None) -> list[clocks.Pause]:
    return [clocks.Pause(p.started_at, p.ended_at or close_at, p.reason)
            for p in ticket.sla_pauses.all() if p.ended_at is not None or close_at is not None]


_NUMBER_SQL = "UPDATE tickets_ticketnumbercounter SET last = last + 1 WHERE year = %s RETURNING last"


def _number(year: int, last: int | None) -> str | None:
    return None if last is None else f"SR-{year}-{last:06d}"


def _take_number(year: int) -> str | None:
    """The year's next number, or None while the year has no counter row yet."""
    with connection.cursor() as cursor:
        cursor.execute(_NUMBER_SQL, [year])
        row = cursor.fetchone()
    return _number(year, row[0] if row else None)


# The number as `_number` writes it, worked out by PostgreSQL from the counter row.
_NUMBER_TEXT_SQL = "'SR-' || year || '-' || lpad(last::text, greatest(6, length(last::text)), '0')"


def _number_part(year: int, versions: dict[str, str] | None = None) -> onetrip.Part:
    """`_take_number(year)` inside a combined statement: the same text, worked out by
    PostgreSQL. With `versions`, only while the configuration's version tokens are still
    those (else no number, like a missing counter row: the caller tells the two apart)."""
    guard, guard_params = dataversion.unchanged_sql(versions) if versions is not None else ("TRUE", ())
    return onetrip.Part(sql=f"UPDATE tickets_ticketnumbercounter SET last = last + 1 WHERE year = %s AND {guard} "  # noqa: S608
                            f"RETURNING {_NUMBER_TEXT_SQL}",
                        params=(year, *guard_params), writes=True, run=lambda: _take_number(year))


ROUTING_VERSION = "routing"
# Per-process copy of the routing rules, against the "routing" version token (database
# triggers change it on any write to rules or groups: aftersales.core.dataversion).
_routing_rules = dataversion.VersionedCache()


def routing_rules(versions: dict[str, str] | None = None) -> list[routing.Rule]:
    """Every routing rule with its group's lead, read once per process and version."""
    versions = dataversion.read_versions() if versions is None else versions

    def build() -> list[routing.Rule]:
        return [routing.Rule(*row) for row in RoutingRule.objects.values_list(
            "id", "priority", "category", "product_id", "region", "tier", "group_id", "group__lead_id")]

    return _routing_rules.get("rules", versions.get(ROUTING_VERSION), build)


def route(ticket: Ticket, versions: dict[str, str] | None = None) -> routing.Rule | None:
    """The rule that puts `ticket` in a group (aftersales.domain.routing), or None."""
    customer = ticket.customer
    request = routing.Request(category=ticket.category,
                              product_id=ticket.equipment.product_id if ticket.equipment_id else None,
                              region=customer.region, tier=customer.tier)
    return routing.choose(routing_rules(versions), request)


def _event(ticket: Ticket, event_kind: str, at: datetime, actor, **data) -> TicketEvent:
    return rows.new(TicketEvent, ticket=ticket, kind=event_kind, at=at,
                    actor=actor if getattr(actor, "pk", None) else None, data=data)


def _notify_vice_presidents(ticket: Ticket) -> None:
    """L1 and L2 tell the after-sales vice-presidents: one outbox message each, written in
    the caller's transaction (the notice commits with the create or re-grade that decided
    it) and delivered right after the commit; once per ticket and level (dedup key)."""
    from django.contrib.auth import get_user_model

    from aftersales.notifications.services import Message, notification_enqueue

    recipients = list(get_user_model().objects.filter(role=Role.VICE_PRESIDENT, is_active=True)
                      .exclude(email="").values_list("email", flat=True))
    if not recipients:
        return
    subject = _("%(level)s service request %(number)s: %(subject)s") % {
        "level": ticket.level, "number": ticket.number, "subject": ticket.subject}
    body = _("Customer: %(customer)s\nLevel: %(level)s\nCategory: %(category)s\n\n%(description)s") % {
        "customer": ticket.customer, "level": ticket.level, "category": ticket.get_category_display(),
        "description": ticket.description}
    notification_enqueue(messages=[
        Message(channel="email", recipient=email, subject=subject, body=body, ticket=ticket,
                dedup_key=f"vp:{ticket.pk}:{ticket.level}:{email.strip().lower()}")
        for email in recipients], deliver_after_commit=True)


def _notify_if_urgent(ticket: Ticket, previous_level: str | None) -> None:
    urgent_before = previous_level in URGENT_LEVELS
    if ticket.level in URGENT_LEVELS and not urgent_before:
        _notify_vice_presidents(ticket)


def _contract_for(customer, equipment) -> Contract | None:
    if equipment is not None and equipment.contract_id:
        return equipment.contract
    return (Contract.objects.filter(customer=customer, status="active")
            .order_by("-signed_on", "-id").only("id", "service_calendar", "customer_id", "sla_policy").first())


def _create_rows(ticket: Ticket, policy: clocks.Policy, versions: dict[str, str], *, actor, channel: str,
                 now: datetime) -> tuple[list[SlaTarget], TicketEvent, Any]:
    """Route the new ticket and compute its targets under the configuration `versions`; the
    targets, the created event and the audit record, unsaved."""
    calendar = calendar_for(ticket, versions)
    rule = route(ticket, versions)
    ticket.group_id = rule.group_id if rule is not None else None
    if rule is not None and ticket.assignee_id is None and rule.group_lead_id:
        # The group's lead owns a new ticket until someone dispatches it.
        ticket.assignee_id, ticket.status = rule.group_lead_id, Status.ASSIGNED
    # Times in UTC, as the database gives them back (the caller may answer from these objects).
    computed = clocks.compute_targets(policy, ticket.level, now, calendar, tz=UTC)
    ticket.provisional = any(c.provisional for c in computed)
    targets = []
    for c in computed:
        target = rows.new(SlaTarget, ticket=ticket, kind=c.kind.value, minutes=c.minutes,
                          business_time=c.business_time, started_at=c.started_at, due_at=c.due_at,
                          provisional=c.provisional)
        target.set_warnings(clocks.threshold_instants(c, calendar, tz=UTC), running=True)
        targets.append(target)
    created = _event(ticket, EventKind.CREATED, now, actor, level=ticket.level, channel=channel,
                     clock_started_at=now.isoformat())
    audit = audit_entry(actor=actor, action=AuditAction.CREATE, instance=ticket, before=None, after=snapshot(ticket))
    return targets, created, audit


def ticket_create(*, actor, data: dict[str, Any], channel: str, now: datetime | None = None) -> Ticket:
    """Register a service request from any channel. `data` holds model instances for the
    customer, site, equipment and contact (the API resolves ids through scoping first).
    Raises ValidationError with field messages and writes nothing on bad input."""
    now = now or timezone.now()
    unknown = set(data) - CREATE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    if data.get("customer") is None:
        raise ValidationError({"customer": _("Choose the customer.")})
    ticket = rows.new(Ticket, channel=channel, created_by=actor if getattr(actor, "pk", None) else None,
                      clock_started_at=now, status=Status.NEW)
    for name, value in data.items():
        setattr(ticket, name, "" if value is None and name in {"description", "caller_name", "caller_phone"} else value)
    if ticket.site_id is None and ticket.equipment_id is not None:
        ticket.site_id = ticket.equipment.site_id
    if ticket.outage_started_at and ticket.outage_started_at > now:
        raise ValidationError({"outage_started_at": _("The outage cannot start in the future.")})
    # What the caller gave is validated; foreign keys were resolved by the caller (validating
    # them again would cost a query each), and the rest this service sets itself.
    ticket.clean_fields(exclude=_NOT_VALIDATED_ON_CREATE)
    ticket.clean()

    outage = timedelta(0)
    if ticket.outage_started_at:
        outage = (ticket.outage_ended_at or now) - ticket.outage_started_at
    ticket.level = grading.grade(outage, grading.Impact(ticket.impact), grading.RequestCategory(ticket.category))
    if ticket.outage_started_at and not ticket.outage_ended_at:
        ticket.next_regrade_at = grading.next_regrade_at(
            ticket.outage_started_at, ticket.level, impact=grading.Impact(ticket.impact), after=now)

    # On PostgreSQL every row goes in one statement, atomic by itself, so the create needs no
    # transaction of its own (two round trips fewer), except when it also queues the notices
    # of an urgent ticket, which must commit with it.
    urgent, one_statement = ticket.level in URGENT_LEVELS, rows.one_statement()
    with transaction.atomic() if urgent or not one_statement else contextlib.nullcontext():
        contract = _contract_for(ticket.customer, ticket.equipment)
        ticket.contract = contract
        ticket.service_calendar = contract.service_calendar if contract else NO_CONTRACT_CALENDAR
        ticket.sla_policy = contract_policy_data(contract)
        policy = policy_for(ticket)
        id_requests = [(Ticket, 1), (SlaTarget, len(policy.specs(ticket.level)))]
        if one_statement:
            # PostgreSQL: ids from this process's pool, and the calendars and routing rules as
            # this process last read them; the statement that writes the rows checks that
            # they are still current (decision 0017), so the create usually needs no read.
            versions = dataversion.last_read()
            if versions is None:
                versions = dataversion.read_versions()
            ticket_ids, target_ids = rows.pooled_ids(id_requests)
        else:
            # SQLite: version tokens and ids (its counters belong to this transaction) first.
            versions, (ticket_ids, target_ids) = onetrip.fetch(dataversion.versions_part(), rows.ids_part(id_requests))
        rows.give_ids([[ticket]], [ticket_ids])
        rows.stamp(ticket)
        year = timezone.localtime(now).year
        routed_from = (ticket.assignee_id, ticket.status)
        for _attempt in range(5):
            # The number is taken by the statement that writes the rows (gapless: a create
            # that fails takes none); until then the rows hold a marker in its place.
            number = rows.Late(_number_part(year, versions if one_statement else None))
            ticket.number = number.marker
            ticket.assignee_id, ticket.status = routed_from
            targets, created, audit = _create_rows(ticket, policy, versions, actor=actor, channel=channel, now=now)
            rows.give_ids([targets], [target_ids])
            written = [ticket, *targets, created, audit]
            taken = rows.insert_rows(written, late=number)
            if taken is not None:
                break
            # No number: the year's first ticket (its counter row comes first; a concurrent
            # first create waits on the primary key and finds the row), or the calendars or
            # routing rules changed since this process read them: compute again under them.
            fresh = dataversion.read_versions()
            if fresh == versions:
                TicketNumberCounter.objects.get_or_create(year=year)
            versions = fresh
        else:
            raise RuntimeError("the calendars or routing rules kept changing during the create; try again")
        ticket.number = taken
        audit.object_repr = str(ticket)[:255]
        audit.after["number"] = ticket.number
        _notify_if_urgent(ticket, None)
    # What was just written travels with the ticket (plain attributes, not the relation caches,
    # so later services on this instance still read the database): the API answers from them.
    ticket.written_targets, ticket.written_events = sorted(targets, key=lambda t: (t.due_at, t.pk)), [created]
    return ticket


def paused_seconds(calendar: BusinessCalendar, clock: clocks.TargetClock, pauses: list[clocks.Pause]) -> int:
    """The business (or clock) seconds the pauses took out of the target's running window."""
    return int(sum(
        (calendar.business_us_between(int(max(p.started_at, clock.started_at).timestamp() * 1e6),
                                      int(min(p.ended_at, clock.due_at).timestamp() * 1e6))
         if clock.business_time else (min(p.ended_at, clock.due_at) - max(p.started_at, clock.started_at)).total_seconds() * 1e6)
        for p in pauses if p.ended_at > clock.started_at and p.started_at < clock.due_at) // 1_000_000)


def _sync_targets(ticket: Ticket, now: datetime) -> None:
    """Recompute the open targets of `ticket` (level, pauses) per the re-grade rule: met
    targets stay; open ones move with their warnings (those fired stay fired); kinds the
    level no longer promises go; new kinds come. While the ticket waits for the customer its
    open targets have no pending warning."""
    calendar = calendar_for(ticket)
    pauses = _domain_pauses(ticket)
    running_pause = ticket.sla_pauses.filter(ended_at__isnull=True).exists()
    existing = {t.kind: t for t in ticket.sla_targets.all()}
    computed = {c.kind.value: c for c in clocks.compute_targets(policy_for(ticket), ticket.level,
                                                                  ticket.clock_started_at, calendar, pauses)}
    for kind, target in existing.items():
        if target.met_at is None and kind not in computed:
            target.delete()
    for kind, clock in computed.items():
        target = existing.get(kind)
        if target is not None and target.met_at is not None:
            continue
        if target is None:
            target = SlaTarget(ticket=ticket, kind=kind)
        target.minutes, target.business_time = clock.minutes, clock.business_time
        target.started_at, target.due_at, target.provisional = clock.started_at, clock.due_at, clock.provisional
        target.paused_seconds = paused_seconds(calendar, clock, pauses)
        target.breached_at = None
        target.set_warnings(clocks.threshold_instants(clock, calendar, pauses), running=not running_pause)
        target.save()
    ticket.provisional = ticket.sla_targets.filter(provisional=True, met_at__isnull=True).exists()


def _save_with_audit(ticket: Ticket, before: dict, actor) -> None:
    ticket.save()
    after = snapshot(ticket)
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=ticket, before=before, after=after)


def _require_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise ValidationError({"status": _("The service request is %(status)s; reopen it first.")
                               % {"status": ticket.get_status_display()}})


def ticket_regrade(*, ticket: Ticket, level: str, reason: str, actor, automatic: bool = False,
                   outage_threshold_minutes: int | None = None, now: datetime | None = None) -> Ticket:
    """Change the level by hand (with a reason) or by the re-grade job; open targets are
    recomputed under the new level from the clock start (decision 0007)."""
    now = now or timezone.now()
    try:
        new_level = grading.Level(level)
    except ValueError:
        raise ValidationError({"level": _("Choose a level from L1 to L5.")}) from None
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the level changes.")})
    if new_level == ticket.level:
        raise ValidationError({"level": _("The service request is already %(level)s.") % {"level": new_level}})
    _require_open(ticket)
    with transaction.atomic():
        before = snapshot(ticket)
        previous = ticket.level
        GradeChange.objects.create(ticket=ticket, from_level=previous, to_level=new_level, reason=reason.strip(),
                                   actor=actor if getattr(actor, "pk", None) else None, at=now,
                                   automatic=automatic, outage_threshold_minutes=outage_threshold_minutes)
        ticket.level = new_level
        if ticket.outage_started_at and not ticket.outage_ended_at:
            ticket.next_regrade_at = grading.next_regrade_at(
                ticket.outage_started_at, new_level, impact=grading.Impact(ticket.impact), after=now)
        _sync_targets(ticket, now)
        _event(ticket, EventKind.REGRADED, now, actor, from_level=previous, to_level=new_level,
               reason=reason.strip(), automatic=automatic).save()
        _save_with_audit(ticket, before, actor)
        _notify_if_urgent(ticket, previous)
    return ticket


def ticket_pause(*, ticket: Ticket, reason: str, actor, now: datetime | None = None) -> Ticket:
    """Wait for the customer: the clocks stop until `ticket_resume`."""
    now = now or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the customer has to provide.")})
    _require_open(ticket)
    if ticket.sla_pauses.filter(ended_at__isnull=True).exists():
        raise ValidationError({"status": _("The clocks are already stopped.")})
    with transaction.atomic():
        before = snapshot(ticket)
        SlaPause.objects.create(ticket=ticket, started_at=now, reason=reason.strip(),
                                actor=actor if getattr(actor, "pk", None) else None)
        ticket.status = Status.WAITING_CUSTOMER
        _sync_targets(ticket, now)
        _event(ticket, EventKind.PAUSED, now, actor, reason=reason.strip()).save()
        _save_with_audit(ticket, before, actor)
    return ticket


def ticket_resume(*, ticket: Ticket, actor, now: datetime | None = None) -> Ticket:
    """The customer answered: the clocks run again and the due times move on by the pause."""
    now = now or timezone.now()
    pause = ticket.sla_pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        raise ValidationError({"status": _("The clocks are not stopped.")})
    with transaction.atomic():
        before = snapshot(ticket)
        pause.ended_at = max(now, pause.started_at)
        pause.save(update_fields=["ended_at"])
        ticket.status = Status.IN_PROGRESS if ticket.assignee_id else Status.NEW
        _sync_targets(ticket, now)
        _event(ticket, EventKind.RESUMED, now, actor).save()
        _save_with_audit(ticket, before, actor)
    return ticket


def ticket_mark(*, ticket: Ticket, kind: str, actor, at: datetime | None = None) -> SlaTarget:
    """Record that a target was met at `at` (default now). A resolve met in time means no
    loaner is owed, so the loaner target is met with it."""
    at = at or timezone.now()
    target = ticket.sla_targets.filter(kind=kind).first()
    if target is None:
        raise ValidationError({"kind": _("This service request has no %(kind)s target.") % {"kind": kind}})
    if target.met_at is not None:
        raise ValidationError({"kind": _("This target was already met.")})
    if at < ticket.clock_started_at:
        raise ValidationError({"at": _("A target cannot be met before the request was received.")})
    if at > timezone.now() + timedelta(minutes=1):
        raise ValidationError({"at": _("A target cannot be met in the future.")})
    with transaction.atomic():
        met = [target]
        if kind == TargetKind.RESOLVE and at <= target.due_at:
            met += list(ticket.sla_targets.filter(kind=TargetKind.LOANER, met_at__isnull=True))
        for row in met:
            row.met_at = at
            row.breached_at = row.due_at if at > row.due_at else None
            row.warning_due_at = None  # a met target warns nobody any more
            row.save(update_fields=["met_at", "breached_at", "warning_due_at"])
        _event(ticket, EventKind.TARGET_MET, at, actor, kind=kind, on_time=at <= target.due_at).save()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=target,
                     before={"met_at": None}, after={"met_at": at.isoformat()})
    return target


def ticket_assign(*, ticket: Ticket, assignee, actor, group=None, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    if assignee is not None and (getattr(assignee, "is_customer_user", False) or not assignee.is_active):
        raise ValidationError({"assignee": _("Assign the request to an active staff member.")})
    with transaction.atomic():
        before = snapshot(ticket)
        ticket.assignee = assignee
        if group is not None:
            ticket.group = group
        if ticket.status == Status.NEW and assignee is not None:
            ticket.status = Status.ASSIGNED
        _event(ticket, EventKind.ASSIGNED, now, actor, assignee=(assignee.get_full_name() or assignee.get_username()) if assignee else None).save()
        _save_with_audit(ticket, before, actor)
    return ticket


def ticket_set_status(*, ticket: Ticket, status: str, actor, now: datetime | None = None) -> Ticket:
    """Move the ticket along its statuses. Waiting for the customer goes through
    pause/resume (it needs a reason); resolving meets the resolve target and drops the
    warnings not yet fired."""
    now = now or timezone.now()
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if status == ticket.status:
        return ticket
    if Status.WAITING_CUSTOMER in (status, ticket.status):
        raise ValidationError({"status": _("Stop or restart the clocks with pause and resume.")})
    with transaction.atomic():
        before = snapshot(ticket)
        previous = ticket.status
        ticket.status = status
        if status in (Status.RESOLVED, Status.CLOSED):
            ticket.next_regrade_at = None
            resolve = ticket.sla_targets.filter(kind=TargetKind.RESOLVE, met_at__isnull=True).first()
            if resolve is not None:
                ticket_mark(ticket=ticket, kind=TargetKind.RESOLVE, actor=actor, at=now)
            # The clocks stop here: warnings still pending (a target never met, e.g. no visit
            # was needed) are dropped, so reopening the ticket later cannot fire a burst of
            # stale warnings. Breaches already recorded stay on the targets.
            ticket.sla_targets.filter(warning_due_at__isnull=False).update(warning_due_at=None)
        _event(ticket, EventKind.STATUS_CHANGED, now, actor, **{"from": previous, "to": status}).save()
        _save_with_audit(ticket, before, actor)
    return ticket


def ticket_comment(*, ticket: Ticket, text: str, actor, now: datetime | None = None) -> TicketEvent:
    now = now or timezone.now()
    if not (text or "").strip():
        raise ValidationError({"text": _("Write the comment.")})
    event = _event(ticket, EventKind.COMMENTED, now, actor, text=text.strip())
    event.save()
    return event


def regrade_running_outages(*, now: datetime, limit: int = 500) -> int:
    """Re-grade the open tickets whose running outage crossed 1 h / 2 h / 4 h. Each crossing
    is applied once only: the GradeChange row is unique per (ticket, threshold), so a second
    worker or a rerun after a crash skips it. Returns how many tickets changed."""
    due = Ticket.objects.filter(next_regrade_at__lte=now, status__in=OPEN_STATUSES,
                                outage_ended_at__isnull=True).order_by("next_regrade_at")
    changed = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            locked = Ticket.objects.filter(pk=pk, next_regrade_at__lte=now)
            if connection.features.has_select_for_update_skip_locked:
                locked = locked.select_for_update(skip_locked=True, of=("self",))
            ticket = locked.select_related("customer").first()
            if ticket is None or ticket.outage_started_at is None:
                continue
            outage = now - ticket.outage_started_at
            new_level = grading.grade(outage, grading.Impact(ticket.impact), grading.RequestCategory(ticket.category))
            crossed = max((t for t in grading.regrade_thresholds() if outage > t), default=None)
            if crossed is None or not new_level.is_worse_than(grading.Level(ticket.level)):
                ticket.next_regrade_at = grading.next_regrade_at(
                    ticket.outage_started_at, grading.Level(ticket.level), impact=grading.Impact(ticket.impact), after=now)
                ticket.save(update_fields=["next_regrade_at", "updated_at"])
                continue
            minutes = int(crossed.total_seconds() // 60)
            if GradeChange.objects.filter(ticket=ticket, outage_threshold_minutes=minutes).exists():
                continue
            ticket_regrade(ticket=ticket, level=new_level, actor=None, automatic=True, now=now,
                           outage_threshold_minutes=minutes,
                           reason=_("The outage has lasted more than %(hours)d h.") % {"hours": minutes // 60})
            changed += 1
    return changed
