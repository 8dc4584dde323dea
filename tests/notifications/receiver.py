"""A real HTTP server on 127.0.0.1 that records the webhook messages it gets."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class ReceivedHook:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    json: object


@dataclass
class HookReceiver:
    """`answers` is a list of (status, body) served in turn; the last one repeats."""

    base_url: str = ""
    received: list[ReceivedHook] = field(default_factory=list)
    answers: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b'{"errcode":0,"errmsg":"ok"}')])

    def url(self, path: str = "/hook") -> str:
        return f"{self.base_url}{path}"


@pytest.fixture
def webhook_server():
    receiver = HookReceiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server hook name
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            with lock:
                receiver.received.append(ReceivedHook(parts.path, parse_qs(parts.query), dict(self.headers),
                                                      json.loads(raw.decode("utf-8"))))
                status, body = receiver.answers[0] if len(receiver.answers) == 1 else receiver.answers.pop(0)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
