import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.filters import SearchFilterSet
from aftersales.notifications.choices import NotificationChannel, NotificationStatus, WebhookKind
from aftersales.notifications.models import Notification, WebhookEndpoint


class NotificationFilterSet(SearchFilterSet):
    search_fields = ("recipient", "subject", "ticket__number")
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices, label=_("status"))
    channel = django_filters.ChoiceFilter(choices=NotificationChannel.choices, label=_("channel"))

    class Meta:
        model = Notification
        fields = ["q", "status", "channel"]


class WebhookEndpointFilterSet(SearchFilterSet):
    search_fields = ("name",)  # the URL is stored encrypted: it cannot be searched
    kind = django_filters.ChoiceFilter(choices=WebhookKind.choices, label=_("kind"))
    active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = WebhookEndpoint
        fields = ["q", "kind", "active"]
