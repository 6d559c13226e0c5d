#!/usr/bin/python
"""Ansible module: run harden on a host and hand its report back.

Unlike a `command` task it runs under `--check` (as `harden --dry-run`),
returns harden's diffs for `--diff`, says `changed` only when apply or
rollback really changed something, and fails the host with harden's one-line
error (exit 1, 3, 4 or 5; exit 2, items left manual or failing, is not a failure).
"""
from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: harden
short_description: Harden a Docker host to the Alibaba Cloud Docker baseline, or roll it back
options:
  mode: {description: check, dry-run, apply or rollback, choices: [check, dry-run, apply, rollback], default: check}
  only: {description: item ids, type: list, elements: str}
  skip: {description: item ids to leave out, type: list, elements: str}
  run_id: {description: the run to roll back (default the newest), type: str}
  root: {description: the host tree harden works on (--root), type: str, default: /}
  config: {description: config file on the host (--config), type: str}
  executable: {description: the harden command, type: str, default: harden}
"""

FAILURES = (1, 3, 4, 5)


def command(params, check_mode):
    mode = params["mode"]
    dry_run = check_mode or mode == "dry-run"
    if mode in ("check",):
        args = ["check"]
    elif mode == "rollback":
        args = ["rollback", "--dry-run"] if dry_run else ["rollback", "--yes"] + ([params["run_id"]] if params["run_id"] else [])
    else:
        args = ["apply", "--dry-run"] if dry_run else ["apply", "--yes"]
    args += ["--root", params["root"], "--format", "json"]
    for option in ("only", "skip"):
        if params[option]:
            args += [f"--{option}", ",".join(params[option])]
    if params["config"]:
        args += ["--config", params["config"]]
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
                found.append({"prepared": "{}: {}".format(change["target"], " ".join(change.get("command") or sum(change.get("commands", []), [])))})
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            mode=dict(type="str", default="check", choices=["check", "dry-run", "apply", "rollback"]),
            only=dict(type="list", elements="str"),
            skip=dict(type="list", elements="str"),
            run_id=dict(type="str"),
            root=dict(type="str", default="/"),
            config=dict(type="str"),
            executable=dict(type="str", default="harden"),
        ),
        supports_check_mode=True,
    )
    args, dry_run = command(module.params, module.check_mode)
    rc, out, err = module.run_command(args, environ_update={"LANG": "C.UTF-8"})
    if rc in FAILURES or rc not in (0, 2):
        message = (err.strip().splitlines() or ["harden exited {}".format(rc)])[-1]
        module.fail_json(msg=message, rc=rc, cmd=args, report={"host": module.params["root"], "error": message, "items": []})
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
