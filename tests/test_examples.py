"""The demo tree the README points newcomers to previews as the README says."""
from pathlib import Path

import hosts

DEMO = Path(__file__).parent.parent / "examples" / "demo-host"


def test_demo_host_previews_items_out_of_line(harden):
    start = hosts.snapshot(DEMO)
    result = harden("--dry-run", "--root", DEMO)
    assert result.code == 2, result
    assert "/lib/systemd/system/docker.service: owner/mode root:root 0755 -> root:root 0644" in result.out
    assert "DOCKER_CONTENT_TRUST=0 at /etc/profile.d/01-proxy.sh:2 turns it off" in result.out
    assert hosts.snapshot(DEMO) == start and not (DEMO / hosts.JOURNAL).exists()
