"""Loaded by every Python process of a mutation run (scripts/mutation puts this directory on PYTHONPATH).

mutmut learns which tests reach a function by recording, in the test's own process, each mutated function
called while the test runs. Most tests run harden as a child process (`python -m hardener`), whose calls
that record would lose: while mutmut gathers them ("stats"), a child appends the functions it reached to
$MUTATION_HITS when it exits, and mutation_hits.py adds them to the test that started it."""
import os

if os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("MUTATION_HITS"):
    import atexit

    def _configure_mutmut() -> None:
        """mutmut reads its configuration from the working directory; a child of a test runs elsewhere."""
        from mutmut import configuration

        here = os.getcwd()
        try:
            os.chdir(os.environ["MUTATION_WORK"])
            configuration.config()
        finally:
            os.chdir(here)

    def _write_hits() -> None:
        from mutmut.state import state

        try:
            with open(os.environ["MUTATION_HITS"], "a") as hits:
                hits.writelines(f"{name}\n" for name in state()._stats)
        except OSError:
            pass  # a child run as another user cannot write root's file: its hits are lost, no more

    _configure_mutmut()
    atexit.register(_write_hits)
