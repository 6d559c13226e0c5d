"""Host.resolve against the kernel: random trees of directories, files and links
(relative, absolute, dangling, looping) in a root, each path resolved by harden
and, in a child chrooted there, by the kernel's own walk (os.path.realpath)."""
import errno
import json
import os
import stat
import threading
from pathlib import Path
import shutil
import tempfile

import pytest
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


def test_a_chain_of_links_is_followed_as_far_as_the_kernel_follows_one(tmp_path):
    """Linux follows 40 links in one walk and refuses the 41st (ELOOP); harden's walk stops where the kernel's does."""
    (tmp_path / "end").write_text("")
    for length in (40, 41):
        chain = tmp_path / f"chain{length}"
        chain.mkdir()
        for number in range(length):
            (chain / f"l{number}").symlink_to(f"l{number + 1}" if number + 1 < length else "../end")
        host = Host(str(tmp_path))
        if length == 40:
            assert host.resolve(f"/chain{length}/l0") == "/end"
            os.stat(chain / "l0")
        else:
            try:
                host.resolve(f"/chain{length}/l0")
            except HostError as error:
                assert str(error) == f"/chain{length}/l0: too many levels of symbolic links"
            else:
                raise AssertionError("a 41st link was followed")
            try:
                os.stat(chain / "l0")
            except OSError as error:
                assert error.errno == 40, "ELOOP"
            else:
                raise AssertionError("the kernel followed a 41st link")


