"""Settings read from the environment: key rotation fallbacks and outbox retention reach
Django's settings, and a value that is not a whole number stops the start with its name."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHOW = ("import json; from django.conf import settings as s; "
        "print(json.dumps([s.SECRET_KEY_FALLBACKS, s.NOTIFICATION_RETENTION_DAYS, "
        "s.NOTIFICATION_FAILED_RETENTION_DAYS]))")
PRODUCTION = {
    "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijkl",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "service.example.com",
}
OUR_VARIABLES = {"SECRET_KEY_FALLBACKS", "NOTIFICATION_RETENTION_DAYS", "NOTIFICATION_FAILED_RETENTION_DAYS",
                 "AFTERSALES_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    base.update({**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/settings.sqlite3",
                 "DJANGO_SETTINGS_MODULE": "config.settings"})
    base.update(env)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=base, capture_output=True, text=True, timeout=120)


def shown_settings(env: dict[str, str], tmp_path: Path) -> list:
    result = run(["-c", "import django; django.setup(); " + SHOW], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_keep_no_old_keys_and_prune_after_90_and_365_days(tmp_path):
    assert shown_settings({}, tmp_path) == [[], 90, 365]


def test_old_keys_and_retention_days_come_from_the_environment(tmp_path):
    env = {"SECRET_KEY_FALLBACKS": " old-key-one , old-key-two,", "NOTIFICATION_RETENTION_DAYS": "30",
           "NOTIFICATION_FAILED_RETENTION_DAYS": " 730 "}
    assert shown_settings(env, tmp_path) == [["old-key-one", "old-key-two"], 30, 730]


def test_retention_that_is_not_a_whole_number_of_days_stops_the_start(tmp_path):
    for name, value in [("NOTIFICATION_RETENTION_DAYS", "90d"), ("NOTIFICATION_FAILED_RETENTION_DAYS", "0"),
                        ("NOTIFICATION_RETENTION_DAYS", "1.5")]:
        result = run(["-m", "aftersales", "check"], {name: value}, tmp_path)
        assert result.returncode != 0
        assert f"{name} must be a whole number of at least 1 (it is '{value}')." in result.stderr


def test_other_whole_number_variables_name_themselves_when_wrong(tmp_path):
    result = run(["-m", "aftersales", "check"], {"MAILIN_IMAP_BATCH": "lots"}, tmp_path)
    assert result.returncode != 0
    assert "MAILIN_IMAP_BATCH must be a whole number (it is 'lots')." in result.stderr


def test_deploy_check_stays_clean_with_an_old_key_and_retention_set(tmp_path):
    env = {"SECRET_KEY_FALLBACKS": "the-previous-long-random-secret-key-0123456789-abcdefghijkl",
           "NOTIFICATION_RETENTION_DAYS": "30", "NOTIFICATION_FAILED_RETENTION_DAYS": "730"}
    result = run(["-m", "aftersales", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
