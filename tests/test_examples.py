"""The demo tree the README points newcomers to previews as the README says; the README's config and docs/profiles.md's
profile are what harden reads."""
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


def test_readme_config_example_is_valid():
    import re

    from hardener.config import parse
    from hardener.fixes import all_fixes

    readme = (DEMO.parent.parent / "README.md").read_text()
    (example,) = [block for block in re.findall(r"```toml\n(.*?)```", readme, re.DOTALL) if "[[waivers]]" in block]
    config = parse(example, "README.md", lambda profile: ("aliyun", [fix.id for fix in all_fixes()]))
    assert config.items == ("file-permissions", "content-trust") and len(config.waivers) == 2
    assert config.override_for("memory_limit", "db-1", {}).text == "4g" and config.defaults["memory_limit"].text == "512m"
    assert config.override_for("memory_limit", "web", {}) is None
    assert config.daemon_options == "daemon-json"


def test_the_profiles_page_example_resolves(tmp_path):
    import re

    from hardener.profiles import load_profile

    page = (DEMO.parent.parent / "docs/profiles.md").read_text()
    (example,) = [block for block in re.findall(r"```toml\n(.*?)```", page, re.DOTALL) if "[[entry]]" in block]
    (tmp_path / "acme.toml").write_text(example)
    profile = load_profile(str(tmp_path / "acme.toml"))
    cis = load_profile("cis").items
    assert profile.name == "acme" and profile.items == tuple(item for item in cis if item not in ("no-sshd", "cpu-shares"))
