"""The Engine API client against a small engine served here (the pool of
connections, containers gone since the listing, an engine that fails) and
against the real engines: Docker 20.10 on this machine, Docker 26 in the
trixie lab."""
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import pytest

import hosts
from docker_lab import engine_lab
from hardener.facts.containers import chosen_containers
from hardener.facts.engine import NoEngine
from hardener.facts.engine_api import EngineAPI, EngineError
from hardener.host import Host

pytestmark = pytest.mark.releases
lab = pytest.fixture(scope="module", name="lab")(engine_lab)


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path, containers, gone=(), failing=()):
        self.containers, self.gone, self.failing = containers, set(gone), set(failing)
        self.requests, self.connections = [], set()
        super().__init__(str(path), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as dockerd

    def do_GET(self):
        engine = self.server
        engine.requests.append(self.path)
        engine.connections.add(id(self.connection))
        if self.path == "/containers/json?all=1":
            status, body = 200, [{"Id": c, "Names": [f"/{c}"], "Labels": {}} for c in engine.containers]
        else:
            container = self.path.split("/")[2]
            if container in engine.gone:
                status, body = 404, {"message": f"No such container: {container}"}
            elif container in engine.failing:
                status, body = 500, {"message": "boom"}
            else:
                status, body = 200, {"Id": container, "Name": f"/{container}", "Image": "sha256:1",
                                     "Config": {"Image": "busybox"}, "State": {"Running": True}, "HostConfig": {}}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def engine(tmp_path, monkeypatch):
    servers = []

    def serve(containers, **kwargs):
        server = FakeEngine(tmp_path / f"engine{len(servers)}.sock", containers, **kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setenv("DOCKER_HOST", f"unix://{server.server_address}")
        return server

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def live_host(tmp_path):
    host = Host(str(hosts.build(tmp_path / "root", hosts.debian_docker_io())))
    host.live = True  # read as a live host would be; its engine is the one served here
    return host


def test_many_inspects_go_over_a_pool_each_asked_once(engine, tmp_path):
    names = [f"c{number:03}" for number in range(40)]
    server = engine(names)
    found = chosen_containers(live_host(tmp_path))
    assert [container.name for container in found] == names, "in the listing's order"
    assert sorted(server.requests[1:]) == sorted(f"/containers/{name}/json" for name in names)
    assert len(server.connections) > 1


def test_a_container_gone_since_the_listing_is_left_out(engine, tmp_path):
    names = [f"c{number:03}" for number in range(20)]
    engine(names, gone={"c003", "c017"})
    host = live_host(tmp_path)
    assert [container.name for container in chosen_containers(host)] == [n for n in names if n not in ("c003", "c017")]
    assert [container.name for container in chosen_containers(host, ["c01*"])] == [f"c01{n}" for n in range(10) if n != 7]


def test_an_engine_failing_an_inspect_is_unreachable_not_a_pass(engine, tmp_path):
    engine([f"c{number:03}" for number in range(20)], failing={"c011"})
    with pytest.raises(NoEngine) as raised:
        chosen_containers(live_host(tmp_path))
    assert raised.value.reason == "engine_unreachable" and "500 boom" in str(raised.value)


def test_one_answer_each_and_the_requests_counted(engine):
    server = engine([f"c{number}" for number in range(30)], gone={"c4"})
    api = EngineAPI()
    inspects = api.inspect_containers([f"c{number}" for number in range(30)])
    assert isinstance(inspects["c4"], EngineError) and inspects["c4"].status == 404
    assert all(inspects[f"c{number}"]["Id"] == f"c{number}" for number in range(30) if number != 4)
    assert api.requests == len(server.requests) == 30
    assert api.inspect_containers([]) == {}


def test_the_client_on_a_real_engine(lab):
    """The pool, a container removed since its listing (404), and every request at the version the engine answered
    the first with (its own, 1.41 on Docker 20.10, 1.45 on 26)."""
    made = [lab.container(create=True) for _ in range(17)]
    ids = [lab.inspect(name)["Id"] for name in made]
    lab.docker("rm", ids[5])
    api = EngineAPI(f"unix://{lab.socket}")
    try:
        listed = {container["Id"] for container in api.containers()}
        assert set(ids) - listed == {ids[5]}
        inspects = api.inspect_containers(ids)
        assert isinstance(inspects[ids[5]], EngineError) and inspects[ids[5]].status == 404, inspects[ids[5]]
        assert all(inspects[found]["Id"] == found and inspects[found]["Config"]["Labels"]["hardener.test"] == lab.token
                   for found in ids if found != ids[5])
        assert api.requests == 1 + len(ids)
        assert tuple(int(part) for part in api.versioned("/x").split("/")[1][1:].split(".")) == lab.api_version
    finally:
        api.close()


DOCKERD_VERSION = """\
import json, os, subprocess, sys
from hardener.facts.engine_version import dockerd_version
from hardener.host import Host

def asked(program):
    host, ran = Host("/"), []
    run = host.run
    host.run = lambda *argv, **kwargs: ran.append(argv) or run(*argv, **kwargs)
    return dockerd_version(host, program), ran

pid = open("/run/docker.pid").read().strip()
binary = os.readlink(f"/proc/{pid}/exe")
print(json.dumps([asked(binary), asked(sys.argv[1]), subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()]))
"""


def test_the_engine_says_its_version_as_its_binary_does_and_another_binary_is_asked(lab, tmp_path):
    """dockerd --version is not run where the engine harden reads runs that very file: /version's Version and GitCommit
    are what the binary prints, word for word (20.10 and 26 alike). A program that is another file is asked itself."""
    other = tmp_path / "dockerd"
    other.write_text('#!/bin/sh\necho "Docker version 1.13.1, build 092cba3"\n')
    other.chmod(0o755)
    (by_engine, ran), (by_other, other_ran), printed = json.loads(lab.site.python(DOCKERD_VERSION, str(other)))
    assert by_engine == printed and printed.startswith("Docker version "), (by_engine, printed)
    assert ran == [], "no process: the engine said it"
    assert by_other == "Docker version 1.13.1, build 092cba3" and other_ran == [[str(other), "--version"]]
