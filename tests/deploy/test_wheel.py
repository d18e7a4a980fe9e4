"""The wheel carries every app (all its code, migrations and data), every template and static file, and
the ``portal`` command: compared with what git tracks, so leaving anything out fails.

The wheel is built by ``deploy/install.sh --build-only``, the script the Dockerfile and CI install with,
or read from ``PORTAL_WHEEL_DIR`` when CI's install check has just built one.
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging

# Where the checkout's site-wide folders go in the wheel (setup.py).
SITE_FOLDERS = {"templates/": "portal/templates/", "static/": "portal/static/"}


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory):
    given = os.environ.get("PORTAL_WHEEL_DIR")
    folder = Path(given) if given else tmp_path_factory.mktemp("wheel")
    if not given:
        subprocess.run(
            [str(ROOT / "deploy" / "install.sh"), "--build-only", str(folder)],
            env={**os.environ, "PYTHON": sys.executable},
            check=True,
            capture_output=True,
            timeout=600,
        )
    (wheel,) = folder.glob("coproduction_portal-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if name.endswith("entry_points.txt")
        }, set(archive.namelist())


@pytest.fixture(scope="module")
def tracked():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    return [name for name in listed if name and (ROOT / name).is_file()]


def shipped_as(name):
    """Where a tracked file must be in the wheel, or None if it is not part of the product."""
    for folder, inside in SITE_FOLDERS.items():
        if name.startswith(folder):
            return inside + name.removeprefix(folder)
    if name.split("/", 1)[0] in settings.PROJECT_APPS and "/" in name:
        return name
    return None


def test_every_app_template_static_file_and_migration_is_in_the_wheel(wheel_files, tracked):
    _, names = wheel_files
    expected = {shipped_as(name) for name in tracked} - {None}
    missing = sorted(expected - names)
    assert missing == [], f"not in the wheel: {missing}"


def test_the_comparison_covers_every_installed_app_and_kind_of_file(tracked):
    """The list compared above is not empty by accident: each app, its migrations, templates, static
    files and the demo data are in it."""
    expected = [shipped_as(name) for name in tracked]
    for app in settings.PROJECT_APPS:
        assert f"{app}/apps.py" in expected, app
        assert f"{app}/migrations/0001_initial.py" in expected, app
    assert "portal/templates/base.html" in expected
    assert any(name.startswith("portal/static/css/") for name in expected if name)
    assert "library/demo_data/resources.csv" in expected


def test_the_wheel_carries_nothing_else(wheel_files):
    _, names = wheel_files
    tops = {name.split("/", 1)[0] for name in names}
    (dist_info,) = [top for top in tops if top.endswith(".dist-info")]
    assert tops - {dist_info} == set(settings.PROJECT_APPS)
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_wheel_installs_the_portal_command(wheel_files):
    entry_points, _ = wheel_files
    (text,) = entry_points.values()
    assert "[console_scripts]" in text.decode()
    assert "portal = portal.cli:main" in text.decode()
