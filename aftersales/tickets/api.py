"""/api/v1/tickets: service requests with their SLA clocks. Handlers parse, call one
service or selector, and answer; another customer's ticket is 404 for a customer user."""


from datetime import datetime
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, File, ModelSchema, Query, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from aftersales.assets.models import Equipment
from aftersales.core.api import (
    MAX_ID,
    ArchivePagination,
    BodySchema,
    answer_of_written,
    api_field_names,
    filter_schema,
    json_response,
    require_perm,
)
from aftersales.core.scoping import ScopedGet, get_scoped_or_404, scoped
from aftersales.customers.models import Contact, Customer, Site
from aftersales.tickets import attachments, selectors, services
from aftersales.tickets.choices import Category, Channel, Impact, Level, TargetKind
from aftersales.tickets.choices import Status as TicketStatus
from aftersales.tickets.filters import TicketFilterSet
from aftersales.tickets.models import (
    GradeChange,
    SlaPause,
    SlaTarget,
    Ticket,
    TicketAttachment,
    TicketEvent,
)

VIEW, ADD, CHANGE = "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket"
router = Router(tags=["service requests"])


class TicketOut(ModelSchema):
    id: int
    next_due_at: datetime | None = None

    class Meta:
        model = Ticket
        fields = ["id", "number", "customer", "site", "equipment", "contact", "contract", "service_calendar",
                  "channel", "category", "impact", "level", "outage_started_at", "outage_ended_at", "status",
                  "group", "assignee", "subject", "description", "caller_name", "caller_phone",
                  "clock_started_at", "provisional", "created_at", "updated_at"]


class TargetOut(ModelSchema):
    class Meta:
        model = SlaTarget
        fields = ["kind", "minutes", "business_time", "started_at", "due_at", "met_at", "breached_at",
                  "paused_seconds", "provisional"]


class GradeChangeOut(ModelSchema):
    class Meta:
        model = GradeChange
        fields = ["from_level", "to_level", "reason", "actor", "at", "automatic"]


class EventOut(ModelSchema):
    class Meta:
        model = TicketEvent
        fields = ["kind", "at", "actor", "data"]


class PauseOut(ModelSchema):
    class Meta:
        model = SlaPause
        fields = ["started_at", "ended_at", "reason"]


class TicketDetailOut(TicketOut):
    targets: list[TargetOut]
    grade_changes: list[GradeChangeOut]
    events: list[EventOut]
    pauses: list[PauseOut]

    @staticmethod
    def resolve_targets(obj):
        return list(obj.sla_targets.all())

    @staticmethod
    def resolve_grade_changes(obj):
        return list(obj.grade_changes.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())

    @staticmethod
    def resolve_pauses(obj):
        return list(obj.sla_pauses.all())


class TicketIn(BodySchema):
    customer_id: int = Field(..., ge=1, le=MAX_ID)
    site_id: int | None = Field(None, ge=1, le=MAX_ID)
    equipment_id: int | None = Field(None, ge=1, le=MAX_ID)
    contact_id: int | None = Field(None, ge=1, le=MAX_ID)
    channel: Channel = Channel.API
    category: Category = Category.FAULT
    impact: Impact = Impact.CORE_FUNCTION
    outage_started_at: datetime | None = None
    outage_ended_at: datetime | None = None
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    caller_name: str = Field("", max_length=100)
    caller_phone: str = Field("", max_length=40)


class TicketPatch(Schema):
    status: TicketStatus | None = None
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)


class RegradeIn(Schema):
    level: Level
    reason: str = Field(..., min_length=1, max_length=300)


class PauseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class MetIn(Schema):
    at: datetime | None = None


class ClockOut(Schema):
    kind: str
    due_at: datetime
    elapsed_minutes: float
    remaining_minutes: float
    fraction_used: float
    status: str
    met_at: datetime | None
    provisional: bool


class ClocksOut(Schema):
    at: datetime
    level: str | None
    status: str | None
    paused: bool
    clocks: list[ClockOut]


class ClocksQuery(Schema):
    at: datetime | None = None


