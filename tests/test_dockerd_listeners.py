"""2.8 from what a dockerd does: the TCP addresses a process listens on, read from this kernel's /proc for this
test's own process, and which of them answer the Engine API over plain HTTP."""
import json
import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hardener.facts.dockerd_process import plain_api_addresses, tcp_listeners, tcp_listening
from hardener.host import Host


class Engine(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"ApiVersion": "1.45", "Version": "26.1.5"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Metrics(Engine):
    def do_GET(self):
        self.send_error(404)


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(handler, address, server_class=ThreadingHTTPServer):
    server = server_class((address, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def tls_only(address):
    """A listener that answers plain HTTP as Go's TLS server does."""
    listener = socket.create_server((address, 0))

    def answer():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            client.recv(4096)
            client.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
            client.close()

    threading.Thread(target=answer, daemon=True).start()
    return listener


@pytest.fixture
def listeners():
    made = []
    yield made
    for server in made:
        if isinstance(server, ThreadingHTTPServer):
            server.shutdown()
            server.server_close()
        else:
            server.close()


def test_the_addresses_a_process_listens_on_and_those_that_answer_the_engine_api_plainly(listeners):
    engine = serve(Engine, "127.0.0.1")
    engine6 = serve(Engine, "::1", IPv6Server)
    metrics = serve(Metrics, "127.0.0.1")
    tls = tls_only("127.0.0.1")
    listeners += [engine, engine6, metrics, tls]
    silent = socket.create_server(("127.0.0.1", 0))  # accepts nothing: a question to it is not answered
    outgoing = socket.create_connection(silent.getsockname())  # connected, not listening
    listeners += [silent, outgoing]
    host = Host("/")
    ports = {"engine": engine.server_address[1], "engine6": engine6.server_address[1], "metrics": metrics.server_address[1],
             "tls": tls.getsockname()[1], "silent": silent.getsockname()[1]}
    found = set(tcp_listeners(host, os.getpid()))
    assert found == {f"tcp://127.0.0.1:{ports['engine']}", f"tcp://[::1]:{ports['engine6']}", f"tcp://127.0.0.1:{ports['metrics']}",
                     f"tcp://127.0.0.1:{ports['tls']}", f"tcp://127.0.0.1:{ports['silent']}"}, found
    assert set(plain_api_addresses(host, os.getpid())) == {f"tcp://127.0.0.1:{ports['engine']}", f"tcp://[::1]:{ports['engine6']}"}


def test_every_address_is_asked_on_loopback():
    """0.0.0.0 and [::] are asked at 127.0.0.1 and [::1]; a table's hexadecimal words are in the host's byte order."""
    table = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
             "   0: 00000000:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n"
             "   1: 0100007F:0948 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 100 0 0 10 0\n"
             "   2: 0100007F:0949 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0\n")
    table6 = ("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when "
              "retrnsmt   uid  timeout inode\n"
              "   0: 00000000000000000000000000000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
              "00000000     0        0 444 1 0 100 0 0 10 0\n")
    assert tcp_listening(table, frozenset({"111", "222"})) == ["tcp://0.0.0.0:2375"], "listening, and its own"
    assert tcp_listening(table6, frozenset({"444"})) == ["tcp://[::]:2375"]


def test_a_dockerd_in_another_network_namespace_is_not_asked(listeners):
    """A rootless dockerd listens in a network namespace of its own: its 127.0.0.1 is not this one's, and a question
    asked here would reach whatever listens on that port here (an engine, in this test). Its listeners are read;
    none is asked."""
    import subprocess
    import sys

    here = serve(Engine, "127.0.0.1")
    listeners.append(here)
    port = here.server_address[1]
    server = ("import http.server, sys; sys.stdout.write('up\\n'); sys.stdout.flush(); "
              f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.BaseHTTPRequestHandler).serve_forever()")
    process = subprocess.Popen(["unshare", "--net", "sh", "-c", f"ip link set lo up 2>/dev/null || true; exec {sys.executable} -c \"$0\"",
                                server], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "up\n"
        host = Host("/")
        assert tcp_listeners(host, process.pid) == [f"tcp://127.0.0.1:{port}"]
        assert plain_api_addresses(host, process.pid) == ()
        assert plain_api_addresses(host, os.getpid()) == (f"tcp://127.0.0.1:{port}",), "the same port here answers"
    finally:
        process.kill()
        process.wait()
