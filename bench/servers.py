"""gunicorn on loopback, and a threaded HTTP client to drive it: what a user feels is the whole
request, through a real server and a real socket, so the benchmarks that time it share these."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import percentile

START_TIMEOUT_SECONDS = 30
# The command names of the services a request waits on, as /proc names their processes.
SERVICES = ("postgres", "redis-server")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_cpu_seconds(chosen) -> float:
    """CPU time (user + system) used so far by the processes ``chosen(pid, parent pid,
    command name)`` picks and by their children that have ended (Linux's /proc): a process
    that ends moves its time to its parent's, so a sum over a server's processes only grows."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # a process that ended while we looked
        head, _, tail = text.rpartition(")")
        fields = tail.split()
        if chosen(int(stat.parent.name), int(fields[1]), head.partition("(")[2]):
            total += sum(int(ticks) for ticks in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def services_cpu_seconds() -> float:
    """CPU time PostgreSQL's and Redis's processes have used so far, whoever started them."""
    return processes_cpu_seconds(lambda _, __, name: name in SERVICES)


def machine_cpu_seconds() -> float:
    """CPU time every core of the machine has spent busy so far (Linux's /proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(ticks) for ticks in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    """One gunicorn serving ``app`` on a free loopback port, in its own process group.

    ``options`` are gunicorn's own (``--workers 2``, ``--worker-class gthread`` …); ``env`` adds
    to this process's environment.
    """

    def __init__(self, app: str, *, name: str, log_dir: str, options=(), env=None):
        self.port = free_port()
        self.log_path = Path(log_dir) / f"gunicorn-{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [
                    *(sys.executable, "-m", "gunicorn", app),
                    *("--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"),
                    *options,
                ],
                cwd=PROJECT_ROOT,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends master and workers
            )

    def wait_ready(self, path: str = "/healthz", *, headers=None) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", path, headers={"Host": "localhost", **(headers or {})})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start; its log:\n{self.log_path.read_text()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its workers have used so far (Linux)."""
        pid = self.process.pid
        return processes_cpu_seconds(lambda process, parent, _: pid in (process, parent))

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Load:
    """What ``drive`` saw: every request's latency (ms) and the time the whole run took."""

    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    server_cpu_seconds: float = 0.0
    # PostgreSQL and Redis; this process (the client threads); every core of the machine.
    services_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    machine_cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def p(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)

    def per_request_ms(self, cpu_seconds: float) -> float:
        return cpu_seconds * 1000 / len(self.latencies_ms) if self.latencies_ms else 0

    @property
    def server_cpu_ms(self) -> float:
        """The server's CPU per answered request: what the machine's load does not change."""
        return self.per_request_ms(self.server_cpu_seconds)

    def add(self, other: "Load") -> None:
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms
        self.failures += other.failures
        self.server_cpu_seconds += other.server_cpu_seconds
        self.services_cpu_seconds += other.services_cpu_seconds
        self.client_cpu_seconds += other.client_cpu_seconds
        self.machine_cpu_seconds += other.machine_cpu_seconds


def drive(
    server: Gunicorn, path: str, *, headers=None, threads: int = 4, seconds: float = 5.0
) -> Load:
    """``threads`` clients request ``path`` back to back for ``seconds``, each on a new
    connection (gunicorn's sync worker closes every connection after its response).

    A response other than 200 is a failure, recorded and not timed: a benchmark that counted
    refusals as answers would time the wrong thing.
    """
    headers = {"Host": "localhost", **(headers or {})}
    port = server.port
    load = Load()
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def client() -> None:
        latencies, failures = [], []
        start.wait()
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except OSError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            finally:
                connection.close()
            if response.status == 200:
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                failures.append(f"HTTP {response.status}")
        with lock:
            load.latencies_ms += latencies
            load.failures += failures

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    cpu = server.cpu_seconds(), services_cpu_seconds(), time.process_time()
    machine = machine_cpu_seconds()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for worker in workers:
        worker.join()
    load.seconds = time.perf_counter() - began
    load.machine_cpu_seconds = machine_cpu_seconds() - machine
    load.server_cpu_seconds = server.cpu_seconds() - cpu[0]
    load.services_cpu_seconds = services_cpu_seconds() - cpu[1]
    load.client_cpu_seconds = time.process_time() - cpu[2]
    return load
