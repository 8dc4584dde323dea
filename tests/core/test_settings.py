"""The production configuration: strong hashing, deploy checks clean, no silent insecure key."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"AFTERSALES_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "aftersales", *args], cwd=REPO, env=base, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghijkl",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "service.example.com",
}


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env={"DEBUG": "0", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_passwords_are_hashed_with_argon2_in_the_real_settings():
    import config.settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    hashed = hasher.encode("a sturdy passphrase", hasher.salt())
    assert hashed.startswith("argon2$argon2id$")
    assert hasher.verify("a sturdy passphrase", hashed)
    assert not hasher.verify("a sturdy passphrase!", hashed)


def test_embedded_default_is_sqlite_in_wal_mode_with_immediate_transactions():
    import config.settings as real

    db = real.database_config("sqlite:////tmp/aftersales-settings-test.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert "synchronous=NORMAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5


def test_demo_database_file_uses_wal(tmp_path):
    db = tmp_path / "demo.sqlite3"
    result = run_manage("migrate", "--noinput", env={"DATABASE_URL": f"sqlite:///{db}", "DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_languages_are_chinese_by_default_and_english():
    import config.settings as real

    assert real.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in real.LANGUAGES] == ["zh-hans", "en"]
    assert real.TIME_ZONE == "Asia/Shanghai"
    assert real.USE_TZ is True


def test_postgresql_prepares_repeated_statements_unless_turned_off(monkeypatch):
    import config.settings as real

    url = "postgres://aftersales@db.example.com:5432/aftersales"
    monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    options = real.database_config(url)["OPTIONS"]
    assert (options["server_side_binding"], options["prepare_threshold"]) == (True, 2)
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "0")
    assert "server_side_binding" not in real.database_config(url).get("OPTIONS", {})


def test_a_statement_run_twice_is_prepared_on_the_postgresql_server(db):
    import pytest
    from django.db import connection

    from aftersales.customers.models import Customer

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    if not connection.settings_dict["OPTIONS"].get("prepare_threshold"):
        pytest.skip("DATABASE_PREPARE_THRESHOLD=0 turned them off")
    for name in ("甲", "乙", "丙"):
        list(Customer.objects.filter(name=name))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("customers_customer" in sql and "$1" in sql for sql in prepared), prepared
