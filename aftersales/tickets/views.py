"""Staff pages of service requests: the queue with live countdowns, the fast new-ticket
form with its lookup box, the ticket page (clocks, grade history, timeline, actions,
replay), the service manager's "breaking soon" view, and the service group and routing
rule archives.

Every page states its permission. Objects are looked up through `scoped()` first (another
customer's ticket is 404), then the permission is checked (403). Customer users follow
their tickets in the portal; these staff pages answer them 403.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.choices import Role
from aftersales.assets.models import Equipment
from aftersales.core.generic import Column, ObjectViewSet, add_validation_errors, style_widget
from aftersales.core.scoping import get_scoped_or_404, scoped
from aftersales.customers.models import Customer
from aftersales.domain.sla import ClockStatus
from aftersales.tickets import attachments, selectors, services
from aftersales.tickets.choices import OPEN_STATUSES, Channel, EventKind, Level, Status, TargetKind
from aftersales.tickets.filters import RoutingRuleFilterSet, ServiceGroupFilterSet, TicketFilterSet
from aftersales.tickets.forms import (
    AssignForm,
    CommentForm,
    MarkMetForm,
    PauseForm,
    RegradeForm,
    ReplayForm,
    RoutingRuleForm,
    ServiceGroupForm,
    StatusForm,
    TicketCreateForm,
)
from aftersales.tickets.models import RoutingRule, ServiceGroup, Ticket, TicketAttachment

VIEW, ADD, CHANGE = "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket"
VIEW_ATTACHMENT, ADD_ATTACHMENT = "tickets.view_ticketattachment", "tickets.add_ticketattachment"
QUEUE_PAGE_SIZE = 50
LOOKUP_LIMIT = 8
BREAKING_HOURS = (2, 4, 8, 24)
BREAKING_DEFAULT_HOURS = 4
BREAKING_LIMIT = 500
LEVEL_BADGES = {"L1": "text-bg-danger", "L2": "text-bg-warning", "L3": "text-bg-warning",
                "L4": "text-bg-info", "L5": "text-bg-secondary"}


def require_staff_perm(request, permission: str) -> None:
    """Staff pages: the permission, and not a customer user (they use the portal)."""
    if request.user.is_customer_user or not request.user.has_perm(permission):
        raise PermissionDenied(_("You need the permission %(permission)s for this page.") % {"permission": permission})


def format_minutes(minutes: float) -> str:
    """1 h 05 min, 2 d 3 h; whole minutes, sign dropped (the caller says early or late)."""
    total = int(abs(minutes) + 0.5)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    return _("%(minutes)d min") % {"minutes": mins}


# --------------------------------------------------------------------------- queue


@require_GET
def queue(request):
    """Permission: tickets.change_ticket. Open tickets, nearest open due time first; htmx
    polls the table every 30 s (and on filter changes) and gets only the table back."""
    require_staff_perm(request, CHANGE)
    user = request.user
    qs = selectors.ticket_queue(user=user)
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(assignee=user)
    filterset = TicketFilterSet(data=request.GET, queryset=qs, request=request)
    form = filterset.form
    form.fields["status"].choices = [("", "---------")] + [c for c in Status.choices if c[0] in OPEN_STATUSES]
    group_choices = [("", "---------")] + [(g.pk, g.name) for g in ServiceGroup.objects.only("id", "name")]
    customer_choices = [("", "---------")] + [
        (c.pk, f"{c.code} {c.name}") for c in scoped(Customer.objects.filter(
            tickets__status__in=OPEN_STATUSES).distinct().only("id", "code", "name").order_by("code"), user)]
    form.fields["group"] = forms.TypedChoiceField(label=form.fields["group"].label, choices=group_choices,
                                                  coerce=int, required=False, empty_value=None)
    form.fields["customer"] = forms.TypedChoiceField(label=form.fields["customer"].label, choices=customer_choices,
                                                     coerce=int, required=False, empty_value=None)
    form.fields.pop("assignee", None)
    for field in form.fields.values():
        style_widget(field)
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    tickets = list(page.object_list)
    for ticket in tickets:
        ticket.level_badge = LEVEL_BADGES.get(ticket.level, "text-bg-secondary")
    context = {
        "filter_form": form,
        "mine": mine,
        "page_obj": page,
        "tickets": tickets,
        "level_badges": LEVEL_BADGES,
        "filtered": any(v for k, v in request.GET.items() if k not in ("page",)),
        "can_add": user.has_perm(ADD),
        "poll_url": request.get_full_path(),
        "waiting": Status.WAITING_CUSTOMER,
    }
    if request.htmx:
        return render(request, "tickets/_queue_table.html", context)
    return render(request, "tickets/queue.html", context)


# --------------------------------------------------------------------------- new ticket


def _picked_context(user, *, customer=None, equipment=None, site_id=None) -> dict[str, Any]:
    """What the lookup box has chosen: the unit (and its customer and site) or a customer,
    with that customer's sites to choose from."""
    if equipment is not None:
        customer = equipment.customer
        site_id = site_id or equipment.site_id
    sites = list(scoped(customer.sites.only("id", "name", "customer_id"), user)) if customer is not None else []
    return {"picked_customer": customer, "picked_equipment": equipment, "sites": sites, "picked_site_id": site_id}


