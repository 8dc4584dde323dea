"""Pages: the outbox (list with status filter, one message, retry a failed one) and the
webhook endpoints (generic list/detail/add/edit/delete).

Permissions: notifications.view_notification for the outbox, notifications.change_notification
to retry, notifications.<action>_webhookendpoint for the endpoints (administrators and
service managers, accounts/roles.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.generic import Column, ObjectListView, ObjectViewSet
from aftersales.core.scoping import get_scoped_or_404
from aftersales.notifications import services
from aftersales.notifications.filters import NotificationFilterSet, WebhookEndpointFilterSet
from aftersales.notifications.forms import WebhookEndpointForm
from aftersales.notifications.models import Notification, WebhookEndpoint


def notification_context(request, notification):
    return {"can_retry": notification.status == "failed" and request.user.has_perm("notifications.change_notification")}


class NotificationViews(ObjectViewSet):
    model = Notification
    url_prefix = "outbox"
    queryset = Notification.objects.select_related("ticket", "endpoint")
    filterset_class = NotificationFilterSet
    columns = [Column("created_at", link=True), Column("status"), Column("channel", priority=2),
               Column("recipient"), Column("subject", priority=3), Column("ticket", priority=2),
               Column("attempts", priority=3), Column("next_attempt_at", priority=4),
               Column("last_error", priority=4, order_by=False)]
    detail_fields = ["status", "channel", "recipient", "endpoint", "ticket", "subject", "attempts",
                     "next_attempt_at", "sent_at", "created_at", "dedup_key", "last_error"]
    detail_template = "notifications/notification_detail.html"
    detail_context = notification_context
    actions = ("list", "detail")


class WebhookEndpointViews(ObjectViewSet):
    model = WebhookEndpoint
    url_prefix = "webhooks"
    queryset = WebhookEndpoint.objects.select_related("group")
    filterset_class = WebhookEndpointFilterSet
    form_class = WebhookEndpointForm
    columns = [Column("name", link=True), Column("kind"), Column("active"),
               Column("url", order_by=False, priority=3), Column("group", priority=2),
               Column("levels", priority=2)]
    # The URL carries the robot's key and the secret signs messages: the address shows only
    # its host and last four characters (get_url_display), the secret only whether it is set.
    detail_fields = ["name", "kind", "url", "secret", "active", "group", "levels", "mobiles"]


# The menu's entry point: the outbox list, named `notifications:outbox`.
outbox = ObjectListView.as_view(
    model=Notification, queryset=NotificationViews.queryset, actions=NotificationViews.actions,
    filterset_class=NotificationFilterSet, columns=NotificationViews.columns,
    template_name="notifications/outbox.html")


@require_POST
def notification_retry(request, pk):
    """Permission: notifications.change_notification. A failed message becomes pending and
    due now; the delivery job sends it within a minute."""
    notification = get_scoped_or_404(Notification.objects.all(), request.user, pk=pk)
    if not request.user.has_perm("notifications.change_notification"):
        raise PermissionDenied(_("You need the permission %(permission)s for this page.")
                               % {"permission": "notifications.change_notification"})
    try:
        services.notification_retry(notification=notification, actor=request.user, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message will be sent again within a minute."))
    return HttpResponseRedirect(notification.get_absolute_url())

