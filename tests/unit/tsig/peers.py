# The real TSIG peers the tests talk to: key material shared with test_peer_packets.cc and
# the client commands (BIND's dig, nsupdate; Knot's kdig, knsupdate). Test keys only.
from __future__ import annotations

import os
import socket
import subprocess
import time

KEY_NAME = "tsig-test.example."
SECRETS = {  # base64, one per digest size
    "hmac-sha256": "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU=",
    "hmac-sha384": "YJ7ddBniE2m0GDDDV4RV5bYSoIN+4lMeN6XVFul4bR7Eb4nBXLb+UW/Bj8b4DxMJ",
    "hmac-sha512": "MNEe9fiPBbaTwJHvKH82vJkvacSb2Ia/JGeaDvutbSF0FJkWcDkVHrxPsSMHfBoH6IYnLhi0TkfSmK9sJ2ym6w==",
    "hmac-sha1": "BucNKTFmr1QXWNgS5pg2BC/tWgk=",
}


def key_arg(algorithm: str, name: str = KEY_NAME, truncate_bits: int = 0) -> str:
    """The -y argument: algorithm[-bits]:name:secret."""
    base = algorithm.split("-")[0] + "-" + algorithm.split("-")[1]
    shown = f"{base}-{truncate_bits}" if truncate_bits else base
    return f"{shown}:{name}:{SECRETS[base]}"


def dig(port: int | str, key: str, *args: str, tcp: bool = False) -> list[str]:
    return ["dig", "-y", key, "@127.0.0.1", "-p", str(port), "+tries=1", "+timeout=2"] + (
        ["+tcp"] if tcp else []) + list(args)


def kdig(port: int | str, key: str, *args: str, tcp: bool = False) -> list[str]:
    return ["kdig", "-y", key, "@127.0.0.1", "-p", str(port), "+retry=0", "+timeout=2"] + (
        ["+tcp"] if tcp else []) + list(args)


def udp_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))  # a free port, chosen by the kernel
    return sock


def tcp_listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    return sock


def read_exact(conn: socket.socket, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("peer closed the connection early")
        data += chunk
    return data


def receive_tcp_message(listener: socket.socket, deadline: float) -> tuple[socket.socket, bytes]:
    listener.settimeout(max(0.01, deadline - time.monotonic()))
    conn, _ = listener.accept()
    size = int.from_bytes(read_exact(conn, 2, deadline), "big")
    return conn, read_exact(conn, size, deadline)


def finish(proc: subprocess.Popen, deadline_s: float = 15) -> tuple[str, str]:
    """Waits for a client we started to exit by itself; kills it by PID after the deadline."""
    try:
        return proc.communicate(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return out, err + "\n(killed after the deadline)"
