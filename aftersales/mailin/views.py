"""Pages of the mail intake: the triage list, the quarantine, one mail with its actions,
and the raw message download. Every page states its permission; mails are looked up
through scoping first, so a mail the user may not see answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.generic import add_validation_errors
from aftersales.mailin import selectors, services
from aftersales.mailin.choices import MailStatus
from aftersales.mailin.forms import AttachForm, CreateTicketForm, DiscardForm

PAGE_SIZE = 50
_FORM_KEYS = {"create": "create_form", "attach": "attach_form", "discard": "discard_form"}


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def _list_page(request, queryset, template: str, **context):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "mails": page.object_list, **context})


@require_GET
def triage(request):
    """Permission: mailin.view_inboundmail. Mails waiting for a person, oldest first."""
    _require(request, "mailin.view_inboundmail")
    return _list_page(request, selectors.mails_waiting_for_triage(user=request.user).order_by("received_at", "id"),
                      "mailin/triage.html", handled=selectors.recently_handled_mails(user=request.user),
                      can_see_quarantine=request.user.has_perm("mailin.view_quarantine"))


@require_GET
def quarantine(request):
    """Permission: mailin.view_quarantine (administrators and service managers)."""
    _require(request, "mailin.view_quarantine")
    return _list_page(request, selectors.mails_in_quarantine(user=request.user), "mailin/quarantine.html")


def _detail(request, mail, *, forms=None, status=200):
    user = request.user
    can_change = user.has_perm("mailin.change_inboundmail")
    forms = forms or {}
    context = {"mail": mail, "can_download": user.has_perm("mailin.view_quarantine")}
    if can_change and mail.status == MailStatus.TRIAGE:
        if user.has_perm("tickets.add_ticket"):
            context["create_form"] = forms.get("create") or CreateTicketForm(
                user=user, initial={"customer": mail.customer_id, "contact_name": mail.from_name})
            context["can_add_contact"] = user.has_perm("customers.add_contact")
        context["attach_form"] = forms.get("attach") or AttachForm(
            user=user, initial={"ticket": mail.ticket.number if mail.ticket_id else ""})
    if can_change and mail.status in (MailStatus.TRIAGE, MailStatus.QUARANTINED):
        context["discard_form"] = forms.get("discard") or DiscardForm()
    # The errors of a form this mail no longer offers (it was handled meanwhile) go on top.
    context["action_errors"] = [error for key, form in forms.items() if _FORM_KEYS[key] not in context
                                for error in form.non_field_errors()]
    return render(request, "mailin/mail_detail.html", context, status=status)


def _visible_mail(request, pk):
    """The mail, or 404; quarantined mails need mailin.view_quarantine on top."""
    mail = selectors.mail_for(user=request.user, pk=pk)
    _require(request, "mailin.view_inboundmail")
    if mail.status == MailStatus.QUARANTINED:
        _require(request, "mailin.view_quarantine")
    return mail


@require_GET
def mail_detail(request, pk):
    """Permission: mailin.view_inboundmail (and mailin.view_quarantine for a quarantined mail)."""
    return _detail(request, _visible_mail(request, pk))


@require_POST
def mail_action(request, pk, action):
    """Permission: mailin.change_inboundmail; creating a request also needs
    tickets.add_ticket, adding the sender as a contact customers.add_contact."""
    mail = _visible_mail(request, pk)
    _require(request, "mailin.change_inboundmail")
    user = request.user
    back = reverse("mailin:quarantine" if mail.status == MailStatus.QUARANTINED else "mailin:triage")
    if action == "create-ticket":
        _require(request, "tickets.add_ticket")
        form, key = CreateTicketForm(request.POST, user=user), "create"
        if form.is_valid() and form.cleaned_data["add_contact"]:
            _require(request, "customers.add_contact")
    elif action == "attach":
        form, key = AttachForm(request.POST, user=user), "attach"
    elif action == "discard":
        form, key = DiscardForm(request.POST), "discard"
    else:
        raise Http404("No such action.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if key == "create":
                ticket = services.mail_create_ticket(mail=mail, customer=data["customer"], actor=user,
                                                     add_contact=data["add_contact"], contact_name=data["contact_name"])
                messages.success(request, _("Service request %(number)s created from the mail.") % {"number": ticket.number})
            elif key == "attach":
                services.mail_attach(mail=mail, ticket=data["ticket"], actor=user)
                messages.success(request, _("The mail was added to %(number)s.") % {"number": data["ticket"].number})
            else:
                services.mail_discard(mail=mail, reason=data["reason"], actor=user)
                messages.success(request, _("The mail was discarded."))
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return HttpResponseRedirect(back)
    return _detail(request, mail, forms={key: form}, status=400)


@require_GET
def mail_raw(request, pk):
    """Permission: mailin.view_quarantine. The message exactly as received, as a .eml file."""
    mail = selectors.mail_raw(user=request.user, pk=pk)
    _require(request, "mailin.view_quarantine")
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{mail.pk}.eml"'
    return response