def _default_channel(user) -> str:
    return Channel.ONSITE if user.role == Role.FIELD_ENGINEER else Channel.PHONE


@require_http_methods(["GET", "POST"])
def ticket_add(request):
    """Permission: tickets.add_ticket (staff). `?equipment=<pk>` picks that unit (a staff
    member scanning a unit's QR code lands here)."""
    require_staff_perm(request, ADD)
    user = request.user
    if request.method == "POST":
        form = TicketCreateForm(request.POST, user=user)
        if form.is_valid():
            try:
                ticket = services.ticket_create(actor=user, data=form.service_data(),
                                                channel=form.cleaned_data["channel"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Service request %(number)s registered (%(level)s).")
                                 % {"number": ticket.number, "level": ticket.level})
                return HttpResponseRedirect(ticket.get_absolute_url())
        cleaned = getattr(form, "cleaned_data", {})
        picked = _picked_context(user, customer=cleaned.get("customer"), equipment=cleaned.get("equipment"),
                                 site_id=getattr(cleaned.get("site"), "pk", None))
        return render(request, "tickets/ticket_add.html", {"form": form, **picked})
    initial: dict[str, Any] = {"channel": _default_channel(user)}
    picked = _picked_context(user)
    equipment_id = request.GET.get("equipment")
    if equipment_id:
        equipment = scoped(Equipment.objects.select_related("customer", "site", "product"), user).filter(
            pk=equipment_id if equipment_id.isdigit() else 0).first()
        if equipment is None:
            messages.warning(request, _("No unit matches the link; find it by its serial number."))
        else:
            picked = _picked_context(user, equipment=equipment)
            initial.update(customer=equipment.customer_id, equipment=equipment.pk, site=equipment.site_id)
    form = TicketCreateForm(initial=initial, user=user)
    return render(request, "tickets/ticket_add.html", {"form": form, **picked})


@require_GET
def ticket_lookup(request):
    """Permission: tickets.add_ticket. The lookup box's results: units by serial number,
    customers by name or code (a few of each)."""
    require_staff_perm(request, ADD)
    term = request.GET.get("q", "").strip()
    units, customers = [], []
    if len(term) >= 2:
        units = list(scoped(Equipment.objects.select_related("customer", "site", "product"), request.user)
                     .filter(serial__icontains=term).order_by("serial")[:LOOKUP_LIMIT])
        customers = list(scoped(Customer.objects.all(), request.user)
                         .filter(Q(name__icontains=term) | Q(code__icontains=term)).order_by("code")[:LOOKUP_LIMIT])
    return render(request, "tickets/_lookup_results.html", {"term": term, "units": units, "customers": customers})


@require_GET
def ticket_pick(request):
    """Permission: tickets.add_ticket. Picking a lookup result fills customer, site and unit."""
    require_staff_perm(request, ADD)
    user = request.user
    equipment = customer = None
    if request.GET.get("equipment", "").isdigit():
        equipment = get_scoped_or_404(Equipment.objects.select_related("customer", "site", "product"), user,
                                      pk=request.GET["equipment"])
    elif request.GET.get("customer", "").isdigit():
        customer = get_scoped_or_404(Customer.objects.all(), user, pk=request.GET["customer"])
    return render(request, "tickets/_picked.html", _picked_context(user, customer=customer, equipment=equipment))


# --------------------------------------------------------------------------- ticket page


def _local_iso(value) -> str:
    """An ISO time kept in an event's data, as people read it (local time, to the minute)."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value or "")
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(moment) else str(value)


def _event_text(event, level_labels, status_labels, kind_labels) -> str:
    data = event.data or {}
    kind = event.kind
    if kind == EventKind.CREATED:
        return _("Level %(level)s, received by %(channel)s") % {
            "level": data.get("level", ""), "channel": Channel(data["channel"]).label if data.get("channel") in Channel.values
            else data.get("channel", "")}
    if kind == EventKind.REGRADED:
        return f"{data.get('from_level', '')} → {data.get('to_level', '')}: {data.get('reason', '')}"
    if kind == EventKind.PAUSED:
        return str(data.get("reason", ""))
    if kind == EventKind.TARGET_MET:
        label = kind_labels.get(data.get("kind"), data.get("kind", ""))
        return f"{label} · {_('on time') if data.get('on_time') else _('late')}"
    if kind == EventKind.STATUS_CHANGED:
        return f"{status_labels.get(data.get('from'), data.get('from', ''))} → {status_labels.get(data.get('to'), data.get('to', ''))}"
    if kind == EventKind.ASSIGNED:
        return str(data.get("assignee") or _("nobody"))
    if kind == EventKind.COMMENTED:
        if data.get("attachment"):
            return _("Attached %(name)s") % {"name": data["attachment"]}
        return str(data.get("text", ""))
    if kind == EventKind.ESCALATED:
        target = kind_labels.get(data.get("kind") or data.get("target"), data.get("kind") or data.get("target") or "")
        threshold = data.get("threshold")
        return f"{target} {threshold} %" if threshold is not None else str(target)
    if kind == EventKind.DEADLINE_MOVED:
        lines = []
        for move in data.get("moves", []):
            label = kind_labels.get(move.get("kind"), move.get("kind", ""))
            lines.append(f"{label}: {_local_iso(move.get('from'))} → {_local_iso(move.get('to'))}")
        return "\n".join(lines)
    if kind == EventKind.EMAIL:
        # Who wrote, the subject, then the reply itself (quoted history already stripped).
        head = " · ".join(str(part) for part in (data.get("from"), data.get("subject")) if part)
        return f"{head}\n{data['text']}" if data.get("text") else head
    return ""


def _warning(target) -> dict[str, Any]:
    """What the target's 50/75/100 % warnings have done: the last percentage sent, and the
    next one with when it goes out (none while nothing is pending)."""
    pending = target.next_warning() if target.warning_due_at else None
    return {"sent": target.warned_percent or None, "next_percent": pending[0] if pending else None,
            "next_at": target.warning_due_at if pending else None}


def _clock_rows(states, *, live: bool, targets: dict | None = None) -> list[dict[str, Any]]:
    """`targets` by kind (live only): their warnings are shown beside the clocks."""
    rows = []
    kind_labels = dict(TargetKind.choices)
    targets = targets or {}
    for state in states:
        percent = max(0.0, state.fraction_used * 100)
        late = state.remaining_minutes < 0 or state.status is ClockStatus.BREACHED
        if state.status is ClockStatus.MET:
            bar = "bg-success"
        elif late:
            bar = "bg-danger"
        elif percent >= 75:
            bar = "bg-warning"
        else:
            bar = "bg-primary"
        rows.append({
            "kind": state.kind.value,
            "label": kind_labels.get(state.kind.value, state.kind.value),
            "due_at": state.due_at,
            "met_at": state.met_at,
            "status": state.status.value,
            "remaining": format_minutes(state.remaining_minutes),
            "overdue": state.remaining_minutes < 0,
            "percent": round(percent),
            "bar_width": min(100, round(percent)),
            "bar_class": bar,
            "provisional": state.provisional,
            # A running clock ticks in the browser; a paused, met or replayed one stands still.
            "ticking": live and state.status in (ClockStatus.RUNNING, ClockStatus.BREACHED) and state.met_at is None,
            "warning": _warning(targets[state.kind.value]) if state.kind.value in targets else None,
        })
    return rows


def _open_kinds(ticket) -> list[tuple[str, str]]:
    return [(t.kind, t.get_kind_display()) for t in ticket.sla_targets.all() if t.met_at is None]


def _action_form(action: str, ticket, data=None, initial=None):
    """The form of one action; ids are prefixed by the action so six forms share a page."""
    form_class = ACTION_FORMS[action]
    if form_class is None:
        return None
    kwargs: dict[str, Any] = {"auto_id": f"{action}_%s", "initial": initial}
    if form_class is MarkMetForm:
        kwargs["open_kinds"] = _open_kinds(ticket)
    return form_class(data, **kwargs)


def _action_forms(ticket, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    initial = {"regrade": {"level": ticket.level}, "status": {"status": ticket.status},
               "assign": {"group": ticket.group_id, "assignee": ticket.assignee_id}}
    forms_ = {f"{action}_form": bound.get(action) or _action_form(action, ticket, initial=initial.get(action))
              for action in ACTION_FORMS if ACTION_FORMS[action] is not None}
    return {**forms_, "open_kinds": _open_kinds(ticket)}


def _detail_context(request, ticket, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    now = timezone.now()
    replay_form = ReplayForm(request.GET or None)
    moment: datetime | None = None
    if replay_form.is_bound and replay_form.is_valid():
        moment = replay_form.cleaned_data.get("at")
    events = list(ticket.events.all())
    grade_changes = list(ticket.grade_changes.all())
    pauses = list(ticket.sla_pauses.all())
    level, status = ticket.level, ticket.status
    if moment is not None:
        state = selectors.ticket_clocks_at(ticket=ticket, moment=moment)
        clocks = _clock_rows(state.clocks, live=False)
        events = [e for e in events if e.at <= moment]
        grade_changes = [g for g in grade_changes if g.at <= moment]
        pauses = [p for p in pauses if p.started_at <= moment]
        level, status = state.level or ticket.level, state.status or ticket.status
    else:
        clocks = _clock_rows(selectors.ticket_clocks_now(ticket=ticket, now=now), live=True,
                             targets={t.kind: t for t in ticket.sla_targets.all()})
    status_labels, kind_labels = dict(Status.choices), dict(TargetKind.choices)
    level_labels = dict(Level.choices)
    timeline = [{"event": e, "text": _event_text(e, level_labels, status_labels, kind_labels)} for e in events]
    can_change = request.user.has_perm(CHANGE) and moment is None
    context = {
        "ticket": ticket,
        "object": ticket,
        "clocks": clocks,
        "grade_changes": grade_changes,
        "pauses": pauses,
        "timeline": timeline,
        "replay_form": replay_form,
        "moment": moment,
        "now": now,
        "level": level,
        "level_label": level_labels.get(level, level),
        "status_label": status_labels.get(status, status),
        "level_badge": LEVEL_BADGES.get(level, "text-bg-secondary"),
        "paused": any(p.ended_at is None for p in pauses) if moment is None else
        any(p.ended_at is None or p.ended_at > moment for p in pauses),
        "is_open": ticket.status in OPEN_STATUSES,
        "can_change": can_change,
    }
    if can_change:
        context.update(_action_forms(ticket, bound))
    context.update(_attachments_context(request, ticket, upload=moment is None))
    return context


def _attachments_context(request, ticket, *, upload: bool = True, errors=None) -> dict[str, Any]:
    """The attachment list and upload form of the staff ticket page."""
    can_view = request.user.has_perm(VIEW_ATTACHMENT)
    return {
        "attachments": list(ticket.attachments.select_related("uploaded_by")) if can_view else [],
        "can_view_attachments": can_view,
        "attachment_upload_url": reverse("tickets:attachment_add", args=[ticket.pk])
        if upload and request.user.has_perm(ADD_ATTACHMENT) else "",
        "attachment_download": "tickets:attachment_download",
        "attachment_accept": ",".join(sorted(settings.TICKET_ATTACHMENT_TYPES)),
        "attachment_limit": settings.TICKET_ATTACHMENT_MAX_BYTES,
        "attachment_errors": errors or [],
    }


@require_GET
def ticket_detail(request, pk: int):
    """Permission: tickets.view_ticket (staff). `?at=` replays the clocks and the timeline
    as they stood at that moment."""
    ticket = selectors.ticket_detail(user=request.user, pk=pk)
    require_staff_perm(request, VIEW)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


ACTION_FORMS = {
    "regrade": RegradeForm, "pause": PauseForm, "resume": None, "met": MarkMetForm,
    "assign": AssignForm, "status": StatusForm, "comment": CommentForm,
}
ACTION_DONE = {
    "regrade": gettext_lazy("The level was changed."),
    "pause": gettext_lazy("The clocks are stopped until the customer answers."),
    "resume": gettext_lazy("The clocks run again."),
    "met": gettext_lazy("The target was recorded as met."),
    "assign": gettext_lazy("The assignment was saved."),
    "status": gettext_lazy("The status was changed."),
    "comment": gettext_lazy("The comment was added."),
}


def _run_action(action: str, ticket, data: dict[str, Any], actor) -> None:
    if action == "regrade":
        services.ticket_regrade(ticket=ticket, level=data["level"], reason=data["reason"], actor=actor)
    elif action == "pause":
        services.ticket_pause(ticket=ticket, reason=data["reason"], actor=actor)
    elif action == "resume":
        services.ticket_resume(ticket=ticket, actor=actor)
    elif action == "met":
        services.ticket_mark(ticket=ticket, kind=data["kind"], actor=actor, at=data.get("at"))
    elif action == "assign":
        services.ticket_assign(ticket=ticket, assignee=data.get("assignee"), group=data.get("group"), actor=actor)
    elif action == "status":
        services.ticket_set_status(ticket=ticket, status=data["status"], actor=actor)
    elif action == "comment":
        services.ticket_comment(ticket=ticket, text=data["text"], actor=actor)


@require_POST
def ticket_action(request, pk: int, action: str):
    """Permission: tickets.change_ticket. One small form of the ticket page: re-grade,
    pause, resume, mark a target met, assign, change status, comment. Bad input shows the
    error on the ticket page and changes nothing."""
    if action not in ACTION_FORMS:
        raise Http404("No such action.")
    # A plain row, not the prefetched page object: the services read fresh related rows.
    ticket = get_scoped_or_404(Ticket.objects.all(), request.user, pk=pk)
    require_staff_perm(request, CHANGE)
    form = _action_form(action, ticket, data=request.POST)
    if form is None or form.is_valid():
        try:
            _run_action(action, ticket, form.cleaned_data if form is not None else {}, request.user)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return HttpResponseRedirect(ticket.get_absolute_url())
            add_validation_errors(form, exc)
        else:
            messages.success(request, str(ACTION_DONE[action]))
            return HttpResponseRedirect(ticket.get_absolute_url())
    # Show the page as stored (nothing was written), with this form's errors.
    ticket = selectors.ticket_detail(user=request.user, pk=pk)
    context = _detail_context(request, ticket, bound={action: form})
    context["failed_action"] = action
    return render(request, "tickets/ticket_detail.html", context)


@require_POST
def attachment_add(request, pk: int):
    """Permission: tickets.add_ticketattachment (staff). A refused file (type, size) shows
    the message on the ticket page and stores nothing."""
    ticket = get_scoped_or_404(Ticket.objects.all(), request.user, pk=pk)
    require_staff_perm(request, ADD_ATTACHMENT)
    try:
        attachment = attachments.ticket_attachment_add(ticket=ticket, file=request.FILES.get("file"),
                                                       actor=request.user)
    except ValidationError as exc:
        ticket = selectors.ticket_detail(user=request.user, pk=pk)
        context = _detail_context(request, ticket)
        context.update(_attachments_context(request, ticket, errors=exc.messages))
        return render(request, "tickets/ticket_detail.html", context, status=422)
    messages.success(request, _("%(name)s was attached.") % {"name": attachment.original_name})
    return HttpResponseRedirect(ticket.get_absolute_url() + "#attachments")


@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    """Permission: tickets.view_ticketattachment (staff). Served only through this view."""
    ticket = get_scoped_or_404(Ticket.objects.all(), request.user, pk=pk)
    require_staff_perm(request, VIEW_ATTACHMENT)
    attachment = get_scoped_or_404(TicketAttachment.objects.filter(ticket=ticket), request.user, pk=attachment_id)
    return attachments.attachment_file_response(attachment)


# --------------------------------------------------------------------------- breaking soon


@require_GET
def breaking(request):
    """Permission: tickets.change_ticket. Open targets breaking within the next N hours
    (2/4/8/24, default 4) and those already breached, by hour, with counts per level."""
    require_staff_perm(request, CHANGE)
    try:
        hours = int(request.GET.get("hours", BREAKING_DEFAULT_HOURS))
    except ValueError:
        hours = BREAKING_DEFAULT_HOURS
    if hours not in BREAKING_HOURS:
        hours = BREAKING_DEFAULT_HOURS
    now = timezone.now()
    qs = selectors.targets_breaking(user=request.user, now=now, within=timedelta(hours=hours))
    targets = list(qs[:BREAKING_LIMIT + 1])
    truncated = len(targets) > BREAKING_LIMIT
    targets = targets[:BREAKING_LIMIT]
    for target in targets:
        target.level_badge = LEVEL_BADGES.get(target.ticket.level, "text-bg-secondary")
    groups: list[dict[str, Any]] = []
    for target in targets:
        if target.due_at <= now:
            key, label = "breached", _("Already breached")
        else:
            hour = timezone.localtime(target.due_at).replace(minute=0, second=0, microsecond=0)
            key, label = hour.isoformat(), hour
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "label": label, "breached": key == "breached", "targets": []})
        groups[-1]["targets"].append(target)
    for group in groups:
        group["count"] = len(group["targets"])
    # The chart has a bar for every hour of the window, empty hours included.
    counts = {g["key"]: g["count"] for g in groups}
    first_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    chart = [{"key": "breached", "label": None, "breached": True, "count": counts.get("breached", 0)}]
    for step in range(hours + 1):
        hour = first_hour + timedelta(hours=step)
        if hour <= timezone.localtime(now) + timedelta(hours=hours):
            chart.append({"key": hour.isoformat(), "label": hour, "breached": False,
                          "count": counts.get(hour.isoformat(), 0)})
    biggest = max(bar["count"] for bar in chart)
    for bar in chart:
        bar["width"] = round(100 * bar["count"] / biggest) if biggest else 0
    per_level = Counter(t.ticket.level for t in targets)
    level_counts = [{"level": level, "label": label, "count": per_level.get(level, 0),
                     "badge": LEVEL_BADGES[level]} for level, label in Level.choices]
    return render(request, "tickets/breaking.html", {
        "hours": hours, "hour_choices": BREAKING_HOURS, "groups": groups, "chart": chart, "level_counts": level_counts,
        "total": len(targets), "truncated": truncated, "limit": BREAKING_LIMIT, "now": now,
        "breached_count": sum(1 for t in targets if t.due_at <= now), "level_badges": LEVEL_BADGES,
    })


# --------------------------------------------------------------------------- archives


class ServiceGroupViews(ObjectViewSet):
    """Permissions: tickets.view/add/change/delete_servicegroup."""

    model = ServiceGroup
    queryset = ServiceGroup.objects.select_related("lead")
    filterset_class = ServiceGroupFilterSet
    form_class = ServiceGroupForm
    url_prefix = "groups"
    columns = [Column("name", link=True), Column("lead"), Column("email", priority=2)]
    detail_fields = ["name", "lead", "email"]


def all_groups(user):
    return ServiceGroup.objects.only("id", "name")


class RoutingRuleViews(ObjectViewSet):
    """Permissions: tickets.view/add/change/delete_routingrule."""

    model = RoutingRule
    queryset = RoutingRule.objects.select_related("group", "product")
    filterset_class = RoutingRuleFilterSet
    filter_choices = {"group": all_groups}
    form_class = RoutingRuleForm
    url_prefix = "routing-rules"
    columns = [Column("priority", link=True), Column("group"), Column("category"), Column("product", priority=2),
               Column("region", priority=2), Column("tier", priority=3)]
    detail_fields = ["priority", "group", "category", "product", "region", "tier"]
