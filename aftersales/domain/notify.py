"""Notifications: webhook message formats, DingTalk signing, retry back-off, and the wording
of time left on an SLA clock.

Pure Python (no Django, no clock: `now` and timestamps are passed in). The apps translate
the words; this module only arranges them in the formats the chat robots accept:

- WeCom (企业微信) group robot: POST JSON `{"msgtype": "markdown", "markdown": {"content": ...}}`
  to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...`; content at most 4096 bytes
  of UTF-8. The robot answers HTTP 200 with `{"errcode": 0, "errmsg": "ok"}` on success.
- DingTalk (钉钉) custom robot: POST JSON `{"msgtype": "markdown", "markdown": {"title": ...,
  "text": ...}, "at": {"atMobiles": [...], "isAtAll": false}}` to
  `https://oapi.dingtalk.com/robot/send?access_token=...`; a mobile is only notified when the
  text itself contains `@<mobile>`. With "sign" security the URL also carries `timestamp`
  (milliseconds, within one hour of DingTalk's clock) and `sign` = URL-encoded Base64 of
  HMAC-SHA256(key=secret, message=f"{timestamp}\\n{secret}"), UTF-8 throughout. Same
  `errcode` answer as WeCom.
- Generic: our own JSON document (`event`, `title`, `text`, `data`) for any HTTP receiver.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

WECOM_MARKDOWN_MAX_BYTES = 4096
"""WeCom refuses markdown content longer than this many bytes of UTF-8."""


class WebhookKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    GENERIC = "generic"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` bytes of UTF-8 without splitting a character; an
    ellipsis marks a cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    ellipsis = "…"
    room = max_bytes - len(ellipsis.encode("utf-8"))
    return encoded[:max(room, 0)].decode("utf-8", errors="ignore") + ellipsis


def wecom_markdown(content: str) -> dict:
    """A WeCom group robot markdown message."""
    return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(content, WECOM_MARKDOWN_MAX_BYTES)}}


def dingtalk_markdown(title: str, text: str, at_mobiles: Sequence[str] = ()) -> dict:
    """A DingTalk custom robot markdown message. Mobiles to @ are appended to the text as
    `@<mobile>` (DingTalk only notifies mobiles named in the text) and listed in `at`."""
    mobiles = [m.strip() for m in dict.fromkeys(at_mobiles) if m and m.strip()]
    if mobiles:
        text = f"{text}\n\n" + " ".join(f"@{m}" for m in mobiles)
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": False}}


def generic_message(event: str, title: str, text: str, data: dict) -> dict:
    """Our own JSON document for any receiver: the event name, a title, plain text and the
    structured facts (`data` must be JSON-serialisable)."""
    json.dumps(data)  # fail at composition time, not at delivery time
    return {"event": event, "title": title, "text": text, "data": data}


def webhook_payload(kind: WebhookKind | str, *, event: str, title: str, markdown: str, text: str,
                    data: dict, at_mobiles: Sequence[str] = ()) -> dict:
    """The body to POST to an endpoint of `kind`."""
    kind = WebhookKind(kind)
    if kind is WebhookKind.WECOM:
        return wecom_markdown(f"### {title}\n{markdown}")
    if kind is WebhookKind.DINGTALK:
        return dingtalk_markdown(title, f"### {title}\n{markdown}", at_mobiles)
    return generic_message(event, title, text, data)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign` query value (already URL-encoded) for `timestamp_ms`."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_signed_url(url: str, secret: str, now: datetime) -> str:
    """`url` with DingTalk's `timestamp` and `sign` added (replacing any already there).
    `now` must be aware; DingTalk refuses a timestamp more than an hour off its clock."""
    if now.tzinfo is None:
        raise TypeError("now must be an aware datetime")
    timestamp_ms = int(now.timestamp() * 1000)
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("timestamp", "sign")]
    base = urlencode(query)
    extra = f"timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"{base}&{extra}" if base else extra, parts.fragment))


def robot_error(kind: WebhookKind | str, body: bytes) -> str | None:
    """The error a WeCom/DingTalk robot reported in its HTTP 200 answer, or None when it
    accepted the message. Generic receivers report errors by HTTP status only."""
    if WebhookKind(kind) is WebhookKind.GENERIC:
        return None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"unreadable answer: {body[:200]!r}"
    if not isinstance(answer, dict):
        return f"unexpected answer: {body[:200]!r}"
    code = answer.get("errcode", 0)
    if code in (0, "0"):
        return None
    return f"errcode {code}: {answer.get('errmsg', '')}"


def retry_delay(attempts: int, *, base_seconds: int = 60, max_seconds: int = 6 * 3600) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1, 2, ...): `base_seconds`
    doubled per earlier failure, at most `max_seconds`. 60 s base: 1, 2, 4, 8 ... minutes."""
    if attempts < 1:
        raise ValueError("attempts counts failed attempts, starting at 1")
    if base_seconds < 1 or max_seconds < base_seconds:
        raise ValueError("need 1 <= base_seconds <= max_seconds")
    # Cap the exponent first: 2 ** attempts grows without bound.
    exponent = min(attempts - 1, 40)
    return timedelta(seconds=min(base_seconds * (2 ** exponent), max_seconds))


def endpoint_matches(*, levels: Iterable[str], group_id: int | None, ticket_level: str,
                     ticket_group_id: int | None) -> bool:
    """Whether a webhook endpoint with a level filter (empty: every level) and a service
    group filter (None: every group) wants a message about a ticket."""
    wanted = {lv for lv in levels if lv}
    if wanted and ticket_level not in wanted:
        return False
    return group_id is None or group_id == ticket_group_id


def minutes_left(due_at: datetime, now: datetime) -> int:
    """Whole minutes from `now` until `due_at`, negative when overdue; rounded towards the
    deadline's side so "0" means within the minute."""
    if due_at.tzinfo is None or now.tzinfo is None:
        raise TypeError("due_at and now must be aware datetimes")
    seconds = (due_at - now).total_seconds()
    return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60)


def duration_text(minutes: int) -> str:
    """A length of time in days, hours and minutes ("1 d 2 h 05 min", "3 h 00 min",
    "45 min"); the sign is dropped, callers say "left" or "overdue"."""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {mins:02d} min"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"
