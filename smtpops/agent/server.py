"""The agent's HTTP endpoints, on 127.0.0.1 by default: ``/metrics`` (Prometheus text format),
``/healthz`` (200 while reconciling on time, else 503), ``/status`` (JSON: what was applied and
probed per environment) and ``/events`` (the agent's tracking events, JSON lines).

A small standard-library server: it serves four read-only paths, logs nothing per request
(a request line could carry anything) and holds no secret to leak.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

Provider = Callable[[], Any]


class Endpoints:
    def __init__(
        self,
        *,
        metrics: Callable[[], bytes],
        healthy: Callable[[], tuple[bool, str]],
        status: Callable[[], dict[str, Any]],
        events: Callable[[], bytes],
    ) -> None:
        self.metrics, self.healthy, self.status, self.events = metrics, healthy, status, events


def _handler(endpoints: Endpoints) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "smtpops-agent"

        def log_message(self, format: str, *args: Any) -> None:
            return  # no access log

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, endpoints.metrics(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok, why = endpoints.healthy()
                self._send(200 if ok else 503, (why + "\n").encode(), "text/plain; charset=utf-8")
            elif path == "/status":
                body = json.dumps(endpoints.status(), indent=2).encode()
                self._send(200, body, "application/json")
            elif path == "/events":
                self._send(200, endpoints.events(), "application/x-ndjson")
            else:
                self._send(
                    404, b"not found: try /metrics, /healthz, /status or /events\n", "text/plain"
                )

    return Handler


class Server:
    def __init__(self, host: str, port: int, endpoints: Endpoints) -> None:
        self.httpd = ThreadingHTTPServer((host, port), _handler(endpoints))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
