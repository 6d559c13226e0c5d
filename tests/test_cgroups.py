"""A container's memory usage from its cgroup, as docker stats counts it, on
the cgroup layouts this machine does not run (it runs v1 with the cgroupfs
driver, tested live in test_containers.py): fixture trees."""
import pytest

from hardener.facts.cgroups import memory_usage
from hardener.host import Host

ID = "4f3c" + "0" * 60


def tree(root, files):
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return Host(str(root))


@pytest.mark.parametrize("layout, files, expected", [
    ("v2, systemd driver", {
        "/proc/4242/cgroup": f"0::/system.slice/docker-{ID}.scope\n",
        "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
        f"/sys/fs/cgroup/system.slice/docker-{ID}.scope/memory.current": "104857600\n",
        f"/sys/fs/cgroup/system.slice/docker-{ID}.scope/memory.stat": "anon 20971520\nfile 83886080\ninactive_file 52428800\nactive_file 31457280\n",
    }, 104857600 - 52428800),
    ("v2, cgroupfs driver", {
        "/proc/4242/cgroup": f"0::/docker/{ID}\n",
        "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
        f"/sys/fs/cgroup/docker/{ID}/memory.current": "9000000\n",
        f"/sys/fs/cgroup/docker/{ID}/memory.stat": "inactive_file 1000000\n",
    }, 8000000),
    ("v1, systemd driver", {
        "/proc/4242/cgroup": f"12:pids:/system.slice/docker-{ID}.scope\n4:memory:/system.slice/docker-{ID}.scope\n0::/system.slice/docker-{ID}.scope\n",
        f"/sys/fs/cgroup/memory/system.slice/docker-{ID}.scope/memory.usage_in_bytes": "73400320\n",
        f"/sys/fs/cgroup/memory/system.slice/docker-{ID}.scope/memory.stat": "cache 60000000\ninactive_file 10\ntotal_inactive_file 41943040\n",
    }, 73400320 - 41943040),
    ("v1, inactive larger than usage (docker stats keeps the usage)", {
        "/proc/4242/cgroup": f"4:memory:/docker/{ID}\n",
        f"/sys/fs/cgroup/memory/docker/{ID}/memory.usage_in_bytes": "1000\n",
        f"/sys/fs/cgroup/memory/docker/{ID}/memory.stat": "total_inactive_file 5000\n",
    }, 1000),
    ("v2 on the unified mount of a hybrid host", {
        "/proc/4242/cgroup": f"0::/docker/{ID}\n",
        f"/sys/fs/cgroup/unified/docker/{ID}/memory.current": "2048\n",
        f"/sys/fs/cgroup/unified/docker/{ID}/memory.stat": "inactive_file 1024\n",
    }, 1024),
])
def test_usage_without_the_inactive_file_cache(tmp_path, layout, files, expected):
    assert memory_usage(tree(tmp_path, files), 4242) == expected, layout


def test_no_cgroup_file_is_none_so_the_api_is_asked(tmp_path):
    assert memory_usage(tree(tmp_path, {"/proc/4242/cgroup": "4:memory:/gone\n"}), 4242) is None
    assert memory_usage(tree(tmp_path, {}), 4243) is None
