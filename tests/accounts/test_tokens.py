"""API tokens: issued once, stored hashed, refused when wrong, revoked, expired or inactive."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from aftersales.accounts.choices import Role
from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import api_token_create, api_token_revoke
from aftersales.core.models import AuditLog

URL = "/api/v1/customers"


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def desk_user(make_user):
    return make_user(Role.SERVICE_DESK, username="desk")


def test_a_new_token_works_as_bearer(desk_user):
    token, raw = api_token_create(user=desk_user, name="ERP sync")

    assert bearer(raw).get(URL).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.prefix == raw[:8]


def test_only_the_hash_of_a_token_is_stored(desk_user):
    token, raw = api_token_create(user=desk_user)

    assert token.key_hash != raw and len(token.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert raw not in stored
    assert raw not in " ".join(str(a.after) for a in AuditLog.objects.all())


@pytest.mark.parametrize("header", ["Bearer as_wrong", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz"])
def test_a_wrong_token_gets_401(desk_user, header):
    api_token_create(user=desk_user)
    assert Client(HTTP_AUTHORIZATION=header).get(URL).status_code == 401


def test_a_revoked_token_gets_401(desk_user):
    token, raw = api_token_create(user=desk_user)
    assert bearer(raw).get(URL).status_code == 200

    api_token_revoke(token=token, actor=desk_user)

    assert bearer(raw).get(URL).status_code == 401
    assert AuditLog.objects.filter(object_type="accounts.apitoken", action="update").get().after["revoked"] is True


def test_an_expired_token_gets_401(desk_user):
    token, raw = api_token_create(user=desk_user, expires_at=timezone.now() + timedelta(hours=1))
    assert bearer(raw).get(URL).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert bearer(raw).get(URL).status_code == 401


def test_the_token_of_an_inactive_user_gets_401(desk_user):
    _token, raw = api_token_create(user=desk_user)
    desk_user.is_active = False
    desk_user.save()

    assert bearer(raw).get(URL).status_code == 401


def test_no_token_is_issued_for_an_inactive_user_or_with_a_past_expiry(desk_user):
    with pytest.raises(ValidationError):
        api_token_create(user=desk_user, expires_at=timezone.now() - timedelta(days=1))
    desk_user.is_active = False
    with pytest.raises(ValidationError):
        api_token_create(user=desk_user)
    assert not ApiToken.objects.exists()


def run_command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_only_the_token(desk_user):
    out, _err = run_command("--user", "desk", "--name", "ERP sync", "--days", "30")

    raw = out.strip()
    assert out == raw + "\n" and raw.startswith("as_")
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (desk_user, "ERP sync")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert bearer(raw).get(URL).status_code == 200


def test_command_without_days_issues_a_token_that_does_not_expire(desk_user):
    run_command("--user", "desk")
    assert ApiToken.objects.get().expires_at is None


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "nobody"], "No user named 'nobody'"),
    (["--user", "desk", "--days", "0"], "--days must be a positive"),
    (["--user", "desk", "--name", "x" * 101], "100"),  # the label's column holds 100 characters
])
def test_command_refuses_bad_input_and_issues_nothing(desk_user, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)
    assert not ApiToken.objects.exists()


def test_command_refuses_an_inactive_user(desk_user):
    desk_user.is_active = False
    desk_user.save()
    with pytest.raises(CommandError, match="inactive"):
        run_command("--user", "desk")
    assert not ApiToken.objects.exists()


def test_command_exits_non_zero_with_the_message_on_stderr(desk_user, capsys):
    # The way an operator runs it: `aftersales create_api_token ...` (manage.py's entry point).
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["aftersales", "create_api_token", "--user", "nobody"])

    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No user named 'nobody'" in captured.err