def test_where_a_path_is_shown_and_found(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/real").write_text("")
    (tmp_path / "etc/link").symlink_to("real")
    host = Host(str(tmp_path))
    assert host.display("/etc/link") == f"/etc/link (in {tmp_path})" and Host("/").display("/etc/link") == "/etc/link"
    assert host.real_path("/etc/link") == tmp_path / "etc/real"
    assert host.real_path("/etc/link", follow_final=False) == tmp_path / "etc/link", "the link itself"


def test_a_users_link_leads_only_to_what_the_user_owns(tmp_path):
    home = tmp_path / "home/admin"
    home.mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/shadow").write_text("")
    (home / "mine").write_text("")
    for name, target in (("to-shadow", "/etc/shadow"), ("to-mine", "mine"), ("to-new", "new")):
        (home / name).symlink_to(target)
        os.lchown(home / name, 1000, 1000)
    os.chown(home / "mine", 1000, 1000)
    os.chown(home, 1000, 1000)
    host = Host(str(tmp_path))
    try:
        host.resolve("/home/admin/to-shadow")
    except HostError as error:
        assert str(error) == (f"/home/admin/to-shadow (in {tmp_path}) leads through a link of uid 1000 to /etc/shadow, which uid 1000 "
                              "does not own; harden does not follow a user's link to another's file")
    else:
        raise AssertionError("a user's link to root's file was followed")
    assert host.resolve("/home/admin/to-mine") == "/home/admin/mine"
    assert host.resolve("/home/admin/to-new") == "/home/admin/new", "nothing there yet, in a directory of the user's"
    assert host.kernel_path("/home/admin/to-shadow") == "/etc/shadow", "where the kernel's walk lands, for judging only"


def test_what_stops_root_acting_for_a_user_is_named(tmp_path):
    home = tmp_path / "home/admin"
    home.mkdir(parents=True)
    os.chown(home, 1000, 1000)
    (tmp_path / "etc").mkdir()
    (home / "theirs").write_text("")
    os.chown(home / "theirs", 1000, 1000)
    host = Host(str(tmp_path))
    assert host.users_file_problem("/home/admin/theirs", 1000) is None
    assert host.users_file_problem("/home/admin/new", 1000) is None, "nothing yet, in a directory of theirs"
    assert host.users_file_problem("/etc/new", 1000) == "/etc is root:root"
    (home / "root-owned").write_text("")
    (home / "root-owned").chmod(0o640)
    assert host.users_file_problem("/home/admin/root-owned", 1000) == "/home/admin/root-owned is root:root 0640"
    os.chmod(tmp_path / "home", 0o777)
    assert host.users_file_problem("/home/admin/theirs", 1000) == "/home is root:root 0777"


def test_a_path_inside_a_containers_root_is_walked_there_as_the_kernel_walks_it(tmp_path, monkeypatch):
    """kernel_path(path, inside=/proc/PID/root) for a container: an absolute link starts again at the container's /
    (Debian's /var/run is /run), `..` stops there, as the kernel walks them chrooted there; a loop of links is an
    error. A link swapped for a file while it is followed is an error, not a traceback."""
    import shutil
    import subprocess

    inside = tmp_path / "container"
    for directory in ("run", "var", "etc", "bin"):
        (inside / directory).mkdir(parents=True)
    shutil.copy(shutil.which("busybox"), inside / "bin/busybox")
    (inside / "var/run").symlink_to("/run")
    (inside / "up").symlink_to("../../../../..")
    (inside / "loop-a").symlink_to("loop-b")
    (inside / "loop-b").symlink_to("/loop-a")
    (inside / "run/docker.sock").write_text("")
    host = Host(str(tmp_path))
    for path, walked in (("/var/run/docker.sock", "/run/docker.sock"), ("/up/etc", "/etc")):
        assert host.kernel_path(path, inside="/container") == walked
        kernels = subprocess.run(["chroot", str(inside), "/bin/busybox", "realpath", path], capture_output=True, text=True)
        assert kernels.stdout.strip() == walked, kernels
    try:
        host.kernel_path("/loop-a/x", inside="/container")
    except HostError as error:
        assert "too many levels of symbolic links" in str(error)
    else:
        raise AssertionError("a loop of links was walked")

    def swapped(path):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(os, "readlink", swapped)
    try:
        host.kernel_path("/var/run/docker.sock", inside="/container")
    except HostError as error:
        assert str(error).startswith("/var/run/docker.sock: run changed while harden followed it ("), error
    else:
        raise AssertionError("a link gone while followed was taken for a name")


def test_only_root_can_change_what_is_roots_and_written_by_no_one_else(tmp_path):
    """roots_alone: root's and writable by root alone; a link's own mode means nothing; a sticky directory others can
    write counts only where asked (others cannot replace root's files in it), a plain one never."""
    from hardener.host import roots_alone

    def made(name, mode, uid=0, directory=True):
        path = tmp_path / name
        path.mkdir() if directory else path.write_text("")
        path.chmod(mode)
        os.chown(path, uid, 0)
        return os.lstat(path)

    (tmp_path / "link").symlink_to("anywhere")
    cases = [(made("plain", 0o755), False, True), (made("users", 0o755, uid=1000), False, False),
             (made("open", 0o777), False, False), (made("open-asked", 0o777), True, False),
             (made("group", 0o775), True, False), (made("sticky", 0o1777), False, False),
             (made("sticky-asked", 0o1777), True, True), (made("sticky-file", 0o1666, directory=False), True, False),
             (os.lstat(tmp_path / "link"), False, True)]
    assert [roots_alone(info, sticky_protects=asked) for info, asked, _ in cases] == [alone for _, _, alone in cases]
    assert not roots_alone(cases[5][0]), "a sticky directory counts only where asked"


@pytest.mark.parametrize("before, after, mode, left", [
    ((1000, 1000), (0, 0), 0o6755, 0o755),  # made root's: no setuid or setgid bit, whatever was asked
    ((1000, 0), (0, 0), 0o6755, 0o755),  # its owner made root
    ((0, 1000), (0, 0), 0o6755, 0o755),  # its group made root's
    ((1000, 1000), (0, 1000), 0o6755, 0o755),
    ((1000, 1000), (1000, 0), 0o6755, 0o755),
    ((0, 0), (0, 0), 0o6755, 0o6755),  # root's already: as asked
    ((1000, 1000), (1000, 1000), 0o6755, 0o6755),  # a user's kept theirs (a rollback giving it back): as asked
    ((0, 0), (1000, 1000), 0o4755, 0o4755),
])
def test_a_file_made_roots_at_the_change_keeps_no_setuid_or_setgid_bit(tmp_path, before, after, mode, left):
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    os.chown(tool, *before)
    Host(str(tmp_path)).set_owner_mode("/tool", *after, mode)
    found = tool.stat()
    assert ((found.st_uid, found.st_gid), found.st_mode & 0o7777) == (after, left)


def test_a_directory_made_roots_keeps_its_setgid_bit_and_a_link_is_never_changed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, 1000, 1000)
    Host(str(tmp_path)).set_owner_mode("/shared", 0, 0, 0o2775, {"user.hardener-test": b"kept"})
    assert (shared.stat().st_uid, shared.stat().st_mode & 0o7777) == (0, 0o2775)
    assert os.getxattr(shared, "user.hardener-test") == b"kept"
    secret = tmp_path / "secret"
    secret.write_text("")
    secret.chmod(0o600)
    (tmp_path / "link").symlink_to("secret")
    parent = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:  # swapped for a link after the look at the name: the change itself refuses it
        with pytest.raises(OSError) as raised:
            Host(str(tmp_path))._set_owner_mode_at(parent, "link", 1000, 1000, 0o666)
    finally:
        os.close(parent)
    assert (raised.value.errno, raised.value.strerror) == (errno.ELOOP, "it became a symbolic link")
    assert (secret.stat().st_uid, secret.stat().st_mode & 0o777) == (0, 0o600)


