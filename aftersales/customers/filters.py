import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.core.filters import SearchFilterSet
from aftersales.customers.choices import ContractStatus, Region, ServiceCalendar, Tier
from aftersales.customers.models import Contact, Contract, Customer, Site


class CustomerFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "address")
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("tier"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("region"))

    class Meta:
        model = Customer
        fields = ["q", "tier", "region"]


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "address", "city", "customer__name", "customer__code")
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    region = django_filters.ChoiceFilter(field_name="customer__region", choices=Region.choices, label=_("region"))
    city = django_filters.CharFilter(lookup_expr="icontains", label=_("city"))

    class Meta:
        model = Site
        fields = ["q", "customer", "region", "city"]


class ContactFilterSet(SearchFilterSet):
    search_fields = ("name", "phone", "email", "customer__name")
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("site"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "site"]


class ContractFilterSet(SearchFilterSet):
    search_fields = ("number", "title", "customer__name", "customer__code")
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("status"))
    service_calendar = django_filters.ChoiceFilter(choices=ServiceCalendar.choices, label=_("service calendar"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("signed on or after"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("signed on or before"))

    class Meta:
        model = Contract
        fields = ["q", "customer", "status", "service_calendar", "signed_after", "signed_before"]
