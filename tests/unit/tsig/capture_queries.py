# Test fixture: captures TSIG-signed requests from real clients (dig, kdig, nsupdate, knsupdate)
# on a loopback port, one file per case, for test_tsig to verify (tests must not check our
# signer against our verifier only). A client that sends nothing fails the fixture.
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

UPDATE = "server 127.0.0.1 {port}\nzone example.org\nupdate add x.example.org. 300 A 192.0.2.1\nsend\n"

# name -> (command for a port, transport, stdin for the command)
CASES = {
    "dig_sha256": (lambda p: peers.dig(p, peers.key_arg("hmac-sha256"), "example.org", "SOA"), "udp", None),
    "dig_sha512": (lambda p: peers.dig(p, peers.key_arg("hmac-sha512"), "example.org", "SOA"), "udp", None),
    "dig_sha1": (lambda p: peers.dig(p, peers.key_arg("hmac-sha1"), "example.org", "SOA"), "udp", None),
    "dig_sha256_128": (lambda p: peers.dig(p, peers.key_arg("hmac-sha256", truncate_bits=128),
                                           "example.org", "SOA"), "udp", None),
    "dig_axfr_sha256": (lambda p: peers.dig(p, peers.key_arg("hmac-sha256"), "example.org", "AXFR"),
                        "tcp", None),
    "kdig_sha256": (lambda p: peers.kdig(p, peers.key_arg("hmac-sha256", name="TSIG-Test.Example."),
                                         "example.org", "SOA"), "udp", None),
    "kdig_sha384": (lambda p: peers.kdig(p, peers.key_arg("hmac-sha384"), "example.org", "SOA"), "udp", None),
    "knsupdate_sha256": (lambda p: ["knsupdate", "-t", "1", "-r", "0", "-y", peers.key_arg("hmac-sha256")],
                         "udp", UPDATE),
    "nsupdate_sha512": (lambda p: ["nsupdate", "-t", "1", "-y", peers.key_arg("hmac-sha512")], "udp", UPDATE),
}


def capture(name: str, out_dir: Path) -> None:
    command, transport, stdin = CASES[name]
    sock = peers.udp_socket() if transport == "udp" else peers.tcp_listener()
    port = sock.getsockname()[1]
    proc = subprocess.Popen(command(port), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if stdin:
        proc.stdin.write(stdin.format(port=port))
    proc.stdin.close()
    proc.stdin = None  # closed: communicate() must not flush it
    deadline = time.monotonic() + 10
    try:
        if transport == "udp":
            sock.settimeout(10)
            packet, _ = sock.recvfrom(65535)
        else:
            conn, packet = peers.receive_tcp_message(sock, deadline)
            conn.close()
    finally:
        sock.close()
        proc.kill()  # by its PID: we have what we wanted, no need to wait for its timeout
        proc.communicate()
    (out_dir / f"{name}.bin").write_bytes(packet)
    print(f"captured {name}: {len(packet)} bytes")


def main() -> int:
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        capture(name, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
