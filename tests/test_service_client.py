"""The kiosk's platform client against real loopback servers that misbehave on purpose."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from kiosk.outbox import PermanentRejection
from kiosk.platform_client import PlatformClient, PlatformRefused, PlatformUnavailable

pytestmark = pytest.mark.timeout(30)


class Script:
    """What the server answers, request after request: (status, body) pairs, the last repeated."""

    def __init__(self, answers: list[tuple[int, Any]]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, str, bytes]] = []


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script([(200, {})])

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            script.seen.append((self.command, self.path, self.rfile.read(length)))
            status, body = script.answers[min(len(script.seen), len(script.answers)) - 1]
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()


def test_5xx_is_retried_with_the_same_body_until_an_answer(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {"message": "忙"}), (502, b"<html>bad gateway</html>"), (200, {"decision": "approved"})]
    client = PlatformClient(url, retries=3, backoff_s=0.01)
    answer = client.submit({"application_id": "a1", "x": 1})
    assert answer == {"decision": "approved"}
    assert len(script.seen) == 3 and len({body for _, _, body in script.seen}) == 1


def test_4xx_is_not_retried_and_carries_the_platforms_message(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(422, {"detail": [], "message": "提交的内容不完整或格式有误：name"})]
    client = PlatformClient(url, retries=3, backoff_s=0.01)
    with pytest.raises(PlatformRefused) as refused:
        client.submit({"application_id": "a1"})
    assert len(script.seen) == 1
    assert refused.value.status == 422 and "name" in refused.value.message
    assert isinstance(refused.value, PermanentRejection)  # the outbox gives up on it, rightly


def test_a_platform_that_keeps_failing_is_unavailable_after_the_retries(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {"detail": "boom"})]
    with pytest.raises(PlatformUnavailable) as down:
        PlatformClient(url, retries=2, backoff_s=0.01).health()
    assert len(script.seen) == 1  # health is asked once: doctor wants the truth fast
    with pytest.raises(PlatformUnavailable):
        PlatformClient(url, retries=2, backoff_s=0.01).submit({"application_id": "a"})
    assert len(script.seen) == 1 + 3
    assert down.value.message


def test_nobody_listening_is_unavailable_not_a_crash() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = PlatformClient(f"http://127.0.0.1:{port}", retries=1, backoff_s=0.01, timeout=1)
    with pytest.raises(PlatformUnavailable) as down:
        client.submit({"application_id": "a"})
    assert "ConnectionError" in down.value.detail and "平台" in down.value.message


def test_a_silent_platform_times_out(server: tuple[str, Script]) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        client = PlatformClient(f"http://127.0.0.1:{listener.getsockname()[1]}", retries=0, timeout=0.5)
        with pytest.raises(PlatformUnavailable) as down:
            client.submit({"application_id": "a"})
        assert "Timeout" in down.value.detail
    finally:
        listener.close()
