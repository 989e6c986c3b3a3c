"""A loopback proxy that signs every request it forwards as an enrolled kiosk would — so a tool that
knows nothing of kiosk signatures (schemathesis) drives the secure platform with real, fresh signatures
over exactly the bytes sent."""

from __future__ import annotations

import http.client
import socket
import threading
from urllib.parse import urlsplit
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from service.contract.signing import sign_headers

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


class SigningProxy:
    def __init__(self, target: str, kiosk_id: str, key: Any) -> None:
        self.target, self.kiosk_id, self.key = target.rstrip("/"), kiosk_id, key
        parts = urlsplit(self.target)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                headers.update(sign_headers(proxy.key, proxy.kiosk_id, self.command, self.path, body))
                # forwarded byte for byte on a socket: the path as sent, even where a client library would refuse it
                head = f"{self.command} {self.path} HTTP/1.1\r\nHost: {proxy.host}:{proxy.port}\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                with socket.create_connection((proxy.host, proxy.port), timeout=30) as sock:
                    sock.sendall(head.encode("latin-1", "replace") + body)
                    answer = http.client.HTTPResponse(sock, method=self.command)
                    answer.begin()
                    content = answer.read()
                    self.send_response(answer.status)
                    for k, v in answer.getheaders():
                        if k.lower() not in HOP:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)

            def __getattr__(self, name: str) -> Any:  # every method, whatever its name, is forwarded
                if name.startswith("do_"):
                    return self._forward
                raise AttributeError(name)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
