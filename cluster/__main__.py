"""``python -m cluster up | down | status | test [--scale N] [--users N]``.

``test`` brings the cluster up, makes the drills' data (once per scale), runs locust through
HAProxy while the drills run, prints each endpoint's figures and each drill's verdict, stops
the cluster and exits 1 if any goal failed. Its last line sums it up.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid

from cluster import lifecycle, processes
from cluster.topology import HAPROXY_PORT, HOST, PATHS, PYTHON_BIN, app_environment

DEFAULT_SCALE = 10_000_000
DEFAULT_USERS = 16


def _django() -> None:
    os.environ.update(app_environment())
    import django

    django.setup()


def _locust(users: int, run_id: str) -> subprocess.Popen:
    log = (PATHS.logs / "locust.log").open("w")
    return subprocess.Popen(
        [
            str(PYTHON_BIN / "locust"),
            "-f",
            "cluster/locustfile.py",
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            "30m",  # the drills stop it long before; a ceiling if they cannot
            "--host",
            f"http://{HOST}:{HAPROXY_PORT}",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=lifecycle.BASE_DIR,
        env={**os.environ, "CLUSTER_DRILL_DIR": str(PATHS.drill), "CLUSTER_RUN_ID": run_id},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test(scale: int, users: int) -> int:
    started = time.monotonic()
    passed, lines = False, ["cluster-test: the drills did not run to the end"]
    stopped = False
    try:
        lifecycle.up()
        _django()
        from cluster import report

        passed, lines = report.run_drills(
            scale=scale, users=users, run_id=uuid.uuid4().hex[:8], locust=_locust
        )
    finally:
        try:
            stopped = lifecycle.down()
        finally:
            lines[-1] += f" ({time.monotonic() - started:.0f}s)"
            print("\n".join(lines), flush=True)
    return 0 if passed and stopped else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start the cluster (make cluster)")
    sub.add_parser("down", help="stop every process of the cluster (make cluster-stop)")
    sub.add_parser("status", help="each process's state")
    drills = sub.add_parser("test", help="start, run the drills, stop (make cluster-test)")
    drills.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="usage events")
    drills.add_argument("--users", type=int, default=DEFAULT_USERS, help="locust users")
    args = parser.parse_args()
    # Stop cleanly on Ctrl-C or a CI timeout: the finally blocks stop the cluster.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if args.command == "up":
        lifecycle.up()
    elif args.command == "down":
        return 0 if lifecycle.down() else 1
    elif args.command == "status":
        print(processes.status() if processes.supervisord_running() else "not running")
    else:
        return test(args.scale, args.users)
    return 0


if __name__ == "__main__":
    sys.exit(main())
