"""Webhook message formats, DingTalk signing, retry back-off and time-left wording."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain import notify

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_wecom_markdown_is_the_group_robot_format():
    assert notify.wecom_markdown("**SR-2025-000001** 防火墙宕机") == {
        "msgtype": "markdown", "markdown": {"content": "**SR-2025-000001** 防火墙宕机"}}


def test_wecom_content_is_cut_to_4096_bytes_without_splitting_a_character():
    content = notify.wecom_markdown("告警" * 3000)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("…")
    content.encode("utf-8").decode("utf-8")  # still valid UTF-8


def test_dingtalk_markdown_has_title_text_and_mentions_the_mobiles_in_the_text():
    message = notify.dingtalk_markdown("SLA 告警", "### SLA 告警\n> 客户: 测试", ["13800001111", "13800001111", ""])
    assert message == {
        "msgtype": "markdown",
        "markdown": {"title": "SLA 告警", "text": "### SLA 告警\n> 客户: 测试\n\n@13800001111"},
        "at": {"atMobiles": ["13800001111"], "isAtAll": False},
    }
    assert notify.dingtalk_markdown("t", "x")["at"] == {"atMobiles": [], "isAtAll": False}


def test_generic_message_carries_the_facts_and_refuses_what_json_cannot_hold():
    message = notify.webhook_payload("generic", event="sla.escalation", title="T", markdown="**m**", text="plain",
                                     data={"ticket": "SR-1", "threshold": 75})
    assert message == {"event": "sla.escalation", "title": "T", "text": "plain",
                       "data": {"ticket": "SR-1", "threshold": 75}}
    with pytest.raises(TypeError):
        notify.generic_message("e", "t", "x", {"when": datetime.now(UTC)})


def test_webhook_payload_puts_the_title_over_the_markdown_for_robots():
    wecom = notify.webhook_payload("wecom", event="e", title="T", markdown="body", text="", data={})
    assert wecom["markdown"]["content"] == "### T\nbody"
    ding = notify.webhook_payload("dingtalk", event="e", title="T", markdown="body", text="", data={},
                                  at_mobiles=["139"])
    assert ding["markdown"] == {"title": "T", "text": "### T\nbody\n\n@139"}


def test_dingtalk_sign_follows_the_documented_algorithm():
    secret, timestamp = "SEC000example", 1_700_000_000_123
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert unquote_plus(notify.dingtalk_sign(secret, timestamp)) == expected.decode()
    assert set("+/=").isdisjoint(notify.dingtalk_sign(secret, timestamp))  # URL-encoded


def test_dingtalk_signed_url_keeps_the_access_token_and_adds_timestamp_and_sign():
    now = datetime(2025, 1, 27, 10, 0, tzinfo=SHANGHAI)
    url = notify.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=old",
                                     "SECx", now)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == [str(int(now.timestamp() * 1000))]
    assert query["sign"] == [unquote_plus(notify.dingtalk_sign("SECx", int(now.timestamp() * 1000)))]
    with pytest.raises(TypeError):
        notify.dingtalk_signed_url("https://x", "s", datetime(2025, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(("kind", "body", "error"), [
    ("wecom", b'{"errcode":0,"errmsg":"ok"}', None),
    ("dingtalk", b'{"errcode":310000,"errmsg":"sign not match"}', "errcode 310000: sign not match"),
    ("wecom", b"<html>bad gateway</html>", "unreadable answer"),
    ("generic", b"anything", None),
])
def test_robot_errors_are_read_from_their_answers(kind, body, error):
    found = notify.robot_error(kind, body)
    assert (found is None) if error is None else (error in found)


def test_retry_delay_doubles_from_one_minute_and_is_capped():
    assert [notify.retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert notify.retry_delay(50) == timedelta(hours=6)
    assert notify.retry_delay(3, base_seconds=10, max_seconds=30) == timedelta(seconds=30)
    with pytest.raises(ValueError):
        notify.retry_delay(0)


@given(st.integers(min_value=1, max_value=10_000))
def test_retry_delay_never_shrinks(attempts):
    assert notify.retry_delay(attempts) <= notify.retry_delay(attempts + 1) <= timedelta(hours=6)


@pytest.mark.parametrize(("levels", "group", "level", "ticket_group", "wanted"), [
    ([], None, "L4", 3, True),
    (["L1", "L2"], None, "L2", None, True),
    (["L1", "L2"], None, "L3", None, False),
    ([], 7, "L1", 7, True),
    ([], 7, "L1", 8, False),
    ([], 7, "L1", None, False),
])
def test_endpoint_filters(levels, group, level, ticket_group, wanted):
    assert notify.endpoint_matches(levels=levels, group_id=group, ticket_level=level,
                                   ticket_group_id=ticket_group) is wanted


def test_minutes_left_and_their_wording():
    due = datetime(2025, 1, 28, 12, 0, tzinfo=SHANGHAI)
    assert notify.minutes_left(due, due - timedelta(minutes=90, seconds=30)) == 90
    assert notify.minutes_left(due, due) == 0
    assert notify.minutes_left(due, due + timedelta(minutes=5, seconds=59)) == -5
    assert [notify.duration_text(m) for m in (45, 60, 125, -125, 26 * 60 + 5)] == [
        "45 min", "1 h 00 min", "2 h 05 min", "2 h 05 min", "1 d 2 h 05 min"]
    with pytest.raises(TypeError):
        notify.minutes_left(datetime(2025, 1, 1), due)  # noqa: DTZ001


def test_payloads_are_json():
    json.dumps(notify.webhook_payload("dingtalk", event="e", title="标题", markdown="正文", text="", data={}))
