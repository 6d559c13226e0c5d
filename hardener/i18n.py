"""The words harden shows that are not an item's own: statuses, shared
reasons, the sentences of the command line and the words of the HTML pages.
English and Chinese, every one a Text: the one way harden translates."""
from __future__ import annotations

from .model import Remedy, Status, Text


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
    "no_swarm": Text("this node is not in a swarm", "本节点未加入 swarm"),
    "not_live": Text("read from a running Docker engine; under --root none is queried",
                     "此项信息来自运行中的 Docker 引擎；--root 模式下不查询引擎"),
    "host_error": Text("{message}", "{message}"),
    "engine_down": Text("the Docker engine does not answer at {address}: start docker, then run harden again",
                        "Docker 引擎在 {address} 没有应答：请启动 docker，然后重新运行 harden"),
    "daemon_json_type": Text('{path}: "{key}" is {found} ({value}), but dockerd wants {wanted}: dockerd will not start with '
                             'this file',
                             '{path}："{key}" 为{found}（{value}），而 dockerd 需要{wanted}：dockerd 无法以此文件启动'),
    "daemon_json_invalid": Text("{path}:{line}:{column}: not valid JSON: {error}; dockerd will not start with it either",
                                "{path}:{line}:{column}：不是有效的 JSON（{error}）；dockerd 也无法以此文件启动"),
    "daemon_json_not_object": Text("{path}: not a JSON object; dockerd will not start with it either",
                                   "{path}：不是 JSON 对象；dockerd 也无法以此文件启动"),
    "not_users": Text("it names {path}, which is not {user}'s alone ({blocker}): harden neither reads nor changes it; "
                      "point it at a file of {user}'s",
                      "它引用了 {path}，该文件并非仅属于 {user}（{blocker}）：harden 不读取也不修改它；请改为引用 {user} 自己的文件"),
    "unit_no_environment_file": Text("{path}, named by EnvironmentFile= in {where}, does not exist; the service cannot start",
                                     "{where} 中 EnvironmentFile= 指定的 {path} 不存在；该服务无法启动"),
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
    "partly_waived": Text("a waiver names {named}, not every reference of {item} ({refs}): it waives nothing; name the item, "
                          "or each of its references", "豁免只指定了 {named}，而不是 {item} 的全部参考项（{refs}）：不豁免任何内容；"
                          "请指定该检查项，或指定其全部参考项"),
    "waiver_expired": Text("the waiver expired on {expires}: {why}", "豁免已于 {expires} 过期：{why}"),
}

# What harden itself says in a finding where nothing on the host says anything, said in the reader's language: where
# an option is set ("default": set nowhere; a place is a path or a variable, never this word), and the values it shows
# for an option set nowhere (phrases no option's value is). A value the host gives ("userns-remap": "default") is
# shown as it is.
OWN_PLACES = {"default": Text("default", "默认")}
OWN_VALUES = {
    # the JSON types daemon.json's members have, and dockerd wants (facts.dockerd_config.JSON_TYPES)
    "a boolean (true or false)": Text("a boolean (true or false)", "布尔值（true 或 false）"),
    "a string": Text("a string", "字符串"), "an integer": Text("an integer", "整数"), "a number": Text("a number", "数字"),
    "a list of strings": Text("a list of strings", "字符串列表"), "a list": Text("a list", "列表"),
    "an object": Text("an object", "对象"),
    "(none)": Text("(none)", "（无）"),
    "(not set)": Text("(not set)", "（未设置）"),
    "Docker's default": Text("Docker's default", "Docker 默认配置"),
    "(chosen by dockerd)": Text("(chosen by dockerd)", "（由 dockerd 选择）"),
    "none set: containers inherit dockerd's own": Text("none set: containers inherit dockerd's own",
                                                       "未设置，容器继承 dockerd 自身的限制"),
}

SEVERITY_NAMES = {"low": Text("low", "低"), "medium": Text("medium", "中"), "high": Text("high", "高")}

