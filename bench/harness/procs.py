"""Processes the bench starts: pinning, CPU and memory accounting, ports, bounded waits.

Only processes started here are ever signalled, always by PID. Every wait has a deadline.
"""
import os
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def pin_self(cpu):
    """Keeps the harness (and everything it starts unpinned) off the server's core."""
    os.sched_setaffinity(0, {cpu})


def wait_until(timeout_s, predicate, step_s=0.01):
    """Polls predicate until it returns a truthy value or the deadline passes; returns the value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step_s)


def port_is_free(host, port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((host, port))
            except OSError:
                return False
    return True


def free_port(hosts=("127.0.0.1",), taken=None):
    """A port free for UDP and TCP on every host in hosts (all loopback), never handed out twice."""
    taken = taken if taken is not None else _handed_out
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        if port not in taken and all(port_is_free(h, port) for h in hosts):
            taken.add(port)
            return port
    raise RuntimeError("no free loopback port found")


_handed_out = set()


def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(root):
    """root and its live descendants (NSD and gdnsd fork helpers that serve or hold the zone)."""
    children = _children_map()
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _stat_cpu_s(pid):
    # utime + stime of the whole thread group (the tgid's stat already sums its threads).
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _schedstat_cpu_s(pid):
    # Nanosecond run time per live thread; finer than the 10 ms ticks of /proc/PID/stat.
    return sum(_thread_run_ns(pid).values()) / 1e9


def _thread_run_ns(pid):
    run_ns = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return run_ns
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run_ns[int(tid)] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return run_ns


def _status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid):
    """(VmRSS, VmHWM) of one process in KiB: its resident memory now, and its peak so far."""
    return _status_kib(pid, "VmRSS"), _status_kib(pid, "VmHWM")


def reset_peak_rss(pid):
    """Sets VmHWM back to the current VmRSS (Linux >= 4.0, our own processes), so the next
    VmHWM is the peak of what runs next rather than of the zone load. False if refused."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def cpu1_busy_s():
    """Busy time of CPU 1 from /proc/stat, to see how much of the core went to someone else."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu1 "):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK  # all but idle and iowait
    return 0.0


# Set by bench/run (as root): the nice value of each started process's autogroup. With
# kernel.sched_autogroup_enabled, every session is one scheduling entity and a thread's own nice
# only ranks it inside its session; each server starts a session of its own, so only this makes
# the bench's nice count against other processes on the machine (bench/latency.py measured it).
AUTOGROUP_NICE = None


def set_autogroup_nice(pid, nice):
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(nice))
    except OSError:
        pass  # no autogroup support, or not allowed: the plain nice value is all there is


class Proc:
    """A started process: its tree's CPU time, peak RSS, and a PID-only stop."""

    def __init__(self, cmd, cwd, log_path, env=None, stdout=None):
        self.cmd = cmd
        self.log_path = log_path
        self.started = time.monotonic()
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self._log, stderr=self._log,
            env=env, start_new_session=True)
        self.pid = self.popen.pid
        if AUTOGROUP_NICE is not None:
            set_autogroup_nice(self.pid, AUTOGROUP_NICE)
        self.known = {}  # descendant PID -> its command line, so stop() can reach orphans

    def tree(self):
        pids = process_tree(self.pid) if self.alive() else []
        for pid in pids:
            if pid != self.pid and pid not in self.known:
                self.known[pid] = _cmdline(pid)
        return pids

    def alive(self):
        return self.popen.poll() is None

    def cpu_s(self):
        """(utime+stime from /proc/PID/stat, schedstat run time), summed over the process tree."""
        pids = self.tree()
        return sum(_stat_cpu_s(p) for p in pids), sum(_schedstat_cpu_s(p) for p in pids)

    def thread_run_ns(self):
        """Run time in ns of every thread of the tree, by TID: shows how the work was spread."""
        run_ns = {}
        for pid in self.tree():
            run_ns.update(_thread_run_ns(pid))
        return run_ns

    def enforce_affinity(self, cpus):
        """Pins every thread of the tree to the set cpus; returns the threads that had moved
        themselves (Knot pins UDP worker i to CPU i % ncpus at start, overriding taskset)."""
        moved = []
        for pid in self.tree():
            try:
                tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except OSError:
                continue
            for tid in tids:
                try:
                    allowed = os.sched_getaffinity(tid)
                    if allowed != set(cpus):
                        os.sched_setaffinity(tid, cpus)
                        moved.append((pid, tid, sorted(allowed)))
                except OSError:
                    pass
        return moved

    def peak_rss_kib(self):
        """(largest VmHWM of one process, sum of VmHWM over the tree)."""
        values = [_status_kib(p, "VmHWM") for p in self.tree()]
        return (max(values), sum(values)) if values else (0, 0)

    def rss_split_kib(self):
        """What the resident memory of the tree's largest process is made of now, in KiB:
        anonymous (heap, stacks, the zone), file-backed (mapped binaries and shared libraries)
        and shared memory. Says whether a peak RSS is the server's data or the code it loads."""
        pids = self.tree()
        if not pids:
            return None
        pid = max(pids, key=lambda p: _status_kib(p, "VmHWM"))
        return {"anon": _status_kib(pid, "RssAnon"), "file": _status_kib(pid, "RssFile"),
                "shmem": _status_kib(pid, "RssShmem")}

    def stop(self, timeout_s=30):
        """SIGTERM to the PID, wait, then SIGKILL to any of its own processes still alive."""
        self.tree()
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        for pid, cmdline in sorted(self.known.items()):
            if wait_until(timeout_s, lambda: not _same_live_process(pid, cmdline), 0.05):
                continue
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self._log.close()
        return self.popen.returncode


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None


def _same_live_process(pid, cmdline):
    # A recycled PID has another command line; a zombie is already dead.
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and cmdline is not None and _cmdline(pid) == cmdline
