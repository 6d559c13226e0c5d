"""Reads from the Docker Engine API, over its socket, without a docker process.

The Engine has no bulk inspect (`docker inspect A B C` makes one request per
container too), so a pass over the containers is one listing and one inspect
per chosen container, on keep-alive connections: many inspects go over a small
pool of them at once, as the engine answers requests in parallel (100
inspects take half the time over four connections as over one, here).

Why a few lines of HTTP/1.1 over the standard library's socket, and not the
docker SDK or http.client: on this kind of host the SDK costs 0.26 s to import
(requests, urllib3 and its own modules) and about as much for 100 inspects,
and adds those packages to every install; http.client makes the same requests
fast but loads ssl and the email parser (15 ms, a tenth of harden's start).
harden asks the engine for JSON with GET alone, which needs the status line,
Content-Length or chunked bodies, and nothing else. It only reads through the
API: its changes stay commands (`docker update`, the recreation's `docker run`)
that the plan and the journal show as an administrator would type them.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from typing import Dict, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlparse

DEFAULT_HOST = "unix:///var/run/docker.sock"
TIMEOUT = 30.0
POOL = 4  # connections for many inspects: the engine's parallelism on a small host, without crowding it


class EngineError(Exception):
    """The engine cannot be reached, or refused a request; `missing` when nothing listens where it should."""

    def __init__(self, message: str, missing: bool = False, status: int = 0):
        super().__init__(message)
        self.missing = missing
        self.status = status


class EngineAPI:
    """One keep-alive connection to the engine DOCKER_HOST names (a unix socket by default)."""

    def __init__(self, docker_host: Optional[str] = None, timeout: float = TIMEOUT):
        self.address = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        url = urlparse(self.address)
        if url.scheme == "unix":
            self._family, self._where = socket.AF_UNIX, url.path
        elif url.scheme in ("tcp", "http"):
            if os.environ.get("DOCKER_TLS_VERIFY"):
                raise EngineError(f"DOCKER_HOST={self.address} with TLS: harden reads the engine over its unix socket "
                                  "or plain TCP; run it on the Docker host itself")
            self._family, self._where = socket.AF_INET, (url.hostname or "localhost", url.port or 2375)
        else:
            raise EngineError(f"DOCKER_HOST={self.address}: harden reads unix:// and tcp:// engines")
        self._timeout = timeout
        self._socket: Optional[socket.socket] = None
        self._buffer = b""
        self.requests = 0

    def get(self, path: str, stream: bool = False) -> object:
        """The JSON the engine answers to GET path (a stream's JSON values, as a list); EngineError when it cannot."""
        for attempt in (1, 2):  # a keep-alive connection the engine closed is opened again, once
            try:
                status, body = self._exchange(path)
                break
            except (ConnectionResetError, BrokenPipeError, EOFError) as error:
                self.close()
                if attempt == 2:
                    raise EngineError(f"the Docker engine at {self.address} closed the connection: {error}") from None
            except OSError as error:
                self.close()
                missing = isinstance(error, (FileNotFoundError, ConnectionRefusedError))
                raise EngineError(f"the Docker engine does not answer at {self.address}: {error.strerror or error}",
                                  missing=missing) from None
        self.requests += 1
        if status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except ValueError:
                message = body.decode(errors="replace").strip()
            raise EngineError(f"the Docker engine refused GET {path}: {status} {message}", status=status)
        return _values(body.decode()) if stream else json.loads(body)

    def _exchange(self, path: str) -> Tuple[int, bytes]:
        if self._socket is None:
            self._socket = socket.socket(self._family, socket.SOCK_STREAM)
            self._socket.settimeout(self._timeout)
            self._socket.connect(self._where)
            self._buffer = b""
        self._socket.sendall(f"GET {path} HTTP/1.1\r\nHost: docker\r\nAccept: application/json\r\n\r\n".encode())
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                chunk = self._exactly(size + 2)[:size]
                if not size:
                    break
                body += chunk
        else:
            body = self._exactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def _fill(self) -> None:
        data = self._socket.recv(65536)
        if not data:
            raise EOFError("the engine closed the connection")
        self._buffer += data

    def _until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._fill()
        found, _, self._buffer = self._buffer.partition(marker)
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        found, self._buffer = self._buffer[:size], self._buffer[size:]
        return found

    def containers(self) -> list:
        return self.get("/containers/json?all=1")  # type: ignore[return-value]

    def container(self, container_id: str) -> dict:
        return self.get(f"/containers/{quote(container_id)}/json")  # type: ignore[return-value]

    def inspect_containers(self, container_ids: Sequence[str]) -> Dict[str, Union[dict, EngineError]]:
        """Each container's inspect, or the EngineError the engine answered for it (404: gone since
        the listing), asked over up to POOL connections at once."""
        inspects: Dict[str, Union[dict, EngineError]] = {}
        failures: list = []
        pool = [self] + [EngineAPI(self.address, self._timeout) for _ in range(min(POOL, len(container_ids) // 8 + 1) - 1)]

        def inspect(api: EngineAPI, share: Sequence[str]) -> None:
            try:
                for container_id in share:
                    try:
                        inspects[container_id] = api.container(container_id)
                    except EngineError as error:
                        inspects[container_id] = error
            except Exception as error:  # a body that is not JSON: raised below, in the caller's thread
                failures.append(error)

        if len(pool) == 1:
            inspect(self, container_ids)
            threads = []
        else:
            threads = [threading.Thread(target=inspect, args=(api, container_ids[number::len(pool)]))
                       for number, api in enumerate(pool)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for api in pool[1:]:
            self.requests += api.requests
            api.close()
        if failures:
            raise failures[0]
        return inspects

    def image(self, image_id: str) -> dict:
        return self.get(f"/images/{quote(image_id)}/json")  # type: ignore[return-value]

    def images(self) -> list:
        return self.get("/images/json?all=0")  # type: ignore[return-value]

    def history(self, image_id: str) -> list:
        return self.get(f"/images/{quote(image_id)}/history")  # type: ignore[return-value]

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _values(text: str) -> list:
    """The JSON values one after another in a stream (the events endpoint's)."""
    decoder, values, position = json.JSONDecoder(), [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)
