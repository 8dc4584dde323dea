"""Pages of the customer portal, made for a phone first (customers scan the QR code on a
machine). Permission: "portal.customer_portal", which only customer users hold; every
ticket, site and unit is looked up through `scoped()`, so another customer's is 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.assets.models import Equipment
from aftersales.core.generic import add_validation_errors
from aftersales.core.scoping import get_scoped_or_404
from aftersales.portal import labels, presenters, selectors, services
from aftersales.portal.forms import CommentForm, ReportForm, TicketFilterForm
from aftersales.tickets.attachments import attachment_file_response, ticket_attachment_add
from aftersales.tickets.models import TicketAttachment

PERMISSION = "portal.customer_portal"
PAGE_SIZE = 20


def require_customer_user(user) -> None:
    if not (user.has_perm(PERMISSION) and getattr(user, "customer_id", None)):
        raise PermissionDenied


@require_GET
def ticket_list(request):
    """Permission: portal.customer_portal. The organisation's requests, open ones first."""
    require_customer_user(request.user)
    filters = TicketFilterForm(request.GET or None)
    q = status = ""
    if filters.is_valid():
        q, status = filters.cleaned_data["q"].strip(), filters.cleaned_data["status"]
    tickets = selectors.customer_tickets(user=request.user, q=q, status=status)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for ticket in page:
        ticket.plain = presenters.plain_state(status=ticket.status, next_due_kind=ticket.next_due_kind,
                                              next_due_at=ticket.next_due_at, now=now)
    return render(request, "portal/ticket_list.html", {
        "page_obj": page, "filters": filters, "filtered": bool(q or status),
    })


def detail_page(request, ticket, comment_form=None, status=200, attachment_errors=None):
    now = timezone.now()
    open_targets = [t for t in ticket.sla_targets.all() if t.met_at is None]
    nearest = min(open_targets, key=lambda t: t.due_at, default=None)
    plain = presenters.plain_state(status=ticket.status, next_due_kind=nearest.kind if nearest else None,
                                   next_due_at=nearest.due_at if nearest else None, now=now)
    return render(request, "portal/ticket_detail.html", {
        "ticket": ticket, "plain": plain,
        "promises": presenters.promises(ticket.sla_targets.all(), now),
        "timeline": presenters.customer_timeline(ticket.events.all()),
        "comment_form": comment_form or CommentForm(),
        "attachments": list(ticket.attachments.select_related("uploaded_by")),
        "attachment_upload_url": reverse("portal:attachment_add", args=[ticket.pk]),
        "attachment_download": "portal:attachment_download",
        "attachment_portal": True,  # staff uploaders show as "Our service team", never by name
        "attachment_accept": ",".join(sorted(settings.TICKET_ATTACHMENT_TYPES)),
        "attachment_limit": settings.TICKET_ATTACHMENT_MAX_BYTES,
        "attachment_errors": attachment_errors or [],
    }, status=status)


@require_GET
def ticket_detail(request, pk):
    """Permission: portal.customer_portal; another customer's request is 404."""
    require_customer_user(request.user)
    return detail_page(request, selectors.customer_ticket(user=request.user, pk=pk))


@require_POST
def ticket_comment(request, pk):
    """Permission: portal.customer_portal; the comment is marked as from the customer."""
    require_customer_user(request.user)
    ticket = selectors.customer_ticket(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.portal_comment(ticket=ticket, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Thank you; your comment was added."))
            return HttpResponseRedirect(reverse("portal:ticket_detail", args=[ticket.pk]) + "#timeline")
    return detail_page(request, ticket, comment_form=form)


@require_POST
def attachment_add(request, pk):
    """Permission: portal.customer_portal; only on the organisation's own requests. A refused
    file (type, size) shows its message on the page and stores nothing."""
    require_customer_user(request.user)
    ticket = selectors.customer_ticket(user=request.user, pk=pk)
    try:
        attachment = ticket_attachment_add(ticket=ticket, file=request.FILES.get("file"), actor=request.user)
    except ValidationError as exc:
        return detail_page(request, ticket, status=422, attachment_errors=exc.messages)
    messages.success(request, _("Thank you; %(name)s was attached.") % {"name": attachment.original_name})
    return HttpResponseRedirect(reverse("portal:ticket_detail", args=[ticket.pk]) + "#attachments")


@require_GET
def attachment_download(request, pk, attachment_id):
    """Permission: portal.customer_portal; another customer's request or file is 404."""
    require_customer_user(request.user)
    ticket = selectors.customer_ticket(user=request.user, pk=pk)
    attachment = get_scoped_or_404(TicketAttachment.objects.filter(ticket=ticket), request.user, pk=attachment_id)
    return attachment_file_response(attachment)


def report_page(request, form, unit=None, status=200):
    return render(request, "portal/ticket_add.html", {"form": form, "unit": unit}, status=status)


@require_http_methods(["GET", "POST"])
def ticket_add(request):
    """Permission: portal.customer_portal. Report a problem; nothing is written on bad input."""
    require_customer_user(request.user)
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                ticket = services.portal_report(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Your service request %(number)s is registered.")
                                 % {"number": ticket.number})
                return HttpResponseRedirect(reverse("portal:ticket_detail", args=[ticket.pk]))
        return report_page(request, form)
    initial = {}
    unit_pk = request.GET.get("equipment")
    if unit_pk and unit_pk.isdigit():
        unit = selectors.customer_equipment(user=request.user).filter(pk=unit_pk).first()
        if unit is not None:
            initial = {"equipment": unit.pk, "site": unit.site_id}
    return report_page(request, ReportForm(initial=initial, user=request.user))


def staff_form_url(unit: Equipment, user) -> str:
    """Where a staff member scanning a label goes: the agents' new-request form with the
    unit filled in, or the unit's own page while that form is not installed."""
    if user.has_perm("tickets.add_ticket"):
        try:
            return reverse("tickets:ticket_add") + "?" + urlencode({"equipment": unit.pk})
        except NoReverseMatch:
            pass
    if user.has_perm("assets.view_equipment"):
        return unit.get_absolute_url()
    raise PermissionDenied


@require_GET
def report_from_label(request, token):
    """The link in a unit's QR code. Customer users of the unit's customer get the report
    form with the unit filled in (another customer's unit is 404); staff go to the agents'
    form; anonymous users log in first (the middleware brings them back here)."""
    pk = labels.equipment_pk_from_token(token)
    if pk is None:
        raise Http404("Unknown label.")
    user = request.user
    if not user.is_customer_user:
        unit = get_scoped_or_404(Equipment.objects.all(), user, pk=pk)
        return HttpResponseRedirect(staff_form_url(unit, user))
    require_customer_user(user)
    unit = selectors.labelled_equipment(user=user, pk=pk)
    form = ReportForm(initial={"equipment": unit.pk, "site": unit.site_id}, user=user)
    return report_page(request, form, unit=unit)
