"""What a customer reads about a request: one plain-language line of where it stands, and
the customer-facing timeline.

What a customer sees (docs/decisions/0011-customer-portal.md): the request being received,
assigned, its status changes, waiting for them (with what we need), resumed work, level
changes (without the reason, which is an internal judgement), promises kept, and comments
and e-mails, unless a comment is marked internal. Not shown: escalations (our internal
warnings), names of staff accounts, grade reasons, routing groups and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _

from aftersales.tickets.choices import Channel, EventKind, Status, TargetKind

PORTAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")

CUSTOMER_VISIBLE_KINDS = frozenset({
    EventKind.CREATED, EventKind.ASSIGNED, EventKind.STATUS_CHANGED, EventKind.PAUSED, EventKind.RESUMED,
    EventKind.REGRADED, EventKind.TARGET_MET, EventKind.COMMENTED, EventKind.EMAIL,
})


def local(moment: datetime) -> datetime:
    return moment.astimezone(PORTAL_TIME_ZONE)


def when(moment: datetime, now: datetime) -> str:
    """"14:30" today, "2025-01-28 14:30" on another day (Asia/Shanghai)."""
    moment, today = local(moment), local(now).date()
    return f"{moment:%H:%M}" if moment.date() == today else f"{moment:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class PlainState:
    text: str
    late: bool = False
    tone: str = "secondary"  # a Bootstrap colour for the badge


def plain_state(*, status: str, next_due_kind: str | None, next_due_at: datetime | None, now: datetime) -> PlainState:
    """Where a request stands, in the customer's words: "Engineer on the way, on site by
    14:30", "Resolved"."""
    if status == Status.RESOLVED:
        return PlainState(_("Resolved"), tone="success")
    if status == Status.CLOSED:
        return PlainState(_("Closed"), tone="secondary")
    if status == Status.WAITING_CUSTOMER:
        return PlainState(_("Waiting for your reply"), tone="warning")
    if next_due_at is None or next_due_kind is None:
        return PlainState(_("Received; we are working on it"), tone="info")
    by = when(next_due_at, now)
    texts = {
        TargetKind.RESPOND: _("Received; we will contact you by %(time)s"),
        TargetKind.DIAGNOSE: _("Being diagnosed; diagnosis by %(time)s"),
        TargetKind.ON_SITE: _("Engineer on the way, on site by %(time)s"),
        TargetKind.RESOLVE: _("Being fixed; fix promised by %(time)s"),
        TargetKind.LOANER: _("A replacement unit is on its way by %(time)s"),
    }
    text = texts.get(next_due_kind, _("Next step by %(time)s")) % {"time": by}
    late = next_due_at < now
    if late:
        text = _("%(state)s (we are late)") % {"state": text}
    return PlainState(text, late=late, tone="danger" if late else "primary")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    text: str = ""
    from_customer: bool = False


def _target_label(kind: str) -> str:
    try:
        return str(TargetKind(kind).label)
    except ValueError:
        return kind


def _status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def is_from_customer(event) -> bool:
    return bool(event.data.get("from_customer")) or bool(event.actor_id and event.actor.is_customer_user)


def customer_timeline(events) -> list[TimelineEntry]:
    """The events of one ticket a customer may see, oldest first, in the customer's words."""
    entries = []
    for event in events:
        data = event.data or {}
        if event.kind not in CUSTOMER_VISIBLE_KINDS or data.get("internal"):
            continue
        kind = event.kind
        if kind == EventKind.CREATED:
            try:
                channel = str(Channel(data.get("channel", "")).label)
            except ValueError:
                channel = ""
            entry = TimelineEntry(event.at, _("Request received"),
                                  _("Via %(channel)s, graded %(level)s.") % {"channel": channel, "level": data.get("level", "")}
                                  if channel else "")
        elif kind == EventKind.ASSIGNED:
            if not data.get("assignee"):
                continue
            entry = TimelineEntry(event.at, _("An engineer took charge of your request"))
        elif kind == EventKind.STATUS_CHANGED:
            entry = TimelineEntry(event.at, _("Status: %(status)s") % {"status": _status_label(data.get("to", ""))})
        elif kind == EventKind.PAUSED:
            entry = TimelineEntry(event.at, _("Waiting for you"), data.get("reason", ""))
        elif kind == EventKind.RESUMED:
            entry = TimelineEntry(event.at, _("Work resumed"))
        elif kind == EventKind.REGRADED:
            entry = TimelineEntry(event.at, _("Level changed from %(from)s to %(to)s") % {
                "from": data.get("from_level", ""), "to": data.get("to_level", "")})
        elif kind == EventKind.TARGET_MET:
            label = _target_label(data.get("kind", ""))
            title = (_("Promise kept: %(target)s") if data.get("on_time", True)
                     else _("Done, later than promised: %(target)s")) % {"target": label}
            entry = TimelineEntry(event.at, title)
        else:  # a comment or an e-mail
            from_customer = kind == EventKind.EMAIL or is_from_customer(event)
            if kind == EventKind.EMAIL:
                title = _("Your e-mail")
            elif data.get("attachment"):
                title = _("You attached a file") if from_customer else _("Our service team attached a file")
            else:
                title = _("You wrote") if from_customer else _("Our service team wrote")
            entry = TimelineEntry(event.at, title, data.get("text") or data.get("attachment") or data.get("body")
                                  or data.get("subject", ""),
                                  from_customer=from_customer)
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class Promise:
    label: str
    due_at: datetime
    met_at: datetime | None
    late: bool


def promises(targets, now: datetime) -> list[Promise]:
    """The ticket's promised times (respond, on site, resolve, ...) with when each was kept."""
    rows = []
    for target in targets:
        late = (target.met_at or now) > target.due_at
        rows.append(Promise(_target_label(target.kind), target.due_at, target.met_at, late))
    return rows


def short_datetime(moment: datetime | None) -> str:
    return formats.date_format(local(moment), "Y-m-d H:i") if moment else "—"
