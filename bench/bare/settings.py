"""Settings of the bare reference endpoint: the least Django + django-ninja needs to take a
bearer token, load a customer and insert one row. No middleware, no sessions, no auth app,
no audit: what is left is the framework's own cost, the ceiling the project's intake is
compared with (bench/intake.py). Run with `bench/` on the Python path:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x DJANGO_SETTINGS_MODULE=bare.settings
"""

import os

import dj_database_url

SECRET_KEY = os.environ.get("SECRET_KEY", "bare-reference-endpoint-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["ninja", "bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
# The project's connection settings: persistent connections (CONN_MAX_AGE 60) and, on
# PostgreSQL, statements prepared from their second run (DATABASE_PREPARE_THRESHOLD, 2), so
# the comparison measures the work a create does, not how the connection is configured.
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
_PREPARE_THRESHOLD = int(os.environ.get("DATABASE_PREPARE_THRESHOLD") or 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _PREPARE_THRESHOLD:
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": _PREPARE_THRESHOLD}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
USE_I18N = False
