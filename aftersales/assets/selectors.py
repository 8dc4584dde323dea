"""Reads of equipment and warranties: coverage, history with diffs, overdue cards, ending warranties."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aftersales.assets.models import Component, Equipment, EquipmentChange, WarrantyTerm
from aftersales.core.scoping import scoped
from aftersales.domain import warranty as rules
from aftersales.domain.diff import json_diff


@dataclass
class CoverageRow:
    """One line of a unit's warranty table: the whole system or one component."""

    label: str
    component_code: str | None
    covered: bool
    until: date | None
    term: WarrantyTerm | None
    starts: date | None = None
    component: Component | None = None


@dataclass
class WarrantyEnding:
    """A unit whose warranty term ends soon; `ends_on` is the last covered day."""

    equipment: Equipment
    term: WarrantyTerm
    ends_on: date
    days_left: int = field(default=0)


def equipment_queryset() -> QuerySet[Equipment]:
    """Equipment with `acceptance`: the unit's own acceptance day, else its contract's."""
    return Equipment.objects.annotate(acceptance=Coalesce("accepted_on", "contract__accepted_on"))


def equipment_for_user(*, user) -> QuerySet[Equipment]:
    return scoped(equipment_queryset(), user)


def equipment_acceptance(equipment: Equipment) -> date | None:
    """The day the unit's warranties start: its own acceptance, else its contract's."""
    if equipment.accepted_on is not None:
        return equipment.accepted_on
    annotated = getattr(equipment, "acceptance", None)
    if annotated is not None or not equipment.contract_id:
        return annotated
    return equipment.contract.accepted_on


def _domain_term(term: WarrantyTerm, component_code: str | None) -> rules.Term:
    return rules.Term(id=term.pk, component=component_code, months=term.months, label=term.description)


def terms_for_equipment(equipment: Equipment) -> list[WarrantyTerm]:
    """The warranty terms of the contract item for this unit's product on its contract."""
    if not equipment.contract_id:
        return []
    return list(
        WarrantyTerm.objects.filter(contract_item__contract_id=equipment.contract_id,
                                    contract_item__product_id=equipment.product_id)
        .select_related("component")
    )


def equipment_coverage(*, equipment: Equipment, on: date) -> list[CoverageRow]:
    """The whole system, then each component of the unit's product, covered or not on `on`.

    Two queries (terms, components), three when the acceptance day comes from the contract.
    """
    terms = terms_for_equipment(equipment)
    by_id = {term.pk: term for term in terms}
    domain_terms = [_domain_term(t, t.component.code if t.component_id else None) for t in terms]
    accepted_on = equipment_acceptance(equipment)
    components = list(Component.objects.filter(product_id=equipment.product_id).order_by("code"))

    rows = []
    for label, component in [(_("Whole system"), None), *((c.name, c) for c in components)]:
        code = component.code if component else None
        result = rules.coverage(domain_terms, accepted_on, code, on)
        rows.append(CoverageRow(
            label=str(label), component_code=code, covered=result.covered, until=result.until,
            term=by_id.get(result.term.id) if result.term else None, starts=result.starts, component=component,
        ))
    return rows


def equipment_history(*, equipment: Equipment) -> list[EquipmentChange]:
    """The unit's software and configuration changes, newest first, each with `.diff`."""
    changes = list(EquipmentChange.objects.filter(equipment=equipment).select_related("changed_by"))
    for change in changes:
        change.diff = json_diff(change.before, change.after)
    return changes


def warranty_cards_overdue(*, user, today: date) -> QuerySet[Equipment]:
    """Accepted units still without a warranty card after the one month they are due in."""
    latest = rules.latest_acceptance_with_card_overdue(today)
    return (
        equipment_for_user(user=user)
        .filter(warranty_card__isnull=True, acceptance__isnull=False, acceptance__lte=latest)
        .select_related("product", "site", "customer")
        .order_by("acceptance", "serial")
    )


def _acceptance_windows(months_values: Iterable[int], start: date, end: date) -> Q:
    """Units accepted so that an N-month warranty could end between `start` and `end`.

    A few days of slack on both sides cover month-end clamping; the exact check is done
    by the domain function on the rows this returns.
    """
    condition = Q(pk__in=[])
    for months in set(months_values):
        condition |= Q(acceptance__gte=rules.add_months(start, -months) - timedelta(days=4),
                       acceptance__lte=rules.add_months(end, -months) + timedelta(days=4))
    return condition


def terms_ending(equipment: QuerySet[Equipment], *, today: date, within_days: int) -> list[WarrantyEnding]:
    """Every (unit, term) of `equipment` whose last covered day is between today and
    `within_days` later, soonest first. Two queries however many units there are."""
    terms = list(
        WarrantyTerm.objects.filter(contract_item__contract_id__in=equipment.values("contract_id"))
        .select_related("component", "contract_item")
    )
    if not terms:
        return []
    terms_by_item: dict[tuple[int, int], list[WarrantyTerm]] = defaultdict(list)
    for term in terms:
        terms_by_item[(term.contract_item.contract_id, term.contract_item.product_id)].append(term)

    horizon = today + timedelta(days=within_days)
    units = (
        equipment.filter(contract_id__in={t.contract_item.contract_id for t in terms})
        .filter(_acceptance_windows((t.months for t in terms), today, horizon))
        .select_related("product", "customer", "site", "contract__sales_owner")
    )
    rows = []
    for unit in units:
        for term in terms_by_item.get((unit.contract_id, unit.product_id), []):
            ends_on = rules.warranty_end(unit.acceptance, term.months)
            if today <= ends_on <= horizon:
                rows.append(WarrantyEnding(equipment=unit, term=term, ends_on=ends_on,
                                           days_left=(ends_on - today).days))
    rows.sort(key=lambda row: (row.ends_on, row.equipment.serial, row.term.pk))
    return rows


def warranties_ending(*, user, today: date, within_days: int = 90) -> list[WarrantyEnding]:
    """For the dashboard: the user's units whose warranty (any term) ends within `within_days`."""
    return terms_ending(equipment_for_user(user=user), today=today, within_days=within_days)
