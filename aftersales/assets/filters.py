import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.assets.choices import EquipmentStatus, ProductCategory
from aftersales.assets.models import Equipment, Product
from aftersales.core.filters import SearchFilterSet
from aftersales.customers.choices import Region


class ProductFilterSet(SearchFilterSet):
    search_fields = ("model", "name", "manufacturer")
    category = django_filters.ChoiceFilter(choices=ProductCategory.choices, label=_("category"))
    discontinued = django_filters.BooleanFilter(label=_("discontinued"))

    class Meta:
        model = Product
        fields = ["q", "category", "discontinued"]


class EquipmentFilterSet(SearchFilterSet):
    search_fields = ("serial", "product__model", "product__name", "site__name", "customer__name", "software_version")
    serial = django_filters.CharFilter(lookup_expr="iexact", label=_("serial number"))
    product = django_filters.NumberFilter(field_name="product_id", label=_("product"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("site"))
    contract = django_filters.NumberFilter(field_name="contract_id", label=_("contract"))
    status = django_filters.ChoiceFilter(choices=EquipmentStatus.choices, label=_("status"))
    region = django_filters.ChoiceFilter(field_name="customer__region", choices=Region.choices, label=_("region"))
    accepted_after = django_filters.DateFilter(field_name="accepted_on", lookup_expr="gte", label=_("accepted on or after"))
    accepted_before = django_filters.DateFilter(field_name="accepted_on", lookup_expr="lte", label=_("accepted on or before"))

    class Meta:
        model = Equipment
        fields = ["q", "serial", "product", "customer", "site", "contract", "status", "region",
                  "accepted_after", "accepted_before"]
