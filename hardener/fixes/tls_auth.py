"""tls-auth (CIS 2.8): a TCP socket of dockerd asks clients for certificates.

Certificates are the administrator's to make and hand out: manual."""
from __future__ import annotations

from ..model import NONE, Finding, Remedy, Status, Text
from ._daemon import DaemonFix, conflict, effective, served


class TlsAuth(DaemonFix):
    id = "tls-auth"
    cis = "2.8"
    remedy = Remedy.MANUAL
    title = Text("TLS authentication is configured for the Docker daemon", "为 Docker 守护进程配置 TLS 认证")
    advice = Text('Give dockerd "tlsverify": true with "tlscacert", "tlscert" and "tlskey" (the CA that signs the clients\' '
                  "certificates, the server's certificate and key) and restart docker; or listen on the unix socket alone. "
                  'TCP addresses go either in "hosts" or as -H flags, not both: with -H fd:// on ExecStart, "hosts" in '
                  "daemon.json stops dockerd from starting.",
                  '为 dockerd 设置 "tlsverify": true 以及 "tlscacert"、"tlscert"、"tlskey"（签发客户端证书的 CA、服务器证书和私钥）'
                  '后重启 docker；或只监听 unix 套接字。TCP 地址只能写在 "hosts" 或 -H 参数之一：ExecStart 带 -H fd:// 时，'
                  'daemon.json 中的 "hosts" 会使 dockerd 无法启动。')
    reasons = dict(DaemonFix.reasons,
                   no_tcp=Text("dockerd listens on no TCP address", "dockerd 未监听任何 TCP 地址"),
                   answers_without_tls=Text("dockerd answers the Engine API without TLS at {answers_without_tls} (asked now, "
                                            "over plain HTTP): anyone who reaches it controls Docker",
                                            "dockerd 在 {answers_without_tls} 上不经 TLS 即响应 Engine API（刚以明文 HTTP 询问）："
                                            "任何能连到它的人都能控制 Docker"),
                   tcp_without_tls=Text("dockerd listens on {addresses} ({where}) without verifying clients' certificates",
                                        "dockerd 在 {addresses}（{where}）上监听，且不验证客户端证书"))

    def judge(self, host, config):
        found = conflict(config, "host")
        if found and not config.plain_api:  # what answers now is said before what the next start would refuse
            return Finding(found.target, Status.MANUAL, found.reason, found.severity, found.evidence), None
        addresses, places = served(config)
        tcp = [address for address in addresses if not address.startswith("unix://")]
        answering = [address for address in config.plain_api if address not in tcp]
        evidence = {"option": "hosts", "addresses": ", ".join(tcp + answering) or NONE,
                    "where": ", ".join(place for place in (places, "listening now" if answering else "") if place)}
        if not tcp and not answering:
            return Finding("hosts", Status.NOT_APPLICABLE, "no_tcp", evidence=evidence), None
        verify, verify_where = effective(config, "tlsverify", False)
        evidence.update(tlsverify=str(verify).lower(), **{key: str(effective(config, key, "")[0]) for key in ("tlscacert", "tlscert", "tlskey")})
        if config.plain_api:  # the effective state: whatever the files say, this answers anyone who connects
            evidence.update(answers_without_tls=", ".join(config.plain_api))
            return Finding("hosts", Status.MANUAL, "answers_without_tls", "high", evidence), None
        if str(verify).lower() == "true":
            return Finding("hosts", Status.PASS, "compliant", evidence=dict(evidence, value="tlsverify", option="hosts",
                                                                           where=verify_where)), None
        return Finding("hosts", Status.MANUAL, "tcp_without_tls", "high", evidence), None
