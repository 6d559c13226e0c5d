"""README.md and docs/ show what harden does now: scripts/doc-samples makes every sample and page they show on the
demo host (or a copy), and --check says which differ; their links lead somewhere; the code they quote is the code."""
import json
import re
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).parent.parent
DOCUMENTS = [CHECKOUT / "README.md", *sorted((CHECKOUT / "docs").glob("*.md"))]


def test_the_samples_and_pages_are_what_the_code_makes():
    checked = subprocess.run([sys.executable, CHECKOUT / "scripts/doc-samples", "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_sample_that_no_longer_matches_is_named(tmp_path):
    readme = (CHECKOUT / "README.md").read_text()
    for name in ("preview", "apply", "rollback", "rollback-preview", "schedule", "list", "history"):
        assert f"<!-- sample: {name} -->" in readme
    (tmp_path / "README.md").write_text(readme.replace("Rolled back run", "Rolled back the run", 1))
    checked = subprocess.run([sys.executable, CHECKOUT / "scripts/doc-samples", "--check", tmp_path / "README.md"],
                             capture_output=True, text=True)
    assert checked.returncode == 1 and checked.stdout == "README.md: the sample rollback is not what harden makes now " \
                                                         "(scripts/doc-samples writes it)\n", checked


def test_the_readme_opens_with_what_a_newcomer_needs_and_sends_the_rest_to_docs():
    readme = (CHECKOUT / "README.md").read_text()
    first_screen = readme[:readme.index("## The two commands")]
    for words in ("Alibaba Cloud Docker security baseline", "CIS Docker Benchmark 1.8.0", "root", "3.9", "libaugeas0",
                  "restarts Docker", "`--rm`", "live-restore"):
        assert words in first_screen, words
    order = [readme.index(heading) for heading in ("## The two commands", "## The first five minutes", "## Installing",
                                                   "## Commands")]
    assert order == sorted(order)
    five_minutes = readme[order[1]:order[2]]
    assert readme[:order[1]].count("\n") < 60, "what it is, what it needs, the warning and the install come first"
    shown = [five_minutes.index(what) for what in ("![", "<!-- sample: preview -->", "<!-- sample: apply -->", "<!-- sample: rollback -->")]
    assert shown == sorted(shown), "the page, the preview, an apply and its rollback, in that order"
    assert five_minutes.count("\n") < 130, "the first five minutes fit in two screens"
    for page in ("items", "profiles", "reports", "testing", "internals", "benchmarks"):
        assert f"](docs/{page}.md)" in readme


def test_every_relative_link_leads_to_a_file_and_every_anchor_to_a_heading():
    def anchors(path: Path) -> set:
        return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
                for heading in re.findall(r"^#+ (.*)$", path.read_text(), re.MULTILINE)}

    for document in DOCUMENTS:
        for target in re.findall(r"\]\(([^)\s]+)\)", document.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve() if path else document
            assert linked.exists(), f"{document.name}: {target}"
            if anchor:
                assert anchor in anchors(linked), f"{document.name}: {target}"


def test_the_json_the_reports_page_annotates_is_the_json_harden_writes(harden):
    annotated = (CHECKOUT / "docs/reports.md").read_text().split("```jsonc\n")[1].split("```")[0]
    written = json.loads(harden("check", "--root", CHECKOUT / "examples/demo-host", "--format", "json").out)
    top_level = re.findall(r'^  "([a-z_]+)":', annotated, re.MULTILINE)
    assert top_level == list(written), "the annotated document's members, in the order harden writes them"
    assert f'"schema": {written["schema"]},' in annotated


def test_the_code_the_docs_quote_is_the_code():
    """How an item is built: the row quoted is a row of the table, and the module quoted whole is the module."""
    internals = (CHECKOUT / "docs/internals.md").read_text()
    table = (CHECKOUT / "hardener/fixes/table.py").read_text()
    row = internals.split("config gives, advice only, …) and the row's settings, metadata included:\n\n```python\n")[1].split("```")[0]
    assert row in table
    module = internals.split("`hardener/fixes/iptables.py`, whole:\n\n```python\n")[1].split("```")[0]
    assert module == (CHECKOUT / "hardener/fixes/iptables.py").read_text()
