"""Serve a vendor fake as a real HTTP server on 127.0.0.1, in a process of its own.

Unit tests hand a fake to `httpx.MockTransport`; flow tests and benchmarks need the real thing: a
socket, another process (so the fake's CPU and memory are not the pipeline's), and a way to seed
and inspect the fake from outside. `LoopbackServer` starts

    python -m tests.fakes.loopback <module:Class> <json kwargs>

which builds the fake, listens on a free port, prints the port and serves until stopped. Requests
are turned into `httpx.Request`s and answered by the fake's `__call__`, exactly as under
MockTransport. `POST /__fake__/call` with {"method", "args", "kwargs"} calls a method of the fake
and answers its JSON-able result: that is how tests seed data, inject faults and read counters.
`GET /__fake__/stats` answers the fake process's CPU seconds and peak RSS.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

CONTROL = "/__fake__"
ARRIVAL_HEADER = "X-Loopback-Arrival"
REPO = Path(__file__).resolve().parents[2]


class LoopbackServer:
    """A fake vendor in a child process. Use as a context manager; `url` is its base URL."""

    def __init__(self, target: str, startup_timeout: float = 60.0, **kwargs: Any) -> None:
        self.target = target
        self.kwargs = kwargs
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._control: httpx.Client | None = None

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.loopback", self.target, json.dumps(self.kwargs)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        assert self.process.stdout is not None
        line = _readline(self.process, self.startup_timeout)
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"fake {self.target} did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        self._control = httpx.Client(base_url=self.url, timeout=120)

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call `method` on the fake in the server process and return its (JSON) result."""
        assert self._control is not None, "the server is not running"
        response = self._control.post(f"{CONTROL}/call", json={"method": method, "args": args, "kwargs": kwargs})
        if response.status_code != 200:
            raise RuntimeError(f"{self.target}.{method} failed in the fake's process: {response.text}")
        return response.json()["result"]

    def stats(self) -> dict[str, float]:
        """The fake process's CPU seconds (user + system) and peak RSS in MiB."""
        assert self._control is not None, "the server is not running"
        return self._control.get(f"{CONTROL}/stats").json()


def _readline(process: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return found[0].strip() if found else f"no answer within {timeout:.0f} s"


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _handler_for(fake: Any) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()  # fakes are not thread-safe; the real vendors serialise per account anyway

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in one write, and without Nagle: otherwise a small response waits
        # out the client's delayed ACK (~40 ms per request on loopback), which is no vendor's latency.
        wbufsize = -1

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith(CONTROL):
                status, headers, content = self._control(body)
            else:
                request = httpx.Request(
                    self.command,
                    f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}",
                    headers=list(self.headers.items()),
                    content=body,
                )
                with lock:
                    response = fake(request)
                response.read()
                status, content = response.status_code, response.content
                headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_HEADERS]
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            self.wfile.flush()

        def _control(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            json_type = [("Content-Type", "application/json")]
            if self.path == f"{CONTROL}/stats":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                stats = {"cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}
                return 200, json_type, json.dumps(stats).encode()
            try:
                order = json.loads(body)
                with lock:
                    result = getattr(fake, order["method"])(*order.get("args", ()), **order.get("kwargs", {}))
                return 200, json_type, json.dumps({"result": _jsonable(result)}).encode()
            except Exception as exc:  # noqa: BLE001 - reported to the test that asked
                return 500, json_type, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    return Handler


_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "content-encoding"}


def main(target: str, kwargs_json: str) -> None:
    module_name, class_name = target.split(":")
    fake = getattr(importlib.import_module(module_name), class_name)(**json.loads(kwargs_json))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    started = time.time()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        print(f"served {time.time() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
