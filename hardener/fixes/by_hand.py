"""The recommendations only a person can judge, where harden reads nothing that
would decide them: each is a manual finding with its advice. Those of section 7
apply on a swarm node only."""
from __future__ import annotations

from ..facts import swarm
from ..model import Detection, Finding, Remedy, Status, Text
from ..benchmark import by_number
from . import Fix


class ByHand(Fix):
    remedy = Remedy.MANUAL
    swarm_only = False
    reasons = {"by_hand": Text("CIS {recommendation}: a person judges this; see the advice", "CIS {recommendation}：需人工判断；见建议")}

    def detect(self, host) -> Detection:
        if self.swarm_only and not host.live:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "not_live"),))
        if self.swarm_only and swarm.node(host) is None:
            return Detection((Finding("swarm", Status.NOT_APPLICABLE, "no_swarm"),))
        return Detection((Finding(f"CIS {self.cis}", Status.MANUAL, "by_hand", "low", {"recommendation": self.cis}),))


ADVICE = (  # id, recommendation, on a swarm node only, advice
    ("trusted-base-images", "4.2", False, Text(
        "Build only FROM images of registries you trust, pinned by digest, and pull with content trust (content-trust).",
        "只基于可信仓库的镜像构建（FROM 使用摘要固定版本），并在启用内容信任（content-trust）时拉取。")),
    ("minimal-packages", "4.3", False, Text(
        "Keep images to the packages the application needs: slim or distroless bases, no shells or tools it does not use.",
        "镜像只包含应用所需的软件包：使用精简或 distroless 基础镜像，不包含不用的 shell 或工具。")),
    ("scanned-images", "4.4", False, Text(
        "Scan images for known vulnerabilities (Trivy, Alibaba Cloud ACR scanning) and rebuild them with the fixes regularly.",
        "使用漏洞扫描工具（Trivy、阿里云 ACR 镜像扫描）扫描镜像，并定期重新构建以包含安全补丁。")),
    ("no-setuid-in-images", "4.8", False, Text(
        "Remove setuid and setgid bits in the Dockerfile: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +",
        "在 Dockerfile 中移除 setuid 和 setgid 权限：RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +")),
    ("no-secrets-in-dockerfiles", "4.10", False, Text(
        "Keep secrets out of Dockerfiles and image layers: build secrets (RUN --mount=type=secret), runtime secrets or a vault.",
        "不在 Dockerfile 和镜像层中保存密钥：使用构建密钥（RUN --mount=type=secret）、运行时密钥或密钥管理服务。")),
    ("verified-packages", "4.11", False, Text(
        "Install packages only from signed repositories with their keys checked (no --allow-unauthenticated, no --nogpgcheck).",
        "只从已签名并校验密钥的软件源安装软件包（不使用 --allow-unauthenticated 或 --nogpgcheck）。")),
    ("signed-artifacts", "4.12", False, Text(
        "Verify the signatures of what images are built from and run (cosign verify, Notation, content trust) before use.",
        "使用前验证构建和运行所用制品的签名（cosign verify、Notation、内容信任）。")),
    ("pull-latest", "5.28", False, Text(
        "Run containers with --pull always (docker run --pull always) or pull before each deployment, so a cached old image "
        "is not used; Docker does not record how a container was started.",
        "使用 --pull always 运行容器（docker run --pull always）或每次部署前先拉取，避免使用缓存的旧镜像；Docker 不记录容器的启动方式。")),
    ("swarm-secrets", "7.4", True, Text(
        "Give services their secrets with docker secret and --secret, not in environment variables or images.",
        "使用 docker secret 与 --secret 为服务提供密钥，而不是放在环境变量或镜像中。")),
    ("swarm-unlock-key-rotation", "7.6", True, Text(
        "Rotate the unlock key regularly: docker swarm unlock-key --rotate, and store the new key safely.",
        "定期轮换解锁密钥：docker swarm unlock-key --rotate，并妥善保存新密钥。")),
    ("swarm-ca-rotation", "7.8", True, Text(
        "Rotate the swarm's root CA as your policy says: docker swarm ca --rotate.",
        "按策略轮换 swarm 根 CA：docker swarm ca --rotate。")),
    ("swarm-plane-separation", "7.9", True, Text(
        "Use separate interfaces for management and data traffic: docker swarm init --advertise-addr MGMT --data-path-addr DATA.",
        "管理流量与数据流量使用不同网络接口：docker swarm init --advertise-addr 管理地址 --data-path-addr 数据地址。")),
)

ITEMS = [type(item.title().replace("-", ""), (ByHand,), {
    "__module__": __name__, "id": item, "cis": number, "swarm_only": swarm_only, "title": by_number()[number].title, "advice": advice})
    for item, number, swarm_only, advice in ADVICE]
