"""Unit files through augeas with hardener's lens: structure read, one value
rewritten, every other byte kept."""
import augeas
import pytest

from hardener.facts.systemd import parse_unit
from hardener.host import HostError
from hardener.edits.unit_tree import LENS, LENS_DIR, read_assignments, set_value

UNIT = (
    "# 由运维组维护 (kept by ops)\n"
    "[Unit]\n"
    "Description=Docker # not a comment in systemd\n"
    "\n"
    "[Service]\n"
    "  ; indented comment\n"
    "ExecStart=\n"
    "ExecStart = -/usr/bin/dockerd --label \"a#b\" \\\n"
    "# skipped inside the continuation \\\n"
    "    --log-level=debug \\\n"
    "    -H fd://   \n"
    "Environment=\"A=b c\"\n"
    "Empty=   \n"
    "[Install]\n"
    "WantedBy=multi-user.target"
)


def test_the_lens_passes_augeas_type_check():
    aug = augeas.Augeas(loadpath=str(LENS_DIR),
                        flags=augeas.Augeas.NO_MODL_AUTOLOAD | augeas.Augeas.NO_STDINC | augeas.Augeas.TYPE_CHECK)
    aug.set("/in", "[Service]\nExecStart=/bin/true\n")
    aug.text_store(LENS, "/in", "/tree")  # compiling an ambiguous lens fails here under TYPE_CHECK
    assert aug.get("/tree/Service/ExecStart") == "/bin/true"


def test_sections_assignments_raw_values_and_lines():
    found = [(a.section, a.key, a.raw, a.node, a.line) for a in read_assignments(UNIT, "/u")]
    assert found == [
        ("Unit", "Description", "Docker # not a comment in systemd", "Unit/Description", 3),
        ("Service", "ExecStart", "", "Service/ExecStart[1]", 7),
        ("Service", "ExecStart", '-/usr/bin/dockerd --label "a#b" \\\n# skipped inside the continuation \\\n'
                                 "    --log-level=debug \\\n    -H fd://   ", "Service/ExecStart[2]", 8),
        ("Service", "Environment", '"A=b c"', "Service/Environment", 12),
        ("Service", "Empty", "", "Service/Empty", 13),
        ("Install", "WantedBy", "multi-user.target", "Install/WantedBy", 15),
    ]


def test_values_joined_as_systemd_joins_them():
    # the example of systemd.syntax(7), and lines that only look continued
    text = ("[Section C]\n"
            "KeyThree=value 3\\\n"
            "# this line is ignored\n"
            "; this line is ignored too\n"
            "       value 3 continued\n"
            "Spaced=a \\ \n"
            "Escaped=b \\\\\n"
            "Next=c\n")
    assert [(s.key, s.value, s.line) for s in parse_unit(text, "/u")] == [
        ("KeyThree", "value 3        value 3 continued", 2), ("Spaced", "a \\", 6), ("Escaped", "b \\\\", 7),
        ("Next", "c", 8)]
    settings = {(s.key, s.line): s.value for s in parse_unit(UNIT, "/u")}
    assert settings["ExecStart", 8].split() == ["-/usr/bin/dockerd", "--label", '"a#b"', "--log-level=debug", "-H", "fd://"]
    assert settings["Description", 3] == "Docker # not a comment in systemd"


def test_one_value_rewritten_every_other_byte_kept():
    written = set_value(UNIT, "/u", "Service/ExecStart[2]", "/usr/bin/dockerd -H fd://")
    lines = UNIT.split("\n")
    assert written == "\n".join(lines[:7] + ["ExecStart = /usr/bin/dockerd -H fd://"] + lines[11:])
    assert not written.endswith("\n"), "a file without a final newline stays so"
    assert set_value(UNIT + "\n", "/u", "Service/Empty", "x").endswith("Empty=   x\n[Install]\nWantedBy=multi-user.target\n")


def test_lines_systemd_would_not_read_are_an_error_naming_the_line():
    with pytest.raises(HostError, match=r"^/u:2: not a \[Section\].*'ExecStart=/bin/true'$"):
        read_assignments("# no section yet\nExecStart=/bin/true\n", "/u")
    with pytest.raises(HostError, match=r"^/u:3: .*'\[Service'$"):
        read_assignments("[Unit]\nA=b\n[Service\n", "/u")


def test_a_value_cannot_be_written_across_lines():
    with pytest.raises(HostError, match="spans lines"):
        set_value(UNIT, "/u", "Service/Empty", "a\nb")
    with pytest.raises(HostError, match="no assignment Service/Nothing"):
        set_value(UNIT, "/u", "Service/Nothing", "a")


def test_a_section_written_twice_and_names_with_spaces():
    text = "[Service]\nType=notify\n[X-Site Notes]\nA.b=1\n[Service]\nExecStart=/bin/a\n"
    found = read_assignments(text, "/u")
    assert [(a.section, a.key, a.line) for a in found] == [("Service", "Type", 2), ("X-Site Notes", "A.b", 4),
                                                           ("Service", "ExecStart", 6)]
    assert set_value(text, "/u", found[2].node, "/bin/b") == text.replace("/bin/a", "/bin/b")
    assert set_value(text, "/u", found[1].node, "2") == text.replace("A.b=1", "A.b=2")


def test_crlf_line_endings_as_systemd_reads_them_and_kept():
    text = "[Service]\r\nExecStart=\r\nExecStart=/usr/bin/dockerd \\\r\n  --iptables=false\r\n\r\nType=notify\r\n"
    settings = parse_unit(text, "/u")
    assert [(s.key, s.value.split(), s.line) for s in settings] == [
        ("ExecStart", [], 2), ("ExecStart", ["/usr/bin/dockerd", "--iptables=false"], 3), ("Type", ["notify"], 6)]
    written = set_value(text, "/u", settings[1].node, "/usr/bin/dockerd")
    assert written == "[Service]\r\nExecStart=\r\nExecStart=/usr/bin/dockerd\r\n\r\nType=notify\r\n"