UI = {
    "made_by": Text("harden {version}, {time}", "harden {version}，{time}"),
    "shared_error": Text("so {items} could not be checked: see to what the line says, then run harden again",
                         "因此 {items} 无法检查：请先处理该行所述问题，然后重新运行 harden"),
    "not_shown": Text("{compliant} compliant and {not_applicable} not applicable items are not shown (--all shows them)",
                      "未显示 {compliant} 项合规和 {not_applicable} 项不适用的检查项（--all 可显示）"),
    "rootless_finding": Text("{user}'s rootless dockerd: ", "{user} 的 rootless dockerd："),
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
    "colon": Text(": ", "："),
    "history_columns": Text("RUN STARTED STATE ITEMS", "运行 开始时间 状态 检查项"),
    "scheduled": Text("Scheduled: harden check runs {calendar} (run {run_id}; harden schedule --off removes it).",
                      "已计划：harden check 将按 {calendar} 运行（运行 {run_id}；harden schedule --off 可移除）。"),
    "scheduled_not_enabled": Text("Under --root the timer is written, not enabled.", "在 --root 下只写入定时器，不启用。"),
    "schedule_in_place": Text("The schedule is in place already: harden check runs {calendar}.",
                              "计划已就位：harden check 按 {calendar} 运行。"),
    "schedule_baseline": Text("first scheduled report of profile {profile}: its baseline", "配置 {profile} 的首份计划报告：作为基线"),
    "schedule_new_baseline": Text("the profile or the config changed since the last report (profile {before} -> {profile}): "
                                  "a new baseline", "自上份报告以来配置或基线已变化（基线 {before} -> {profile}）：重新作为基线"),
    "no_metrics_dir": Text("[schedule] metrics_dir {path} is not a directory here: no metrics written",
                           "[schedule] metrics_dir {path} 在此不是目录：未写入指标"),
    "metrics_not_written": Text("no metrics written: {error} (a metrics_dir named since harden schedule ran needs "
                                "harden schedule --off, then harden schedule)",
                                "未写入指标：{error}（harden schedule 之后才指定的 metrics_dir 需先 harden schedule --off，再 harden schedule）"),
    "scheduled_skipped": Text("scheduled check skipped: an apply or rollback of harden's is running",
                              "已跳过计划检查：harden 的 apply 或 rollback 正在运行"),
    "drift_header": Text("Drift: {count} of what harden's runs changed no longer holds what they left",
                         "偏离：harden 各次运行所做的修改中有 {count} 处已不再保持运行后的状态"),
    "drift_entry": Text("{target} (run {run}; {items}{refs})", "{target}（运行 {run}；{items}{refs}）"),
    "drift_refs": Text("; {refs}", "；{refs}"),
    "no_drift": Text("No drift: everything harden's runs changed holds what they left.",
                     "没有偏离：harden 各次运行所做的修改均保持运行后的状态。"),
    "drift_unsettled": Text("run {run} is {state}: what it changed is judged by its rollback, not here",
                            "运行 {run} 处于 {state} 状态：其修改由回滚判断，此处不判断"),
    "drift_unjudged": Text("the containers harden changed cannot be judged: {error}", "无法判断 harden 修改过的容器：{error}"),
    "newest_rolled_back": Text("The newest run, {run_id}, is rolled back already: nothing to roll back.",
                               "最新的运行 {run_id} 已回滚：没有需要回滚的内容。"),
    "not_restored": Text("not restored: {what}", "未恢复：{what}"),
    "recorded": Text("removed, and created again from its recorded configuration by rollback, without its writable layer: {containers}",
                     "已删除，回滚时按记录的配置重新创建（不含其可写层）：{containers}"),
    "keeps": Text("keeps aside for rollback: {containers} (removed with the run by history --prune)",
                  "为回滚保留：{containers}（history --prune 删除该运行时一并删除）"),
    "pruned": Text("Removed {count} old run(s).", "已删除 {count} 条旧运行记录。"),
    "after_apply": Text("After apply:", "加固后："),
    "owner_mode": Text("owner/mode {before} -> {after}", "属主/权限 {before} -> {after}"),
    "run": Text("{target}: run {command}", "{target}：执行 {command}"),
    "undo_with": Text("  rollback runs: {command}", "  回滚时执行：{command}"),
    "create": Text("{target}: create again through the Engine API from its own configuration{what}, changed in:",
                   "{target}：通过 Engine API 按其原有配置重新创建{what}，变更如下："),
    "and_start": Text(", and start", "并启动"),
    "connect": Text("  then connect it to: {networks}", "  然后连接到网络：{networks}"),
    "managed": Text("defined by {managed_by} {where}: change it there", "由 {managed_by} {where} 定义：请在那里修改"),
    "recreate": Text("recreate without it: {command}", "不带该设置重新创建：{command}"),
    "restart": Text("then: {commands}", "然后：{commands}"),
    "serves": Text("for {items}:", "用于 {items}："),
    "planned_with": Text("changed together with {items} (shown there)", "与 {items} 一并修改（见该项）"),
    "new_file": Text("new file {path}", "新文件 {path}"),
    "restore_file": Text("restore {path}", "恢复 {path}"),
    "remove_file": Text("remove {path}", "删除 {path}"),
    "header": Text("harden: {title} on {root}", "harden：{title}，主机 {root}"),
    "by_recommendation": Text("By recommendation: {met} of {total} met or not applicable{not_met}",
                              "按建议项：{total} 项中 {met} 项符合或不适用{not_met}"),
    "not_met": Text("; not met:", "；不符合的："),
}

