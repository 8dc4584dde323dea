"""The link printed as a QR code on each unit's label: `/portal/report/<token>/`.

The token is the unit's primary key signed with the site's secret key (salted for this one
purpose): a scanner can read which unit it names but cannot forge a token for any other
unit, so labels cannot be used to walk the equipment list. Who may use the link is decided
by scoping, not by the token (docs/decisions/0011-customer-portal.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "aftersales.portal.equipment-label"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def _signer() -> signing.Signer:
    # "." is not in the URL-safe base64 alphabet, so it separates value and signature
    # without escaping in a URL path.
    return signing.Signer(salt=SALT, sep=".")


def equipment_token(pk: int) -> str:
    return _signer().sign_object(pk)


def equipment_pk_from_token(token: str) -> int | None:
    """The unit's primary key, or None for a token this site did not sign."""
    try:
        pk = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def report_url(equipment) -> str:
    """The absolute URL a unit's QR code encodes (setting SITE_URL, as the phone reaches it)."""
    return site_url() + reverse("portal:report_from_label", args=[equipment_token(equipment.pk)])
