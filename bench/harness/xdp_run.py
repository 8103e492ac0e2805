"""The AF_XDP phase: runs bench/xdp.py (its own Knot and dnsd on a veth pair in network
namespaces, root only) and checks the JSON it writes. When it cannot run, says why, so the goal
row reads "not run: <reason>" and never "met".

bench/xdp.py --json PATH writes:
    {"rounds": N, "servers": {"knot-xdp": {"cpu_us_per_q_10k": x, "cpu_us_per_q_max": x,
     "max_qps": x, "lost": n}, "dnsd-xdp": {...}, "knot-sock": {...}, "dnsd-sock": {...}},
     "ratio_cpu_max": x, "ratio_cpu_10k": x}
"""
import json
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(BENCH, "xdp.py")
SERVERS = ["knot-xdp", "dnsd-xdp", "knot-sock", "dnsd-sock"]
FIELDS = ["cpu_us_per_q_10k", "cpu_us_per_q_max", "max_qps", "lost"]
TIMEOUT_S = {True: 900, False: 3600}  # quick, full: bench/xdp.py's own runs are bounded too


def why_not():
    """None if bench/xdp.py can run here, else the reason it cannot."""
    if not os.path.exists(SCRIPT):
        return "bench/xdp.py does not exist in this checkout"
    if os.geteuid() != 0:
        return "needs root (it creates network namespaces and a veth pair)"
    try:
        ip = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"`ip netns list` failed: {error}"
    if ip.returncode != 0:
        return f"`ip netns list` failed: {_last_line(ip.stderr) or f'exit status {ip.returncode}'}"
    return None


def command(json_path, rounds, quick, build_dir, no_build):
    """The call; --no-build and --build-dir are passed through only if bench/xdp.py takes them."""
    cmd = [sys.executable, SCRIPT, "--json", json_path, "--rounds", str(rounds)]
    if quick:
        cmd.append("--quick")
    try:
        usage = subprocess.run([sys.executable, SCRIPT, "--help"], capture_output=True, text=True,
                               timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        usage = ""
    if no_build and "--no-build" in usage:
        cmd.append("--no-build")
    if "--build-dir" in usage:
        cmd += ["--build-dir", build_dir]
    elif "--dnsd" in usage:  # the dnsd bench/run built (Release), not build/'s
        cmd += ["--dnsd", os.path.join(build_dir, "daemon", "dnsd")]
    return cmd


def run(work, rounds, quick, build_dir, no_build, log):
    """{"status": "run", "data": {...}, "command": ...} or {"status": "not run", "reason": ...}."""
    reason = why_not()
    if reason:
        return {"status": "not run", "reason": reason}
    json_path = os.path.join(work, "xdp.json")
    log_path = os.path.join(work, "xdp.log")
    cmd = command(json_path, rounds, quick, build_dir, no_build)
    shown = " ".join(["bench/xdp.py"] + cmd[2:]).replace(work, "<work>")
    log(f"AF_XDP: {shown}")
    try:
        with open(log_path, "w") as out:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT_S[quick],
                                  cwd=os.path.dirname(BENCH))
    except subprocess.TimeoutExpired:
        return {"status": "not run", "reason": f"bench/xdp.py still running after {TIMEOUT_S[quick]} s (stopped)",
                "command": shown}
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = _last_line(f.read())
        return {"status": "not run", "command": shown,
                "reason": f"bench/xdp.py exited with status {proc.returncode}" + (f": {tail}" if tail else "")}
    try:
        with open(json_path) as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        return {"status": "not run", "command": shown, "reason": f"bench/xdp.py wrote no readable JSON: {error}"}
    problem = check(data)
    if problem:
        return {"status": "not run", "command": shown, "reason": f"bench/xdp.py's JSON {problem}", "data": data}
    return {"status": "run", "command": shown, "data": data}


def check(data):
    """None if data has the shape above (the two XDP servers at least), else what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
        return "has no \"servers\" object"
    for name in ("knot-xdp", "dnsd-xdp"):
        server = data["servers"].get(name)
        if not isinstance(server, dict):
            return f"has no \"{name}\""
        for field in ("cpu_us_per_q_10k", "cpu_us_per_q_max"):
            if not isinstance(server.get(field), (int, float)) or server[field] <= 0:
                return f"has no positive {name}.{field}"
    return None


def ratio(data, test):
    """dnsd-xdp / knot-xdp CPU per query for test "10k" or "max": the script's own figure if it
    gave one, else computed from its servers."""
    given = data.get(f"ratio_cpu_{test}")
    if isinstance(given, (int, float)):
        return float(given)
    servers = data["servers"]
    return servers["dnsd-xdp"][f"cpu_us_per_q_{test}"] / servers["knot-xdp"][f"cpu_us_per_q_{test}"]


def _last_line(text):
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
