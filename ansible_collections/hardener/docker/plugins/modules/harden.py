#!/usr/bin/python
# Copyright: hardener's authors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""Run harden on a host and hand its report back.

Unlike a command task it runs under --check (as harden's dry run), returns
harden's diffs for --diff, says changed only when apply or rollback really
changed something, and fails the host with harden's one-line error (exit 1, 3,
4 or 5; exit 2, items left manual or failing, is not a failure).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: harden
short_description: Harden a Docker host to the Alibaba Cloud Docker baseline, or roll it back
description:
  - Runs C(harden) on the host - check, dry run, apply or rollback - and returns its JSON report.
  - Under C(--check) it runs harden's dry run and changes nothing; with C(--diff) it returns the diff of every planned change.
  - C(changed) is true only when apply or rollback changed the host; a second apply reports no change.
  - Exit 2 of harden (items still failing or needing a manual step) is not a failure; its errors (exit 1, 3, 4, 5) fail
    the host with harden's one-line message, and the result still carries a report.
version_added: "0.1.0"
author:
  - hardener's authors (!UNKNOWN)
requirements:
  - harden on the host (the collection's playbook installs it from its bundle)
attributes:
  check_mode:
    support: full
    description: Runs harden's dry run.
  diff_mode:
    support: full
    description: Returns the diff of every change harden plans.
options:
  mode:
    description:
      - C(check) detects only, C(dry-run) shows the plan, C(apply) carries it out, C(rollback) undoes a run.
    type: str
    choices: [check, dry-run, apply, rollback]
    default: check
  profile:
    description:
      - The items - C(aliyun), the Alibaba Cloud Docker baseline (harden's default), C(cis), every recommendation of the
        CIS Docker Benchmark 1.8.0, or the path of a profile file on the host (C(--profile)).
    type: str
  profile_src:
    description:
      - A profile file on the controller (a path, or a name found in the play's C(files/)), carried to the host for
        this task alone and used as its profile; the module writes it into a directory of its own, root's when the
        task becomes root, as harden wants a profile to be, and removes it afterwards. Give it or O(profile), not both.
    type: path
  profile_content:
    description:
      - The text of O(profile_src), which the controller's side of this module reads and passes here; not set by hand.
    type: str
  fail_on:
    description:
      - Which findings make harden's exit code 2 (C(--fail-on)), returned as RV(exit_code) - C(failing) and/or
        C(manual), and the lowest severity counted (C(low), C(medium), C(high)); harden's default counts every failing
        or manual item.
    type: list
    elements: str
  only:
    description: Only these item ids.
    type: list
    elements: str
  skip:
    description: Leave these item ids out.
    type: list
    elements: str
  run_id:
    description:
      - The run C(rollback) undoes, under C(--check) too; the newest run not rolled back yet when not given.
    type: str
  root:
    description: The host tree harden works on (C(--root)); no service is touched when it is not C(/).
    type: path
    default: /
  config:
    description: A config file on the host (C(--config)); default C(/etc/hardener/config.toml) under I(root).
    type: path
  recreate:
    description:
      - Apply and dry run - recreate containers to fix the container items (C(--recreate)); they are stopped meanwhile.
    type: bool
    default: false
  live_restore:
    description:
      - Apply and dry run - turn dockerd's live-restore on first, through a reload, so containers keep running
        across the daemon's restart (C(--live-restore)).
    type: bool
    default: false
  no_restart:
    description:
      - Apply and dry run - write the daemon's files and restart nothing; those items stay C(pending_restart)
        (C(--no-restart)).
    type: bool
    default: false
  via:
    description:
      - Where the daemon items put the dockerd options they want - C(daemon-json) (harden's default) or the unit's ExecStart.
    type: str
    choices: [daemon-json, execstart]
  containers:
    description:
      - Container items only for these containers, each a name pattern or C(label=KEY[=VALUE]) (C(--container)).
    type: list
    elements: str
  lang:
    description:
      - The language of the report's words (C(--lang)) - C(en) or C(zh); harden's default follows the host's locale,
        which the module sets to C(C.UTF-8), so English.
    type: str
    choices: [en, zh]
  executable:
    description: The harden command on the host.
    type: path
    default: harden
"""

EXAMPLES = r"""
- name: Check a host against the baseline
  hardener.docker.harden:
    mode: check
  register: baseline

- name: Apply, keeping containers running across dockerd's restart, and recreate bad containers
  hardener.docker.harden:
    mode: apply
    live_restore: true
    recreate: true
    containers:
      - label=com.example.tier=web
    executable: /opt/hardener/bin/harden

- name: Undo a run
  hardener.docker.harden:
    mode: rollback
    run_id: 20261129T101500Z-3f2a
"""

RETURN = r"""
report:
  description: harden's JSON report (schemas/report.schema.json in hardener), or host, error and no items when harden failed.
  returned: always
  type: dict
  sample: {"command": "apply", "host": "web-01", "run_id": "20261129T101500Z-3f2a", "changed": true, "items": []}
exit_code:
  description: harden's exit code (0 compliant or done, 2 items left failing or manual, 1 and 3-5 its errors).
  returned: always
  type: int
  sample: 2
cmd:
  description: The command line harden ran with.
  returned: always
  type: list
  elements: str
  sample: ["/opt/hardener/bin/harden", "check", "--root", "/", "--format", "json"]
"""

import json
import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

FAILURES = (1, 3, 4, 5)


def command(params, check_mode):
    mode = params["mode"]
    dry_run = check_mode or mode == "dry-run"
    if mode == "check":
        args = ["check"]
    elif mode == "rollback":
        args = ["rollback"] + (["--dry-run"] if dry_run else ["--yes"]) + ([params["run_id"]] if params["run_id"] else [])
    else:
        args = ["apply"] + (["--dry-run"] if dry_run else ["--yes"])
        for option in ("recreate", "live_restore", "no_restart"):
            if params[option]:
                args.append("--" + option.replace("_", "-"))
    args += ["--root", params["root"], "--format", "json"]
    for option in ("only", "skip", "fail_on"):
        if params[option]:
            args += ["--" + option.replace("_", "-"), ",".join(params[option])]
    for container in params["containers"] or []:
        args += ["--container", container]
    for option in ("profile", "config", "via", "lang"):
        if params[option]:
            args += ["--" + option, params[option]]
    return [params["executable"]] + args, dry_run


def diffs(report):
    found = []
    for item in report.get("items", []):
        for change in item.get("changes", []):
            if change["kind"] == "write_file":
                found.append({"before_header": change["target"], "after_header": change["target"], "prepared": change["diff"]})
            elif change["kind"] == "set_owner_mode":
                found.append({"before_header": change["target"], "after_header": change["target"],
                              "before": "{owner} {mode}\n".format(**change["before"]), "after": "{owner} {mode}\n".format(**change["after"])})
            else:
                found.append({"prepared": "{0}: {1}".format(change["target"], " ".join(change.get("command") or sum(change.get("commands", []), [])))})
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mode=dict(type="str", default="check", choices=["check", "dry-run", "apply", "rollback"]),
            profile=dict(type="str"),
            profile_src=dict(type="path"),
            profile_content=dict(type="str"),
            fail_on=dict(type="list", elements="str"),
            only=dict(type="list", elements="str"),
            skip=dict(type="list", elements="str"),
            run_id=dict(type="str"),
            root=dict(type="path", default="/"),
            config=dict(type="path"),
            recreate=dict(type="bool", default=False),
            live_restore=dict(type="bool", default=False),
            no_restart=dict(type="bool", default=False),
            via=dict(type="str", choices=["daemon-json", "execstart"]),
            containers=dict(type="list", elements="str"),
            lang=dict(type="str", choices=["en", "zh"]),
            executable=dict(type="path", default="harden"),
        ),
        supports_check_mode=True,
    )
    params, carried = dict(module.params), None
    if params["profile_content"] is not None:  # profile_src, read on the controller
        carried = tempfile.mkdtemp(prefix="harden-profile-")
        params["profile"] = os.path.join(carried, "profile.toml")
        with os.fdopen(os.open(params["profile"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as profile:
            profile.write(params["profile_content"])
    try:
        args, dry_run = command(params, module.check_mode)
        rc, out, err = module.run_command(args, environ_update={"LANG": "C.UTF-8"})
    finally:
        if carried is not None:
            shutil.rmtree(carried, ignore_errors=True)
    if rc in FAILURES or rc not in (0, 2):
        message = (err.strip().splitlines() or ["harden exited {0}".format(rc)])[-1]
        module.fail_json(msg=message, exit_code=rc, cmd=args, report={"host": module.params["root"], "error": message, "items": []})
    report = json.loads(out)
    if module.params["mode"] == "rollback":
        changed = bool(report.get("restore")) if dry_run else bool(report.get("changed"))
    elif dry_run:
        changed = any(item.get("changes") for item in report.get("items", []))
    else:
        changed = bool(report.get("changed"))
    result = dict(changed=changed, exit_code=rc, report=report, cmd=args)  # not "rc": Ansible fails a task on a non-zero rc
    if module._diff and module.params["mode"] in ("apply", "dry-run"):
        result["diff"] = diffs(report)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
