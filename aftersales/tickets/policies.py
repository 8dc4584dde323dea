"""A contract's SLA policy: the targets per level (respond, diagnose, on site, resolve,
loaner; minutes in business or clock time) its tickets are created under.

Stored as JSON on the contract row (`Contract.sla_policy`, None = the tenders' defaults) and
validated by `aftersales.domain.sla.policy_from_data`; each new ticket snapshots it
(`services.ticket_create`), so editing a policy never moves promises already made
(docs/decisions/0012-contract-policies-and-recompute.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.audit import audit_record
from aftersales.core.models import AuditAction
from aftersales.customers.models import Contract
from aftersales.domain import sla as clocks
from aftersales.domain.grading import Level

CHANGE_PERMISSION = "customers.change_contract"
VIEW_PERMISSION = "customers.view_contract"

TARGET_LABELS = {
    clocks.TargetKind.RESPOND: gettext_lazy("Respond"),
    clocks.TargetKind.DIAGNOSE: gettext_lazy("Diagnose"),
    clocks.TargetKind.ON_SITE: gettext_lazy("On site"),
    clocks.TargetKind.RESOLVE: gettext_lazy("Resolve"),
    clocks.TargetKind.LOANER: gettext_lazy("Loaner unit"),
}


def error_message(code: str) -> str:
    """The user's words for a `PolicyError` code of the domain."""
    messages = {
        "not_a_mapping": _("Give the targets as an object."),
        "unknown_level": _("Levels are L1 to L5."),
        "unknown_target": _("Targets are respond, diagnose, on_site, resolve and loaner."),
        "unknown_field": _("A target has only minutes and business_time."),
        "not_positive_integer": _("Enter a whole number of minutes above zero, or leave it blank."),
        "too_large": _("At most %(minutes)s minutes (a year).") % {"minutes": clocks.MAX_TARGET_MINUTES},
        "not_boolean": _("Business time is true or false."),
        "loaner_without_resolve": _("A loaner unit counts from the resolve time; promise a resolve time on this level first."),
    }
    return messages.get(code, code)


@dataclass(frozen=True)
class ContractPolicy:
    contract: Contract
    policy: clocks.Policy
    uses_defaults: bool

    @property
    def data(self) -> dict:
        return clocks.policy_to_data(self.policy)

    def grid(self) -> list[tuple[Level, list[clocks.TargetSpec | None]]]:
        """Rows per level, a cell per kind (None: not promised)."""
        rows = []
        for level in Level:
            specs = {spec.kind: spec for spec in self.policy.specs(level)}
            rows.append((level, [specs.get(kind) for kind in clocks.POLICY_KINDS]))
        return rows


def contract_policy(contract: Contract) -> ContractPolicy:
    """The policy new tickets under `contract` get (the caller has scoped the contract)."""
    if contract.sla_policy:
        return ContractPolicy(contract, clocks.policy_from_data(contract.sla_policy), uses_defaults=False)
    return ContractPolicy(contract, clocks.DEFAULT_POLICY, uses_defaults=True)


def validate_policy_data(data: Mapping) -> clocks.Policy:
    """The policy in `data`, or a ValidationError keyed "L1.loaner.minutes" style."""
    try:
        return clocks.policy_from_data(data)
    except clocks.PolicyError as exc:
        raise ValidationError({path: error_message(code) for path, code in sorted(exc.errors.items())}) from None


def contract_policy_set(*, actor, contract: Contract, data: Mapping | None) -> ContractPolicy:
    """Store `data` (the shape of `policy_to_data`) as the contract's policy; None puts the
    contract back on the tenders' defaults. Validated first: on bad data a ValidationError
    with a message per field and nothing is written. Audited. Only tickets created from now
    on use the new policy."""
    policy = clocks.DEFAULT_POLICY if data is None else validate_policy_data(data)
    stored = None if data is None else clocks.policy_to_data(policy)
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        before = locked.sla_policy
        if before != stored:
            Contract.objects.filter(pk=contract.pk).update(sla_policy=stored, updated_at=timezone.now())
            contract.sla_policy = stored
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=contract,
                         before={"sla_policy": before}, after={"sla_policy": stored})
    contract.sla_policy = stored
    return contract_policy(contract)
