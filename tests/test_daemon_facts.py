"""What the running dockerd was started with, read from a fixture root's /proc."""
from hardener.facts.dockerd_process import docker_socket_paths, unix_sockets
from hardener.host import Host


def test_custom_unix_sockets_count_as_the_docker_socket(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "var").mkdir()
    (tmp_path / "var/run").symlink_to("/run")
    (tmp_path / "run/docker.pid").write_text("4242\n")
    (tmp_path / "proc/4242").mkdir(parents=True)
    (tmp_path / "proc/4242/cmdline").write_bytes(b"/usr/sbin/dockerd\0-H\0unix:///srv/docker/api.sock\0--host=unix:///var/run/alt.sock\0-H\0tcp://127.0.0.1:2375\0")
    host = Host(str(tmp_path))
    assert unix_sockets(host) == ["/srv/docker/api.sock", "/var/run/alt.sock"]
    assert docker_socket_paths(host) == {"/run/docker.sock", "/srv/docker/api.sock", "/run/alt.sock", "/run", "/srv/docker"}


def test_no_running_dockerd(tmp_path):
    assert unix_sockets(Host(str(tmp_path))) == []
