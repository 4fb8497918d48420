"""``truce serve`` as a real process on a free loopback port, and a small client for it."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    text: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Server:
    port: int
    token: str = ""

    def call(self, method: str, path: str, body: bytes | None = None, token: str | None = None,
             content_type: str = "application/json") -> Answer:  # fmt: skip
        """One request, with the server's token unless ``token`` is given ("": none)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Content-Type": content_type}
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server answered before reading the body
                connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            found = {k.lower(): v for k, v in response.getheaders()}
            data = json.loads(text) if found.get("content-type") == "application/json" else None
            return Answer(response.status, data, text, found)
        finally:
            connection.close()

    def post(self, path: str, data: object, **kwargs: Any) -> Answer:
        return self.call("POST", path, json.dumps(data).encode(), **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(*options: str, token: str = "") -> Iterator[Server]:
    """``truce serve`` with ``options`` on a free loopback port until the block ends; it must log no traceback."""
    port = free_port()
    command = [sys.executable, "-m", "truce", "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    running = Server(port, token)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if running.call("GET", "/healthz").status == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "truce serve did not start within 60 s"
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
