from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text `q` over `search_fields` (case-insensitive contains)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields)))



def audited_object_types():
    from django.apps import apps

    return [(model._meta.label_lower, str(model._meta.verbose_name).capitalize())
            for app in ("customers", "assets", "accounts", "core")
            for model in apps.get_app_config(app).get_models()]


class AuditLogFilterSet(SearchFilterSet):
    """Filters of the audit log page: object type, actor, action and free text."""

    search_fields = ("object_repr", "object_id")
    object_type = django_filters.ChoiceFilter(choices=audited_object_types, label=_("object type"))
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label=_("actor"))
    action = django_filters.ChoiceFilter(choices=(("create", _("Create")), ("update", _("Update")), ("delete", _("Delete"))),
                                         label=_("action"))

    class Meta:
        from aftersales.core.models import AuditLog

        model = AuditLog
        fields = ["q", "object_type", "actor", "action"]
