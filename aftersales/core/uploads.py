"""One check for uploaded files (contract documents, ticket attachments): the type by the
name's extension against an allow-list, the size against a limit, then the first bytes
against the type the extension claims (aftersales/domain/filetypes.py), so a program or a
web page renamed to "report.pdf" is refused. Nothing is stored here; callers check before
they write, so a refused file leaves no row and no file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aftersales.domain.filetypes import SNIFF_BYTES, check_content

# The message for a file whose bytes are not of the kind its extension claims.
CONTENT_MISMATCH_MESSAGES = {
    "pdf": _("The file's content is not a PDF."),
    "png": _("The file's content is not a PNG image."),
    "jpeg": _("The file's content is not a JPEG image."),
    "gif": _("The file's content is not a GIF image."),
    "webp": _("The file's content is not a WebP image."),
    "heif": _("The file's content is not a HEIC/HEIF image."),
    "office": _("The file's content is not an Office document (Word, Excel or PowerPoint)."),
    "zip": _("The file's content is not a ZIP archive."),
    "legacy_office": _("The file's content is not an Office 97–2003 document."),
    "text": _("The file's content is not plain text (UTF-8 or GB18030, and not a web page)."),
    "email": _("The file's content is not an e-mail message."),
}


def read_head(file, size: int = SNIFF_BYTES) -> tuple[bytes, bool]:
    """The first `size` bytes of an uploaded (or stored) file and whether that is all of it;
    the file's position is put back where it was."""
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        head = file.read(size + 1)
    finally:
        if position is not None:
            file.seek(position)
    if isinstance(head, str):  # a text-mode handle: judge the bytes it would store
        head = head.encode("utf-8")
    return head[:size], len(head) <= size


def validate_upload(file, *, allowed_types: Mapping[str, str], max_bytes: int) -> str:
    """Raise ValidationError (codes "file_type", "file_size", "file_content") when the file's
    extension is not in `allowed_types` (".pdf" -> content type), it is larger than
    `max_bytes`, or its first bytes are not of the type the extension claims; otherwise
    return the content type for its extension. A file already stored (re-validated when
    its row is saved again) was checked when it came in and is not read again."""
    suffix = Path(file.name or "").suffix.lower()
    if suffix not in allowed_types:
        allowed = ", ".join(sorted(allowed_types))
        raise ValidationError(_("File type %(suffix)s is not allowed; use one of %(allowed)s."),
                              code="file_type", params={"suffix": suffix or "(none)", "allowed": allowed})
    if file.size > max_bytes:
        raise ValidationError(_("The file is %(size)d bytes; the limit is %(limit)d bytes."),
                              code="file_size", params={"size": file.size, "limit": max_bytes})
    if not getattr(file, "_committed", False):
        head, whole_file = read_head(file)
        verdict = check_content(suffix, head, whole_file=whole_file)
        if not verdict.matches:
            raise ValidationError(CONTENT_MISMATCH_MESSAGES[verdict.kind], code="file_content")
    return allowed_types[suffix]
