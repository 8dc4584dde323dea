"""/api/v1/contracts/{id}/sla-policy: a contract's SLA targets per level, read and replaced
as a whole. Another customer's contract is 404; bad data is a 422 with a message per field
(`loc` = ["body", "levels", "L1", "loaner", "minutes"]) and nothing is written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict

from aftersales.core.api import require_perm
from aftersales.core.scoping import get_scoped_or_404
from aftersales.customers.models import Contract
from aftersales.tickets import policies

router = Router(tags=["contracts"])


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    minutes: int | None = None
    business_time: bool | None = None


class TargetOut(Schema):
    minutes: int
    business_time: bool


class PolicyIn(Schema):
    levels: dict[str, dict[str, TargetIn | None] | None] | None = None


class PolicyOut(Schema):
    contract_id: int
    uses_defaults: bool
    levels: dict[str, dict[str, TargetOut]]


def _out(policy: policies.ContractPolicy) -> dict:
    return {"contract_id": policy.contract.pk, "uses_defaults": policy.uses_defaults, "levels": policy.data}


def _contract(request, pk: int) -> Contract:
    return get_scoped_or_404(Contract.objects.all(), request.user, pk=pk)


def _data(payload: PolicyIn) -> dict | None:
    if payload.levels is None:
        return None
    return {level: None if kinds is None else {
        kind: None if target is None else target.model_dump(exclude_none=True) for kind, target in kinds.items()}
        for level, kinds in payload.levels.items()}


@router.get("/{int:pk}/sla-policy", response=PolicyOut, operation_id="get_contract_sla_policy",
            summary="Get a contract's SLA policy",
            description=f"Permission: {policies.VIEW_PERMISSION}. The targets per level (L1-L5) new service "
                        "requests under this contract get: minutes and business or clock time; a target that is "
                        "absent is not promised. `uses_defaults` is true while the contract follows the tenders' "
                        "defaults.")
def get_policy(request, pk: int):
    contract = _contract(request, pk)
    require_perm(request, policies.VIEW_PERMISSION)
    return _out(policies.contract_policy(contract))


@router.put("/{int:pk}/sla-policy", response=PolicyOut, operation_id="put_contract_sla_policy",
            summary="Replace a contract's SLA policy",
            description=f"Permission: {policies.CHANGE_PERMISSION}. `levels` maps L1-L5 to targets (respond, "
                        "diagnose, on_site, resolve, loaner), each {minutes, business_time}; a level or target "
                        "left out (or null) is not promised. Minutes are whole numbers above zero; a loaner needs "
                        "a resolve target on its level (it counts from the resolve time). `levels: null` puts the "
                        "contract back on the tenders' defaults. Tickets already open keep their targets.")
def put_policy(request, pk: int, payload: PolicyIn):
    contract = _contract(request, pk)
    require_perm(request, policies.CHANGE_PERMISSION)
    try:
        policy = policies.contract_policy_set(actor=request.user, contract=contract, data=_data(payload))
    except ValidationError as exc:
        raise NinjaValidationError([
            {"loc": ["body", "levels", *path.split(".")], "msg": str(message), "type": "value_error"}
            for path, messages in exc.message_dict.items() for message in messages]) from exc
    return _out(policy)