def test_the_report_harden_writes_is_roots_own_file_as_the_umask_makes_it_and_a_pipe_is_written_to(tmp_path, monkeypatch):
    host = Host("/")
    old = os.umask(0o077)
    try:
        host.write_named(str(tmp_path / "new.json"), b"{}\n")
    finally:
        os.umask(old)
    made = (tmp_path / "new.json").stat()
    assert ((made.st_uid, made.st_gid), made.st_mode & 0o777, (tmp_path / "new.json").read_bytes()) == ((0, 0), 0o600, b"{}\n")
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o640)
    host.write_named(str(kept), b"new")
    assert ((kept.stat().st_uid, kept.stat().st_gid), kept.stat().st_mode & 0o777, kept.read_bytes()) == ((0, 0), 0o640, b"new")
    theirs = tmp_path / "theirs.json"
    theirs.write_text("theirs")
    os.chown(theirs, 65534, 65534)
    with pytest.raises(HostError) as raised:
        host.write_named(str(theirs), b"root's")
    assert str(raised.value) == f"{theirs} is nobody's; harden does not write root's report over another's file"
    with pytest.raises(HostError) as raised:
        host.write_named(f"{kept}/report.json", b"x")
    assert str(raised.value) == f"{kept}/report.json: Not a directory"

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()))
    reader.start()
    host.write_named(str(pipe), b"through the pipe")
    reader.join(10)
    assert read == [b"through the pipe"] and stat.S_ISFIFO(os.lstat(pipe).st_mode), "written to, not replaced"

    writer = threading.Thread(target=lambda: pipe.write_bytes(b'{"schema": 1}'))
    writer.start()
    assert host.read_named(str(pipe)) == b'{"schema": 1}'
    writer.join(10)

    secret = tmp_path / "secret"
    secret.write_text("root's")
    swapped = tmp_path / "swapped"
    swapped.symlink_to(secret)
    looked = os.lstat(pipe)
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path, *args, **kwargs: looked if str(path) == str(swapped) else real_lstat(path, *args, **kwargs))
    with pytest.raises(HostError):  # a pipe when looked at, a link when opened: not followed
        host.write_named(str(swapped), b"over root's file")
    monkeypatch.undo()
    assert secret.read_text() == "root's"


def test_the_report_of_a_user_is_written_with_their_own_rights(tmp_path):
    """Run by a user, --output is the shell's `>`: their own file, in a directory of theirs; run by root, root's."""
    above = Path(tempfile.mkdtemp(dir="/tmp"))  # pytest's own directory is root's alone: nobody cannot enter it
    above.chmod(0o755)
    theirs = above / "theirs"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    Host("/").write_named(str(above / "roots.json"), b"root's\n")
    assert (above / "roots.json").stat().st_uid == 0 and (above / "roots.json").read_bytes() == b"root's\n"
    child = os.fork()
    if child == 0:
        try:
            os.setgid(65534)
            os.setuid(65534)
            Host("/").write_named(str(theirs / "report.json"), b"theirs\n")
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    try:
        assert os.waitstatus_to_exitcode(status) == 0
        made = (theirs / "report.json").stat()
        assert ((made.st_uid, made.st_gid), (theirs / "report.json").read_bytes()) == ((65534, 65534), b"theirs\n")
    finally:
        shutil.rmtree(above)


def test_a_users_file_is_examined_only_while_its_directories_are_theirs_alone(tmp_path):
    """Host.state(path, user): nothing there is said as nothing (as state() says it); a file in a directory others can
    change is not examined for its user, in words that say so."""
    from hardener.host import FileState

    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
    (tmp_path / "etc/group").write_text("root:x:0:\nalice:x:1000:\n")
    home = tmp_path / "home/alice"
    home.mkdir(parents=True)
    os.chown(home, 1000, 1000)
    (home / "daemon.json").write_text("{}")
    os.chown(home / "daemon.json", 1000, 1000)
    host = Host(str(tmp_path))
    assert host.state("/home/alice/missing.json", 1000) == FileState(exists=False)
    assert host.state("/home/alice/daemon.json", 1000).exists
    home.chmod(0o777)
    with pytest.raises(HostError) as raised:
        host.state("/home/alice/daemon.json", 1000)
    assert str(raised.value).endswith("/home/alice is alice:alice 0777, which others than alice and root can change; "
                                      "nothing was examined there"), raised.value
