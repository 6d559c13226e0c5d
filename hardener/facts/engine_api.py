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
harden asks the engine for JSON, which needs the status line, Content-Length
or chunked bodies, and nothing else. Its one change through the API is a
recreation's create (with the connects and the start after it), made from the
original's own inspected configuration, at the API version the engine answered
its inspect with (its Api-Version header, else /version); its other changes
stay commands (`docker update`, `docker stop`) that the plan and the journal
show as an administrator would type them.
"""
from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from typing import Dict, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlparse

DEFAULT_HOST = "unix:///var/run/docker.sock"
TIMEOUT = 30.0  # for a whole request, its answer included
# The largest answer read: a listing of 10,000 containers is about 20 MB, an inspect tens of KB, and the
# events log of a busy day a few MB; more is an engine gone wrong, or not an engine.
MAX_BODY = 256 * 1024 * 1024
MAX_HEAD = 64 * 1024
STATUS_LINE = re.compile(r"HTTP/1\.[01] (\d{3})(?: .*)?")
HEX = re.compile(rb"[0-9a-fA-F]{1,15}")
API_VERSION = re.compile(r"1\.\d{1,3}")
DIGITS = re.compile(r"[0-9]{1,15}")  # ASCII: str.isdigit() takes "²", which int() refuses
POOL = 4  # connections for many inspects: the engine's parallelism on a small host, without crowding it


class EngineError(Exception):
    """The engine cannot be reached, or refused a request; `missing` when nothing listens where it should."""

    def __init__(self, message: str, missing: bool = False, status: int = 0, address: str = ""):
        super().__init__(message)
        self.missing = missing
        self.status = status
        self.address = address


class Garbled(Exception):
    """What the engine answered is not HTTP as harden reads it."""


def _within_limit(size: int) -> int:
    if size > MAX_BODY:
        raise Garbled(f"an answer of over {MAX_BODY // 2 ** 20} MiB, which harden does not read "
                      "(a listing of 10,000 containers is about 20 MB)")
    return size


class EngineAPI:
    """One keep-alive connection to the engine DOCKER_HOST names (a unix socket by default)."""

    def __init__(self, docker_host: Optional[str] = None, timeout: float = TIMEOUT, environment: bool = True):
        """`environment`: DOCKER_HOST and DOCKER_TLS_VERIFY are heeded (not where harden asks an address of its own
        choosing in plain HTTP on purpose)."""
        self.address = docker_host or (os.environ.get("DOCKER_HOST") if environment else None) or DEFAULT_HOST
        url = urlparse(self.address)
        if url.scheme == "unix":
            self._family, self._where = socket.AF_UNIX, url.path
        elif url.scheme in ("tcp", "http"):
            if environment and os.environ.get("DOCKER_TLS_VERIFY"):
                raise EngineError(f"DOCKER_HOST={self.address} with TLS: harden reads the engine over its unix socket "
                                  "or plain TCP; run it on the Docker host itself")
            hostname = url.hostname or "localhost"
            self._family, self._where = socket.AF_INET6 if ":" in hostname else socket.AF_INET, (hostname, url.port or 2375)
        else:
            raise EngineError(f"DOCKER_HOST={self.address}: harden reads unix:// and tcp:// engines")
        self._timeout = timeout
        self._socket: Optional[socket.socket] = None
        self._buffer = bytearray()
        self.requests = 0
        self.api_version: Optional[str] = None

    def get(self, path: str, stream: bool = False) -> object:
        """The JSON the engine answers to GET path (a stream's JSON values, as a list); EngineError when it cannot,
        or when what it answers is not HTTP and JSON: one line that says what."""
        return self.request("GET", path, stream=stream)

    def versioned(self, path: str) -> str:
        """`path` at the API version the engine answered with so far (what unversioned requests get: its own),
        so that a container is created at the version it was inspected at; /version is asked where none was yet."""
        if self.api_version is None:
            found = self.document("/version").get("ApiVersion")
            self.api_version = found if isinstance(found, str) and API_VERSION.fullmatch(found) else None
            if self.api_version is None:
                raise EngineError(f"the Docker engine at {self.address} does not say its API version")
        return f"/v{self.api_version}{path}"

    def request(self, method: str, path: str, body: object = None, stream: bool = False) -> object:
        """The JSON the engine answers to METHOD path with `body` (as JSON); None for an answer without a body."""
        data = None if body is None else json.dumps(body).encode()
        if self.api_version is not None and not path.startswith("/v1."):
            path = f"/v{self.api_version}{path}"  # every request at the version the first one was answered at
        for attempt in (1, 2):  # a keep-alive connection the engine closed is opened again, once (GET alone is asked twice)
            try:
                status, answer = self._exchange(method, path, data)
                body = answer
                break
            except (ConnectionResetError, BrokenPipeError, EOFError) as error:
                self.close()
                if attempt == 2 or method != "GET":
                    raise EngineError(f"the Docker engine at {self.address} closed the connection: {error}") from None
            except socket.timeout:
                self.close()
                raise EngineError(f"the Docker engine at {self.address} did not answer {method} {path} within "
                                  f"{self._timeout:g} s") from None
            except OSError as error:
                self.close()
                missing = isinstance(error, (FileNotFoundError, ConnectionRefusedError))
                raise EngineError(f"the Docker engine does not answer at {self.address}: {error.strerror or error}",
                                  missing=missing, address=self.address) from None
            except Garbled as error:
                self.close()
                raise EngineError(f"the Docker engine at {self.address} answered {method} {path} with {error}") from None
        self.requests += 1
        if status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except (ValueError, AttributeError, RecursionError):
                message = body.decode(errors="replace").strip()
            raise EngineError(f"the Docker engine refused {method} {path}: {status} {message}"[:2000], status=status)
        if not body.strip() and method != "GET":
            return None
        try:
            return _values(body.decode()) if stream else json.loads(body)
        except RecursionError:
            raise EngineError(f"the Docker engine at {self.address} answered {method} {path} with JSON nested too deep to read") from None
        except ValueError as error:
            raise EngineError(f"the Docker engine at {self.address} answered {method} {path} with what is not JSON: {error}") from None

    def _exchange(self, method: str, path: str, data: Optional[bytes] = None) -> Tuple[int, bytes]:
        """One request and its answer, within one deadline for the whole of it (an engine that trickles a byte
        at a time is given up on as one that says nothing); the body read in time linear in its size."""
        deadline = time.monotonic() + self._timeout
        if self._socket is None:
            self._socket = socket.socket(self._family, socket.SOCK_STREAM)
            self._socket.settimeout(self._timeout)
            self._socket.connect(self._where)
            self._buffer = bytearray()
        sent = f"{method} {path} HTTP/1.1\r\nHost: docker\r\nAccept: application/json\r\n"
        if data is not None or method != "GET":
            sent += f"Content-Type: application/json\r\nContent-Length: {len(data or b'')}\r\n"
        self._socket.sendall(sent.encode() + b"\r\n" + (data or b""))
        head = self._until(b"\r\n\r\n", deadline, MAX_HEAD).decode("latin-1").split("\r\n")
        found = STATUS_LINE.fullmatch(head[0])
        if not found:
            raise Garbled(f"a status line that is not HTTP's: {head[0][:80]!r}")
        status = int(found.group(1))
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
        if self.api_version is None and API_VERSION.fullmatch(headers.get("api-version", "")):
            self.api_version = headers["api-version"]  # what an unversioned request is answered at
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts, size_so_far = [], 0
            while True:
                line = self._until(b"\r\n", deadline, MAX_HEAD).split(b";")[0].strip()
                if not HEX.fullmatch(line):
                    raise Garbled(f"a chunk size that is not a number: {line[:40]!r}")
                size = int(line, 16)
                size_so_far += size
                _within_limit(size_so_far)
                chunk = self._exactly(size + 2, deadline)
                if not size:
                    break
                parts.append(chunk[:size])
            body = b"".join(parts)
        elif "content-length" in headers:
            length = headers["content-length"]
            if not DIGITS.fullmatch(length):
                raise Garbled(f"a Content-Length that is not a size: {length[:40]!r}")
            body = self._exactly(_within_limit(int(length)), deadline)
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # HTTP/1.0's way: the body runs until the engine closes
            body = self._until_closed(deadline)
            self.close()
            return status, body
        if headers.get("connection", "").lower() == "close" or found.group(0).startswith("HTTP/1.0"):
            self.close()
        return status, body

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self._socket.settimeout(left)
        data = self._socket.recv(1 << 20)
        if not data:
            raise EOFError("the engine closed the connection")
        self._buffer += data

    def _until(self, marker: bytes, deadline: float, limit: int) -> bytes:
        searched = 0
        while True:
            found = self._buffer.find(marker, searched)
            if found >= 0:
                break
            if len(self._buffer) > limit:
                raise Garbled(f"a header line longer than {limit} bytes")
            searched = max(0, len(self._buffer) - len(marker) + 1)
            self._fill(deadline)
        line = bytes(self._buffer[:found])
        del self._buffer[:found + len(marker)]
        return line

    def _exactly(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(deadline)
        found = bytes(self._buffer[:size])
        del self._buffer[:size]
        return found

    def _until_closed(self, deadline: float) -> bytes:
        while True:
            _within_limit(len(self._buffer))
            try:
                self._fill(deadline)
            except EOFError:
                found = bytes(self._buffer)
                self._buffer = bytearray()
                return found

    def listing(self, path: str) -> list:
        """A listing: a JSON list of objects, or an EngineError saying what came instead."""
        answer = self.get(path)
        if not isinstance(answer, list) or not all(isinstance(entry, dict) for entry in answer):
            raise EngineError(f"the Docker engine at {self.address} answered GET {path} with {type(answer).__name__}, "
                              "not a list of objects")
        return answer

    def document(self, path: str) -> dict:
        answer = self.get(path)
        if not isinstance(answer, dict):
            raise EngineError(f"the Docker engine at {self.address} answered GET {path} with {type(answer).__name__}, not an object")
        return answer

    def containers(self) -> list:
        return self.listing("/containers/json?all=1")

    def container(self, container_id: str) -> dict:
        return self.document(f"/containers/{quote(container_id)}/json")

    def inspect_containers(self, container_ids: Sequence[str]) -> Dict[str, Union[dict, EngineError]]:
        """Each container's inspect, or the EngineError the engine answered for it (404: gone since
        the listing), asked over up to POOL connections at once."""
        inspects: Dict[str, Union[dict, EngineError]] = {}
        failures: list = []
        pool = [self] + [EngineAPI(self.address, self._timeout) for _ in range(min(POOL, len(container_ids) // 8 + 1) - 1)]
        for api in pool[1:]:
            api.api_version = self.api_version  # the whole pass at one version

        def inspect(api: EngineAPI, share: Sequence[str]) -> None:
            try:
                for container_id in share:
                    try:
                        inspects[container_id] = api.container(container_id)
                    except EngineError as error:
                        inspects[container_id] = error
            except Exception as error:  # raised below, in the caller's thread
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
        return self.document(f"/images/{quote(image_id)}/json")

    def images(self) -> list:
        return self.listing("/images/json?all=0")

    def history(self, image_id: str) -> list:
        return self.listing(f"/images/{quote(image_id)}/history")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> "EngineAPI":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
