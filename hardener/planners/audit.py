"""The audit rules: every watch wanted, in one file of harden's or one marked
block, loaded once.

Where augenrules is in use, the rules go into a file of harden's own under
/etc/audit/rules.d and `augenrules --load` compiles them into audit.rules (the
journal keeps audit.rules and audit.rules.prev as they were). Elsewhere a
marked block is added to audit.rules (and rules.d/audit.rules where it exists)
and loaded with auditctl. Rollback unloads exactly the rules it added."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

from ..facts.audit import AUDIT_RULES, RULES_D, audit_state
from ..model import Change, Intent, RunCommand, WriteFile
from ..templates import render
from . import Planned, planner, serving

OUR_RULES = f"{RULES_D}/hardener-docker.rules"
ADMIN_RULES = f"{RULES_D}/audit.rules"
BEGIN, END = "## BEGIN harden: Docker files (audit-docker-files)", "## END harden"
PERMISSIONS, KEY = "rwxa", "docker"


@dataclass(frozen=True)
class AuditWatch(Intent):
    path: str
    stored: bool  # already in the stored rules: only to be loaded


def rule(path: str) -> Tuple[str, ...]:
    return ("-w", path, "-p", PERMISSIONS, "-k", KEY)


@planner(AuditWatch)
def plan_audit_rules(host, wanted, options) -> Planned:
    state = audit_state(host)
    items = serving(wanted)
    missing = list(dict.fromkeys(intent.path for _, intent in wanted if not intent.stored))
    unloaded = list(dict.fromkeys(intent.path for _, intent in wanted if intent.stored))
    stored = {watch.path: watch for watch in state.stored if watch.sufficient}
    unload = [("auditctl", "-W", *rule(p)[1:]) for p in missing] + [stored[p].unload for p in unloaded if p in stored]
    changes: List[Change] = []
    if state.augenrules:
        ours = [w.path for w in state.stored if w.source.startswith(OUR_RULES + ":")]
        paths = ours + [path for path in missing if path not in ours]
        if missing:
            changes.append(WriteFile(OUR_RULES, render("audit/hardener-docker.rules.j2", rules=[rule(p) for p in paths]), items=items))
        if host.live and not state.immutable:
            changes.append(RunCommand("audit rules", ("augenrules", "--load"), tuple(unload),
                                      rewrites=(AUDIT_RULES, AUDIT_RULES + ".prev"), items=items))
        return Planned(changes)
    if missing:
        block = render("audit/docker-block.rules.j2", begin=BEGIN, end=END, rules=[rule(p) for p in missing])
        for path in (AUDIT_RULES, ADMIN_RULES):
            text = host.read_text(path)
            if text is not None or path == AUDIT_RULES:
                text = text or ""
                changes.append(WriteFile(path, text + ("" if not text or text.endswith("\n") else "\n") + block, items=items))
    if host.live and not state.immutable:
        changes += [RunCommand(f"audit rule {p}", ("auditctl", *rule(p)), (("auditctl", "-W", *rule(p)[1:]),), items=items)
                    for p in missing + unloaded]
    return Planned(changes)
