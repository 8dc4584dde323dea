"""Settings for the test suite: the real settings, with a fast password hasher (the real
hasher is asserted on `config.settings` itself) and tests' own media directory."""

import os
import tempfile

os.environ.setdefault("AFTERSALES_TESTING", "1")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only
MEDIA_ROOT = tempfile.mkdtemp(prefix="aftersales-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AUDIT_PURGE_ALLOWED = True  # transactional tests flush every table, the audit log included
# Tests talk plain HTTP to the test client even when DATABASE_URL turns DEBUG off.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
RATE_LIMITS = {"login": (1000, 300), "write": (100000, 60)}
