"""The words harden shows that are not an item's own: statuses, shared
reasons, the sentences of the command line and the words of the HTML pages.
English and Chinese, every one a Text: the one way harden translates."""
from __future__ import annotations

import os

from .model import Remedy, Status, Text



def default_language() -> str:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


STATUS = {
    Status.PASS: Text("pass", "通过"),
    Status.FAIL: Text("fail", "不合规"),
    Status.MANUAL: Text("manual", "需手动"),
    Status.NOT_APPLICABLE: Text("n/a", "不适用"),
    Status.WAIVED: Text("waived", "已豁免"),
    Status.ERROR: Text("error", "错误"),
}

REASONS = {
    "compliant": Text("compliant", "合规"),
    "not_installed": Text("not installed on this host", "此主机未安装"),
    "masked": Text("the unit is masked (a link to /dev/null)", "该单元已被屏蔽（指向 /dev/null）"),
    "host_error": Text("{message}", "{message}"),
    "daemon_json_type": Text('{path}: "{key}" is {found}, but dockerd wants {wanted}: dockerd will not start with this file',
                             '{path}："{key}" 为 {found}，而 dockerd 需要 {wanted}：dockerd 无法以此文件启动'),
    "unit_no_exec_start": Text("{where}: {unit} has no ExecStart= left: systemd refuses to start it",
                               "{where}：{unit} 没有剩余的 ExecStart=：systemd 将拒绝启动它"),
    "unit_many_exec_start": Text("{where}: {unit} has {count} ExecStart= commands in a Type={type} service "
                                 "(only Type=oneshot may have several): systemd refuses to start it",
                                 "{where}：{unit} 是 Type={type} 服务却有 {count} 条 ExecStart= 命令（仅 Type=oneshot 允许多条）：systemd 将拒绝启动它"),
    "apply_only_when_named": Text(
        "applied only when named: harden apply --only {item}",
        "仅在明确指定时加固：harden apply --only {item}",
    ),
    "waived": Text("waived: {why}", "已豁免：{why}"),
    "waiver_expired": Text("the waiver expired on {expires}: {why}", "豁免已于 {expires} 过期：{why}"),
}

UI = {
    "plan_summary": Text(
        "Plan: {change} to change, {manual} manual, {compliant} compliant, {not_applicable} not applicable",
        "计划：{change} 项待修改，{manual} 项需手动处理，{compliant} 项合规，{not_applicable} 项不适用",
    ),
    "check_summary": Text(
        "Check: {failing} failing, {manual} manual, {compliant} compliant, {not_applicable} not applicable",
        "检查：{failing} 项不合规，{manual} 项需手动处理，{compliant} 项合规，{not_applicable} 项不适用",
    ),
    "errors_summary": Text("{errors} could not be checked", "{errors} 项无法检查"),
    "advice": Text("advice", "加固建议"),
    "impact": Text("impact", "影响"),
    "nothing_to_do": Text("Nothing to change.", "无需修改。"),
    "applied": Text("Applied {count} change(s) in run {run_id}.", "已执行 {count} 项修改，运行编号 {run_id}。"),
    "undo_hint": Text("Undo with: harden rollback {run_id}", "撤销：harden rollback {run_id}"),
    "rolled_back": Text("Rolled back run {run_id}: {count} change(s) undone.", "已回滚运行 {run_id}：撤销 {count} 项修改。"),
    "rollback_preview": Text("Rollback of run {run_id} would restore:", "回滚运行 {run_id} 将恢复："),
    "drift_saved": Text("The changed version of {path} is kept at {saved}", "{path} 被改动后的版本保存在 {saved}"),
    "confirm_apply": Text("Apply these changes?", "执行以上修改？"),
    "confirm_rollback": Text("Roll back run {run_id}?", "回滚运行 {run_id}？"),
    "no_runs": Text("No runs recorded.", "没有运行记录。"),
    "newest_rolled_back": Text("The newest run, {run_id}, is rolled back already: nothing to roll back.",
                               "最新的运行 {run_id} 已回滚：没有需要回滚的内容。"),
    "not_restored": Text("not restored: {what}", "未恢复：{what}"),
    "keeps": Text("keeps aside for rollback: {containers} (removed with the run by history --prune)",
                  "为回滚保留：{containers}（history --prune 删除该运行时一并删除）"),
    "pruned": Text("Removed {count} old run(s).", "已删除 {count} 条旧运行记录。"),
    "after_apply": Text("After apply:", "加固后："),
    "owner_mode": Text("owner/mode {before} -> {after}", "属主/权限 {before} -> {after}"),
    "run": Text("{target}: run {command}", "{target}：执行 {command}"),
    "undo_with": Text("  rollback runs: {command}", "  回滚时执行：{command}"),
    "managed": Text("defined by {managed_by} {where}: change it there", "由 {managed_by} {where} 定义：请在那里修改"),
    "recreate": Text("recreate without it: {command}", "不带该设置重新创建：{command}"),
    "restart": Text("then: {commands}", "然后：{commands}"),
    "serves": Text("for {items}:", "用于 {items}："),
    "planned_with": Text("changed together with {items} (shown there)", "与 {items} 一并修改（见该项）"),
    "new_file": Text("new file {path}", "新文件 {path}"),
    "restore_file": Text("restore {path}", "恢复 {path}"),
    "remove_file": Text("remove {path}", "删除 {path}"),
    "header": Text("harden: Docker security baseline on {root}", "harden：Docker 安全基线，主机 {root}"),
}

REMEDY = {
    Remedy.AUTO: Text("automatic", "自动"),
    Remedy.MANUAL: Text("manual", "手动"),
    Remedy.WHEN_NAMED: Text("when named", "需指定"),
}

PAGE = {
    "fleet_title": Text("Docker security baseline: fleet", "Docker 安全基线：主机群"),
    "hosts": Text("hosts", "台主机"),
    "items": Text("items", "个检查项"),
    "host": Text("host", "主机"),
    "failing": Text("failing", "不合规"),
    "manual": Text("manual", "需手动"),
    "title": Text("Docker security baseline", "Docker 安全基线"),
    "command": Text("command", "命令"),
    "run": Text("run", "运行"),
    "advice": Text("advice", "加固建议"),
}
PAGE_COUNTS = (("to_change", Text("to change", "待修改")), ("failing", Text("failing", "不合规")), ("manual", Text("manual", "需手动")),
               ("compliant", Text("compliant", "合规")), ("not_applicable", Text("not applicable", "不适用")),
               ("error", Text("errors", "错误")))
PAGE_GROUPS = (("fail", Text("Failing", "不合规")), ("error", Text("Errors", "错误")), ("manual", Text("Manual", "需手动处理")),
               ("waived", Text("Waived", "已豁免")), ("pass", Text("Compliant", "合规")), ("not_applicable", Text("Not applicable", "不适用")))
