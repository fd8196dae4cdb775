"""supervisord and HAProxy: their configuration, written from deploy/cluster/, and the commands
that start, stop and kill the cluster's processes."""

import math
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from string import Template

from cluster import postgres
from cluster.topology import (
    BASE_DIR,
    HAPROXY_PORT,
    HOST,
    PATHS,
    PORTS,
    PYTHON_BIN,
    REDIS_PORT,
    WEB_PORTS,
    WORKERS,
    app_environment,
    private_write,
)
from cluster.verdicts import fail, wait_for

TEMPLATES = BASE_DIR / "deploy" / "cluster"
SUPERVISORD_CONF = PATHS.root / "supervisord.conf"
HAPROXY_CFG = PATHS.root / "haproxy.cfg"
GUNICORN_WORKERS = 4
CELERY_CONCURRENCY = 2

APP_PROGRAM = """[program:{name}]
command={command}
directory={directory}
environment={environment}
autostart=false
autorestart={autorestart}
startsecs=3
stopwaitsecs=30
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={logs}/{name}.log
"""


def _environment_line() -> str:
    # supervisord's syntax: KEY="value",... with % doubled.
    return ",".join(
        f'{key}="{value.replace("%", "%%")}"' for key, value in app_environment().items()
    )


def _app_programs() -> str:
    commands = {
        name: f"{PYTHON_BIN}/gunicorn config.wsgi --bind {HOST}:{port} --name {name} "
        f"--workers {GUNICORN_WORKERS} --timeout 30 --graceful-timeout 10 "
        f"--control-socket {PATHS.run}/{name}.ctl"
        for name, port in WEB_PORTS.items()
    }
    commands |= {
        name: f"{PYTHON_BIN}/celery -A config worker -n {name}@%%h "
        f"--concurrency {CELERY_CONCURRENCY} -l warning"
        for name in WORKERS
    }
    # Exactly one beat: a second would enqueue every periodic task twice.
    commands["beat"] = (
        f"{PYTHON_BIN}/celery -A config beat -l warning --schedule {PATHS.run}/celerybeat-schedule"
    )
    environment = _environment_line()
    return "\n".join(
        APP_PROGRAM.format(
            name=name,
            command=command,
            directory=BASE_DIR,
            environment=environment,
            logs=PATHS.logs,
            # A web node that dies stays down, as a lost host does: HAProxy drains it, and
            # `make cluster` starts it again. A worker or beat that dies is restarted at once.
            autorestart="false" if name in WEB_PORTS else "true",
        )
        for name, command in commands.items()
    )


def configuration_write() -> None:
    for folder in (PATHS.run, PATHS.logs, PATHS.media, PATHS.mail, PATHS.app_var, PATHS.redis):
        folder.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"    server {name} {HOST}:{port}" for name, port in WEB_PORTS.items())
    HAPROXY_CFG.write_text(
        Template((TEMPLATES / "haproxy.cfg").read_text()).substitute(
            run=PATHS.run,
            host=HOST,
            port=HAPROXY_PORT,
            servers=servers,
            # One gunicorn worker of each node stays free for the health check: a node busy
            # with slow requests is not taken for a dead one.
            maxconn=GUNICORN_WORKERS - 1,
        )
    )
    user = f"user={postgres.SERVER_USER}" if postgres.RUNS_AS_ROOT else ""
    private_write(  # it holds the app's keys
        SUPERVISORD_CONF,
        Template((TEMPLATES / "supervisord.conf").read_text()).substitute(
            run=PATHS.run,
            logs=PATHS.logs,
            host=HOST,
            pg_primary=postgres.server_command(PATHS.primary),
            pg_replica=postgres.server_command(PATHS.replica),
            pg_user=user,
            redis_port=REDIS_PORT,
            redis_dir=PATHS.redis,
            haproxy_cfg=HAPROXY_CFG,
            app_programs=_app_programs(),
        ),
    )


