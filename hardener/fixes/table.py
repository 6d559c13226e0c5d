"""The items that hold no logic of their own, one row each: a kind (kinds.py) and the row's settings. An item with
logic of its own is a module of this package."""
from __future__ import annotations

from ..kinds import row
from ..model import Remedy, Text
from ..parameters import Parameter, count


def _row(kind: str, item: str, cis: str, **settings):
    return row(kind, item, __name__, cis, **settings)


ITEMS = (
    _row("by-hand", "host-hardened", "1.2.1", title=Text("The container host has been hardened", "容器主机已加固"), advice=Text(
        "Harden the operating system to its own benchmark (the CIS benchmark of this distribution, or the "
        "Alibaba Cloud baseline for it), and keep only what running containers needs.",
        "按操作系统自身的基准加固主机（该发行版的 CIS 基准或阿里云对应基线），只保留运行容器所需的组件。")),

    # Turning userns-remap on hides the existing images and containers (each mapping has a data root of its own)
    # and rules out --pid=host and --network=host: a person does it.
    _row("reviewed-option", "userns-remap", "2.10", option="userns-remap", review_unset=True, shown_default="(not set)",
         reason="userns_off", rootless_too=False,  # rootless dockerd runs in a user namespace of its own already
         title=Text("User namespace support is enabled", "启用用户命名空间支持"),
         advice=Text('Set "userns-remap": "default" (or a user) in /etc/docker/daemon.json and restart docker, after moving '
                     "images and containers: dockerd then uses a new data root under /var/lib/docker, and containers with "
                     "--pid=host, --network=host or --privileged need --userns=host.",
                     '在迁移镜像和容器后，于 /etc/docker/daemon.json 中设置 "userns-remap": "default"（或指定用户）并重启 docker：'
                     "dockerd 会改用 /var/lib/docker 下新的数据目录，使用 --pid=host、--network=host 或 --privileged 的容器需加 --userns=host。"),
         reason_text=Text("user namespace remapping is off ({where})", "未启用用户命名空间映射（{where}）")),
    _row("reviewed-option", "cgroup-parent", "2.11", option="cgroup-parent", reason="cgroup_parent", severity="low",
         title=Text("The default cgroup usage has been confirmed", "已确认默认的 cgroup 用法"),
         advice=Text('Confirm that "cgroup-parent" is what this host wants, or remove it and restart docker.',
                     '确认 "cgroup-parent" 的设置是本机所需，否则删除并重启 docker。'),
         reason_text=Text("containers go under cgroup {value} ({where}): confirm it", "容器位于 cgroup {value} 下（{where}）：请确认")),
    _row("daemon-option", "daemon-no-new-privileges", "2.15", option="no-new-privileges", wanted=True, default=False,
         remedy=Remedy.WHEN_NAMED,
         title=Text("Containers are restricted from acquiring new privileges", "限制容器获取新权限"),
         advice=Text('Set "no-new-privileges": true in /etc/docker/daemon.json and restart docker.',
                     '在 /etc/docker/daemon.json 中设置 "no-new-privileges": true 并重启 docker。'),
         impact=Text("Setuid and setgid binaries in containers (su, sudo, ping on older images) no longer raise privileges: "
                     "processes that rely on them fail. Containers started before keep their setting until recreated.",
                     "容器内的 setuid/setgid 程序（su、sudo、旧镜像中的 ping）将无法提升权限，依赖它们的进程会失败。"
                     "已启动的容器在重建前保持原设置。")),
    _row("daemon-option", "userland-proxy", "2.17", option="userland-proxy", wanted=False, default=True, remedy=Remedy.WHEN_NAMED,
         title=Text("The userland proxy is disabled", "禁用用户态代理（userland proxy）"),
         advice=Text('Set "userland-proxy": false in /etc/docker/daemon.json and restart docker.',
                     '在 /etc/docker/daemon.json 中设置 "userland-proxy": false 并重启 docker。'),
         impact=Text("Without docker-proxy, a container reaching its own published port through the host's address needs "
                     "hairpin NAT, and connections to published ports from the host itself over localhost stop working on "
                     "kernels without route_localnet.",
                     "没有 docker-proxy 时，容器经主机地址访问自身发布的端口需要 hairpin NAT；在未开启 route_localnet 的内核上，"
                     "主机本身经 localhost 访问已发布端口将失效。")),
    # Docker's default seccomp profile applies unless dockerd is told otherwise; a custom one is the administrator's to write.
    _row("reviewed-option", "seccomp-profile", "2.18", option="seccomp-profile", flagged_value="unconfined", shown_default="Docker's default",
         reason="unconfined", severity="high",
         title=Text("A daemon-wide seccomp profile is applied", "应用守护进程级 seccomp 配置"),
         advice=Text('Remove "seccomp-profile": "unconfined" (Docker\'s default profile then applies), or name a custom '
                     "profile for this host's containers, and restart docker.",
                     '删除 "seccomp-profile": "unconfined"（随后应用 Docker 的默认配置），或为本机容器指定自定义配置，并重启 docker。'),
         reason_text=Text("seccomp is off for every container ({where})", "所有容器的 seccomp 均被关闭（{where}）")),
    _row("daemon-option", "experimental", "2.19", option="experimental", wanted=False, default=False,
         title=Text("Experimental features are not enabled in production", "生产环境不启用实验性功能"),
         advice=Text('Remove --experimental (or "experimental": true) and restart docker.',
                     '删除 --experimental（或 "experimental": true）并重启 docker。')),

    _row("by-hand", "trusted-base-images", "4.2", advice=Text(
        "Build only FROM images of registries you trust, pinned by digest, and pull with content trust (content-trust).",
        "只基于可信仓库的镜像构建（FROM 使用摘要固定版本），并在启用内容信任（content-trust）时拉取。")),
    _row("by-hand", "minimal-packages", "4.3", advice=Text(
        "Keep images to the packages the application needs: slim or distroless bases, no shells or tools it does not use.",
        "镜像只包含应用所需的软件包：使用精简或 distroless 基础镜像，不包含不用的 shell 或工具。")),
    _row("by-hand", "scanned-images", "4.4", advice=Text(
        "Scan images for known vulnerabilities (Trivy, Alibaba Cloud ACR scanning) and rebuild them with the fixes regularly.",
        "使用漏洞扫描工具（Trivy、阿里云 ACR 镜像扫描）扫描镜像，并定期重新构建以包含安全补丁。")),
    _row("by-hand", "no-setuid-in-images", "4.8", advice=Text(
        "Remove setuid and setgid bits in the Dockerfile: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +",
        "在 Dockerfile 中移除 setuid 和 setgid 权限：RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +")),
    _row("by-hand", "no-secrets-in-dockerfiles", "4.10", advice=Text(
        "Keep secrets out of Dockerfiles and image layers: build secrets (RUN --mount=type=secret), runtime secrets or a vault.",
        "不在 Dockerfile 和镜像层中保存密钥：使用构建密钥（RUN --mount=type=secret）、运行时密钥或密钥管理服务。")),
    _row("by-hand", "verified-packages", "4.11", advice=Text(
        "Install packages only from signed repositories with their keys checked (no --allow-unauthenticated, no --nogpgcheck).",
        "只从已签名并校验密钥的软件源安装软件包（不使用 --allow-unauthenticated 或 --nogpgcheck）。")),
    _row("by-hand", "signed-artifacts", "4.12", advice=Text(
        "Verify the signatures of what images are built from and run (cosign verify, Notation, content trust) before use.",
        "使用前验证构建和运行所用制品的签名（cosign verify、Notation、内容信任）。")),

    _row("host-sharing", "no-privileged", "5.5", setting="Privileged", evidence_key="privileged", reason="privileged",
         title=Text("Containers do not run privileged", "不要使用特权容器"),
         advice=Text("Recreate the container without --privileged; add only the capabilities it needs (--cap-add).",
                     "不使用 --privileged 重新创建容器；只用 --cap-add 添加所需的能力。"),
         reason_text=Text("{container} ({image}) runs privileged", "{container}（{image}）以特权模式运行")),
    # Recreated only when named: a service on the host's network is reached at the host's addresses, and on its own
    # network it is not, until its ports are published.
    _row("host-sharing", "no-host-network", "5.10", setting="NetworkMode", evidence_key="network_mode", reason="host_network",
         remedy=Remedy.WHEN_NAMED,
         title=Text("Containers do not share the host's network namespace", "不共享主机的网络名称空间"),
         advice=Text("Recreate the container on a network of its own (without --network=host) and publish the ports it serves.",
                     "在独立网络上重新创建容器（不使用 --network=host），并发布其提供服务的端口。"),
         impact=Text("The recreated container is on the default bridge with no published port: what it serves on the host's "
                     "addresses is no longer reachable there until its ports are published (-p).",
                     "重建后的容器位于默认网桥且未发布端口：它原本在主机地址上提供的服务将无法访问，需发布端口（-p）后才能恢复。"),
         reason_text=Text("{container} ({image}) shares the host's network namespace (--network=host)",
                          "{container}（{image}）共享主机网络名称空间（--network=host）")),
    # Set live with docker update where the config gives a value ([cpu_shares]); 1024 is the engine's own weight.
    _row("configured-value", "cpu-shares", "5.12", table="cpu_shares", setting="CpuShares", engine_default=(1024,),
         parameters=(Parameter("default", count("cpu_shares"), None,
                               "the CPU shares harden sets on a container no [cpu_shares] override names"),),
         title=Text("Containers have their CPU priority set", "为容器设置 CPU 优先级"),
         advice=Text("Set a weight in the config ([cpu_shares] default = 512, overrides by container or label) and run "
                     "harden apply, or recreate the container with --cpu-shares.",
                     "在配置中设置权重（[cpu_shares] default = 512，可按容器名或标签覆盖）后执行 harden apply，"
                     "或使用 --cpu-shares 重新创建容器。")),
    _row("host-sharing", "no-host-pid", "5.16", setting="PidMode", evidence_key="pid_mode", reason="host_pid",
         title=Text("Containers do not share the host's process namespace", "不共享主机的进程名称空间"),
         advice=Text("Recreate the container without --pid=host.", "不使用 --pid=host 重新创建容器。"),
         reason_text=Text("{container} ({image}) shares the host's processes (--pid=host)", "{container}（{image}）共享主机进程名称空间（--pid=host）")),
    _row("host-sharing", "no-host-ipc", "5.17", setting="IpcMode", evidence_key="ipc_mode", reason="host_ipc",
         title=Text("Containers do not share the host's IPC namespace", "不共享主机的 IPC 名称空间"),
         advice=Text("Recreate the container without --ipc=host.", "不使用 --ipc=host 重新创建容器。"),
         reason_text=Text("{container} ({image}) shares the host's IPC namespace (--ipc=host)", "{container}（{image}）共享主机 IPC 名称空间（--ipc=host）")),
    _row("host-sharing", "no-host-uts", "5.21", setting="UTSMode", evidence_key="uts_mode", reason="host_uts", severity="medium",
         title=Text("Containers do not share the host's UTS namespace", "不共享主机的 UTS 名称空间"),
         advice=Text("Recreate the container without --uts=host.", "不使用 --uts=host 重新创建容器。"),
         reason_text=Text("{container} ({image}) shares the host's UTS namespace (--uts=host)", "{container}（{image}）共享主机 UTS 名称空间（--uts=host）")),
    _row("by-hand", "pull-latest", "5.28", advice=Text(
        "Run containers with --pull always (docker run --pull always) or pull before each deployment, so a cached old image "
        "is not used; Docker does not record how a container was started.",
        "使用 --pull always 运行容器（docker run --pull always）或每次部署前先拉取，避免使用缓存的旧镜像；Docker 不记录容器的启动方式。")),
    # Set live with docker update where the config gives a value ([pids_limit]).
    _row("configured-value", "pids-limit", "5.29", table="pids_limit", setting="PidsLimit",
         parameters=(Parameter("default", count("pids_limit"), None,
                               "the PIDs limit harden sets on a container no [pids_limit] override names"),),
         title=Text("Containers have a PIDs limit", "为容器设置 PIDs cgroup 限制"),
         advice=Text("Set a limit in the config ([pids_limit] default = 200, overrides by container or label) and run "
                     "harden apply, or recreate the container with --pids-limit.",
                     "在配置中设置限制（[pids_limit] default = 200，可按容器名或标签覆盖）后执行 harden apply，"
                     "或使用 --pids-limit 重新创建容器。")),
    _row("host-sharing", "no-host-userns", "5.31", setting="UsernsMode", evidence_key="userns_mode", reason="host_userns",
         title=Text("Containers do not share the host's user namespace", "不共享主机的用户名称空间"),
         advice=Text("Recreate the container without --userns=host.", "不使用 --userns=host 重新创建容器。"),
         reason_text=Text("{container} ({image}) shares the host's user namespace (--userns=host)",
                          "{container}（{image}）共享主机用户名称空间（--userns=host）")),

    _row("by-hand", "swarm-secrets", "7.4", swarm_only=True, advice=Text(
        "Give services their secrets with docker secret and --secret, not in environment variables or images.",
        "使用 docker secret 与 --secret 为服务提供密钥，而不是放在环境变量或镜像中。")),
    _row("by-hand", "swarm-unlock-key-rotation", "7.6", swarm_only=True, advice=Text(
        "Rotate the unlock key regularly: docker swarm unlock-key --rotate, and store the new key safely.",
        "定期轮换解锁密钥：docker swarm unlock-key --rotate，并妥善保存新密钥。")),
    _row("by-hand", "swarm-ca-rotation", "7.8", swarm_only=True, advice=Text(
        "Rotate the swarm's root CA as your policy says: docker swarm ca --rotate.",
        "按策略轮换 swarm 根 CA：docker swarm ca --rotate。")),
    _row("by-hand", "swarm-plane-separation", "7.9", swarm_only=True, advice=Text(
        "Use separate interfaces for management and data traffic: docker swarm init --advertise-addr MGMT --data-path-addr DATA.",
        "管理流量与数据流量使用不同网络接口：docker swarm init --advertise-addr 管理地址 --data-path-addr 数据地址。")),
)
