"""Attachments on service requests (photos, logs, documents): add and delete.

The type (by extension), the size and the content (the first bytes must be of the type the
extension claims: core.uploads with aftersales/domain/filetypes.py) are checked before
anything is written, so a refused file leaves neither a row nor a file behind. An added
file also shows on the ticket's timeline (a "commented" event whose data names the
attachment) and in the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.audit import audit_record, snapshot
from aftersales.core.models import AuditAction
from aftersales.core.services import object_delete_with_file, stored_file_removed_on_failure
from aftersales.core.uploads import validate_upload
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketAttachment, TicketEvent


def ticket_attachment_add(*, ticket: Ticket, file, actor, now: datetime | None = None) -> TicketAttachment:
    """Store `file` (an UploadedFile) on the ticket. ValidationError on field "file" when it is
    missing, of a type not in TICKET_ATTACHMENT_TYPES, larger than TICKET_ATTACHMENT_MAX_BYTES
    or with content that is not of the type its extension claims."""
    now = now or timezone.now()
    if not file:
        raise ValidationError({"file": _("Choose a file to attach.")})
    try:
        content_type = validate_upload(file, allowed_types=settings.TICKET_ATTACHMENT_TYPES,
                                       max_bytes=settings.TICKET_ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from exc
    name = PurePath(file.name).name[:255]
    user = actor if getattr(actor, "pk", None) else None
    attachment = TicketAttachment(ticket=ticket, file=file, original_name=name, size=file.size,
                                  content_type=content_type, uploaded_by=user, uploaded_at=now)
    with stored_file_removed_on_failure(attachment), transaction.atomic():
        attachment.save()
        TicketEvent.objects.create(ticket=ticket, kind=EventKind.COMMENTED, at=now, actor=user,
                                   data={"attachment": name, "attachment_id": attachment.pk,
                                         "size": attachment.size})
        audit_record(actor=actor, action=AuditAction.CREATE, instance=attachment, before=None,
                     after=snapshot(attachment))
    return attachment


def ticket_attachment_delete(*, actor, instance: TicketAttachment) -> None:
    """Delete an attachment (staff) and, once the deletion is committed, its file. The
    timeline entry stays: it records that the file was attached."""
    object_delete_with_file(actor=actor, instance=instance)


def attachment_file_response(attachment: TicketAttachment) -> FileResponse:
    """The stored file as a download under its original name (for the API and the pages,
    after they have scoped the ticket and checked the permission)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The attachment's file is missing.") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type or "application/octet-stream")
