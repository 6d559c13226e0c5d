"""dockerd's configuration as the files give it at its next start: the flags of
the effective ExecStart (with the environment files' variables) and
/etc/docker/daemon.json (or the --config-file it is given)."""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Tuple

from ..host import Host, HostError
from .dockerd_process import plain_api_addresses, running_dockerd, started_at
from .systemd import Command, Unit, Word, exec_start, load_unit
from .units import unit_file

DAEMON_JSON = "/etc/docker/daemon.json"
DOCKERD_NAMES = ("dockerd", "dockerd-current", "dockerd-rootless.sh")  # the last passes its flags on to dockerd

# dockerd's flags that are booleans: a value only with `=` (dockerd --help of 20.10 and 26, and 27-28's new ones).
BOOLEAN_FLAGS = frozenset({
    "icc", "iptables", "ip6tables", "ip-forward", "ip-masq", "userland-proxy", "debug", "live-restore",
    "selinux-enabled", "experimental", "no-new-privileges", "init", "raw-logs", "tls", "tlsverify",
    "validate", "rootless", "help", "version", "disable-legacy-registry", "ipv6", "cri-containerd",
    "allow-direct-routing", "ip-forward-no-drop",
})
# dockerd's flags that take a value, the ones harden judges: the word after one is its value, a dash or not.
VALUE_FLAGS = frozenset({"host", "log-level", "storage-driver", "data-root", "exec-root", "group", "config-file", "tlscacert",
                         "tlscert", "tlskey", "userns-remap", "seccomp-profile", "log-driver", "log-opt", "default-ulimit",
                         "authorization-plugin", "insecure-registry", "registry-mirror", "cgroup-parent", "ip", "bridge", "pidfile",
                         "label", "storage-opt", "exec-opt", "containerd", "default-runtime", "add-runtime", "mtu", "bip"})
SHORT_FLAGS = {"D": "debug", "l": "log-level", "s": "storage-driver", "H": "host", "G": "group",
               "g": "data-root", "b": "bridge", "p": "pidfile", "v": "version", "h": "help"}
ALIASES = {"graph": "data-root"}  # old names dockerd still accepts
# daemon.json keys whose flag has another name
JSON_KEYS = {"host": "hosts", "label": "labels", "dns": "dns", "storage-opt": "storage-opts",
             "log-opt": "log-opts", "exec-opt": "exec-opts", "insecure-registry": "insecure-registries",
             "registry-mirror": "registry-mirrors", "authorization-plugin": "authorization-plugins",
             "default-ulimit": "default-ulimits", "add-runtime": "runtimes"}


@dataclass(frozen=True)
class Flag:
    name: str  # canonical long name: "log-level"
    value: str  # "true" for a bare boolean
    words: Tuple[Word, ...]  # the words that make it, where they were written

    @property
    def json_key(self) -> str:
        return JSON_KEYS.get(self.name, self.name)


GO_TRUE, GO_FALSE = ("1", "t", "T", "TRUE", "true", "True"), ("0", "f", "F", "FALSE", "false", "False")  # strconv.ParseBool


def go_bool(value: str) -> str:
    """A boolean flag's value as dockerd reads it (pflag, Go's ParseBool): "true" or "false"; as written
    where ParseBool refuses it (dockerd then refuses to start)."""
    return "true" if value in GO_TRUE else "false" if value in GO_FALSE else value


def parse_flags(words: Sequence[Word]) -> List[Flag]:
    """dockerd's flags in every form pflag accepts: --flag=value, --flag value,
    -l value, -lvalue, -l=value, -D, and shorthands grouped (-Dl info: -D, then
    -l info); booleans take a value only with `=`, read by Go's ParseBool."""
    flags: List[Flag] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if text.startswith("--"):
            name, has_value, value = text[2:].partition("=")
            parsed = [(ALIASES.get(name, name), value if has_value else None)]
        elif text.startswith("-"):
            parsed = _shorthands(text[1:])
        else:
            continue  # not a flag: dockerd takes no arguments
        for name, value in parsed:
            consumed = [word]
            if value is not None:
                if name in BOOLEAN_FLAGS:
                    value = go_bool(value)
            elif name in BOOLEAN_FLAGS or (name not in VALUE_FLAGS and index < len(words) and words[index].text.startswith("-")):
                value = "true"  # a boolean; one this list does not know (a newer dockerd's) is told by the flag after it
            elif index < len(words):  # the last of grouped shorthands (the others are booleans) takes the next word
                value = words[index].text
                consumed.append(words[index])
                index += 1
            else:
                value = ""
            flags.append(Flag(name, value, tuple(consumed)))
    return flags


def _shorthands(letters: str) -> List[Tuple[str, Optional[str]]]:
    """(name, the value given or None) of each shorthand in "-Dl", "-linfo", "-D=false"."""
    found: List[Tuple[str, Optional[str]]] = []
    while letters:
        name, rest = SHORT_FLAGS.get(letters[0], letters[0]), letters[1:]
        if rest.startswith("="):
            found.append((name, rest[1:]))
            break
        if name in BOOLEAN_FLAGS:
            found.append((name, None))
            letters = rest
            continue
        found.append((name, rest or None))
        break
    return found


