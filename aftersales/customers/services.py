"""Writes to customers' archives that need more than the generic object services."""

from __future__ import annotations

from django.db import transaction

from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.core.services import object_delete_with_file, stored_file_removed_on_failure
from aftersales.customers.models import Contract, ContractDocument


def contract_document_add(*, actor, contract: Contract, title: str, file) -> ContractDocument:
    """Store an uploaded document of a contract. Type and size are checked (model validation)
    before anything is written, so a refused file leaves neither a row nor a file behind."""
    document = ContractDocument(contract=contract, title=title, file=file, uploaded_by=actor)
    document.full_clean()
    with stored_file_removed_on_failure(document), transaction.atomic():
        document.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=document, before=None,
                     after=snapshot(document))
    return document


def contract_document_delete(*, actor, instance: ContractDocument) -> None:
    """Delete a document and, once the deletion is committed, its file."""
    object_delete_with_file(actor=actor, instance=instance)