TicketQuery = filter_schema(TicketFilterSet)


def _aware(moment: datetime | None, field: str) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        raise ValidationError({field: "Give the time zone (e.g. +08:00)."})
    return moment


# The look-ups every create makes, compiled once per process (scoped like `scoped()`). A unit
# comes with what a create reads of it, its contract, customer and site (a create's query
# count is pinned by tests, so a field read beyond these would show as an extra query).
_EQUIPMENT = ScopedGet(Equipment.objects.select_related("contract", "customer", "site").only(
    "id", "serial", "customer_id", "site_id", "product_id", "contract_id",
    "contract__id", "contract__number", "contract__customer_id", "contract__status", "contract__service_calendar",
    "contract__sla_policy", "customer__id", "customer__code", "customer__name", "customer__region", "customer__tier",
    "site__id", "site__customer_id", "site__name"))
_CUSTOMER = ScopedGet(Customer.objects.all())
_SITE = ScopedGet(Site.objects.all())
_CONTACT = ScopedGet(Contact.objects.all())


def _resolve(user, payload: TicketIn) -> dict:
    """Ids to objects the user may see; one the user may not see reads as not existing."""
    data = payload.model_dump(exclude={"channel", "customer_id", "site_id", "equipment_id", "contact_id"})
    if user.is_customer_user and payload.customer_id != user.customer_id:
        raise Http404("No customer matches the given query.")
    lookups = {
        "equipment": (_EQUIPMENT, payload.equipment_id),
        "customer": (_CUSTOMER, payload.customer_id),
        "site": (_SITE, payload.site_id),
        "contact": (_CONTACT, payload.contact_id),
    }
    errors = {}
    for name, (getter, pk) in lookups.items():
        if pk is None:
            data[name] = None
            continue
        unit = data.get("equipment")
        if unit is not None and name in ("customer", "site") and getattr(unit, f"{name}_id") == pk:
            data[name] = getattr(unit, name)  # the visible unit's own customer and site: no second look-up
            continue
        data[name] = getter.get(user, pk)
        if data[name] is None:
            errors[f"{name}_id"] = [f"{getter.model._meta.verbose_name} {pk} does not exist."]
    if errors:
        raise ValidationError(errors)
    _aware(data["outage_started_at"], "outage_started_at")
    _aware(data["outage_ended_at"], "outage_ended_at")
    return data


def _ticket(request, pk: int) -> Ticket:
    return get_scoped_or_404(Ticket.objects.all(), request.user, pk=pk)


def _detail(request, pk: int):
    return selectors.ticket_detail(user=request.user, pk=pk)


@router.get("", response=list[TicketOut], operation_id="list_ticket", summary="List service requests",
            description=f"Permission: {VIEW}. Sorted by the nearest open due time. Customer users see only their own.")
@paginate(ArchivePagination)
def list_tickets(request, filters: Query[TicketQuery]):
    require_perm(request, VIEW)
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    fs = TicketFilterSet(data=data, queryset=selectors.tickets_queryset(user=request.user), request=request)
    if not fs.is_valid():
        raise NinjaValidationError([{"loc": ["query", name], "msg": str(message), "type": "value_error"}
                                    for name, messages in fs.errors.items() for message in messages])
    return fs.qs


@router.get("/{int:pk}", response=TicketDetailOut, operation_id="get_ticket", summary="Get one service request",
            description=f"Permission: {VIEW}. With its SLA targets, grade history, pauses and timeline.")
def get_ticket(request, pk: int):
    require_perm(request, VIEW)
    return _detail(request, pk)


@router.post("", response={201: TicketDetailOut}, operation_id="create_ticket", summary="Create a service request",
             description=f"Permission: {ADD}. Graded, routed, numbered and given its SLA targets. "
                         "Customer users create only for their own customer and always through the portal channel.")
