"""Writes to customers' archives that need more than the generic object services."""

from __future__ import annotations

from django.db import transaction

from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.core.services import object_delete
from aftersales.customers.models import Contract, ContractDocument


def contract_document_add(*, actor, contract: Contract, title: str, file) -> ContractDocument:
    """Store an uploaded document of a contract. Type and size are checked (model validation)
    before anything is written, so a refused file leaves neither a row nor a file behind."""
    document = ContractDocument(contract=contract, title=title, file=file, uploaded_by=actor)
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
            audit_record(actor=actor, action=AuditAction.CREATE, instance=document, before=None,
                         after=snapshot(document))
    except Exception:
        # The file reaches storage as the row is saved; if the transaction then fails, the
        # row is rolled back and the file must go with it.
        if getattr(document.file, "_committed", False) and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def contract_document_delete(*, actor, instance: ContractDocument) -> None:
    """Delete a document and, once the deletion is committed, its file."""
    name, storage = instance.file.name, instance.file.storage
    with transaction.atomic():
        object_delete(actor=actor, instance=instance)
        if name:
            transaction.on_commit(lambda: storage.delete(name))
