# syntax=docker/dockerfile:1
# The portal's image. Installed by deploy/install.sh, the very script CI runs and then checks end to end
# (deploy/install-and-check.sh: the wheel in a fresh virtualenv, production settings, PostgreSQL, Redis,
# gunicorn, every public page type, a sign-in and a registration). Images are not built on the machines
# this project is developed on; tests/deploy/test_compose.py checks this file calls that script.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# 1. Build: the wheel, installed into /opt/portal with its dependencies.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY . .
# "demo" adds what `portal load_demo_data` needs (for a trial site; leave empty in production).
ARG PORTAL_EXTRAS=""
RUN PORTAL_EXTRAS="${PORTAL_EXTRAS}" deploy/install.sh /opt/portal
# Static files are part of the release: collected (compressed, fingerprinted) into the image. The
# values here only let the production settings load; nothing is connected to.
RUN DJANGO_SETTINGS_MODULE=portal.settings.production \
    SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build REDIS_URL=redis://build:6379/0 \
    MEDIA_ROOT=/tmp/media PRIVATE_MEDIA_ROOT=/tmp/private STATIC_ROOT=/opt/portal-static \
    /opt/portal/bin/portal collectstatic --noinput

# 2. Run: the virtualenv, the system libraries the portal needs, a user without privileges.
FROM ${PYTHON_IMAGE} AS runtime
# Pango, HarfBuzz and fonts render PDFs (WeasyPrint); shared-mime-info names uploaded files' types.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /srv/portal --create-home portal \
    && mkdir -p /srv/portal/media /srv/portal/private \
    && chown portal:portal /srv/portal/media /srv/portal/private
COPY --from=build /opt/portal /opt/portal
COPY --from=build /opt/portal-static /srv/portal/static
ENV PATH=/opt/portal/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    MEDIA_ROOT=/srv/portal/media \
    PRIVATE_MEDIA_ROOT=/srv/portal/private \
    STATIC_ROOT=/srv/portal/static
USER portal
WORKDIR /srv/portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["gunicorn", "-c", "python:portal.gunicorn", "portal.wsgi"]