# click's own usage errors, which it words in English: each English pattern and its Chinese, applied in turn to the
# message (what matches none stays as click said it)
CLICK_ZH = (  # click 8.2 on quotes what it names and ends with a full stop; 8.1 and 8.0 do not
    (r"No such option '([^']*)'\.", r"没有选项 '\1'。"),
    (r"No such option: (\S+)", r"没有选项 \1。"),
    (r"No such command '([^']*)'\.", r"没有命令 '\1'。"),
    (r"\(Did you mean one of: (.*)\?\)", r"（是否想用其中之一：\1？）"),
    (r"Did you mean (\S+?)\?", r"是否想用 \1？"),
    (r"Invalid value for (.+?): (.+) is not one of (.*)\.$", r"\1 的值无效：\2 不是 \3 之一"),
    (r"Invalid value for (.+?): (.+) is not a valid integer( range)?\.$", r"\1 的值无效：\2 不是有效的整数"),
    (r"Invalid value for (.+?): (.+) is not ('[^']*')\.$", r"\1 的值无效：\2 不是 \3"),
    (r"Invalid value for (.+?): ", r"\1 的值无效："),
    (r"Option ('[^']*'|\S+) requires an argument\.?", r"选项 \1 需要一个值"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数（\1）"),
    (r"Missing argument ('[^']*'|\S+)\.?", r"缺少参数 \1"),
    (r"Missing option ('[^']*'|\S+)\.?", r"缺少选项 \1"),
    (r"。 ", "。"),
)

# The lines the journal's judges write (engine.changed_since and rollback_preview, drift.py), as model.Lines: what a
# file, container or unit is now beside what a run left, and what a rollback would do to it.
STATE_LINES = {
    "content_changed": Text("{path}: its content changed since (harden changed only its owner and mode)",
                            "{path}：此后内容已被更改（harden 只更改了其属主和权限）"),
    "owner_mode_changed": Text("{path}: owner/mode {left} (as harden left it) -> {now} (now)",
                               "{path}：属主/权限 {left}（harden 留下的状态）-> {now}（现在）"),
    "not_a_file": Text("{path}: not a regular file now", "{path}：现在不是普通文件"),
    "content_unshown": Text("{path}: its content changed since, in bytes its diff cannot show (not UTF-8)",
                            "{path}：此后内容已被更改，差异在于其 diff 无法显示的字节（非 UTF-8）"),
    "restore_unshown": Text("{path}: give back its content, which differs in bytes a diff cannot show (not UTF-8)",
                            "{path}：恢复其内容，差异在于 diff 无法显示的字节（非 UTF-8）"),
    "restore_empty": Text("{path}: create it again, empty, as harden found it", "{path}：重新创建为空文件，即 harden 发现时的状态"),
    "diff_left": Text("--- {path} (as harden left it)", "--- {path}（harden 留下的状态）"),
    "diff_now": Text("+++ {path} (now)", "+++ {path}（现在）"),
    "removed": Text("{path} was removed since", "{path} 此后已被删除"),
    "remove": Text("remove {path}", "删除 {path}"),
    "owner_mode_back": Text("{path}: owner/mode {now} -> {before}", "{path}：属主/权限 {now} -> {before}"),
    "create_again": Text("{path}: create it again from its recorded configuration (a new container, without its writable layer)",
                         "{path}：按记录的配置重新创建（新容器，不含原可写层）"),
    "run": Text("{path}: run {command}", "{path}：运行 {command}"),
    "original_gone": Text("{path}: the original it replaced ({original}) is gone; rollback keeps the container in its place",
                          "{path}：被它替换的原容器（{original}）已不存在；回滚保留现有容器"),
    "joins_gone": Text("{path}: it joins {joined}, whose original is gone; rollback keeps it as it is",
                       "{path}：它加入了 {joined}，而其原容器已不存在；回滚保持其现状"),
    "unit_not_enabled": Text("{unit} is {state} now, not enabled as harden left it", "{unit} 现在为 {state}，而非 harden 留下的 enabled"),
    "unit_not_active": Text("{unit} is {state} now, not active as harden left it", "{unit} 现在为 {state}，而非 harden 留下的 active"),
    "unit_not_there": Text("not there", "不存在"),
}

RUN_STATES = {  # a run's state as `harden history` shows it (the JSON keeps the word)
    "applying": Text("applying", "应用中"), "applied": Text("applied", "已应用"),
    "failed_rolled_back": Text("failed_rolled_back", "失败，已撤销"), "failed": Text("failed", "失败，需回滚"),
    "rolling_back": Text("rolling_back", "回滚中"), "rolled_back": Text("rolled_back", "已回滚"),
    "interrupted": Text("interrupted", "已中断，需回滚"), "in_progress": Text("in_progress", "进行中"),
    "damaged": Text("damaged", "日志已损坏"), "rollback_incomplete": Text("rollback_incomplete", "回滚未完成"),
}

REFUSALS = {  # why a rollback refuses to start (engine.RollbackRefused)
    "in_progress": Text("run {run_id} is in progress in another harden", "运行 {run_id} 正由另一个 harden 进行中"),
    "newer_run": Text("run {other} changed {paths} after run {run_id}; roll back {other} first",
                      "运行 {other} 在运行 {run_id} 之后更改了 {paths}；请先回滚 {other}"),
    "damaged": Text("the journal of run {run_id} is damaged: {damage}; nothing was restored (harden rollback --force "
                    "{run_id} restores what can be verified and lists the rest)",
                    "运行 {run_id} 的日志已损坏：{damage}；未恢复任何内容（harden rollback --force {run_id} 会恢复可验证的部分并列出其余部分）"),
    "files_changed": Text("files changed since run {run_id}; rollback would overwrite those changes (--force to roll back "
                          "anyway)",
                          "运行 {run_id} 之后有文件被更改；回滚会覆盖这些更改（使用 --force 仍可回滚）"),
    "originals_gone": Text("what run {run_id} kept aside is gone; rollback would remove the containers in its place and "
                           "leave none (--force rolls back the rest and keeps them)",
                           "运行 {run_id} 保留的原容器已不存在；回滚会删除替代它们的容器而不留下任何容器（--force 回滚其余部分并保留这些容器）"),
    "unreadable": Text("{damaged}; nothing can be restored from it as it is (harden rollback --force {run_id} restores "
                       "what can be verified)",
                       "{damaged}；按现状无法从中恢复任何内容（harden rollback --force {run_id} 会恢复可验证的部分）"),
    "unverified": Text("the journal of run {run_id} is damaged: {damage}; nothing can be restored from it as it is "
                       "(harden rollback --force {run_id} restores what can be verified)",
                       "运行 {run_id} 的日志已损坏：{damage}；按现状无法从中恢复任何内容（harden rollback --force {run_id} 会恢复可验证的部分）"),
}

APPLY_FAILURES = {  # why an apply stopped (engine.ApplyFailed): its error, and what became of the changes before it
    "undone": Text("{error}", "{error}"),
    "undo_failed": Text("{error}; undoing it failed too: {undo_error}", "{error}；撤销也失败了：{undo_error}"),
    "unrecorded": Text("{error}; its changes were undone, but the journal could not record that (harden rollback {run_id} "
                       "confirms it)", "{error}；其更改已撤销，但日志未能记录这一点（harden rollback {run_id} 可确认）"),
}

# The lines an error or a refusal ends a command with (harden: error: ...), by name.
ERRORS = {
    "prefix": Text("harden: error: {message}", "harden：错误：{message}"),
    "cancelled": Text("{command} cancelled; nothing was changed", "已取消 {command}；未做任何更改"),
    "aborted": Text("cancelled; nothing was changed", "已取消；未做任何更改"),
    "empty_option": Text("{option} was given an empty value; name a directory or file, or leave {option} out",
                         "{option} 的值为空；请指定目录或文件，或不使用 {option}"),
    "empty_metrics": Text("--metrics was given an empty value; name a file, or leave --metrics out",
                          "--metrics 的值为空；请指定文件，或不使用 --metrics"),
    "fail_on_word": Text("--fail-on takes {statuses} and a lowest severity ({severities}), not {word}",
                         "--fail-on 接受 {statuses} 及一个最低严重程度（{severities}），而不是 {word}"),
    "fail_on_severities": Text("--fail-on takes one lowest severity, not {severities}",
                               "--fail-on 只接受一个最低严重程度，而不是 {severities}"),
    "extends": Text("extends {value}: {error}", "所继承的 {value}（extends）：{error}"),
    "not_root": Text("{command} changes this host and must run as root (sudo harden {command}); nothing was changed",
                     "{command} 会更改本机，必须以 root 身份运行（sudo harden {command}）；未做任何更改"),
    "not_a_terminal": Text("{command} is not on a terminal, so it cannot ask: add --yes to {command} without asking",
                           "{command} 不在终端上运行，无法询问确认：添加 --yes 即不经询问执行 {command}"),
    "run_failed": Text("{command} failed: {failure}; {state} (run {run_id})", "{command} 失败：{failure}；{state}（运行 {run_id}）"),
    "run_undone": Text("its changes were undone", "其更改已撤销"),
    "run_to_undo": Text("undo it with: harden rollback {run_id}", "撤销方法：harden rollback {run_id}"),
    "item_error": Text("{item}: {message}; nothing was changed (fix that, or --skip {item})",
                       "{item}：{message}；未做任何更改（请先处理，或使用 --skip {item}）"),
    "scheduled_options": Text("check --scheduled keeps its report under /var/lib/hardener/reports and its metrics where the "
                              "config's [schedule] metrics_dir says: not --format, --output or --metrics",
                              "check --scheduled 的报告保存在 /var/lib/hardener/reports，指标写到配置中 [schedule] metrics_dir "
                              "指定的目录：不接受 --format、--output 或 --metrics"),
    "metrics_unwritable": Text("cannot write the metrics: {error}", "无法写入指标：{error}"),
    "no_config": Text("cannot read config {path}: No such file or directory", "无法读取配置 {path}：文件不存在"),
    "no_schedule": Text("no schedule of harden's is in place (harden history lists the runs); nothing was changed",
                        "当前没有 harden 安装的定时检查（harden history 列出各次运行）；未做任何更改"),
    "another_schedule": Text("another schedule is in place ({units}): harden schedule --off first, then schedule anew; "
                             "nothing was changed",
                             "已有另一个计划（{units}）：请先运行 harden schedule --off，再重新计划；未做任何更改"),
    "schedule_options": Text("schedule takes --every, --profile, --config, --lang and --format, not {options}: a scheduled "
                             "check is of the whole profile; nothing was changed",
                             "schedule 只接受 --every、--profile、--config、--lang 和 --format，不接受 {options}："
                             "计划检查针对整个配置集；未做任何更改"),
    "schedule_failed": Text("schedule: {message}; nothing was changed", "schedule：{message}；未做任何更改"),
    "every_words": Text("--every takes {words}, Nh, Nmin or a calendar expression, not {every}; nothing was changed",
                        "--every 接受 {words}、Nh、Nmin 或日历表达式，而不是 {every}；未做任何更改"),
    "every_unchecked": Text("--every {every} cannot be checked here ({error}): give {words}, Nh or Nmin; nothing was changed",
                            "此处无法检查 --every {every}（{error}）：请使用 {words}、Nh 或 Nmin；未做任何更改"),
    "every_refused": Text("--every {every} is not a calendar expression systemd takes: {said}; nothing was changed",
                          "--every {every} 不是 systemd 接受的日历表达式：{said}；未做任何更改"),
    "unit_word": Text("{word} has a control character or a line break, which a unit file cannot carry in a word; "
                      "nothing was changed",
                      "{word} 含控制字符或换行，单元文件的一个词无法容纳；未做任何更改"),
    "code_not_roots": Text("[schedule] the timer would run as root {path}, which is {owner} {mode}: someone other than root "
                           "can change it; install harden where root alone writes (pip as root, or a root-owned venv)",
                           "[schedule] 定时器将以 root 运行 {path}，其为 {owner} {mode}：root 以外的用户可修改它；"
                           "请将 harden 安装在仅 root 可写的位置（以 root 运行 pip，或 root 所有的 venv）"),
    "timer_cannot_import": Text("[schedule] the timer's {python} -m hardener would not find harden ({said}): the timer runs it "
                                "in / without this run's PYTHONPATH; install harden for that interpreter, as root",
                                "[schedule] 定时器的 {python} -m hardener 将找不到 harden（{said}）：定时器在 / 中运行它，"
                                "且没有本次运行的 PYTHONPATH；请以 root 为该解释器安装 harden"),
    "timer_other_harden": Text("[schedule] the timer's {python} -m hardener would run the harden in {theirs}, not this one in "
                               "{ours}: run harden schedule with the harden the timer should run",
                               "[schedule] 定时器的 {python} -m hardener 将运行 {theirs} 中的 harden，而非本次运行的 {ours}："
                               "请用定时器应运行的 harden 执行 harden schedule"),
    "metrics_dir_link": Text("[schedule] metrics_dir {path} is a link: name the directory itself, which the service may "
                             "write; nothing was changed",
                             "[schedule] metrics_dir {path} 是链接：请指定服务可写入的目录本身；未做任何更改"),
    "refused": Text("{command} refused: {refused}", "{command} 被拒绝：{refused}"),
    "rollback_incomplete": Text("rollback incomplete: run {run_id} could not be restored in full ({count} problem(s) listed "
                                "above); the run no longer blocks apply",
                                "回滚未完成：运行 {run_id} 未能完全恢复（问题见上方，共 {count} 个）；该运行不再阻止 apply"),
    "not_json": Text("{path}: not a harden JSON report ({problem})", "{path}：不是 harden 的 JSON 报告（{problem}）"),
    "not_a_report": Text("{path}: not a harden JSON report: {problem}", "{path}：不是 harden 的 JSON 报告：{problem}"),
    "report_formats": Text("harden report writes --format html, junit or sarif", "harden report 只输出 --format html、junit 或 sarif"),
    "format_not_here": Text("--format {format} is for check, dry-run, apply and report",
                            "--format {format} 只用于 check、dry-run、apply 和 report"),
    "cannot_write": Text("cannot write the report: {error}", "无法写入报告：{error}"),
    "nothing_selected": Text("--only, --skip and the config's items leave no item to run; nothing was checked or changed",
                             "--only、--skip 与配置中的 items 合起来没有留下任何检查项；未检查也未更改任何内容"),
    "unknown_item": Text("unknown item '{item}' in the {profile} profile; its items are: {items}",
                         "{profile} 配置集中没有检查项 '{item}'；其检查项为：{items}"),
    "unknown_profile": Text("unknown profile {value}: a built-in one ({builtin}) or a profile file (a path with a / or ending "
                            "in .toml)", "未知的配置集 {value}：应为内置配置集（{builtin}）或配置集文件（含 / 或以 .toml 结尾的路径）"),
    "config_unknown_item": Text("unknown item '{item}' in items (see: harden list --profile {profile})",
                                "items 中的检查项 '{item}' 不存在（见：harden list --profile {profile}）"),
    "config_unknown_waiver": Text("waiver for unknown item '{item}' (see: harden list --profile {profile})",
                                  "豁免的检查项 '{item}' 不存在（见：harden list --profile {profile}）"),
    "at_line": Text("{source}:{line}: {message}", "{source}:{line}：{message}"),
}

REMEDY = {
    Remedy.AUTO: Text("automatic", "自动"),
    Remedy.MANUAL: Text("manual", "手动"),
    Remedy.WHEN_NAMED: Text("when named", "需指定"),
}

PAGE = {
    "colon": UI["colon"],
    "fleet_title": Text("{title}: fleet", "{title}：主机群"),
    "mixed_title": Text("Docker security baselines", "Docker 安全基线"),
    "fleet_made": Text("made {time} by harden {version}", "由 harden {version} 生成于 {time}"),
    "checked": Text("checked", "检查时间"),
    "hosts": Text("hosts", "台主机"),
    "items": Text("items", "检查项"),
    "host": Text("host", "主机"),
    "failing": Text("failing", "不合规"),
    "manual": Text("manual", "需手动"),
    "drift": Text("drift", "偏离"),
    "title": Text("Docker security baseline", "Docker 安全基线"),
    "command": Text("command", "命令"),
    "run": Text("run", "运行"),
    "advice": Text("advice", "加固建议"),
    "by_recommendation": Text("By recommendation", "按建议项"),
    "status": Text("status", "状态"),
    "targets": Text("targets", "对象"),
    "show": Text("show", "显示"),
    "profile": Text("profile", "配置集"),
    "mixed_profiles": Text("These reports are of {count} profiles ({profiles}): each has its own table below.",
                           "这些报告来自 {count} 个配置集（{profiles}）：下方分别列出。"),
    "worst_items": Text("Items by hosts failing them", "按不合规主机数排列的检查项"),
    "worst_hosts": Text("Hosts, worst first", "主机（最差的在前）"),
    "grid": Text("Every host and item", "全部主机与检查项"),
    "grid_page": Text("hosts {first}–{last}", "主机 {first}–{last}"),
    "findings": Text("{failing} failing, {manual} manual: the findings", "{failing} 项不合规，{manual} 项需手动：查看详情"),
    "none_failing": Text("No item fails or waits for a person on any host.", "所有主机上均无不合规或需手动处理的检查项。"),
    "severity": Text("severity", "严重程度"),
}
PAGE_COUNTS = (("to_change", Text("to change", "待修改")), ("failing", Text("failing", "不合规")), ("manual", Text("manual", "需手动")),
               ("compliant", Text("compliant", "合规")), ("not_applicable", Text("not applicable", "不适用")),
               ("error", Text("errors", "错误")))
PAGE_GROUPS = (("fail", Text("Failing", "不合规")), ("error", Text("Errors", "错误")), ("manual", Text("Manual", "需手动处理")),
               ("waived", Text("Waived", "已豁免")), ("pass", Text("Compliant", "合规")), ("not_applicable", Text("Not applicable", "不适用")))


# The command line's help in Chinese, by its English text (cli.py holds the English, next to each
# command and option) and click's own words; tests/test_help.py checks that every one is here.
HELP = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Harden a Docker host to the Alibaba Cloud Docker security baseline, and undo it.\n\nWithout a command: preview, as --dry-run.":
        "按阿里云 Docker 安全基线加固 Docker 主机，并可撤销。\n\n不带命令时：预览，等同 --dry-run。",
    "Work on the host tree mounted at DIR (an image or a test fixture); no service is touched.":
        "处理挂载在 DIR 的主机目录树（镜像或测试样本）；不触碰任何服务。",
    "Config file (default: /etc/hardener/config.toml under the root).": "配置文件（默认：根目录下的 /etc/hardener/config.toml）。",
    "Only these items.": "只处理这些检查项。",
    "Leave these items out.": "跳过这些检查项。",
    "Output format (default: text; html, junit and sarif for check, dry-run, apply and report).":
        "输出格式（默认 text；check、dry-run、apply 和 report 可用 html、junit 和 sarif）。",
    "Write the report to FILE instead of standard output.": "把报告写入 FILE，而不是标准输出。",
    "Language of the output (default: from the locale).": "输出语言（默认取自系统区域设置）。",
    "Text: show every item (by default those failing, needing a person or in error, worst first).":
        "文本输出：显示全部检查项（默认只显示不合规、需人工处理或出错的项，最严重的在前）。",
    "Show what would change; change nothing.": "显示将要做的修改；不做任何修改。",
    "Daemon items: wanted dockerd options go to daemon.json (default) or onto ExecStart.":
        "守护进程项：所需的 dockerd 选项写入 daemon.json（默认）或写到 ExecStart 上。",
    "Container items: only these containers (a name pattern or a label; repeatable).":
        "容器项：只处理这些容器（名称模式或标签；可重复）。",
    "Which findings make the exit code 2: those of failing and/or manual items, of a lowest severity (low, medium, high); "
    "default: failing,manual,low.":
        "哪些发现使退出码为 2：不合规（failing）和/或需手动处理（manual）项中不低于某严重程度（low、medium、high）的发现；"
        "默认 failing,manual,low。",
    "Also write the result in Prometheus' text format to FILE (for node_exporter's textfile collector: NAME.prom).":
        "同时以 Prometheus 文本格式将结果写入 FILE（供 node_exporter 的 textfile 收集器读取：NAME.prom）。",
    "As harden schedule's timer runs it: keep the report under /var/lib/hardener/reports and log what changed.":
        "按 harden schedule 的定时器方式运行：将报告保存在 /var/lib/hardener/reports 下，并记录变化。",
    "hourly, daily (the default), weekly, Nh, Nmin, or a systemd calendar expression.":
        "hourly、daily（默认）、weekly、Nh、Nmin，或 systemd 日历表达式。",
    "Remove the schedule (roll back the run that installed it).": "移除计划（回滚安装它的那次运行）。",
    "Check this host on a schedule: a systemd timer, installed as a run that rollback undoes.":
        "按计划检查本机：安装一个 systemd 定时器，作为一次可由 rollback 撤销的运行。",
    "Detect only: the status of every selected item, and the drift from what harden's runs left.":
        "只检测：每个所选检查项的状态，以及相对 harden 各次运行结果的偏离。",
    "What harden's recorded runs changed that no longer holds what they left (exit code 2 when any); changes nothing.":
        "harden 已记录的运行所做的修改中不再保持运行后状态的部分（有则退出码为 2）；不做任何修改。",
    "Carry the plan out, recording every change so it can be undone.": "执行修复计划，记录每项修改以便撤销。",
    "Do not ask.": "不再询问确认。",
    "Container items: recreate containers to fix them (stops them).": "容器项：重建容器以修复（会停止容器）。",
    "Also recreate this container started with --rm, which its own stop deletes (its writable layer is lost).":
        "同时重建此以 --rm 启动的容器；停止它即会将其删除（其可写层将丢失）。",
    "Daemon items: write the files, restart nothing; they stay pending_restart.":
        "守护进程项：只写文件，不重启任何服务；这些项保持 pending_restart（待重启）。",
    "Daemon items: turn live-restore on (a reload) first, so containers keep running.":
        "守护进程项：先开启 live-restore（重新加载配置），使容器保持运行。",
    "Undo the newest run that is not rolled back yet, or RUN_ID.": "撤销最近一次尚未回滚的运行，或指定的 RUN_ID。",
    "Roll back even files changed since; their changed versions are kept in the journal.":
        "即使文件在之后被改动也回滚；改动后的版本保存在日志中。",
    "Every item of the profile: id, title, CIS recommendations and how it is fixed.": "该配置集的所有检查项：编号、标题、CIS 条目及修复方式。",
    "The items: aliyun, the Alibaba Cloud baseline (default); cis, the CIS Docker Benchmark 1.8.0; "
    "or a profile file of your own (a path with a / or ending in .toml).":
        "检查项集合：aliyun 为阿里云基线（默认）；cis 为 CIS Docker Benchmark 1.8.0；或自己的基线文件（含 / 或以 .toml 结尾的路径）。",
    "The recorded runs: id, time, items, state.": "已记录的运行：编号、时间、检查项、状态。",
    "Keep only the newest N runs.": "只保留最近的 N 次运行。",
    "One page for many hosts, from their `--format json` reports (as Ansible fetches them); or, with --format junit\n"
    "or sarif, one JUnit or SARIF file of them all.":
        "由多台主机的 `--format json` 报告（如 Ansible 取回的）生成一个汇总页面；或以 --format junit 或 sarif 生成一个包含全部主机的 JUnit 或 SARIF 文件。",
}
