"""Bringing the cluster up and down: supervisord first, then Redis, the primary (made once),
migrations as the tables' owner, the replica (copied once), and the app's processes behind
HAProxy. Every step may run again: what exists is kept."""

import os
import subprocess

from cluster import postgres, processes
from cluster.topology import (
    BASE_DIR,
    HAPROXY_PORT,
    HOST,
    PATHS,
    PRIMARY_PORT,
    PYTHON_BIN,
    REDIS_PORT,
    REPLICA_PORT,
    WEB_PORTS,
    WORKERS,
    owner_environment,
)
from cluster.verdicts import fail, say, wait_for

APP_PROGRAMS = (*WEB_PORTS, *WORKERS, "beat")


def _migrate() -> None:
    env = {**os.environ, **owner_environment()}
    for database in ("default", "ledger"):
        command = ["manage.py", "migrate", "--noinput", f"--database={database}"]
        completed = subprocess.run(
            [str(PYTHON_BIN / "python"), *command],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            fail(f"migrate --database {database} failed:\n{completed.stdout}{completed.stderr}")


def _ports_held(busy: dict[str, int]) -> str:
    held = ", ".join(f"{port} ({name}'s)" for name, port in busy.items())
    return f"{held}: `ss -ltnp` names what listens there"


def up() -> None:
    say(f"Cluster in {PATHS.root}")
    processes.configuration_write()
    if processes.supervisord_running():
        processes.ctl("reread")
        processes.ctl("update")
    elif busy := processes.ports_in_use():
        fail(f"The cluster's ports are in use by something else: {_ports_held(busy)}")
    processes.supervisord_start()
    processes.start("redis")
    if postgres.primary_init():
        say("  initdb: a new primary")
    processes.start("pg-primary")
    postgres.wait_until_ready(PRIMARY_PORT)
    postgres.roles_and_databases_create()
    say(f"  PostgreSQL primary on {PRIMARY_PORT}; migrating as the tables' owner")
    _migrate()
    if postgres.replica_init():
        say("  pg_basebackup: a new streaming replica")
    processes.start("pg-replica")
    postgres.wait_until_ready(REPLICA_PORT)
    say(f"  PostgreSQL replica on {REPLICA_PORT}, Redis on {REDIS_PORT}")
    processes.start(*APP_PROGRAMS, "haproxy")
    processes.web_nodes_warm()
    up_ = wait_for(lambda: set(processes.haproxy_servers().values()) == {"UP"}, 90, every=1)
    if not up_:
        fail(f"The web nodes did not come up:\n{processes.status()}\n(see {PATHS.logs})")
    say(f"Cluster up: http://{HOST}:{HAPROXY_PORT}/ (HAProxy; stats in {PATHS.run})")
    print(processes.status(), flush=True)


def down() -> bool:
    """Stop the cluster; False when something still listens on its ports afterwards (a
    process that outlived a supervisord killed by hand, or another program)."""
    if processes.SUPERVISORD_CONF.exists() and processes.supervisord_running():
        processes.shutdown()
        say("Cluster stopped (its data stays in var/cluster/)")
    else:
        say("Cluster not running")
    if busy := processes.ports_in_use():
        say(f"Still listening on the cluster's ports: {_ports_held(busy)}")
        return False
    return True
