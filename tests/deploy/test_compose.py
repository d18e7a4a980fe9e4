"""compose.yaml and the Dockerfile, read as Docker would read them (Docker itself is not run here).

Every portal service must start the production settings with exactly the environment compose gives it,
filled in from deploy/env.example: the settings module itself says what it requires
(``REQUIRED_ENVIRONMENT`` and its refusals), so this list is never a copy. The Dockerfile must install
through deploy/install.sh, the script CI's install check runs.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = {"migrate", "web", "worker", "scheduler"}
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def env_file(path):
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(value, given):
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}; a required name that is missing fails."""

    def one(match):
        name, how, rest = match.groups()
        if given.get(name):
            return given[name]
        if how and how.endswith("?"):
            raise AssertionError(f"{name} is required by compose.yaml but deploy/env.example does not set it")
        return rest or ""

    return _VARIABLE.sub(one, str(value))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def example():
    return env_file(ROOT / "deploy" / "env.example")


def service_environment(service, example):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {name: interpolate(value, example) for name, value in environment.items()}


def test_compose_has_every_process_and_what_they_need(compose):
    services = compose["services"]
    assert set(services) == PORTAL_SERVICES | {"db", "redis", "proxy"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"].startswith("caddy:")
    assert services["worker"]["command"][:2] == ["portal", "db_worker"]
    assert services["scheduler"]["command"] == ["portal", "run_schedule"]
    assert services["migrate"]["command"] == ["portal", "migrate", "--noinput"]
    assert "gunicorn" in services["web"]["command"]
    for name in PORTAL_SERVICES:
        assert services[name]["build"] == "."


def test_the_proxy_config_sends_the_site_to_web_and_serves_only_public_media(compose):
    mounts = compose["services"]["proxy"]["volumes"]
    config = next(m for m in mounts if m.endswith(":/etc/caddy/Caddyfile:ro")).split(":")[0]
    caddyfile = (ROOT / config).read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "root * /srv/portal/media" in caddyfile
    assert not any("private" in m for m in mounts)


@pytest.mark.parametrize("name", sorted(PORTAL_SERVICES))
def test_every_portal_service_gets_what_the_production_settings_require(compose, example, name, tmp_path):
    environment = service_environment(compose["services"][name], example)
    code = (
        "import json, django; django.setup(); from portal.settings import production; "
        "print(json.dumps(production.REQUIRED_ENVIRONMENT))"
    )
    # Exactly the service's environment (and where Python finds things): no variable from this machine.
    process_env = {**environment, "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name}: the production settings refuse to start: {result.stderr[-2000:]}"
    required = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"} <= set(required)
    missing = [variable for variable in required if not environment.get(variable)]
    assert missing == [], f"{name} is not given {missing}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"


def test_portal_services_share_the_upload_folders(compose):
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        mounts = {m.split(":")[1] for m in compose["services"][name]["volumes"]}
        assert {environment["MEDIA_ROOT"], environment["PRIVATE_MEDIA_ROOT"]} <= mounts, name


def test_the_dockerfile_installs_with_the_tested_script():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    assert len([line for line in instructions if line.startswith("FROM ")]) >= 2, "multi-stage"
    assert any(re.match(r"RUN .*deploy/install\.sh /opt/portal\b", line) for line in instructions)
    user = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert user and user[-1] not in {"root", "0"}
    healthcheck = dockerfile[dockerfile.index("HEALTHCHECK") :].split("CMD", 1)[1].splitlines()[0]
    assert "/readyz" in healthcheck
    # The script the Dockerfile runs is the one CI's install check runs, and CI runs that check.
    assert re.search(
        r'"\$src/deploy/install\.sh" "\$venv"', (ROOT / "deploy/install-and-check.sh").read_text()
    )
    assert "deploy/install-and-check.sh" in (ROOT / ".ci/run").read_text()
