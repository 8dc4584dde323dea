import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.filters import SearchFilterSet
from aftersales.tickets.choices import Category, Level, Status
from aftersales.tickets.models import RoutingRule, ServiceGroup, Ticket


class TicketFilterSet(SearchFilterSet):
    search_fields = ("number", "subject", "caller_name", "caller_phone", "customer__name", "equipment__serial")
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    group = django_filters.NumberFilter(field_name="group_id", label=_("group"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("assignee"))
    provisional = django_filters.ChoiceFilter(
        choices=[("1", _("Provisional due times")), ("0", _("Final due times"))], method="filter_provisional",
        label=_("due times"))

    class Meta:
        model = Ticket
        fields = ["q", "status", "level", "customer", "group", "assignee", "provisional"]

    def filter_provisional(self, queryset, name, value):
        return queryset.filter(provisional=value == "1")


class ServiceGroupFilterSet(SearchFilterSet):
    search_fields = ("name", "email", "lead__username", "lead__first_name", "lead__last_name")

    class Meta:
        model = ServiceGroup
        fields = ["q"]


class RoutingRuleFilterSet(SearchFilterSet):
    search_fields = ("group__name", "product__model", "product__name")
    group = django_filters.NumberFilter(field_name="group_id", label=_("group"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("category"))

    class Meta:
        model = RoutingRule
        fields = ["q", "group", "category"]
