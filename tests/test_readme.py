"""The README's samples are what harden prints now: scripts/readme-samples makes them on a copy of
examples/demo-host, and --check says which differ."""
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).parent.parent


def test_the_readmes_samples_are_what_the_code_prints():
    checked = subprocess.run([sys.executable, CHECKOUT / "scripts/readme-samples", "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_sample_that_no_longer_matches_is_named(tmp_path):
    readme = (CHECKOUT / "README.md").read_text()
    assert "<!-- sample: drift -->" in readme and "<!-- sample: timer -->" in readme and "<!-- sample: metrics -->" in readme
    (tmp_path / "README.md").write_text(readme.replace("OnCalendar=daily", "OnCalendar=weekly"))
    checked = subprocess.run([sys.executable, CHECKOUT / "scripts/readme-samples", "--check", tmp_path / "README.md"],
                             capture_output=True, text=True)
    assert checked.returncode == 1 and checked.stdout == "README.md: the sample timer is not what harden prints now " \
                                                         "(scripts/readme-samples writes it)\n", checked


def test_the_code_the_readme_quotes_is_the_code():
    """How an item is built: the row quoted is a row of the table, and the module quoted whole is the module."""
    readme = (CHECKOUT / "README.md").read_text()
    table = (CHECKOUT / "hardener/fixes/table.py").read_text()
    row = readme.split("config gives, advice only, …) and the row's settings, metadata included:\n\n```python\n")[1].split("```")[0]
    assert row in table
    module = readme.split("`hardener/fixes/iptables.py`, whole:\n\n```python\n")[1].split("```")[0]
    assert module == (CHECKOUT / "hardener/fixes/iptables.py").read_text()
