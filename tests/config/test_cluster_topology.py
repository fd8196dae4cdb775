"""The production topology's files agree with each other: `make cluster` (supervisord and
HAProxy configured by cluster/processes.py) and docker compose's scale profile. The drills
themselves run the topology for real (`make cluster-test`); CI does not."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from cluster import stats

BASE_DIR = Path(settings.BASE_DIR)


def compose_services() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]


def python_on_scratch_cluster_dir(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python ARGS`` in the project, with CLUSTER_DIR (and ``env``) pointed at a scratch dir."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**os.environ, "CLUSTER_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def rendered(tmp_path) -> tuple[str, str]:
    """supervisord.conf and haproxy.cfg as `make cluster` writes them, into a scratch dir."""
    completed = python_on_scratch_cluster_dir(
        tmp_path, "-c", "from cluster import processes; processes.configuration_write()"
    )
    assert completed.returncode == 0, completed.stderr
    return (tmp_path / "supervisord.conf").read_text(), (tmp_path / "haproxy.cfg").read_text()


def cluster_command(tmp_path, *args: str, http_port: int) -> subprocess.CompletedProcess:
    """``python -m cluster ...`` on a scratch CLUSTER_DIR, with HAProxy's port moved."""
    return python_on_scratch_cluster_dir(
        tmp_path, "-m", "cluster", *args, CLUSTER_HTTP_PORT=str(http_port)
    )


