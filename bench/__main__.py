"""Run the benchmarks: `python -m bench` (all) or `python -m bench NAME [--scale N]`.

Each benchmark runs in a process of its own, on a database of its own
(privacydesk_bench_NAME, created and migrated if missing, unless DATABASE_URL names one), so
one benchmark's data set (the reports' ten million events) is never another's to truncate,
and a second run reuses what the first generated.
"""

import argparse
import importlib
import os
import subprocess
import sys

from bench.common import setup_django

BENCHMARKS = [
    "usage_logging",
    "usage_ingest",
    "usage_reports",
    "usage_tasks",
    "dsar_access",
    "retention_purge",
    "backup_summary",
    "backoffice_pages",
    "audit_verify",
    "request_floor",
    "login",
    "queue_paging",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="which to run")
    parser.add_argument(
        "--scale",
        type=int,
        default=None,
        help="events to generate (usage_reports), entries (audit_verify)",
    )
    args = parser.parse_args()
    names = args.names or BENCHMARKS
    if len(names) == 1:
        setup_django(names[0])
        importlib.import_module(f"bench.{names[0]}").run(scale=args.scale)
        return
    scale = ["--scale", str(args.scale)] if args.scale else []
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        command = [sys.executable, "-m", "bench", name, *scale]
        if subprocess.run(command, env=os.environ.copy(), check=False).returncode:  # noqa: S603
            failed.append(name)
    if failed:
        sys.exit(f"Benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