def create_ticket(request, payload: TicketIn):
    require_perm(request, ADD)
    channel = Channel.PORTAL if request.user.is_customer_user else payload.channel
    try:
        ticket = services.ticket_create(actor=request.user, data=_resolve(request.user, payload), channel=channel)
    except ValidationError as exc:
        raise api_field_names(Ticket, exc) from exc
    # The service hands back what it wrote (targets, the created event): answer from that
    # without reading it back; a new ticket has no grade changes or pauses yet.
    targets = ticket.written_targets
    answer = answer_of_written(
        TicketDetailOut, ticket, grade_changes=[], pauses=[],
        next_due_at=min((t.due_at for t in targets if t.met_at is None), default=None),
        targets=[answer_of_written(TargetOut, target) for target in targets],
        events=[answer_of_written(EventOut, event) for event in ticket.written_events])
    return json_response(answer, status=201)


@router.patch("/{int:pk}", response=TicketDetailOut, operation_id="update_ticket", summary="Change status or assignee",
              description=f"Permission: {CHANGE}. Waiting for the customer goes through /pause and /resume.")
def update_ticket(request, pk: int, payload: TicketPatch):
    ticket = _ticket(request, pk)
    require_perm(request, CHANGE)
    sent = payload.dict(exclude_unset=True)
    try:
        if "assignee_id" in sent:
            assignee = None
            if sent["assignee_id"] is not None:
                assignee = get_user_model().objects.filter(pk=sent["assignee_id"], is_active=True).first()
                if assignee is None:
                    raise ValidationError({"assignee_id": "This user does not exist."})
            services.ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)
        if sent.get("status") is not None:
            services.ticket_set_status(ticket=ticket, status=sent["status"], actor=request.user)
    except ValidationError as exc:
        raise api_field_names(Ticket, exc) from exc
    return _detail(request, pk)


@router.post("/{int:pk}/regrade", response=TicketDetailOut, operation_id="regrade_ticket", summary="Change the level",
             description=f"Permission: {CHANGE}. Open targets are recomputed under the new level from the start.")
def regrade_ticket(request, pk: int, payload: RegradeIn):
    ticket = _ticket(request, pk)
    require_perm(request, CHANGE)
    services.ticket_regrade(ticket=ticket, level=payload.level, reason=payload.reason, actor=request.user)
    return _detail(request, pk)


@router.post("/{int:pk}/pause", response=TicketDetailOut, operation_id="pause_ticket",
             summary="Wait for the customer", description=f"Permission: {CHANGE}. The clocks stop.")
def pause_ticket(request, pk: int, payload: PauseIn):
    ticket = _ticket(request, pk)
    require_perm(request, CHANGE)
    services.ticket_pause(ticket=ticket, reason=payload.reason, actor=request.user)
    return _detail(request, pk)


@router.post("/{int:pk}/resume", response=TicketDetailOut, operation_id="resume_ticket",
             summary="Restart the clocks", description=f"Permission: {CHANGE}. Due times move on by the pause.")
def resume_ticket(request, pk: int):
    ticket = _ticket(request, pk)
    require_perm(request, CHANGE)
    services.ticket_resume(ticket=ticket, actor=request.user)
    return _detail(request, pk)


@router.post("/{int:pk}/targets/{kind}/met", response=TicketDetailOut, operation_id="meet_ticket_target",
             summary="Record a target as met", description=f"Permission: {CHANGE}. `at` defaults to now.")
def meet_target(request, pk: int, kind: Literal["respond", "diagnose", "on_site", "resolve", "loaner"],
                payload: MetIn | None = None):
    ticket = _ticket(request, pk)
    require_perm(request, CHANGE)
    at = _aware(payload.at if payload else None, "at")
    services.ticket_mark(ticket=ticket, kind=TargetKind(kind), actor=request.user, at=at)
    return _detail(request, pk)


@router.get("/{int:pk}/clocks", response=ClocksOut, operation_id="ticket_clocks", summary="Clocks at a moment",
            description=f"Permission: {VIEW}. `at` (ISO 8601 with offset, default now): the clocks replayed "
                        "from the timeline as they stood then.")
