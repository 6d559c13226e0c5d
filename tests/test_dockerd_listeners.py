"""2.8 from what a dockerd does: the TCP addresses a process listens on, read from this kernel's /proc for this
test's own process, and which of them answer the Engine API over plain HTTP as the engine itself (its ID the one
the engine's socket gives: here a small engine served on a unix socket, DOCKER_HOST)."""
import json
import os
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hardener.facts.dockerd_process import plain_api_addresses, tcp_listeners, tcp_listening
from hardener.host import Host

ENGINE_ID = "ZQ4F:ENGINE"


class Engine(BaseHTTPRequestHandler):
    """The engine: /info with its ID, and a listing of containers (the server's `published` ports)."""
    engine_id = ENGINE_ID

    def do_GET(self):
        if self.path.endswith("/info"):
            answer = {"ID": self.engine_id, "ServerVersion": "26.1.5"}
        elif "/containers/json" in self.path:
            answer = [{"Id": "c" * 64, "Names": ["/web"], "State": "running", "Labels": {},
                       "Ports": [{"PrivatePort": 80, "PublicPort": port, "Type": "tcp"} for port in getattr(self.server, "published", ())]}]
        else:
            answer = {"ApiVersion": "1.45", "Version": "26.1.5"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Impostor(Engine):
    """Another engine (a docker-in-docker container's, say): not this host's dockerd."""
    engine_id = "OTHER:ENGINE"


class UnixEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("local", 0)


@pytest.fixture
def engine_socket(tmp_path, monkeypatch):
    server = UnixEngine(str(tmp_path / "engine.sock"), Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/engine.sock")
    yield server
    server.shutdown()
    server.server_close()


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


def test_the_addresses_a_process_listens_on_and_those_that_answer_the_engine_api_plainly(listeners, engine_socket):
    """Listening on every address and on [::1] and answering as the engine: counted. A 404 (metrics-addr), TLS, an
    engine of another ID, a listener that never answers: not; nor a port a container publishes, which is not asked."""
    engine = serve(Engine, "0.0.0.0")
    engine6 = serve(Engine, "::1", IPv6Server)
    metrics = serve(Metrics, "127.0.0.1")
    tls = tls_only("127.0.0.1")
    impostor = serve(Impostor, "127.0.0.1")
    published = serve(Engine, "127.0.0.1")
    engine_socket.published = (published.server_address[1],)
    listeners += [engine, engine6, metrics, tls, impostor, published]
    silent = socket.create_server(("127.0.0.1", 0))  # accepts nothing: a question to it is not answered
    outgoing = socket.create_connection(silent.getsockname())  # connected, not listening
    listeners += [silent, outgoing]
    host = Host("/")
    ports = {name: server.server_address[1] for name, server in (("engine", engine), ("engine6", engine6), ("metrics", metrics),
                                                                   ("impostor", impostor), ("published", published))}
    ports.update(tls=tls.getsockname()[1], silent=silent.getsockname()[1])
    found = set(tcp_listeners(host, os.getpid()))
    assert found == {f"tcp://0.0.0.0:{ports['engine']}", f"tcp://[::1]:{ports['engine6']}",
                     *(f"tcp://127.0.0.1:{ports[name]}" for name in ("metrics", "tls", "silent", "impostor", "published"))}, found
    assert set(plain_api_addresses(host, os.getpid())) == {f"tcp://0.0.0.0:{ports['engine']}", f"tcp://[::1]:{ports['engine6']}"}


def test_a_table_read_as_the_kernel_writes_it():
    """Only LISTEN rows (0A) of the process's own inodes; each 32-bit word of an address in the host's byte order
    (x86: 0100007F is 127.0.0.1), the port in hexadecimal."""
    table = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
             "   0: 0100000A:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n"
             "   1: 0100007F:0948 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 100 0 0 10 0\n"
             "   2: 0100007F:0949 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0\n")
    table6 = ("  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when "
              "retrnsmt   uid  timeout inode\n"
              "   0: 00000000000000000000000001000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
              "00000000     0        0 444 1 0 100 0 0 10 0\n")
    assert tcp_listening(table, frozenset({"111", "222"})) == ["tcp://10.0.0.1:2375"], "listening, and its own"
    assert tcp_listening(table6, frozenset({"444"})) == ["tcp://[::1]:2375"]


def test_a_dockerd_in_another_network_namespace_is_not_asked(listeners, engine_socket):
    """A rootless dockerd listens in a network namespace of its own: its 127.0.0.1 is not this one's, and a question
    asked here would reach whatever listens on that port here (an engine, in this test). Its listeners are read;
    none is asked."""
    import subprocess
    import sys

    here = serve(Engine, "127.0.0.1")
    listeners.append(here)
    port = here.server_address[1]
    server = (f"import http.server, sys; server = http.server.HTTPServer(('127.0.0.1', {port}), http.server.BaseHTTPRequestHandler); "
              "sys.stdout.write('up\\n'); sys.stdout.flush(); server.serve_forever()")  # up once it listens
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


def test_the_running_dockerds_configuration_carries_the_addresses_it_answers_plainly(listeners, engine_socket, monkeypatch):
    """The configuration of the dockerd that runs (this process plays it, listening as the engine) names the
    addresses its own process answers the Engine API on without TLS."""
    from hardener.facts import dockerd_config

    engine = serve(Engine, "127.0.0.1")
    listeners.append(engine)
    monkeypatch.setattr(dockerd_config, "running_dockerd", lambda host: (os.getpid(), ["dockerd"]))
    found = dockerd_config.dockerd_config(Host("/"))
    assert found is not None, "this machine has docker.service"
    assert found.plain_api == (f"tcp://127.0.0.1:{engine.server_address[1]}",)