def supervisord_running() -> bool:
    return (PATHS.run / "supervisor.sock").exists() and ctl_ok("pid")


def supervisord_start() -> None:
    if supervisord_running():
        return
    subprocess.run(
        [str(PYTHON_BIN / "supervisord"), "-c", str(SUPERVISORD_CONF)],
        check=True,
        cwd=BASE_DIR,
    )
    deadline = time.monotonic() + 20
    while not supervisord_running():
        if time.monotonic() > deadline:
            raise TimeoutError("supervisord did not start; see var/cluster/logs/supervisord.log")
        time.sleep(0.2)


def _supervisorctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PYTHON_BIN / "supervisorctl"), "-c", str(SUPERVISORD_CONF), *args],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )


def ctl(*args: str) -> str:
    return _supervisorctl(*args).stdout.strip()


def ctl_ok(*args: str) -> bool:
    return _supervisorctl(*args).returncode == 0


def start(*names: str) -> None:
    """Start the programs (one already running is left as it is); stop with the reason when
    one cannot start, rather than wait for a server that will never answer."""
    completed = _supervisorctl("start", *names)
    if completed.returncode != 0:
        fail(f"supervisorctl start failed:\n{completed.stdout.strip()}\n(see {PATHS.logs})")


def stop(*names: str) -> None:
    ctl("stop", *names)


def pid(name: str) -> int:
    found = ctl("pid", name)
    return int(found) if found.isdigit() else 0


def kill_hard(name: str) -> int:
    """SIGKILL the program and every process it started (its process group), as a host that
    loses power would; returns the pid killed."""
    killed = pid(name)
    if killed:
        os.killpg(killed, signal.SIGKILL)
    return killed


def status() -> str:
    return ctl("status")


def shutdown() -> None:
    """Stop every program, then supervisord, and wait until it has gone."""
    if supervisord_running():
        ctl("stop", "all")
        ctl("shutdown")
    wait_for(lambda: not supervisord_running(), 30, every=0.2)


def ports_in_use() -> dict[str, int]:
    """The cluster's ports that something listens on, whether the cluster or not."""
    busy = {}
    for name, port in PORTS.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            if probe.connect_ex((HOST, port)) == 0:
                busy[name] = port
    return busy


def haproxy_servers() -> dict[str, str]:
    """Each web node's state as HAProxy's health checks see it: "UP", "DOWN", ..., or "INI"
    while HAProxy has not yet had an answer to its first check of it (it counts such a node
    UP, and takes it DOWN if that answer is late)."""
    data = b""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            client.connect(str(PATHS.run / "haproxy.sock"))
            client.sendall(b"show stat\n")
            while chunk := client.recv(65536):
                data += chunk
    except OSError:
        return {}  # HAProxy not (yet) running
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    states = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "web" and row.get("svname") in WEB_PORTS:
            checked = row.get("check_status", "").lstrip("* ") not in ("", "INI", "UNK")
            states[row["svname"]] = row["status"].split(" ")[0] if checked else "INI"
    return states


def web_nodes_warm(seconds: float = 90) -> None:
    """Send every gunicorn worker of each node a request: a worker's first request imports
    every view (Django loads the URLconf then), which on a busy machine takes longer than
    HAProxy's health check waits, so that a cold node under load flaps DOWN and UP.

    As many requests at once as a node has workers reach most of them (a sync worker takes
    one at a time); rounds go on until every request of one was answered within a second."""

    def answered_in(port: int) -> float:
        began = time.monotonic()
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=60).close()
        except urllib.error.HTTPError:
            pass  # an answer all the same (503 while a database starts)
        except OSError:
            return math.inf  # not listening yet
        return time.monotonic() - began

    ports = [port for port in WEB_PORTS.values() for _ in range(GUNICORN_WORKERS)]
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=len(ports)) as pool:
        while time.monotonic() < deadline:
            slowest = max(pool.map(answered_in, ports))
            if slowest < 1:
                return
            if slowest == math.inf:
                time.sleep(0.5)
