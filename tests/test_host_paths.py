"""Host.resolve against the kernel: random trees of directories, files and links
(relative, absolute, dangling, looping) in a root, each path resolved by harden
and, in a child chrooted there, by the kernel's own walk (os.path.realpath)."""
import json
import os
from pathlib import Path
import shutil
import tempfile

from hypothesis import given, settings, strategies as st

from hardener.host import Host, HostError

NAMES = ("a", "b", "c")
paths = st.lists(st.sampled_from(NAMES + ("..", ".")), min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
targets = st.one_of(paths, paths.map(lambda path: path.lstrip("/")))  # absolute, and relative to the link's directory
entries = st.lists(st.tuples(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3),
                             st.one_of(st.just("dir"), st.just("file"), targets)), max_size=12)


def build(root, tree):
    for parts, kind in tree:
        where = os.path.join(root, *parts)
        if os.path.lexists(where) or not os.path.isdir(os.path.dirname(where)) or os.path.islink(os.path.dirname(where)):
            continue
        if kind == "dir":
            os.mkdir(where)
        elif kind == "file":
            open(where, "w").close()
        else:
            os.symlink(kind, where)


def kernel_realpaths(root, queries):
    """What the kernel's walk gives each path inside `root`, from a chrooted child: where it leads, for a path
    that is there or, where nothing is, whose directory is (a file to make); "loop" where it loops; None where
    it cannot be reached (the kernel stops there, and so does what harden does with it)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(reader)
            os.chroot(root)
            os.chdir("/")
            answers = []
            for query in queries:
                try:
                    os.stat(query)
                    answer = os.path.realpath(query)
                except OSError as error:
                    answer = "loop" if error.errno == 40 else None  # ELOOP
                if answer is None and not os.path.lexists(query):
                    try:  # a file to make, in a directory that is there
                        os.stat(os.path.dirname(query))
                        answer = os.path.realpath(query)
                    except OSError:
                        pass
                answers.append(answer)
            os.write(writer, json.dumps(answers).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    return json.loads(data)


@settings(max_examples=150, deadline=None)
@given(tree=entries, queries=st.lists(paths, min_size=1, max_size=6))
def test_resolve_walks_links_as_the_kernel_does_inside_the_root(tree, queries):
    root = tempfile.mkdtemp()
    try:
        build(root, tree)
        host = Host(root)
        for query, kernel in zip(queries, kernel_realpaths(root, queries)):
            if kernel is None:
                continue
            try:
                ours = host.resolve(query)
            except HostError:
                assert kernel == "loop", (query, tree)
                continue
            assert ours == kernel, (query, ours, kernel, tree)
    finally:
        shutil.rmtree(root)


def test_a_process_file_is_the_kernels_on_the_live_host_and_the_trees_under_a_root(tmp_path):
    """Host.read_process_file: a live process's own file (a name that is not UTF-8 kept, not an error), None for a
    process that has ended; under --root the tree's file, through the same walk as any other (a link in the tree
    is followed inside the tree, never out of it)."""
    import subprocess
    import sys
    import time

    named = "import ctypes, time; ctypes.CDLL(None).prctl(15, b'sl\\xffep'); print(flush=True); time.sleep(30)"  # PR_SET_NAME
    sleeper = subprocess.Popen([sys.executable, "-c", named], stdout=subprocess.PIPE)
    try:
        sleeper.stdout.readline()
        assert Host("/").read_process_file(sleeper.pid, "comm") == "sl\ufffdep\n"
        assert "State:" in Host("/").read_process_file(sleeper.pid, "status")
    finally:
        sleeper.kill()
        sleeper.wait()
    time.sleep(0.05)
    assert Host("/").read_process_file(sleeper.pid, "comm") is None

    (tmp_path / "proc/42").mkdir(parents=True)
    (tmp_path / "proc/42/comm").write_text("dockerd\n")
    assert Host(str(tmp_path)).read_process_file(42, "comm") == "dockerd\n"
    (tmp_path / "proc/43").symlink_to("/proc/self")
    assert Path(tmp_path / "proc/43/comm").read_text(), "the kernel's walk leaves the tree"
    assert Host(str(tmp_path)).read_process_file(43, "comm") is None, "harden's stays inside it"
