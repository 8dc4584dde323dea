"""One check for uploaded files (contract documents, ticket attachments): the type by the
name's extension against an allow-list, then the size against a limit. Nothing is stored
here; callers check before they write, so a refused file leaves no row and no file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_upload(file, *, allowed_types: Mapping[str, str], max_bytes: int) -> str:
    """Raise ValidationError (codes "file_type", "file_size") when the file's extension is
    not in `allowed_types` (".pdf" -> content type) or it is larger than `max_bytes`;
    otherwise return the content type for its extension."""
    suffix = Path(file.name or "").suffix.lower()
    if suffix not in allowed_types:
        allowed = ", ".join(sorted(allowed_types))
        raise ValidationError(_("File type %(suffix)s is not allowed; use one of %(allowed)s."),
                              code="file_type", params={"suffix": suffix or "(none)", "allowed": allowed})
    if file.size > max_bytes:
        raise ValidationError(_("The file is %(size)d bytes; the limit is %(limit)d bytes."),
                              code="file_size", params={"size": file.size, "limit": max_bytes})
    return allowed_types[suffix]
