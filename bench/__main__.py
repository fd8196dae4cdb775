import argparse
import importlib

from bench.common import setup_django

BENCHMARKS = [
    "usage_logging",
    "usage_ingest",
    "usage_reports",
    "dsar_access",
    "retention_purge",
    "backoffice_pages",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="which to run")
    parser.add_argument(
        "--scale", type=int, default=None, help="events to generate (usage_reports)"
    )
    args = parser.parse_args()
    setup_django()
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        module.run(scale=args.scale)


if __name__ == "__main__":
    main()