class DaemonJsonError(HostError):
    pass


# The types dockerd's configuration struct gives daemon.json's members: a member
# of another type stops dockerd at start ("json: cannot unmarshal ...").
_BOOL, _STRING, _INTEGER, _STRINGS, _OBJECT = "a boolean (true or false)", "a string", "an integer", "a list of strings", "an object"
JSON_TYPES = {
    **dict.fromkeys(("icc", "iptables", "ip6tables", "ip-forward", "ip-masq", "userland-proxy", "debug", "live-restore",
                     "experimental", "no-new-privileges", "selinux-enabled", "init", "ipv6", "raw-logs", "tls", "tlsverify"), _BOOL),
    **dict.fromkeys(("log-level", "storage-driver", "data-root", "exec-root", "log-driver", "cgroup-parent", "userns-remap",
                     "seccomp-profile", "tlscacert", "tlscert", "tlskey", "default-runtime", "pidfile", "group", "bridge",
                     "bip", "fixed-cidr", "default-gateway", "ip", "containerd"), _STRING),
    **dict.fromkeys(("mtu", "max-concurrent-downloads", "max-concurrent-uploads", "max-download-attempts", "shutdown-timeout"), _INTEGER),
    **dict.fromkeys(("hosts", "insecure-registries", "registry-mirrors", "storage-opts", "exec-opts", "authorization-plugins",
                     "dns", "dns-opts", "dns-search", "labels"), _STRINGS),
    **dict.fromkeys(("log-opts", "default-ulimits", "runtimes"), _OBJECT),
}


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INTEGER
    if isinstance(value, str):
        return _STRING
    if isinstance(value, list):
        return _STRINGS if all(isinstance(item, str) for item in value) else "a list"
    if isinstance(value, dict):
        return _OBJECT
    return "a number"  # JSON's last kind: null is left to dockerd's default (check_types)


def check_types(host: Host, path: str, settings: Dict[str, object]) -> None:
    for key, value in settings.items():
        wanted = JSON_TYPES.get(key)
        if wanted is None or value is None:  # a member harden does not judge; null: dockerd's default
            continue
        found = _json_type(value)
        if found != wanted:
            shown = host.display(path)
            raise DaemonJsonError(f'{shown}: "{key}" is {found} ({json.dumps(value)}), but dockerd wants {wanted}; '
                                  "dockerd will not start with this file", reason="daemon_json_type", target=key,
                                  evidence={"path": shown, "key": key, "found": found, "value": json.dumps(value), "wanted": wanted})


