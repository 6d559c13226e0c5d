"""A check's report in the Prometheus text format, for node_exporter's textfile collector: each reference's
status, the items and findings by status (and severity), the drift, when it ran and which harden ran it."""
from __future__ import annotations

import os
import time
from typing import Dict, Tuple

from .host import FileState, Host
from .model import SEVERITIES, Status
from .templates import render


def _label(value: object) -> str:
    """A label's value as the text format quotes it."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics_text(document: dict, now: float) -> str:
    statuses = [status.value for status in Status]
    items = {status: sum(1 for item in document["items"] if item["status"] == status) for status in statuses}
    findings: Dict[Tuple[str, str], int] = {(status, severity): 0 for status in statuses for severity in SEVERITIES}
    for item in document["items"]:
        for finding in item["findings"]:
            key = (finding["status"], finding.get("severity") or SEVERITIES[0])
            findings[key] = findings.get(key, 0) + 1
    return render("metrics/harden.prom.j2", profile=_label(document["profile"]), version=_label(document.get("version") or "unknown"), statuses=statuses,
                  severities=SEVERITIES, items=items, findings=findings, drift=len(document.get("drift") or ()), now=now,
                  references=[(_label(entry["id"]), entry["status"]) for entry in document["recommendations"]])


def write_metrics(host: Host, path: str, document: dict) -> None:
    """Atomically, as harden writes every file (a hidden temporary file beside it, which the collector, reading *.prom
    only, never sees; synced, renamed), owned by whoever runs harden and 0644 whatever was there: the collector, which
    is not root, reads it."""
    host.write_file(path, metrics_text(document, time.time()).encode(),
                    state=FileState(exists=True, uid=os.geteuid(), gid=os.getegid(), mode=0o644))
