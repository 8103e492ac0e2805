"""A veth pair between two network namespaces of its own, for the AF_XDP tests and bench
(loopback has no XDP driver). Names carry the PID, so parallel runs never meet; everything is
deleted on close(), also after a failure (use it as a context manager)."""
import os
import subprocess


class Unavailable(Exception):
    """This machine cannot make namespaces or veths (not root, no CONFIG_VETH...)."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=check)


class VethPair:
    """Namespace `client` holds interface client_if (10.<n>.0.1/24, fd00:<n>::1/64), namespace
    `server` holds server_if (.2 and ::2). Links and loopbacks up; IPv6 without DAD waits."""

    def __init__(self, tag: str, subnet: int = 213):
        pid = os.getpid()
        self.client, self.server = f"{tag}{pid}c", f"{tag}{pid}s"
        self.client_if, self.server_if = f"{tag}c{pid}"[:15], f"{tag}s{pid}"[:15]
        self.client_ip, self.server_ip = f"10.{subnet}.0.1", f"10.{subnet}.0.2"
        self.client_ip6, self.server_ip6 = f"fd00:{subnet}::1", f"fd00:{subnet}::2"
        self._made = []
        try:
            for ns in (self.client, self.server):
                _ip("netns", "add", ns)
                self._made.append(ns)
            _ip("link", "add", self.client_if, "type", "veth", "peer", "name", self.server_if)
            for ns, dev, v4, v6 in ((self.client, self.client_if, self.client_ip, self.client_ip6),
                                    (self.server, self.server_if, self.server_ip, self.server_ip6)):
                _ip("link", "set", dev, "netns", ns)
                _ip("-n", ns, "addr", "add", f"{v4}/24", "dev", dev)
                _ip("-n", ns, "addr", "add", f"{v6}/64", "dev", dev, "nodad")
                _ip("-n", ns, "link", "set", dev, "up")
                _ip("-n", ns, "link", "set", "lo", "up")
        except (subprocess.CalledProcessError, FileNotFoundError, PermissionError) as e:
            self.close()
            detail = getattr(e, "stderr", "") or str(e)
            raise Unavailable(f"cannot create network namespaces and a veth pair: {detail.strip()}")

    def run(self, ns: str, argv: list, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", ns, *argv], **kwargs)

    def popen(self, ns: str, argv: list, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(["ip", "netns", "exec", ns, *argv], **kwargs)

    def xdp_program(self) -> str:
        """The name of the XDP program on the server's interface, "" when none is attached."""
        out = _ip("-d", "-n", self.server, "link", "show", self.server_if, check=False).stdout
        words = out.split()
        for i, word in enumerate(words):
            if word.startswith("prog/xdp") and "name" in words[i:i + 6]:
                return words[words.index("name", i) + 1]
        return ""

    def close(self) -> None:
        # Deleting a namespace deletes the veth in it, and with it its peer.
        for ns in reversed(self._made):
            _ip("netns", "delete", ns, check=False)
        self._made = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
