"""Instructions per query under callgrind, by difference so that startup and idle cost cancel.

Run 1: start under callgrind, wait until answering, send N queries (dnsperf -n 1 over an N-line
file), stop. Run 2: same start, stay idle for as long as run 1 took, stop.
Ir per query = (Ir(run 1) - Ir(run 2)) / answered queries. Every process of the server writes its
own file (%p); they are summed, threads included.
"""
import glob
import os
import re
import shutil
import time

from . import load

WRAP = ["valgrind", "--tool=callgrind", "--dump-line=no", "--compress-strings=no"]


def _total_ir(directory):
    total = 0
    for path in glob.glob(os.path.join(directory, "callgrind.out.*")):
        with open(path, errors="replace") as f:
            text = f.read()
        m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
        if m:
            total += int(m.group(1))
    return total


def _one_run(server, ready_name, out_dir, qfile=None, idle_s=0.0):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    wrap = WRAP + [f"--callgrind-out-file={out_dir}/callgrind.out.%p"]
    server.start(ready_name, ready_timeout_s=300, wrap=wrap, tag="-callgrind")
    t0 = time.monotonic()
    result = None
    if qfile:
        # Few outstanding and a long timeout: valgrind runs the server ~50x slower.
        result = load.dnsperf(server.port, qfile, os.path.join(out_dir, "dnsperf.txt"),
                              runs=1, outstanding=20, timeout_s=10)
    else:
        time.sleep(idle_s)
    elapsed = time.monotonic() - t0
    server.proc.stop(timeout_s=120)
    server.proc = None
    return _total_ir(out_dir), elapsed, result


def instructions_per_query(server, ready_name, qfile, work_dir):
    """{'ir_per_q', 'ir_total', 'ir_idle', 'answered', 'lost'} for one server and one query file."""
    busy_dir = os.path.join(work_dir, "busy")
    idle_dir = os.path.join(work_dir, "idle")
    ir_busy, elapsed, result = _one_run(server, ready_name, busy_dir, qfile=qfile)
    ir_idle, _, _ = _one_run(server, ready_name, idle_dir, idle_s=elapsed)
    answered = result["completed"] if result else 0
    return {
        "ir_per_q": (ir_busy - ir_idle) / answered if answered else None,
        "ir_total": ir_busy,
        "ir_idle": ir_idle,
        "answered": answered,
        "lost": result["lost"] if result else None,
        "seconds": elapsed,
    }