def haproxy_check(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["haproxy", "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
    )


def programs(conf: str) -> dict[str, str]:
    sections = re.split(r"^\[program:([\w-]+)\]\s*$", conf, flags=re.MULTILINE)
    return dict(zip(sections[1::2], sections[2::2], strict=True))


def test_make_cluster_runs_every_process_of_the_topology(tmp_path):
    supervisord, _ = rendered(tmp_path)
    found = programs(supervisord)

    assert set(found) == {
        "pg-primary",
        "pg-replica",
        "redis",
        "haproxy",
        "web1",
        "web2",
        "worker1",
        "worker2",
        "beat",
    }
    for web in ("web1", "web2"):
        assert "gunicorn config.wsgi" in found[web]
    for worker in ("worker1", "worker2"):
        assert "celery -A config worker" in found[worker]
    # Exactly one beat.
    assert sum("celery -A config beat" in body for body in found.values()) == 1
    # PostgreSQL stops with a fast shutdown (SIGINT); a killed app process takes its children.
    assert "stopsignal=INT" in found["pg-primary"] and "stopsignal=INT" in found["pg-replica"]
    assert "killasgroup=true" in found["web1"] and "killasgroup=true" in found["worker1"]
    assert oct((tmp_path / "supervisord.conf").stat().st_mode & 0o777) == "0o600"


def test_the_app_processes_share_one_configuration_with_a_replica_and_one_media_root(tmp_path):
    supervisord, _ = rendered(tmp_path)
    found = programs(supervisord)
    environments = {
        re.search(r"^environment=(.*)$", found[name], re.MULTILINE)[1]
        for name in ("web1", "web2", "worker1", "worker2", "beat")
    }

    assert len(environments) == 1
    (environment,) = environments
    assert "DATABASE_REPLICA_URL=" in environment
    assert f'MEDIA_ROOT="{tmp_path / "media"}"' in environment
    assert 'CELERY_VISIBILITY_TIMEOUT="30"' in environment


def test_haproxy_health_checks_both_nodes_and_retries_only_what_is_safe(tmp_path):
    _, haproxy = rendered(tmp_path)

    assert re.search(r"^\s+server web1 127\.0\.0\.1:8101$", haproxy, re.MULTILINE)
    assert re.search(r"^\s+server web2 127\.0\.0\.1:8102$", haproxy, re.MULTILINE)
    assert "http-check send meth GET uri /healthz" in haproxy
    assert "http-check expect status 200" in haproxy
    assert re.search(r"default-server check .*fall 2 rise 2", haproxy)
    assert "http-request disable-l7-retry unless METH_GET || METH_HEAD" in haproxy
    compose_haproxy = (BASE_DIR / "deploy" / "haproxy" / "haproxy.cfg").read_text()
    for rule in (
        "http-check send meth GET uri /healthz",
        "retry-on conn-failure empty-response",
        "http-request disable-l7-retry unless METH_GET || METH_HEAD",
    ):
        assert rule in compose_haproxy


def test_haproxy_accepts_both_configurations_before_any_web_node_resolves(tmp_path):
    rendered(tmp_path)

    cluster = haproxy_check(tmp_path / "haproxy.cfg")
    compose = haproxy_check(BASE_DIR / "deploy" / "haproxy" / "haproxy.cfg")

    assert cluster.returncode == 0, cluster.stderr
    # Outside compose's network the names web and web2 do not resolve: HAProxy must still start
    # (init-addr none) and find the nodes through compose's DNS once their containers are up.
    assert compose.returncode == 0, compose.stderr


def test_the_cluster_does_not_start_on_ports_something_else_holds(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        started = cluster_command(tmp_path, "up", http_port=port)
        stopped = cluster_command(tmp_path, "down", http_port=port)

    assert started.returncode == 1
    assert f"{port} (haproxy's)" in started.stderr
    assert not (tmp_path / "run" / "supervisor.sock").exists()
    # make cluster-stop says so too, rather than report a stopped cluster.
    assert stopped.returncode == 1
    assert f"{port} (haproxy's)" in stopped.stdout


def test_compose_offers_the_same_topology_as_the_scale_profile():
    services = compose_services()
    scale = {name for name, service in services.items() if "scale" in service.get("profiles", [])}

    assert scale == {"db-replica", "web2", "worker2", "haproxy"}
    for copy, original in (("web2", "web"), ("worker2", "worker")):
        for key in ("build", "image", "env_file", "environment", "command", "depends_on"):
            assert services[copy][key] == services[original][key], (copy, key)
        assert "files:/app/var/media" in services[copy]["volumes"]
    replica = services["db-replica"]
    assert replica["image"] == services["db"]["image"]
    script = (BASE_DIR / "deploy/postgres/replica/start-replica.sh").read_text()
    assert "pg_basebackup" in script and "--write-recovery-conf" in script
    replication = (BASE_DIR / "deploy/postgres/initdb/20-replication.sh").read_text()
    assert "REPLICATION" in replication and "pg_hba.conf" in replication
    assert (
        services["db"]["environment"]["PRIVACYDESK_REPLICATION_PASSWORD"]
        == replica["environment"]["REPLICATION_PASSWORD"]
    )


def test_compose_starts_with_and_without_the_scale_profile():
    # What `docker compose [--profile scale] config` refuses: a service that waits for one the
    # profile leaves out, or for one that does not exist.
    services = compose_services()
    for profiles in (set(), {"scale"}):
        active = {
            name
            for name, service in services.items()
            if not service.get("profiles") or set(service["profiles"]) & profiles
        }
        for name in active:
            assert set(services[name].get("depends_on", ())) <= active, (profiles, name)


def test_ci_runs_the_suite_but_not_the_drills():
    makefile = (BASE_DIR / "Makefile").read_text()
    for target in ("cluster", "cluster-stop", "cluster-test"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    ci = (BASE_DIR / ".ci" / "run").read_text()
    assert "cluster-test" not in ci and "python -m cluster" not in ci


def test_the_load_is_summed_per_endpoint_with_failures_and_percentiles():
    requests = [stats.Request(0.0, 0.010 * n, "report page", 200, False) for n in range(1, 101)] + [
        stats.Request(5.0, 5.5, "ingest 1000", 502, True)
    ]

    figures = {row.name: row for row in stats.per_endpoint(requests)}

    assert figures["report page"].requests == 100
    assert figures["report page"].failures == 0
    assert round(figures["report page"].p50_ms) == 505  # the median of 10, 20 ... 1000 ms
    assert round(figures["report page"].p95_ms) == 950
    assert figures["ingest 1000"].failures == 1
    assert len(stats.started_between(requests, 4.0, 6.0)) == 1


def test_the_clusters_keys_are_never_readable_by_another_user(tmp_path):
    """secrets.json and supervisord.conf hold the app's keys and passwords: each is private
    from its first byte, not written under the umask and narrowed afterwards (another user
    could open it in between and read it later)."""
    narrowing_skipped = (
        "import os, pathlib; os.umask(0o022); pathlib.Path.chmod = lambda *a, **k: None; "
        "from cluster import processes; processes.configuration_write()"
    )
    completed = python_on_scratch_cluster_dir(tmp_path, "-c", narrowing_skipped)

    assert completed.returncode == 0, completed.stderr
    for name in ("secrets.json", "supervisord.conf"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
