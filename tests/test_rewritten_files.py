"""A command that rewrites files of its own (augenrules rewrites audit.rules):
the journal backs them up before it runs, and rollback puts them back byte
for byte, after the command's own undo. Run for real on the live root, with
the journal in a private mount namespace (the machine's /var/lib is untouched)."""
import sys
import textwrap

from conftest import with_private_var_lib

SCRIPT = textwrap.dedent('''
    import sys
    from hardener.engine import apply, rollback, run_to_roll_back
    from hardener.host import Host
    from hardener.journal import Journal
    from hardener.model import ItemResult, RunCommand, Status

    compiled, previous = sys.argv[1], sys.argv[2]

    class Item:
        id = "audit-docker-files"

    change = RunCommand(
        target="audit rules",
        command=("sh", "-c", f"cp {compiled} {previous} && printf -- '-w /etc/docker -k docker\\\\n' >> {compiled}"),
        undo=(("sh", "-c", f"printf -- '# regenerated\\\\n' > {compiled}"),),
        rewrites=(compiled, previous),
        items=("audit-docker-files",),
    )
    host = Host("/")
    journal = Journal(host)
    with journal.lock():
        outcome = apply(host, journal, [ItemResult(Item, Status.FAIL, "missing", (), (change,))])
    print("applied", outcome.run_id, open(compiled).read().count("-k docker"), flush=True)
    with journal.lock():
        rollback(host, journal, run_to_roll_back(journal, None), force=False)
    print("rolled back", flush=True)
''')


def test_files_a_command_rewrites_come_back_byte_for_byte(tmp_path):
    compiled, previous = tmp_path / "audit.rules", tmp_path / "audit.rules.prev"
    original = b"## admin rules\n-w /etc/passwd -p wa -k identity\n"
    compiled.write_bytes(original)
    compiled.chmod(0o640)
    journal = tmp_path / "var-lib"
    journal.mkdir()
    result = with_private_var_lib(journal, [sys.executable, "-c", SCRIPT, compiled, previous], timeout=120)
    assert result.returncode == 0, result.stderr
    assert "applied" in result.stdout and result.stdout.split()[2] == "1", result.stdout
    assert "rolled back" in result.stdout
    assert compiled.read_bytes() == original and oct(compiled.stat().st_mode & 0o777) == "0o640"
    assert not previous.exists(), "a file the command made is gone again"
    assert list((journal / "hardener/runs").iterdir()), "the journal was the namespace's, not the machine's"
