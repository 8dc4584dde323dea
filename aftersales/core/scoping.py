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
