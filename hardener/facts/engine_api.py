"""Reads from the Docker Engine API, over its socket, without a docker process.

The Engine has no bulk inspect (`docker inspect A B C` makes one request per
container too), so a pass over the containers is one listing and one inspect
per container, on one keep-alive connection.

Why the standard library's HTTP client and not the docker SDK: on this kind
of host the SDK costs 0.26 s to import (requests, urllib3 and its own
modules) and about as much for 100 inspects, and adds those packages to every
install; http.client over a unix socket makes the same requests in a tenth of
that time, imports in milliseconds and adds nothing to install. harden only
reads through the API: its changes stay commands (`docker update`, the
recreation's `docker run`) that the plan and the journal show as an
administrator would type them.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
from typing import Optional
from urllib.parse import quote, urlparse

from .engine_errors import EngineError

DEFAULT_HOST = "unix:///var/run/docker.sock"
TIMEOUT = 30.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("docker", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class EngineAPI:
    """One keep-alive connection to the engine DOCKER_HOST names (a unix socket by default)."""

    def __init__(self, docker_host: Optional[str] = None, timeout: float = TIMEOUT):
        self.address = docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        url = urlparse(self.address)
        if url.scheme == "unix":
            self._connection: http.client.HTTPConnection = _UnixConnection(url.path, timeout)
        elif url.scheme in ("tcp", "http"):
            if os.environ.get("DOCKER_TLS_VERIFY"):
                raise EngineError(f"DOCKER_HOST={self.address} with TLS: harden reads the engine over its unix socket "
                                  "or plain TCP; run it on the Docker host itself")
            self._connection = http.client.HTTPConnection(url.hostname or "localhost", url.port or 2375, timeout=timeout)
        else:
            raise EngineError(f"DOCKER_HOST={self.address}: harden reads unix:// and tcp:// engines")
        self.requests = 0

    def get(self, path: str) -> object:
        """The JSON the engine answers to GET path; EngineError when it cannot."""
        for attempt in (1, 2):  # a keep-alive connection the engine closed is opened again, once
            try:
                self._connection.request("GET", path, headers={"Accept": "application/json"})
                response = self._connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self._connection.close()
                if attempt == 2:
                    raise EngineError(f"the Docker engine at {self.address} closed the connection: {error}") from None
            except OSError as error:
                self._connection.close()
                missing = isinstance(error, (FileNotFoundError, ConnectionRefusedError))
                raise EngineError(f"the Docker engine does not answer at {self.address}: {error.strerror or error}",
                                  missing=missing) from None
        self.requests += 1
        if response.status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except ValueError:
                message = body.decode(errors="replace").strip()
            raise EngineError(f"the Docker engine refused GET {path}: {response.status} {message}", status=response.status)
        return json.loads(body)

    def containers(self) -> list:
        return self.get("/containers/json?all=1")  # type: ignore[return-value]

    def container(self, container_id: str) -> dict:
        return self.get(f"/containers/{quote(container_id)}/json")  # type: ignore[return-value]

    def image(self, image_id: str) -> dict:
        return self.get(f"/images/{quote(image_id)}/json")  # type: ignore[return-value]

    def close(self) -> None:
        self._connection.close()
