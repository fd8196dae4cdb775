# One image for web (gunicorn), worker and beat (Celery) and the migrate job.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app, where templates/ and static/ sit beside it.
    PYTHONPATH=/app \
    PRIVACYDESK_VAR_DIR=/app/var

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

# pg_dump, pg_restore and psql for `manage.py backup` and `restore`, of the major version of the
# server in docker-compose.yml (pg_dump refuses a server newer than itself; tests/config checks
# the two agree). Debian's own archive carries one other major per release, so postgresql-common
# (Debian's) adds the PostgreSQL project's Debian repository, signed with the key it ships.
ARG POSTGRES_MAJOR=16
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(p['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && mkdir -p /app/var/static /app/var/media \
    && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