def ticket_clocks(request, pk: int, query: Query[ClocksQuery]):
    require_perm(request, VIEW)
    ticket = _ticket(request, pk)
    moment = query.at or timezone.now()
    if timezone.is_naive(moment):
        raise NinjaValidationError([{"loc": ["query", "at"], "msg": "Give the time zone (e.g. +08:00).",
                                     "type": "value_error"}])
    state = selectors.ticket_clocks_at(ticket=ticket, moment=moment)
    return {"at": moment, "level": state.level, "status": state.status, "paused": state.paused,
            "clocks": [{"kind": c.kind.value, "due_at": c.due_at, "elapsed_minutes": c.elapsed_minutes,
                        "remaining_minutes": c.remaining_minutes, "fraction_used": c.fraction_used,
                        "status": c.status.value, "met_at": c.met_at, "provisional": c.provisional}
                       for c in state.clocks]}


# -- Attachments (photos, logs) ------------------------------------------------------------

VIEW_ATTACHMENTS = (VIEW, "tickets.view_ticketattachment")
ADD_ATTACHMENT, DELETE_ATTACHMENT = "tickets.add_ticketattachment", "tickets.delete_ticketattachment"


class AttachmentOut(Schema):
    id: int
    ticket_id: int
    name: str = Field(..., alias="original_name")
    size: int
    content_type: str
    uploaded_by_id: int | None
    uploaded_by: str | None
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj) -> str | None:
        return obj.uploaded_by.get_username() if obj.uploaded_by_id else None

    @staticmethod
    def resolve_download_url(obj) -> str:
        return f"/api/v1/tickets/{obj.ticket_id}/attachments/{obj.pk}/download"


@router.get("/{int:pk}/attachments", response=list[AttachmentOut], operation_id="list_ticket_attachments",
            summary="List a service request's attachments",
            description=f"Permission: {', '.join(VIEW_ATTACHMENTS)}. Oldest first.")
def list_attachments(request, pk: int):
    for perm in VIEW_ATTACHMENTS:
        require_perm(request, perm)
    ticket = _ticket(request, pk)
    return list(scoped(TicketAttachment.objects.filter(ticket=ticket), request.user).select_related("uploaded_by"))


@router.post("/{int:pk}/attachments", response={201: AttachmentOut}, operation_id="add_ticket_attachment",
             summary="Attach a file (photo, log) to a service request",
             description=f"Permission: {ADD_ATTACHMENT}. Multipart form with the field `file`; allowed types: "
                         f"{', '.join(sorted(settings.TICKET_ATTACHMENT_TYPES))}; at most "
                         f"{settings.TICKET_ATTACHMENT_MAX_BYTES} bytes. A refused file answers 422 on `file` "
                         "and stores nothing.")
def add_attachment(request, pk: int, file: File[UploadedFile]):
    ticket = _ticket(request, pk)
    require_perm(request, ADD_ATTACHMENT)
    attachment = attachments.ticket_attachment_add(ticket=ticket, file=file, actor=request.user)
    return Status(201, attachment)


@router.get("/{int:pk}/attachments/{int:attachment_id}/download", response={200: None},
            operation_id="download_ticket_attachment", summary="Download an attachment's file",
            description=f"Permission: {', '.join(VIEW_ATTACHMENTS)}. Another customer's ticket is 404.")
def download_attachment(request, pk: int, attachment_id: int):
    for perm in VIEW_ATTACHMENTS:
        require_perm(request, perm)
    ticket = _ticket(request, pk)
    attachment = get_scoped_or_404(TicketAttachment.objects.filter(ticket=ticket), request.user, pk=attachment_id)
    return attachments.attachment_file_response(attachment)


@router.delete("/{int:pk}/attachments/{int:attachment_id}", response={204: None},
               operation_id="delete_ticket_attachment", summary="Delete an attachment",
               description=f"Permission: {DELETE_ATTACHMENT}. The file goes once the deletion is committed.")
def delete_attachment(request, pk: int, attachment_id: int):
    ticket = _ticket(request, pk)
    attachment = get_scoped_or_404(TicketAttachment.objects.filter(ticket=ticket), request.user, pk=attachment_id)
    require_perm(request, DELETE_ATTACHMENT)
    attachments.ticket_attachment_delete(actor=request.user, instance=attachment)
    return Status(204, None)
