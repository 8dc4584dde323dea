"""One place that decides which rows a user may see.

Every selector passes its queryset through `scoped(qs, user)`. A customer user sees only
rows owned by its own customer; an object of another customer is simply absent, so views
and API handlers answer 404 for it (never 403, never 200).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def customer_lookup(model: type[Model]) -> str | None:
    """The ORM path from `model` to its owning customer's id, or None for catalogs."""
    scope = getattr(model, "customer_scope", None)
    if scope is None:
        return None
    return "pk" if scope == "" else f"{scope}_id"


def scoped(qs: QuerySet, user) -> QuerySet:
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if not user.is_customer_user:
        return qs
    lookup = customer_lookup(qs.model)
    if lookup is None:
        return qs
    return qs.filter(**{lookup: user.customer_id})


def get_scoped_or_404(qs: QuerySet, user, **lookup) -> Model:
    try:
        return scoped(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {qs.model._meta.verbose_name} matches the given query.") from exc


class ScopedGet:
    """`scoped(queryset, user).filter(pk=pk).first()` for the API's hot id look-ups, with the
    SQL compiled once per process (`aftersales.core.prepared`): the same rows, the same
    scoping (another customer's row is simply not found)."""

    def __init__(self, queryset: QuerySet) -> None:
        from aftersales.core.prepared import PreparedQuery

        self.model = queryset.model
        base = queryset.order_by()  # by primary key: no default ordering (it may join tables)
        self._lookup = customer_lookup(queryset.model)
        self._any = PreparedQuery(lambda pk: base.filter(pk=pk))
        self._own = (PreparedQuery(lambda pk, customer_id: base.filter(pk=pk).filter(**{self._lookup: customer_id}))
                     if self._lookup is not None else self._any)

    def get(self, user, pk: int) -> Model | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not user.is_customer_user or self._lookup is None:
            return self._any.first(pk)
        if user.customer_id is None:
            return None
        return self._own.first(pk, user.customer_id)
