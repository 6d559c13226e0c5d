"""CIS sections 4-7 on documents an engine served here answers: what this
machine cannot make live (AppArmor, SELinux, a privileged exec, a swarm) and
image histories, read through the same Engine API requests as a real engine's."""
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote

import pytest

import hosts
from hardener.fixes.apparmor_profile import ApparmorProfile
from hardener.fixes.table import ITEMS as TABLE
from hardener.fixes.exec_privileged import ExecPrivileged
from hardener.fixes.exec_root import ExecRoot
from hardener.fixes.image_add import ImageAdd
from hardener.fixes.image_healthcheck import ImageHealthcheck
from hardener.fixes.image_update_alone import ImageUpdateAlone
from hardener.fixes.image_user import ImageUser
from hardener.fixes.selinux_options import SelinuxOptions
from hardener.fixes.swarm_autolock import SwarmAutolock
from hardener.fixes.swarm_encrypted_networks import SwarmEncryptedNetworks
from hardener.fixes.swarm_listen_address import SwarmListenAddress
from hardener.fixes.swarm_managers import SwarmManagers
from hardener.fixes.swarm_mode import SwarmMode
from hardener.fixes.swarm_node_certificates import SwarmNodeCertificates
from hardener.host import Host


class DocumentEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers GET requests with the document of the longest route the path starts with."""

    daemon_threads = True

    def __init__(self, path, routes):
        self.routes, self.requests = routes, []
        super().__init__(str(path), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = unquote(self.path)
        self.server.requests.append(path)
        route = max((r for r in self.server.routes if path.startswith(r)), key=len, default=None)
        status, body = (200, self.server.routes[route]) if route else (404, {"message": "no such thing"})
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def container(name, image="sha256:img1", running=True, **host_config):
    raw = {"Id": name * 8, "Name": f"/{name}", "Image": image, "Config": {"Image": "app:1", "User": ""},
           "State": {"Running": running}, "HostConfig": host_config}
    return raw


@pytest.fixture
def served(tmp_path, monkeypatch):
    servers = []

    def serve(containers=(), info=None, **routes):
        documents = {"/containers/json?all=1": [{"Id": c["Id"], "Names": [c["Name"]], "Labels": {}, "ImageID": c["Image"]}
                                               for c in containers],
                     "/info": dict({"SecurityOptions": ["name=seccomp,profile=default"], "Swarm": {"LocalNodeState": "inactive"}},
                                   **(info or {}))}
        documents.update({f"/containers/{c['Id']}/json": c for c in containers})
        documents.update(routes)
        server = DocumentEngine(tmp_path / f"engine{len(servers)}.sock", documents)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setenv("DOCKER_HOST", f"unix://{server.server_address}")
        host = Host(str(hosts.build(tmp_path / f"root{len(servers)}", hosts.debian_docker_io())))
        host.live = True  # read as a live host is; its engine is the one served here
        return host, server

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def statuses(detection):
    return {finding.target: (finding.status.value, finding.reason) for finding in detection.findings}


APPARMOR = {"SecurityOptions": ["name=apparmor", "name=seccomp,profile=default"]}


def test_apparmor_applies_where_the_engine_enforces_it(served):
    confined = dict(container("a"), AppArmorProfile="docker-default")
    unconfined = dict(container("b", SecurityOpt=["apparmor=unconfined"]), AppArmorProfile="unconfined")
    unset = dict(container("c"), AppArmorProfile="")
    host, _ = served([confined, unconfined, unset], info=APPARMOR)
    detection = ApparmorProfile().detect(host)
    assert statuses(detection) == {"b": ("manual", "unconfined"), "c": ("manual", "unconfined")}
    assert [intent.adjust.drop_security_opts for intent in detection.intents] == [frozenset({"apparmor=unconfined"})] * 2
    host, _ = served([unconfined])
    assert statuses(ApparmorProfile().detect(host)) == {"containers": ("not_applicable", "apparmor_off")}


def test_the_apparmor_recreation_drops_unconfined_and_keeps_the_other_options(served):
    from hardener.planners.recreate import run_command

    unconfined = dict(container("b", SecurityOpt=["apparmor:unconfined", "label=level:s0"]), AppArmorProfile="unconfined")
    host, _ = served([unconfined], info=APPARMOR)
    intent = ApparmorProfile().detect(host).intents[0]
    from hardener.facts.containers import inspected
    command = run_command(host, inspected(host, unconfined["Id"]), None, intent.adjust)
    assert "apparmor:unconfined" not in command and command[command.index("--security-opt") + 1] == "label=level:s0"


def test_selinux_labels_where_the_engine_enforces_them(served):
    labelled = dict(container("a"), ProcessLabel="system_u:system_r:container_t:s0:c1,c2")
    disabled = dict(container("b", SecurityOpt=["label:disable"]), ProcessLabel="")
    unlabelled = dict(container("c"), ProcessLabel="")
    host, _ = served([labelled, disabled, unlabelled], info={"SecurityOptions": ["name=selinux"]})
    assert statuses(SelinuxOptions().detect(host)) == {"b": ("manual", "label_disabled"), "c": ("manual", "unlabelled")}
    host, _ = served([disabled])
    assert statuses(SelinuxOptions().detect(host)) == {"containers": ("not_applicable", "selinux_off")}


def test_execs_running_now_are_judged_and_past_ones_are_never_a_pass(served):
    busy = dict(container("a"), ExecIDs=["e1", "e2"])
    quiet = container("b")
    execs = {"/exec/e1/json": {"ID": "e1", "Pid": 41, "ProcessConfig": {"entrypoint": "sh", "arguments": [], "privileged": True}},
             "/exec/e2/json": {"ID": "e2", "Pid": 42, "ProcessConfig": {"entrypoint": "top", "arguments": ["-b"], "user": "1000"}}}
    host, server = served([busy, quiet], **execs)
    privileged = ExecPrivileged().detect(host)
    assert statuses(privileged) == {"a": ("manual", "privileged_exec")}
    assert privileged.findings[0].evidence["execs"] == "sh (pid 41)"
    assert statuses(ExecRoot().detect(host)) == {"a": ("manual", "root_exec")}, "sh runs as the image's user: root"
    assert not privileged.intents, "nothing harden can change"

    events = '{"Action":"exec_create: sh","Actor":{"ID":"%s"}}\n{"Action":"exec_create: id","Actor":{"ID":"other"}}\n' % quiet["Id"]
    host, server = served([quiet], **{"/events": events})
    detection = ExecPrivileged().detect(host)
    assert statuses(detection) == {"containers": ("manual", "no_record")}, "no privileged exec seen is not a pass"
    assert detection.findings[0].evidence["execs_seen"] == 1
    assert [r for r in server.requests if r.startswith("/events")][0].count("exec_create") == 1


SWARM = {"Swarm": {"LocalNodeState": "active", "ControlAvailable": True, "NodeID": "n1", "NodeAddr": "10.0.0.5",
                   "Managers": 3, "Nodes": 7}}


def test_swarm_items_on_a_manager_a_worker_and_no_swarm(served):
    networks = [{"Name": "ingress", "Id": "i" * 64, "Options": {}}, {"Name": "secure", "Id": "s" * 64, "Options": {"encrypted": ""}}]
    host, server = served(info=SWARM, **{"/swarm": {"Spec": {"EncryptionConfig": {"AutoLockManagers": False},
                                                             "CAConfig": {"NodeCertExpiry": 30 * 86400 * 10 ** 9}}},
                                         "/networks": networks})
    assert statuses(SwarmMode().detect(host)) == {"swarm": ("manual", "swarm_active")}
    assert SwarmManagers().detect(host).findings[0].evidence == {"managers": 3, "nodes": 7}
    assert statuses(SwarmEncryptedNetworks().detect(host)) == {"ingress": ("manual", "not_encrypted")}
    assert statuses(SwarmAutolock().detect(host)) == {"swarm": ("manual", "autolock_off")}
    assert SwarmNodeCertificates().detect(host).findings[0].evidence == {"days": 30}
    assert statuses(SwarmListenAddress().detect(host)) == {"swarm": ("pass", "bound")}, "the fixture root listens nowhere"
    assert [r for r in server.requests if r.startswith("/networks")] == ['/networks?filters={"driver":["overlay"]}']
    assert {fix.id: statuses(fix().detect(host)) for fix in TABLE if getattr(fix, "swarm_only", False)}["swarm-secrets"] == {"CIS 7.4": ("manual", "by_hand")}

    worker = {"Swarm": dict(SWARM["Swarm"], ControlAvailable=False)}
    host, server = served(info=worker)
    assert statuses(SwarmAutolock().detect(host)) == {"swarm": ("not_applicable", "not_manager")}
    assert statuses(SwarmMode().detect(host)) == {"swarm": ("manual", "swarm_active")}
    assert server.requests == ["/info"], "a worker is not asked what only a manager knows"

    host, server = served()
    assert statuses(SwarmMode().detect(host)) == {"swarm": ("pass", "no_swarm")}
    assert all(statuses(fix().detect(host)) == {"swarm": ("not_applicable", "no_swarm")}
               for fix in (SwarmManagers, SwarmListenAddress, SwarmEncryptedNetworks, SwarmAutolock))


def test_the_swarm_port_listening_on_every_address(tmp_path):
    from hardener.facts.swarm import listening_everywhere

    root = hosts.build(tmp_path / "root", hosts.debian_docker_io())
    (root / "proc/net").mkdir(parents=True, exist_ok=True)
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    (root / "proc/net/tcp").write_text(header + "   0: 0500000A:0949 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n")
    (root / "proc/net/tcp6").write_text(header)
    assert not listening_everywhere(Host(str(root)), 2377), "10.0.0.5:2377 only"
    (root / "proc/net/tcp6").write_text(header + "   0: 00000000000000000000000000000000:0949 00000000000000000000000000000000:0000 0A 0 0 0 0 0 1\n")
    assert listening_everywhere(Host(str(root)), 2377)


def image_routes(image_id, config, history):
    return {f"/images/{image_id}/json": {"Id": image_id, "Config": config}, f"/images/{image_id}/history": history}


def test_images_by_their_config_and_history(served):
    good = "sha256:" + "a" * 64
    bad = "sha256:" + "b" * 64
    listing = [{"Id": good, "RepoTags": ["good:1"]}, {"Id": bad, "RepoTags": ["<none>:<none>"]}]
    routes = {"/images/json": listing,
              **image_routes(good, {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}}, [
                  {"CreatedBy": "/bin/sh -c #(nop) COPY file:1 in /app "},
                  {"CreatedBy": "/bin/sh -c apt-get update && apt-get install -y curl"},
                  {"CreatedBy": "/bin/sh -c #(nop) ADD file:0123abcd in / "}]),
              **image_routes(bad, {"User": "0:0", "Healthcheck": {"Test": ["NONE"]}}, [
                  {"CreatedBy": "ADD https://example.com/app.tgz /app # buildkit"},
                  {"CreatedBy": "RUN /bin/sh -c apt-get -q update # buildkit"},
                  {"CreatedBy": "/bin/sh -c #(nop) ADD file:0123abcd in / "}])}
    host, server = served([container("web", image=bad)], **routes)
    for fix, reason in ((ImageUser, "runs_as_root"), (ImageHealthcheck, "no_healthcheck"), (ImageUpdateAlone, "update_alone"), (ImageAdd, "add")):
        detection = fix().detect(host)
        runs_as_root = {"web": ("manual", "container_runs_as_root")} if fix is ImageUser else {}  # its Config.User is ""
        assert statuses(detection) == {"b" * 12: ("manual", reason), **runs_as_root}, fix.id
        assert detection.findings[0].evidence["containers"] == "web"
    assert ImageAdd().detect(host).findings[0].evidence["instruction"] == "ADD https://example.com/app.tgz /app # buildkit"
    assert sorted(r for r in server.requests if r.startswith("/images/")) == sorted(
        [f"/images/{i}/{what}" for i in (good, bad) for what in ("json", "history")] + ["/images/json?all=0"]), "each once"


@pytest.mark.parametrize("options, setting", [
    ([], None), (["no-new-privileges"], True), (["no-new-privileges=1"], True), (["no-new-privileges:t"], True),
    (["no-new-privileges=false"], False), (["no-new-privileges:0"], False), (["no-new-privileges=F"], False),
    (["no-new-privileges", "no-new-privileges=false"], False), (["no-new-privileges=yes"], None),
])
def test_a_containers_no_new_privileges_is_read_as_dockerd_reads_it(options, setting):
    """Bare, "=" or ":", the value by Go's strconv.ParseBool; the last one given wins; a value ParseBool refuses
    (which dockerd would have refused at create) sets nothing."""
    from hardener.facts.containers import Container
    from hardener.fixes.container_no_new_privileges import own_setting

    assert own_setting(Container({"HostConfig": {"SecurityOpt": options}})) is setting


def test_a_restarting_container_is_judged_by_the_ports_it_will_bind():
    """While the engine waits to restart a container, it has released its ports (NetworkSettings.Ports is empty):
    what it binds at its next start is judged, not nothing."""
    from hardener.facts.containers import Container
    from hardener.fixes.bind_address import published

    restarting = Container({"Config": {"ExposedPorts": {"81/tcp": {}}}, "State": {"Running": True, "Restarting": True},
                            "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "80"}]}, "PublishAllPorts": True},
                            "NetworkSettings": {"Ports": None}})
    assert published(restarting) == ["*:80->80/tcp", "*:?->81/tcp"]


def test_a_containers_own_opt_out_is_not_outweighed_by_its_first_process():
    """no-new-privileges=false: a process `docker exec` starts may gain privileges, whatever the first one set itself."""
    from hardener.facts.containers import Container
    from hardener.fixes.container_no_new_privileges import ContainerNoNewPrivileges

    opted_out = Container({"Id": "a" * 64, "State": {"Running": True, "Pid": 1}, "HostConfig": {"SecurityOpt": ["no-new-privileges=false"]}})
    problem = ContainerNoNewPrivileges().problem(Host("/"), opted_out)
    assert problem is not None and problem.evidence["opted_out"] is True


@pytest.mark.parametrize("container_user, image_user, flagged", [
    ("0", "1000", True), ("root:root", "app", True), ("", "", True),  # -u 0 over an image's USER: root (the false pass)
    ("1000", "", False), ("app", "app", False), ("1000:0", "", False),
])
def test_a_container_is_judged_by_its_own_user_not_its_images(served, container_user, image_user, flagged):
    image_id = "sha256:" + "c" * 64
    image = {"Id": image_id, "Config": {"User": image_user}}
    web = dict(container("web", image=image_id, running=False), Config={"Image": "app:1", "User": container_user})
    host, _ = served([web], **{f"/images/{image_id}/json": image, f"/images/{image_id}/history": [],
                              "/images/json?all=0": [{"Id": image_id, "RepoTags": ["app:1"]}]})
    found = statuses(ImageUser().detect(host))
    assert ("web" in found) is flagged, found
    assert ("app:1" in found) is (image_user in ("", "0", "root")), found


@pytest.mark.parametrize("outside, uid_map, inside", [
    (0, "         0          0 4294967295\n", 0),  # no user namespace
    (100000, "         0     100000      65536\n", 0),  # userns-remap's root
    (101000, "         0     100000      65536\n", 1000),
    (1000, "         0       1000          1\n         1     100000      65536\n", 0),  # rootless: the user is root inside
    (5, "         0     100000      65536\n", None),  # not mapped there
])
def test_a_process_uid_is_mapped_back_into_its_user_namespace(outside, uid_map, inside):
    from hardener.facts.container_processes import map_uid

    assert map_uid(outside, uid_map) == inside
