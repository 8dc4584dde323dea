"""Model fields whose values are encrypted at rest, and how such values are shown masked.

`EncryptedTextField` stores a string as AES-256-GCM ciphertext ("enc1:" + URL-safe base64 of
a random 96-bit nonce and the ciphertext with its tag), so a database dump or a backup does
not give away a robot's access token or signing secret. The key is derived with HKDF-SHA256
from settings.SECRET_KEY; decryption also tries each of settings.SECRET_KEY_FALLBACKS, so
after a key rotation the old rows keep working until they are saved again (saving always
encrypts with the current key). Decision 0014.

The values cannot be searched or filtered in SQL: every encryption of the same text differs.
A stored value that no key decrypts (the SECRET_KEY changed without a fallback) reads as an
empty `UnreadableValue`, and writing that object back keeps the stored ciphertext, so no page
crashes and nothing is lost if the old key is restored later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
from collections.abc import Callable
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PREFIX = "enc1:"
NONCE_BYTES = 12
_SALT = b"aftersales.core.fields"
_ENCRYPTION_INFO = b"encrypted-field/aes-256-gcm"
_FINGERPRINT_INFO = b"encrypted-field/fingerprint"


class DecryptionError(ValueError):
    """The value is not ours, or was encrypted with a key that is no longer configured."""


def _derive(secret_key: str | bytes, info: bytes) -> bytes:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(material)


def _secret_keys() -> list[str | bytes]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def encrypt(plaintext: str) -> str:
    """The stored form of `plaintext`, encrypted with the current SECRET_KEY."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_derive(settings.SECRET_KEY, _ENCRYPTION_INFO)).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def decrypt(stored: str) -> str:
    """The plaintext of a value `encrypt` wrote, with the current key or a fallback one;
    DecryptionError when it is not such a value or no configured key opens it."""
    if not is_encrypted(stored):
        raise DecryptionError("The value is not encrypted.")
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise DecryptionError("The encrypted value is damaged.") from exc
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for secret_key in _secret_keys():
        try:
            return AESGCM(_derive(secret_key, _ENCRYPTION_INFO)).decrypt(nonce, sealed, None).decode()
        except (InvalidTag, ValueError):
            continue
    raise DecryptionError("No configured SECRET_KEY (or fallback) decrypts the value.")


class UnreadableValue(str):
    """An empty string standing for a stored value no configured key decrypts; saved back
    unchanged."""

    stored: str

    def __new__(cls, stored: str) -> UnreadableValue:
        value = super().__new__(cls, "")
        value.stored = stored
        return value


def mask_url(url: str) -> str:
    """"https://oapi.dingtalk.com/…a1b2": scheme, host and the last four characters, so
    people can tell robots apart without seeing the key or token in the address."""
    if isinstance(url, UnreadableValue):
        return _("(cannot be decrypted)")
    if not url:
        return ""
    parts = urlsplit(url)
    start = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""
    rest = url[len(start):] if url.startswith(start) else url
    return f"{start}…{rest[-4:]}" if len(rest) > 4 else f"{start}…"


def fingerprint(value: str) -> str:
    """A short keyed digest of a secret: equal secrets, equal fingerprints; says nothing about
    the secret without the SECRET_KEY. Lets the audit log show that a secret changed."""
    key = _derive(settings.SECRET_KEY, _FINGERPRINT_INFO)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:8]


def mask_secret(value: str) -> str:
    """"" for no secret; otherwise dots and the fingerprint, never the secret."""
    if isinstance(value, UnreadableValue):
        return _("(cannot be decrypted)")
    return f"•••••• {fingerprint(value)}" if value else ""


class EncryptedTextField(models.TextField):
    """A text field stored encrypted (see the module docstring). `max_length` limits the
    plaintext (the ciphertext is longer; the column is TEXT). `mask(value) -> str` is what
    the audit log records instead of the value (default `mask_secret`)."""

    description = "Text encrypted at rest"

    def __init__(self, *args, mask: Callable[[str], str] | None = None, **kwargs):
        self.mask = mask or mask_secret  # display only: not part of the migration state
        super().__init__(*args, **kwargs)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if self.max_length is not None and value:
            MaxLengthValidator(self.max_length)(value)

    def to_python(self, value):
        # A fixture written by dumpdata holds the stored (encrypted) form.
        if isinstance(value, str) and not isinstance(value, UnreadableValue) and is_encrypted(value):
            try:
                return decrypt(value)
            except DecryptionError:
                return UnreadableValue(value)
        return super().to_python(value)

    def value_to_string(self, obj):
        """dumpdata writes the encrypted form: a fixture file is at rest too."""
        value = self.value_from_object(obj)
        return self.get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except DecryptionError as exc:
            logger.error("%s.%s: %s", self.model._meta.label, self.name, exc)
            return UnreadableValue(value)

    def get_prep_value(self, value):
        if isinstance(value, UnreadableValue):
            return value.stored
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertexts differ for equal texts: any comparison but IS NULL would silently
        # match nothing, so it is refused ("Unsupported lookup") instead.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def audit_mask(self, value) -> str | None:
        return None if value is None else self.mask(value)
