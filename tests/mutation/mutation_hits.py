"""A pytest plugin of mutation runs (see sitecustomize.py): the functions a test's harden child processes
reached count as reached by the test."""
import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    path = os.environ.get("MUTATION_HITS")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not path or not os.path.exists(path):
        return
    from mutmut.state import state

    with open(path, "r+") as hits:
        state()._stats.update(line.strip() for line in hits if line.strip())
        hits.truncate(0)
