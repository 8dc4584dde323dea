"""Writes to accounts: API tokens."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import ApiToken, hash_token
from aftersales.core.audit import audit_record
from aftersales.core.models import AuditAction


def _token_facts(token: ApiToken) -> dict:
    # Never the hash: the audit log is readable by more people than the token table.
    return {"id": token.pk, "user_id": token.user_id, "name": token.name, "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None, "revoked": token.revoked}


def api_token_create(*, user, name: str = "", expires_at: datetime.datetime | None = None,
                     actor=None) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`; returns the row and the raw token, which is shown
    this once: only its SHA-256 is stored."""
    if not user.is_active:
        raise ValidationError({"user": f"The user {user.get_username()} is inactive."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must lie in the future."})
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken(user=user, name=name, prefix=raw[:8], key_hash=hash_token(raw), expires_at=expires_at)
        token.full_clean()  # e.g. a label too long for the column fails here on every database
        token.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=token, before=None,
                     after=_token_facts(token))
    return token, raw


def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Stop a token from authenticating, at once and for good (the row stays for the record)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked:
            return token
        before = _token_facts(token)
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=token, before=before,
                     after=_token_facts(token))
    return token