def load_daemon_json(host: Host, path: str, user: Optional[int] = None) -> Tuple[Optional[str], Dict[str, object]]:
    """The text of daemon.json and its settings, in file order. A missing or
    empty file means no settings, as dockerd reads it; invalid JSON is an error
    naming the line and column. A user's (`user`, their uid) is read only while it is theirs alone."""
    text = host.read_text(path, user)
    if text is None or not text.strip():
        return text, {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DaemonJsonError(f"{host.display(path)}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}; "
                              "dockerd will not start with it either", reason="daemon_json_invalid", target=path,
                              evidence={"path": host.display(path), "line": error.lineno, "column": error.colno,
                                        "error": error.msg}) from None
    if not isinstance(data, dict):
        raise DaemonJsonError(f"{host.display(path)}: not a JSON object; dockerd will not start with it either", reason="daemon_json_not_object", target=path,
                              evidence={"path": host.display(path)})
    check_types(host, path, data)
    return text, data


@dataclass(frozen=True)
class DockerdConfig:
    """What dockerd gets at its next start."""

    unit_file: Optional[str]
    command: Optional[Command]
    flags: Tuple[Flag, ...]
    json_path: str
    json_text: Optional[str]
    json: Dict[str, object] = field(default_factory=dict)
    json_known: bool = True  # False: daemon.json changed since dockerd started, what it loaded is not known
    activation: Tuple[Tuple[str, str], ...] = ()  # (address, where) docker.socket hands the system's dockerd for -H fd://
    user: Optional[int] = None  # a user's rootless dockerd (their uid); None for the system's
    plain_api: Tuple[str, ...] = ()  # live: TCP addresses where the running dockerd answers the Engine API without TLS now

    def flag(self, name: str) -> Optional[Flag]:
        found = [flag for flag in self.flags if flag.name == name]
        return found[-1] if found else None  # the last one given wins

    @property
    def runs_dockerd(self) -> bool:
        """Whether the unit's ExecStart runs dockerd itself (not an init script that starts it)."""
        return runs_dockerd(self.command)

    def arguments(self) -> List[Word]:
        """The words of dockerd's command line that are neither a flag nor a flag's value (`false` in
        `--iptables false`: a boolean flag takes its value only with =). dockerd accepts no arguments: it
        prints its usage and does not start."""
        if not self.runs_dockerd:
            return []
        used = {id(word) for flag in self.flags for word in flag.words}
        return [word for word in self.command.words[1:] if id(word) not in used]

    def conflicts(self) -> List[str]:
        """Options set both as a flag and in daemon.json: dockerd refuses to start."""
        return sorted({flag.name for flag in self.flags if flag.json_key in self.json})


def runs_dockerd(command: Optional[Command]) -> bool:
    """Whether a unit's ExecStart runs dockerd itself (not an init script that starts it)."""
    return bool(command and command.words) and posixpath.basename(command.words[0].text) in DOCKERD_NAMES


def dockerd_config(host: Host) -> Optional[DockerdConfig]:
    """None where docker.service does not exist."""
    unit = load_unit(host, "docker.service")
    if unit.fragment is None:
        return None
    found = running_dockerd(host) if host.live else None
    return replace(config_from(host, unit, DAEMON_JSON), activation=activation_addresses(host),
                   plain_api=plain_api_addresses(host, found[0]) if found else ())


def activation_addresses(host: Host) -> Tuple[Tuple[str, str], ...]:
    """The sockets docker.socket hands dockerd, which serves them for -H fd://: each ListenStream= (an empty one
    resets the list) as dockerd names an address, and where it is written."""
    if unit_file(host, "docker.socket") is None:
        return ()
    unit = load_unit(host, "docker.socket")
    return tuple((listen_address(setting.value), f"{setting.path}:{setting.line}") for setting in unit.values("Socket", "ListenStream"))


def listen_address(value: str) -> str:
    """A ListenStream= value (systemd.socket(5)) as an address: a path or an @abstract name is a unix socket,
    vsock:CID:PORT a VM socket; a port alone listens on every address, else ADDRESS:PORT or [IPv6]:PORT."""
    value = value.strip().replace("%t", "/run").replace("%%", "%")  # the system manager's runtime directory
    if value.startswith(("/", "@")):
        return f"unix://{value}"
    if value.startswith("vsock:"):
        return f"vsock://{value[len('vsock:'):]}"
    if value.isdigit():
        return f"tcp://*:{value}"
    return f"tcp://{value}"


def config_from(host: Host, unit: Unit, default_json: str) -> DockerdConfig:
    """The configuration a dockerd unit gives: its ExecStart's flags, and the daemon.json they name (else `default_json`).
    A user's unit (unit.user) has its daemon.json read only where that file is the user's alone."""
    command = exec_start(host, unit)
    flags: List[Flag] = []
    if runs_dockerd(command):
        flags = parse_flags(command.words[1:])
    config_file = next((flag.value for flag in reversed(flags) if flag.name == "config-file"), default_json)  # the last wins
    host.check_users_file(config_file, unit.user)
    text, settings = load_daemon_json(host, config_file, unit.user)
    return DockerdConfig(unit.fragment, command, tuple(flags), config_file, text, dict(settings), user=unit.user)


def running_config(host: Host) -> Optional[DockerdConfig]:
    """What the running dockerd got: its command line, and daemon.json when the
    file has not changed since it started. None when no dockerd runs here."""
    if not host.live:
        return None
    found = running_dockerd(host)
    config = running_from(host, found[0], DAEMON_JSON) if found is not None else None
    return replace(config, activation=activation_addresses(host)) if config is not None else None


def running_from(host: Host, pid: int, default_json: str, user: Optional[int] = None) -> Optional[DockerdConfig]:
    """What the dockerd of this pid got; None when it is gone. A user's dockerd (`user`, their uid) has
    its daemon.json read only where that file is the user's alone."""
    try:
        cmdline = host.read_bytes(f"/proc/{pid}/cmdline") or b""
    except HostError:
        return None
    argv = [arg.decode(errors="replace") for arg in cmdline.split(b"\0") if arg]
    if not argv:
        return None
    flags = parse_flags([Word(arg, f"/proc/{pid}/cmdline", 0) for arg in argv[1:]])
    config_file = next((flag.value for flag in reversed(flags) if flag.name == "config-file"), default_json)  # the last wins
    host.check_users_file(config_file, user)
    text, settings = load_daemon_json(host, config_file, user)
    info = host.lstat(host.resolve(config_file))
    started = started_at(host, pid)
    known = info is None or (started is not None and info.st_mtime <= started)
    return DockerdConfig(None, None, tuple(flags), config_file, text, dict(settings) if known else {}, json_known=known, user=user,
                         plain_api=plain_api_addresses(host, pid))


def config_of(host: Host) -> Optional[DockerdConfig]:
    """dockerd_config, read once per run."""
    return host.fact("dockerd_config", lambda: dockerd_config(host))


def running_of(host: Host) -> Optional[DockerdConfig]:
    """running_config, read once per run."""
    return host.fact("dockerd_running", lambda: running_config(host))


def live_restore_on(running: Optional[DockerdConfig], config: Optional[DockerdConfig]) -> bool:
    """Whether live-restore is on in what the running dockerd got, else in what it will get."""
    for source in (running, config):
        if source is not None:
            flag = source.flag("live-restore")
            value = flag.value if flag is not None else source.json.get("live-restore")
            if str(value).lower() == "true":
                return True
    return False
