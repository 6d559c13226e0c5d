#!/usr/bin/env python3
"""How long the Engine API client takes to read one large answer, by its size.

A test engine on a unix socket here serves a JSON listing of N MB, chunked as
dockerd chunks it (32 KiB) and again with a Content-Length; the client reads it
whole. Reading is linear when doubling the size doubles the time. Prints one
line per size and framing: MB, seconds, MB/s."""
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from hardener.facts.engine_api import EngineAPI  # noqa: E402

CHUNK = 32 * 1024


def serve(path, reply):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def answer():
        connection, _ = server.accept()
        with connection:
            while b"\r\n\r\n" not in connection.recv(65536):
                pass
            connection.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    return server


def body_of(megabytes):
    entry = {"Id": "0" * 64, "Names": ["/web"], "Labels": {"padding": "x" * 900}}
    count = megabytes * 1024 * 1024 // len(json.dumps(entry))
    return json.dumps([entry] * count).encode()


def main():
    sizes = [int(size) for size in sys.argv[1:]] or [16, 32, 64, 128]
    with tempfile.TemporaryDirectory() as directory:
        for megabytes in sizes:
            body = body_of(megabytes)
            chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + CHUNK]), body[i:i + CHUNK]) for i in range(0, len(body), CHUNK))
            for framing, reply in (("chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + b"0\r\n\r\n"),
                                   ("length", b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)):
                path = os.path.join(directory, f"{megabytes}-{framing}.sock")
                server = serve(path, reply)
                started = time.perf_counter()
                EngineAPI(f"unix://{path}", timeout=600).get("/containers/json?all=1")
                seconds = time.perf_counter() - started
                server.close()
                print(f"{megabytes:5d} MB {framing:8s} {seconds:7.2f} s {megabytes / seconds:8.1f} MB/s")


if __name__ == "__main__":
    main()
